#include "identity/person.h"

#include <array>

#include "identity/string_distance.h"
#include "text/date_parser.h"
#include "text/kana.h"
#include "text/name.h"
#include "text/normalize.h"
#include "text/phone.h"

namespace ichigen::identity {
namespace {

bool IsAsciiDigit(char32_t c) { return c >= U'0' && c <= U'9'; }

bool IsKanjiNumeral(char32_t c) {
  static constexpr std::u32string_view kNumerals = U"〇一二三四五六七八九十百千";
  return kNumerals.find(c) != std::u32string_view::npos;
}

// Whether position `k` starts something that continues a block number
// (a digit, a kanji numeral, a hyphen, の), or is the end.
bool ContinuesNumber(std::u32string_view s, size_t k) {
  return k >= s.size() || IsAsciiDigit(s[k]) || IsKanjiNumeral(s[k]) || s[k] == U'-' ||
         s[k] == U'の' || s[k] == U'ノ';
}

// Whether the kanji numeral run at [i, j) is a 丁目 or block number rather
// than part of a town name (一番町, 三軒茶屋, 六本木 keep their numerals).
bool NumeralIsBlockNumber(std::u32string_view s, size_t j) {
  if (j >= s.size()) return true;
  const char32_t c = s[j];
  if (c == U'丁') return true;
  if (c == U'番') {
    size_t k = j + 1;
    if (k < s.size() && s[k] == U'地') ++k;
    return ContinuesNumber(s, k);
  }
  if (c == U'号') return ContinuesNumber(s, j + 1);
  if (c == U'-' || c == U'の' || c == U'ノ') return j + 1 < s.size() &&
                                                  (IsAsciiDigit(s[j + 1]) ||
                                                   IsKanjiNumeral(s[j + 1]));
  return false;
}

char32_t TownChar(char32_t c) {
  switch (c) {
    case U'ヶ':
    case U'ヵ':
    case U'が':
    case U'ケ':
      return U'ケ';
    case U'の':
    case U'之':
      return U'ノ';
    default:
      return c;
  }
}

std::string DigitsOf(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c >= '0' && c <= '9') out.push_back(c);
  }
  return out;
}

}  // namespace

std::string NormalizeSex(std::string_view raw) {
  const std::string s = text::NormalizeText(raw);
  if (s == "男" || s == "男性" || s == "M" || s == "m" || s == "1" || s == "Male" ||
      s == "male") {
    return "男";
  }
  if (s == "女" || s == "女性" || s == "F" || s == "f" || s == "2" || s == "Female" ||
      s == "female") {
    return "女";
  }
  return "";
}

std::string TownOf(std::string_view address_rest) {
  const std::u32string all =
      ToCodePoints(text::FoldKanjiVariants(text::NormalizeText(address_rest)));
  std::u32string s;
  s.reserve(all.size());
  for (char32_t c : all) {
    if (c == U' ' || c == U'\u3000' || c == U'\t') continue;
    // Dash look-alikes NormalizeText may leave after digits.
    if (c == U'‐' || c == U'－' || c == U'−' || c == U'ー' || c == U'―') {
      if (!s.empty() && (IsAsciiDigit(s.back()) || IsKanjiNumeral(s.back()))) {
        s.push_back(U'-');
        continue;
      }
    }
    s.push_back(c);
  }
  std::u32string_view v(s);
  if (v.starts_with(U"大字")) {
    v.remove_prefix(2);
  } else if (v.starts_with(U"字")) {
    v.remove_prefix(1);
  }
  size_t cut = v.size();
  for (size_t i = 0; i < v.size(); ++i) {
    if (IsAsciiDigit(v[i]) || v[i] == U'-') {
      cut = i;
      break;
    }
    if (IsKanjiNumeral(v[i])) {
      size_t j = i;
      while (j < v.size() && IsKanjiNumeral(v[j])) ++j;
      if (NumeralIsBlockNumber(v, j)) {
        cut = i;
        break;
      }
      i = j - 1;
    }
  }
  std::u32string town;
  for (size_t i = 0; i < cut; ++i) town.push_back(TownChar(v[i]));
  return ToUtf8(town);
}

std::string MunicipalityCode6(std::string_view code) {
  const std::string d = DigitsOf(text::NormalizeText(code));
  if (d.size() == 6) return d;
  if (d.size() != 5) return "";
  int s = 0;
  for (int i = 0; i < 5; ++i) s += (6 - i) * (d[static_cast<size_t>(i)] - '0');
  const int check = (11 - s % 11) % 10;
  return d + static_cast<char>('0' + check);
}

PersonKeys MakeKeys(const RawPerson& raw) {
  PersonKeys k;
  const text::NormalizedName name = text::NormalizeName(raw.name);
  k.name_key = name.key;
  k.name_folded = name.folded_key;
  if (name.has_split) {
    k.name_split = true;
    k.family = name.family;
    k.given = name.given;
    // Folded per part with the same fold the whole key used.
    k.family_folded = text::NormalizeName(name.family).folded_key;
    k.given_folded = text::NormalizeName(name.given).folded_key;
  }
  const text::NormalizedKana kana = text::NormalizeKana(raw.name_kana);
  if (kana.valid && !kana.key.empty()) {
    k.kana_key = kana.key;
    k.kana_phonetic = kana.phonetic;
    if (kana.has_split) {
      k.kana_family = kana.family_phonetic;
      k.kana_given = kana.given_phonetic;
    }
  }
  if (!raw.birth_date.empty()) {
    // A bare 5-digit number in a birth-date column is far more often a
    // mangled value than an Excel serial of a birth date; still, Excel does
    // write serials, so they are allowed as the parser's default.
    auto parsed = text::ParseDate(raw.birth_date);
    if (parsed.has_value()) k.birth_date = parsed->date;
  }
  k.sex = NormalizeSex(raw.sex);
  if (!raw.phone.empty()) k.phone_key = text::NormalizePhone(raw.phone).key;
  k.municipality_code = MunicipalityCode6(raw.municipality_code);
  k.town = TownOf(raw.address_rest);
  k.hersys_id = DigitsOf(text::NormalizeText(raw.hersys_id));
  return k;
}

}  // namespace ichigen::identity
