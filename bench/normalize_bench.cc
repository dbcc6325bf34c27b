// Benchmark of the text layer: normalizes every identity field (name, kana
// reading, birth date, phone) of 1,000,000 generated rows on one thread and
// prints one JSON line {rows, seconds, rows_per_s, ...}. The rows are made
// deterministically (fixed seed) in memory before the clock starts, in the
// mixed forms real sheets carry: variant kanji, full-width spaces,
// hiragana / half-width readings, 和暦 and Excel-serial dates, full-width
// and +81 phones. Usage: bench_normalize [rows].
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "text/date_parser.h"
#include "text/kana.h"
#include "text/name.h"
#include "text/phone.h"

namespace {

using ichigen::core::Date;

// SplitMix64: a fixed seed gives the same rows on every run.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }

 private:
  uint64_t state_;
};

struct NamePart {
  const char* kanji;
  const char* katakana;
  const char* halfwidth;
};

// Families include old/variant forms (髙, 邊, 齋, 﨑, 澤, 濱, 嶋, 德).
constexpr NamePart kFamilies[] = {
    {"佐藤", "サトウ", "ｻﾄｳ"},       {"鈴木", "スズキ", "ｽｽﾞｷ"},
    {"髙橋", "タカハシ", "ﾀｶﾊｼ"},    {"高橋", "タカハシ", "ﾀｶﾊｼ"},
    {"田中", "タナカ", "ﾀﾅｶ"},       {"渡邊", "ワタナベ", "ﾜﾀﾅﾍﾞ"},
    {"渡辺", "ワタナベ", "ﾜﾀﾅﾍﾞ"},   {"伊藤", "イトウ", "ｲﾄｳ"},
    {"山本", "ヤマモト", "ﾔﾏﾓﾄ"},    {"中村", "ナカムラ", "ﾅｶﾑﾗ"},
    {"齋藤", "サイトウ", "ｻｲﾄｳ"},    {"斉藤", "サイトウ", "ｻｲﾄｳ"},
    {"山\uFA11", "ヤマザキ", "ﾔﾏｻﾞｷ"}, {"澤田", "サワダ", "ｻﾜﾀﾞ"},
    {"濱田", "ハマダ", "ﾊﾏﾀﾞ"},      {"大野", "オオノ", "ｵｵﾉ"},
    {"小野", "オノ", "ｵﾉ"},          {"嶋田", "シマダ", "ｼﾏﾀﾞ"},
    {"德永", "トクナガ", "ﾄｸﾅｶﾞ"},   {"長谷川", "ハセガワ", "ﾊｾｶﾞﾜ"},
};

constexpr NamePart kGivens[] = {
    {"太郎", "タロウ", "ﾀﾛｳ"},     {"花子", "ハナコ", "ﾊﾅｺ"},   {"裕子", "ユウコ", "ﾕｰｺ"},
    {"陽子", "ヨウコ", "ﾖｰｺ"},     {"一郎", "イチロウ", "ｲﾁﾛｳ"}, {"健", "ケン", "ｹﾝ"},
    {"美咲", "ミサキ", "ﾐｻｷ"},     {"翔太", "ショウタ", "ｼｮｳﾀ"}, {"恵", "メグミ", "ﾒｸﾞﾐ"},
    {"眞一", "シンイチ", "ｼﾝｲﾁ"},  {"龍之介", "リュウノスケ", "ﾘｭｳﾉｽｹ"},
    {"さくら", "サクラ", "ｻｸﾗ"},   {"大輔", "ダイスケ", "ﾀﾞｲｽｹ"}, {"京子", "キョウコ", "ｷｮｰｺ"},
};

std::string ToHiragana(std::string_view katakana) {
  // Katakana ァ..ヶ (U+30A1..30F6) are 3-byte E3 sequences; hiragana is 0x60 lower.
  std::string out;
  for (size_t i = 0; i < katakana.size();) {
    const auto b0 = static_cast<unsigned char>(katakana[i]);
    if (b0 == 0xE3 && i + 2 < katakana.size()) {
      const unsigned cp = ((b0 & 0x0F) << 12) |
                          ((static_cast<unsigned char>(katakana[i + 1]) & 0x3F) << 6) |
                          (static_cast<unsigned char>(katakana[i + 2]) & 0x3F);
      const unsigned h = (cp >= 0x30A1 && cp <= 0x30F6) ? cp - 0x60 : cp;
      out.push_back(static_cast<char>(0xE0 | (h >> 12)));
      out.push_back(static_cast<char>(0x80 | ((h >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (h & 0x3F)));
      i += 3;
    } else {
      out.push_back(katakana[i++]);
    }
  }
  return out;
}

std::string FullWidthDigits(std::string_view ascii) {
  std::string out;
  for (char c : ascii) {
    if (c >= '0' && c <= '9') {
      const unsigned cp = 0xFF10 + static_cast<unsigned>(c - '0');
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (c == '-') {
      out += "－";
    } else if (c == '.') {
      out += "．";
    } else if (c == 'S' || c == 'H') {
      out += c == 'S' ? "Ｓ" : "Ｈ";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string BirthDate(Rng& rng) {
  const Date d = Date::FromDays(-14000 + static_cast<int32_t>(rng.Below(33000)));  // 1931..2022
  const auto ymd = d.ToYmd();
  const std::string y = std::to_string(ymd.year);
  const std::string m = std::to_string(ymd.month);
  const std::string dd = std::to_string(ymd.day);
  char buf[32];
  // The era and its year for the 和暦 forms.
  const char* era_kanji = "令和";
  char era_letter = 'R';
  int era_year = ymd.year - 2018;
  if (d < *Date::FromYmd(1989, 1, 8)) {
    era_kanji = "昭和"; era_letter = 'S'; era_year = ymd.year - 1925;
  } else if (d < *Date::FromYmd(2019, 5, 1)) {
    era_kanji = "平成"; era_letter = 'H'; era_year = ymd.year - 1988;
  }
  switch (rng.Below(9)) {
    case 0: return y + "/" + m + "/" + dd;
    case 1: std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", ymd.year, ymd.month, ymd.day); return buf;
    case 2: std::snprintf(buf, sizeof buf, "%04d%02d%02d", ymd.year, ymd.month, ymd.day); return buf;
    case 3: return y + "年" + m + "月" + dd + "日";
    case 4: return std::string(era_kanji) + std::to_string(era_year) + "年" + m + "月" + dd + "日";
    case 5: return std::string(1, era_letter) + std::to_string(era_year) + "." + m + "." + dd;
    case 6: return FullWidthDigits(std::string(1, era_letter) + std::to_string(era_year) + "." +
                                   m + "." + dd);
    case 7: return std::to_string(static_cast<int64_t>(d.ToExcelSerial()));
    default: return y + "/" + m + "/" + dd + " 0:00:00";
  }
}

std::string Phone(Rng& rng) {
  char digits[16];
  const char* prefixes[] = {"090", "080", "070", "03", "027", "0276", "050"};
  const std::string prefix = prefixes[rng.Below(7)];
  std::snprintf(digits, sizeof digits, "%08llu",
                static_cast<unsigned long long>(rng.Below(100000000)));
  // Mobile and IP numbers have 11 digits, fixed ones 10.
  const bool eleven = prefix[1] == '9' || prefix[1] == '8' || prefix[1] == '7' || prefix[1] == '5';
  const std::string rest = std::string(digits).substr(0, eleven ? 8 : 10 - prefix.size());
  const std::string a = rest.substr(0, rest.size() - 4);
  const std::string b = rest.substr(rest.size() - 4);
  switch (rng.Below(6)) {
    case 0: return prefix + "-" + a + "-" + b;
    case 1: return prefix + a + b;
    case 2: return FullWidthDigits(prefix + "-" + a + "-" + b);
    case 3: return "(" + prefix + ")" + a + "-" + b;
    case 4: return eleven && prefix[1] != '5'
                       ? "+81-" + prefix.substr(1) + "-" + a + "-" + b
                       : prefix + " " + a + " " + b;
    default: return prefix + "-" + a + "-" + b + " 内線12";
  }
}

// All rows' text in one arena so that generation does not dominate memory.
struct Rows {
  std::string arena;
  std::vector<uint32_t> offsets;  // 4 fields per row, plus one end offset
  std::string_view Field(size_t row, size_t field) const {
    const size_t i = row * 4 + field;
    return std::string_view(arena).substr(offsets[i], offsets[i + 1] - offsets[i]);
  }
};

Rows Generate(size_t n) {
  Rows rows;
  rows.arena.reserve(n * 64);
  rows.offsets.reserve(n * 4 + 1);
  Rng rng(20220801);
  auto add = [&](const std::string& s) {
    rows.offsets.push_back(static_cast<uint32_t>(rows.arena.size()));
    rows.arena += s;
  };
  constexpr const char* kNameSeps[] = {" ", "　", "", "　"};
  constexpr const char* kKanaSeps[] = {" ", "　", "", "･"};
  for (size_t i = 0; i < n; ++i) {
    const NamePart& f = kFamilies[rng.Below(std::size(kFamilies))];
    const NamePart& g = kGivens[rng.Below(std::size(kGivens))];
    add(std::string(f.kanji) + kNameSeps[rng.Below(4)] + g.kanji);
    const std::string sep = kKanaSeps[rng.Below(4)];
    switch (rng.Below(3)) {
      case 0: add(std::string(f.katakana) + sep + g.katakana); break;
      case 1: add(ToHiragana(f.katakana) + (sep == "･" ? " " : sep) + ToHiragana(g.katakana)); break;
      default: add(std::string(f.halfwidth) + sep + g.halfwidth); break;
    }
    add(BirthDate(rng));
    add(Phone(rng));
  }
  rows.offsets.push_back(static_cast<uint32_t>(rows.arena.size()));
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = 1000000;
  if (argc > 1) n = static_cast<size_t>(std::strtoull(argv[1], nullptr, 10));
  if (n == 0) {
    std::fprintf(stderr, "usage: bench_normalize [rows > 0]\n");
    return 2;
  }
  const Rows rows = Generate(n);
  // Warm the function-local caches (ICU NFKC instance, kanji tables) so the
  // figure is the steady state, then time every row.
  (void)ichigen::text::NormalizeName("髙橋 一郎");
  // One pass per field, so the line also says where the time goes; the
  // total is the time to normalize every field of every row.
  uint64_t checksum = 0;
  size_t date_errors = 0;
  size_t phone_invalid = 0;
  size_t kana_invalid = 0;
  auto timed = [&](auto&& body) {
    const auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < n; ++i) body(i);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const double name_s = timed([&](size_t i) {
    checksum += ichigen::text::NormalizeName(rows.Field(i, 0)).folded_key.size();
  });
  const double kana_s = timed([&](size_t i) {
    const auto kana = ichigen::text::NormalizeKana(rows.Field(i, 1));
    checksum += kana.phonetic.size();
    if (!kana.valid) ++kana_invalid;
  });
  const double date_s = timed([&](size_t i) {
    const auto date = ichigen::text::ParseDate(rows.Field(i, 2));
    if (date) {
      checksum += static_cast<uint64_t>(date->date.days());
    } else {
      ++date_errors;
    }
  });
  const double phone_s = timed([&](size_t i) {
    const auto phone = ichigen::text::NormalizePhone(rows.Field(i, 3));
    checksum += phone.key.size();
    if (!phone.valid) ++phone_invalid;
  });
  const double seconds = name_s + kana_s + date_s + phone_s;
  std::printf(
      "{\"bench\":\"normalize\",\"rows\":%zu,\"seconds\":%.3f,\"rows_per_s\":%.0f,"
      "\"name_s\":%.3f,\"kana_s\":%.3f,\"date_s\":%.3f,\"phone_s\":%.3f,"
      "\"date_errors\":%zu,\"phone_invalid\":%zu,\"kana_invalid\":%zu,\"checksum\":%llu}\n",
      n, seconds, static_cast<double>(n) / seconds, name_s, kana_s, date_s, phone_s,
      date_errors, phone_invalid, kana_invalid, static_cast<unsigned long long>(checksum));
  return 0;
}
