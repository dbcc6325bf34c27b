#include "identity/noise.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "identity/compare.h"
#include "identity/string_distance.h"
#include "text/name.h"

namespace ichigen::identity {
namespace {

// Kanji common in names: substitutes for a typo.
constexpr std::u32string_view kTypoKanji =
    U"田中山川本村藤井木林森松石原小大野上下西東北南宮島崎谷口内沢池橋岡部伊佐加斉吉清"
    U"子美恵和幸正直一郎太次雄夫明弘裕勇健誠博隆真由香奈理千代江久秀英信義";
constexpr std::u32string_view kTypoKana =
    U"アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
    U"ガギグゲゴザジズゼゾダデドバビブベボパピプペポ";

struct Era {
  char32_t letter;
  std::string_view name;
  int year, month, day;  // first day of year 1
};
constexpr std::array<Era, 5> kEras = {{{U'M', "明治", 1868, 10, 23},
                                       {U'T', "大正", 1912, 7, 30},
                                       {U'S', "昭和", 1926, 12, 25},
                                       {U'H', "平成", 1989, 1, 8},
                                       {U'R', "令和", 2019, 5, 1}}};

core::Date EraStart(size_t e) {
  return *core::Date::FromYmd(kEras[e].year, kEras[e].month, kEras[e].day);
}

std::string Fmt(const char* f, int a, int b, int c) {
  char buf[48];
  std::snprintf(buf, sizeof buf, f, a, b, c);
  return buf;
}

std::string DigitsOnly(std::string_view s) {
  std::string d;
  for (char c : s) {
    if (c >= '0' && c <= '9') d.push_back(c);
  }
  return d;
}

// ASCII letters, digits and signs made full width; the rest kept.
std::string FullWidth(std::string_view text) {
  std::u32string out = ToCodePoints(text);
  for (char32_t& c : out) {
    if (c >= U'!' && c <= U'~') c += 0xFEE0;
  }
  return ToUtf8(out);
}

std::string KanjiNumber(int n) {
  static constexpr std::u32string_view kDigits = U"〇一二三四五六七八九";
  std::u32string out;
  if (n >= 10) {
    if (n / 10 > 1) out.push_back(kDigits[static_cast<size_t>(n / 10)]);
    out.push_back(U'十');
    if (n % 10) out.push_back(kDigits[static_cast<size_t>(n % 10)]);
  } else {
    out.push_back(kDigits[static_cast<size_t>(n)]);
  }
  return ToUtf8(out);
}

// The standard → variant forms of the name fold, built once.
const std::vector<std::pair<char32_t, char32_t>>& VariantsByStandard() {
  static const std::vector<std::pair<char32_t, char32_t>> table = [] {
    // Scanning the kanji blocks keeps this independent of how the text
    // layer stores its table.
    std::vector<std::pair<char32_t, char32_t>> t;
    const std::pair<char32_t, char32_t> blocks[] = {
        {0x3400, 0x9FFF}, {0xF900, 0xFAFF}, {0x20000, 0x2FA1F}};
    for (const auto& [lo, hi] : blocks) {
      for (char32_t c = lo; c <= hi; ++c) {
        const char32_t standard = text::FoldKanjiVariant(c);
        if (standard != c) t.emplace_back(standard, c);
      }
    }
    std::sort(t.begin(), t.end());
    return t;
  }();
  return table;
}

std::optional<RawPerson> KanjiVariant(const RawPerson& p, NoiseRng& rng) {
  std::u32string name = ToCodePoints(p.name);
  const auto& table = VariantsByStandard();
  std::vector<std::pair<size_t, char32_t>> options;
  for (size_t i = 0; i < name.size(); ++i) {
    auto it = std::lower_bound(table.begin(), table.end(), std::make_pair(name[i], char32_t{0}));
    for (; it != table.end() && it->first == name[i]; ++it) options.emplace_back(i, it->second);
  }
  if (options.empty()) return std::nullopt;
  const auto& [pos, variant] = options[rng.Below(options.size())];
  name[pos] = variant;
  RawPerson out = p;
  out.name = ToUtf8(name);
  return out;
}

bool IsORowOrURow(char32_t c) {
  static constexpr std::u32string_view kRows =
      U"オコソトノホモヨロゴゾドボポョォウクスツヌフムユルグズヅブプュゥ";
  return kRows.find(c) != std::u32string_view::npos;
}

std::optional<RawPerson> KanaVariant(const RawPerson& p, NoiseRng& rng) {
  std::u32string kana = ToCodePoints(p.name_kana);
  if (kana.empty()) return std::nullopt;
  std::vector<size_t> long_vowel;  // ウ or オ after an o/u-row kana → ー
  std::vector<size_t> voiced;      // ヅ→ズ, ヂ→ジ
  for (size_t i = 0; i < kana.size(); ++i) {
    if (i > 0 && (kana[i] == U'ウ' || kana[i] == U'オ') && IsORowOrURow(kana[i - 1])) {
      long_vowel.push_back(i);
    }
    if (kana[i] == U'ヅ' || kana[i] == U'ヂ') voiced.push_back(i);
  }
  RawPerson out = p;
  const uint64_t pick = rng.Below(3);
  if (pick == 0 && !long_vowel.empty()) {
    kana[long_vowel[rng.Below(long_vowel.size())]] = U'ー';
  } else if (pick == 1 && !voiced.empty()) {
    char32_t& c = kana[voiced[rng.Below(voiced.size())]];
    c = c == U'ヅ' ? U'ズ' : U'ジ';
  } else if (!long_vowel.empty() && rng.Chance(0.5)) {
    kana[long_vowel[rng.Below(long_vowel.size())]] = U'ー';
  } else {
    // Hiragana, as people write a reading by hand.
    for (char32_t& c : kana) {
      if (c >= U'ァ' && c <= U'ヶ') c -= 0x60;
    }
  }
  out.name_kana = ToUtf8(kana);
  if (out.name_kana == p.name_kana) return std::nullopt;
  return out;
}

std::optional<RawPerson> NameTypo(const RawPerson& p, NoiseRng& rng) {
  std::u32string name = ToCodePoints(p.name);
  std::vector<size_t> letters;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] != U' ' && name[i] != U'\u3000') letters.push_back(i);
  }
  if (letters.size() < 3) return std::nullopt;
  const size_t pos = letters[rng.Below(letters.size())];
  const uint64_t op = rng.Below(10);
  if (op < 7) {
    char32_t c;
    do {
      c = kTypoKanji[rng.Below(kTypoKanji.size())];
    } while (c == name[pos]);
    name[pos] = c;
  } else if (op < 9 && pos + 1 < name.size() && name[pos + 1] != U' ' &&
             name[pos] != name[pos + 1]) {
    std::swap(name[pos], name[pos + 1]);
  } else {
    // Drop a character, but never a whole family or given name.
    const bool alone = (pos == 0 || name[pos - 1] == U' ') &&
                       (pos + 1 == name.size() || name[pos + 1] == U' ');
    if (alone) return std::nullopt;
    name.erase(pos, 1);
  }
  RawPerson out = p;
  out.name = ToUtf8(name);
  return out;
}

std::optional<RawPerson> KanaTypo(const RawPerson& p, NoiseRng& rng) {
  std::u32string kana = ToCodePoints(p.name_kana);
  std::vector<size_t> letters;
  for (size_t i = 0; i < kana.size(); ++i) {
    if (kana[i] != U' ') letters.push_back(i);
  }
  if (letters.size() < 3) return std::nullopt;
  const size_t pos = letters[rng.Below(letters.size())];
  char32_t c;
  do {
    c = kTypoKana[rng.Below(kTypoKana.size())];
  } while (c == kana[pos]);
  kana[pos] = c;
  RawPerson out = p;
  out.name_kana = ToUtf8(kana);
  return out;
}

std::optional<core::Ymd> BirthYmd(const RawPerson& p) {
  auto d = core::Date::ParseIso(p.birth_date);
  if (!d) return std::nullopt;
  return d->ToYmd();
}

std::optional<RawPerson> BirthSwap(const RawPerson& p, NoiseRng& rng) {
  auto ymd = BirthYmd(p);
  if (!ymd || ymd->day > 12 || ymd->day == ymd->month) return std::nullopt;
  RawPerson out = p;
  out.birth_date = rng.Chance(0.5) ? Fmt("%04d/%02d/%02d", ymd->year, ymd->day, ymd->month)
                                   : Fmt("%04d-%02d-%02d", ymd->year, ymd->day, ymd->month);
  return out;
}

std::optional<RawPerson> BirthDigit(const RawPerson& p, NoiseRng& rng) {
  auto ymd = BirthYmd(p);
  if (!ymd) return std::nullopt;
  const std::string digits = Fmt("%04d%02d%02d", ymd->year, ymd->month, ymd->day);
  for (int attempt = 0; attempt < 30; ++attempt) {
    std::string d = digits;
    // The first two digits of the year (19/20) are rarely mistyped.
    const size_t pos = 2 + rng.Below(6);
    const char c = static_cast<char>('0' + rng.Below(10));
    if (c == d[pos]) continue;
    d[pos] = c;
    const int y = std::stoi(d.substr(0, 4)), m = std::stoi(d.substr(4, 2)),
              dd = std::stoi(d.substr(6, 2));
    auto date = core::Date::FromYmd(y, m, dd);
    if (!date || y > 2025) continue;
    RawPerson out = p;
    out.birth_date = rng.Chance(0.5) ? date->ToIso() : d;
    return out;
  }
  return std::nullopt;
}

std::optional<RawPerson> BirthEra(const RawPerson& p, NoiseRng& rng) {
  auto date = core::Date::ParseIso(p.birth_date);
  if (!date) return std::nullopt;
  const EraYear ey = ToEraYear(*date);
  if (ey.era == 0) return std::nullopt;
  const core::Ymd ymd = date->ToYmd();
  std::vector<size_t> eras;
  for (size_t e = 0; e < kEras.size(); ++e) {
    if (static_cast<int>(e) + 1 == ey.era) continue;
    const int year = kEras[e].year + ey.year - 1;
    auto d = core::Date::FromYmd(year, ymd.month, ymd.day);
    if (!d || *d < EraStart(e) || year > 2025) continue;
    if (e + 1 < kEras.size() && !(*d < EraStart(e + 1))) continue;
    eras.push_back(e);
  }
  if (eras.empty()) return std::nullopt;
  const size_t e = eras[rng.Below(eras.size())];
  RawPerson out = p;
  if (rng.Chance(0.5)) {
    out.birth_date = ToUtf8(std::u32string(1, kEras[e].letter)) +
                     Fmt("%d.%d.%d", ey.year, ymd.month, ymd.day);
  } else {
    out.birth_date = std::string(kEras[e].name) + Fmt("%d年%d月%d日", ey.year, ymd.month, ymd.day);
  }
  return out;
}

std::optional<RawPerson> PhoneFormat(const RawPerson& p, NoiseRng& rng) {
  const std::string digits = DigitsOnly(p.phone);
  if (digits.size() < 10 || digits[0] != '0') return std::nullopt;
  RawPerson out = p;
  switch (rng.Below(6)) {
    case 0: out.phone = digits; break;
    case 1: out.phone = FullWidth(p.phone); break;
    case 2: {
      const size_t dash = p.phone.find('-');
      out.phone = dash == std::string::npos ? "(" + digits.substr(0, 3) + ")" + digits.substr(3)
                                            : "(" + p.phone.substr(0, dash) + ")" +
                                                  p.phone.substr(dash + 1);
      break;
    }
    case 3: out.phone = "+81-" + p.phone.substr(1); break;
    case 4: out.phone = digits.substr(1); break;  // Excel dropped the 0
    default: {
      std::string s = p.phone;
      for (char& c : s) {
        if (c == '-') c = ' ';
      }
      out.phone = s;
    }
  }
  if (out.phone == p.phone) return std::nullopt;
  return out;
}

std::optional<RawPerson> AddressFormat(const RawPerson& p, NoiseRng& rng) {
  if (p.address_rest.empty()) return std::nullopt;
  std::u32string a = ToCodePoints(p.address_rest);
  size_t first_digit = a.size();
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] >= U'0' && a[i] <= U'9') {
      first_digit = i;
      break;
    }
  }
  RawPerson out = p;
  const std::u32string town(a.substr(0, first_digit));
  const std::u32string numbers(first_digit < a.size() ? a.substr(first_digit) : U"");
  switch (rng.Below(5)) {
    case 0: out.address_rest = FullWidth(p.address_rest); break;
    case 1: {
      // 3丁目4-5 → 三丁目4番5号; 3-4-5 → 3丁目4番5号
      std::vector<int> parts;
      int cur = -1;
      for (char32_t c : numbers) {
        if (c >= U'0' && c <= U'9') {
          cur = (cur < 0 ? 0 : cur * 10) + static_cast<int>(c - U'0');
        } else if (cur >= 0) {
          parts.push_back(cur);
          cur = -1;
        }
      }
      if (cur >= 0) parts.push_back(cur);
      if (parts.empty()) return std::nullopt;
      std::string s = ToUtf8(town);
      const bool chome = numbers.find(U'丁') != std::u32string::npos;
      if (chome) {
        s += KanjiNumber(parts[0]) + "丁目";
        if (parts.size() > 1) s += std::to_string(parts[1]) + "番";
        if (parts.size() > 2) s += std::to_string(parts[2]) + "号";
      } else {
        s += std::to_string(parts[0]) + "番地";
        if (parts.size() > 1) s += std::to_string(parts[1]);
      }
      out.address_rest = s;
      break;
    }
    case 2: out.address_rest = ToUtf8(town) + " " + ToUtf8(numbers); break;
    case 3: {
      bool changed = false;
      for (char32_t& c : a) {
        if (c == U'ケ') {
          c = U'ヶ';
          changed = true;
        } else if (c == U'ヶ') {
          c = U'ケ';
          changed = true;
        }
      }
      out.address_rest = changed ? ToUtf8(a) : FullWidth(p.address_rest);
      break;
    }
    default: {
      // A room number appended, as on a hotel sheet.
      out.address_rest = p.address_rest + " " + std::to_string(101 + rng.Below(900)) + "号室";
    }
  }
  if (out.address_rest == p.address_rest) return std::nullopt;
  return out;
}

}  // namespace

std::string_view NoiseKindName(NoiseKind kind) {
  switch (kind) {
    case NoiseKind::kKanjiVariant: return "kanji_variant";
    case NoiseKind::kKanaVariant: return "kana_variant";
    case NoiseKind::kNameTypo: return "name_typo";
    case NoiseKind::kKanaTypo: return "kana_typo";
    case NoiseKind::kNameNoSpace: return "name_no_space";
    case NoiseKind::kBirthSwap: return "birth_day_month_swap";
    case NoiseKind::kBirthDigit: return "birth_one_digit";
    case NoiseKind::kBirthEra: return "birth_era_mixup";
    case NoiseKind::kPhoneFormat: return "phone_format";
    case NoiseKind::kAddressFormat: return "address_format";
    case NoiseKind::kKanaMissing: return "kana_missing";
    case NoiseKind::kPhoneMissing: return "phone_missing";
    case NoiseKind::kAddressMissing: return "address_missing";
    case NoiseKind::kSexMissing: return "sex_missing";
  }
  return "unknown";
}

uint64_t NoiseRng::Next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t NoiseRng::Below(uint64_t n) { return n == 0 ? 0 : Next() % n; }

double NoiseRng::Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

std::optional<RawPerson> ApplyNoise(NoiseKind kind, const RawPerson& p, NoiseRng& rng) {
  const auto clear = [&p](std::string RawPerson::*field) -> std::optional<RawPerson> {
    if ((p.*field).empty()) return std::nullopt;
    RawPerson out = p;
    (out.*field).clear();
    return out;
  };
  switch (kind) {
    case NoiseKind::kKanjiVariant: return KanjiVariant(p, rng);
    case NoiseKind::kKanaVariant: return KanaVariant(p, rng);
    case NoiseKind::kNameTypo: return NameTypo(p, rng);
    case NoiseKind::kKanaTypo: return KanaTypo(p, rng);
    case NoiseKind::kNameNoSpace: {
      if (p.name.find(' ') == std::string::npos) return std::nullopt;
      RawPerson out = p;
      std::erase(out.name, ' ');
      return out;
    }
    case NoiseKind::kBirthSwap: return BirthSwap(p, rng);
    case NoiseKind::kBirthDigit: return BirthDigit(p, rng);
    case NoiseKind::kBirthEra: return BirthEra(p, rng);
    case NoiseKind::kPhoneFormat: return PhoneFormat(p, rng);
    case NoiseKind::kAddressFormat: return AddressFormat(p, rng);
    case NoiseKind::kKanaMissing: return clear(&RawPerson::name_kana);
    case NoiseKind::kPhoneMissing: return clear(&RawPerson::phone);
    case NoiseKind::kAddressMissing: {
      if (p.municipality_code.empty() && p.address_rest.empty()) return std::nullopt;
      RawPerson out = p;
      out.municipality_code.clear();
      out.address_rest.clear();
      return out;
    }
    case NoiseKind::kSexMissing: return clear(&RawPerson::sex);
  }
  return std::nullopt;
}

}  // namespace ichigen::identity
