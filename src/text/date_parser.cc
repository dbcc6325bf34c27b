#include "text/date_parser.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "text/normalize.h"
#include "text/unicode.h"

namespace ichigen::text {
namespace {

using core::Code;
using core::Date;

// Japanese eras (元号) with the first and last Gregorian day of each. The
// last era has no end. 明治 starts on 1868-01-25, the Gregorian date of the
// first day of 明治元年 (the era was proclaimed later and made retroactive).
struct Era {
  std::u32string_view kanji;
  char32_t letter;
  int first_y, first_m, first_d;
  int last_y, last_m, last_d;  // last_y == 0: open-ended
};

constexpr std::array<Era, 5> kEras = {{
    {U"明治", U'M', 1868, 1, 25, 1912, 7, 29},
    {U"大正", U'T', 1912, 7, 30, 1926, 12, 24},
    {U"昭和", U'S', 1926, 12, 25, 1989, 1, 7},
    {U"平成", U'H', 1989, 1, 8, 2019, 4, 30},
    {U"令和", U'R', 2019, 5, 1, 0, 0, 0},
}};

// Plausible years for a Western date in these files; beyond them a typo is
// far likelier than a real date.
constexpr int kMinYear = 1800;
constexpr int kMaxYear = 2199;
constexpr int64_t kMaxExcelSerial = 2958465;  // 9999-12-31

std::unexpected<core::Error> Bad(std::string_view raw, std::string ja, std::string en) {
  return core::Fail(Code::kInvalidArgument, std::move(ja), std::move(en),
                    "date: \"" + std::string(raw) + "\"");
}

struct Token {
  enum Kind { kNumber, kGan, kSep } kind;
  std::u32string text;  // digits for kNumber, the separator for kSep
};

std::string Utf8(std::u32string_view s) { return internal::EncodeUtf8(s); }

int64_t ToNumber(std::u32string_view digits) {
  int64_t v = 0;
  for (char32_t c : digits) {
    v = v * 10 + (c - '0');
    if (v > 100000000) return v;  // long enough to be rejected by any caller
  }
  return v;
}

bool IsTime(std::u32string_view s) {
  // H:MM, H:MM:SS, optionally with fractional seconds.
  size_t i = 0;
  auto digits = [&](size_t min, size_t max) {
    size_t n = 0;
    while (i < s.size() && internal::IsAsciiDigit(s[i])) ++i, ++n;
    return n >= min && n <= max;
  };
  if (!digits(1, 2) || i >= s.size() || s[i] != ':') return false;
  ++i;
  if (!digits(2, 2)) return false;
  if (i < s.size() && s[i] == ':') {
    ++i;
    if (!digits(2, 2)) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      if (!digits(1, 9)) return false;
    }
  }
  return i == s.size();
}

int WeekdayOf(char32_t c) {
  constexpr std::u32string_view kDays = U"日月火水木金土";
  const size_t i = kDays.find(c);
  return i == std::u32string_view::npos ? -1 : static_cast<int>(i);
}

// Removes a trailing time ("0:00:00", ISO "T00:00:00") and a trailing
// weekday "(月)" / "(月曜日)"; returns the weekday (-1 if none) or an error.
core::Result<int> StripSuffixes(std::u32string& s, std::string_view raw) {
  int weekday = -1;
  if (!s.empty() && s.back() == ')') {
    const size_t open = s.rfind('(');
    if (open != std::u32string::npos) {
      std::u32string_view inner(s.data() + open + 1, s.size() - open - 2);
      if (inner.ends_with(U"曜日")) inner.remove_suffix(2);
      else if (inner.ends_with(U"曜")) inner.remove_suffix(1);
      if (inner.size() == 1 && WeekdayOf(inner[0]) >= 0) {
        weekday = WeekdayOf(inner[0]);
        s.resize(open);
        while (!s.empty() && s.back() == ' ') s.pop_back();
      }
    }
  }
  size_t cut = s.rfind(' ');
  if (cut == std::u32string::npos) {
    const size_t t = s.find('T');
    if (t != std::u32string::npos && t == 10) cut = t;  // 2022-08-01T00:00:00
  }
  if (cut != std::u32string::npos &&
      std::u32string_view(s).substr(cut + 1).find(':') != std::u32string_view::npos) {
    if (!IsTime(std::u32string_view(s).substr(cut + 1))) {
      return Bad(raw, "日付の後に解釈できない文字があります",
                 "unexpected text after the date");
    }
    s.resize(cut);
  }
  return weekday;
}

core::Result<std::vector<Token>> Tokenize(std::u32string_view s, std::string_view raw) {
  std::vector<Token> tokens;
  tokens.reserve(8);
  for (size_t i = 0; i < s.size();) {
    const char32_t c = s[i];
    if (internal::IsAsciiDigit(c)) {
      size_t j = i;
      while (j < s.size() && internal::IsAsciiDigit(s[j])) ++j;
      tokens.push_back({Token::kNumber, std::u32string(s.substr(i, j - i))});
      i = j;
    } else if (c == U'元') {
      tokens.push_back({Token::kGan, {}});
      ++i;
    } else if (c == '/' || c == '-' || c == '.' || c == U'年' || c == U'月' || c == U'日') {
      tokens.push_back({Token::kSep, std::u32string(1, c)});
      ++i;
    } else if (c == ' ') {
      ++i;
    } else {
      return Bad(raw, "日付に使えない文字「" + Utf8(s.substr(i, 1)) + "」があります",
                 "unexpected character '" + Utf8(s.substr(i, 1)) + "' in a date");
    }
  }
  return tokens;
}

// Splits "N sep N sep N" or "N年N月N日" into three numbers; the first may
// be 元 when `allow_gan`. Returns the separator ('/', '-', '.', or U'年').
struct Triple {
  std::u32string y, m, d;
  bool gan = false;
  char32_t sep = 0;
};

core::Result<Triple> SplitTriple(const std::vector<Token>& t, size_t from, bool allow_gan,
                                 std::string_view raw) {
  Triple r;
  const size_t n = t.size() - from;
  auto num = [&](size_t i) { return t[from + i].kind == Token::kNumber; };
  auto sep = [&](size_t i, char32_t c) {
    return t[from + i].kind == Token::kSep && t[from + i].text[0] == c;
  };
  const bool first_ok = num(0) || (allow_gan && t[from].kind == Token::kGan);
  if (n >= 1 && first_ok) {
    r.gan = t[from].kind == Token::kGan;
    r.y = r.gan ? U"1" : t[from].text;
  }
  if (n >= 5 && first_ok && sep(1, U'年') && num(2) && sep(3, U'月') && num(4) &&
      (n == 5 || (n == 6 && sep(5, U'日')))) {
    r.m = t[from + 2].text;
    r.d = t[from + 4].text;
    r.sep = U'年';
    return r;
  }
  if (n == 5 && first_ok && num(2) && num(4) && t[from + 1].kind == Token::kSep &&
      t[from + 3].kind == Token::kSep) {
    const char32_t s1 = t[from + 1].text[0];
    const char32_t s3 = t[from + 3].text[0];
    if ((s1 == '/' || s1 == '-' || s1 == '.') && s1 == s3) {
      r.m = t[from + 2].text;
      r.d = t[from + 4].text;
      r.sep = s1;
      return r;
    }
    if ((s1 == '/' || s1 == '-' || s1 == '.') && (s3 == '/' || s3 == '-' || s3 == '.')) {
      return Bad(raw, "区切り文字が混在しています", "mixed separators in a date");
    }
  }
  if ((n == 3 || n == 4) && first_ok && t[from + 1].kind == Token::kSep && num(2)) {
    return Bad(raw, "日が書かれていません（年月だけでは日付になりません）",
               "the day is missing (a year and month is not a date)");
  }
  return Bad(raw, "日付の形式を解釈できません", "unrecognized date format");
}

const Era* FindEra(std::u32string_view s, size_t& len) {
  for (const Era& e : kEras) {
    if (s.starts_with(e.kanji)) {
      len = e.kanji.size();
      return &e;
    }
  }
  if (!s.empty()) {
    const char32_t up = internal::AsciiUpper(s[0]);
    for (const Era& e : kEras) {
      if (up == e.letter && s.size() > 1 && (internal::IsAsciiDigit(s[1]) || s[1] == U'元')) {
        len = 1;
        return &e;
      }
      // H.31.4.30: the letter with a dot, as some systems print it.
      if (up == e.letter && s.size() > 2 && s[1] == U'.' &&
          (internal::IsAsciiDigit(s[2]) || s[2] == U'元')) {
        len = 2;
        return &e;
      }
    }
  }
  return nullptr;
}

core::Result<Date> MakeDate(int64_t y, int64_t m, int64_t d, std::string_view raw) {
  if (m < 1 || m > 12) {
    return Bad(raw, "月が1〜12の範囲にありません", "month is not between 1 and 12");
  }
  const auto date = Date::FromYmd(static_cast<int>(y), static_cast<int>(m), static_cast<int>(d));
  if (!date) {
    return Bad(raw, "存在しない日付です（" + std::to_string(y) + "年" + std::to_string(m) +
                        "月" + std::to_string(d) + "日）",
               "no such date (" + std::to_string(y) + "-" + std::to_string(m) + "-" +
                   std::to_string(d) + ")");
  }
  return *date;
}

core::Result<ParsedDate> ParseWareki(const Era& era, bool kanji_era,
                                     const std::vector<Token>& tokens, std::string_view raw) {
  ASSIGN_OR_RETURN(const Triple t, SplitTriple(tokens, 0, true, raw));
  if (t.y.size() > 2) {
    return Bad(raw, "元号の年が長すぎます", "era year has too many digits");
  }
  const int64_t ey = ToNumber(t.y);
  if (ey < 1) return Bad(raw, "元号の年が0です", "era year is 0");
  const int64_t y = era.first_y + ey - 1;
  ASSIGN_OR_RETURN(const Date date, MakeDate(y, ToNumber(t.m), ToNumber(t.d), raw));
  const Date first = *Date::FromYmd(era.first_y, era.first_m, era.first_d);
  const std::string era_name = Utf8(era.kanji);
  if (date < first) {
    return Bad(raw,
               era_name + "は" + first.ToIso() + "からです（この日付は" + era_name +
                   "の期間外）",
               "outside the era: " + era_name + " begins on " + first.ToIso());
  }
  if (era.last_y != 0) {
    const Date last = *Date::FromYmd(era.last_y, era.last_m, era.last_d);
    if (date > last) {
      return Bad(raw,
                 era_name + "は" + last.ToIso() + "までです（この日付は" + era_name +
                     "の期間外）",
                 "outside the era: " + era_name + " ends on " + last.ToIso());
    }
  }
  return ParsedDate{date, kanji_era ? DateForm::kWareki : DateForm::kWarekiShort};
}

core::Result<ParsedDate> ParseWestern(const std::vector<Token>& tokens, DateOptions options,
                                      std::string_view raw) {
  // A bare number: YYYYMMDD or an Excel serial.
  if (tokens.size() == 1 && tokens[0].kind == Token::kNumber) {
    const std::u32string& digits = tokens[0].text;
    if (digits.size() == 8) {
      const int64_t v = ToNumber(digits);
      const int64_t y = v / 10000;
      if (y < kMinYear || y > kMaxYear) {
        return Bad(raw, "8桁の数字をYYYYMMDDとして読むと年が範囲外です",
                   "8 digits read as YYYYMMDD give an implausible year");
      }
      ASSIGN_OR_RETURN(const Date d, MakeDate(y, v / 100 % 100, v % 100, raw));
      return ParsedDate{d, DateForm::kCompact};
    }
    if (digits.size() == 4 && ToNumber(digits) >= kMinYear && ToNumber(digits) <= kMaxYear) {
      // 2022 alone is a year, not Excel's serial for 1905-07-14.
      return Bad(raw, "年だけでは日付になりません（月と日がありません）",
                 "a year alone is not a date (the month and day are missing)");
    }
    if (digits.size() <= 5) {
      if (!options.allow_excel_serial) {
        return Bad(raw, "数字だけの値は日付として扱いません（Excelシリアル値は無効に設定）",
                   "a bare number is not accepted as a date (Excel serials disabled)");
      }
      const int64_t v = ToNumber(digits);
      if (v < 1 || v > kMaxExcelSerial) {
        return Bad(raw, "Excelシリアル値が範囲外です", "Excel serial out of range");
      }
      const auto d = Date::FromExcelSerial(static_cast<double>(v));
      if (!d) return Bad(raw, "Excelシリアル値が範囲外です", "Excel serial out of range");
      return ParsedDate{*d, DateForm::kExcelSerial};
    }
    return Bad(raw,
               std::to_string(digits.size()) +
                   "桁の数字は日付として一通りに読めません（年が2桁の可能性）",
               std::to_string(digits.size()) +
                   "-digit number is ambiguous as a date (two-digit year?)");
  }
  // 44774.0: an Excel serial that went through a floating-point column.
  if (tokens.size() == 3 && tokens[0].kind == Token::kNumber && tokens[2].kind == Token::kNumber &&
      tokens[1].kind == Token::kSep && tokens[1].text[0] == '.' && tokens[0].text.size() <= 5 &&
      tokens[2].text.find_first_not_of(U'0') == std::u32string::npos && options.allow_excel_serial) {
    const auto d = Date::FromExcelSerial(static_cast<double>(ToNumber(tokens[0].text)));
    if (d && ToNumber(tokens[0].text) >= 1) return ParsedDate{*d, DateForm::kExcelSerial};
  }
  // 44774.5: an Excel date with a time of day; the date is the whole part.
  // Only five-digit serials (1927 onwards): 2022.8 is a year and a month.
  if (tokens.size() == 3 && tokens[0].kind == Token::kNumber && tokens[2].kind == Token::kNumber &&
      tokens[1].kind == Token::kSep && tokens[1].text[0] == '.' && tokens[0].text.size() == 5 &&
      options.allow_excel_serial) {
    const auto d = Date::FromExcelSerial(static_cast<double>(ToNumber(tokens[0].text)));
    if (d) return ParsedDate{*d, DateForm::kExcelSerial};
  }
  ASSIGN_OR_RETURN(const Triple t, SplitTriple(tokens, 0, false, raw));
  if (t.y.size() != 4) {
    if (t.d.size() == 4) {
      return Bad(raw, "年が末尾にある日付は日と月の順序が曖昧です（日/月/年か月/日/年か不明）",
                 "year-last dates are ambiguous (day/month/year or month/day/year)");
    }
    return Bad(raw, "年が4桁ではありません（2桁の年は世紀が曖昧です）",
               "the year is not 4 digits (a two-digit year is ambiguous)");
  }
  const int64_t y = ToNumber(t.y);
  if (y < kMinYear || y > kMaxYear) {
    return Bad(raw, "年が範囲外です（" + std::to_string(kMinYear) + "〜" +
                        std::to_string(kMaxYear) + "）",
               "year out of range");
  }
  if (t.m.size() > 2 || t.d.size() > 2) {
    return Bad(raw, "月または日の桁数が多すぎます", "month or day has too many digits");
  }
  ASSIGN_OR_RETURN(const Date d, MakeDate(y, ToNumber(t.m), ToNumber(t.d), raw));
  DateForm form = DateForm::kSlash;
  if (t.sep == '-') form = DateForm::kIso;
  if (t.sep == U'年') form = DateForm::kKanji;
  return ParsedDate{d, form};
}

}  // namespace

std::string_view DateFormName(DateForm form) {
  switch (form) {
    case DateForm::kIso: return "iso";
    case DateForm::kSlash: return "slash";
    case DateForm::kCompact: return "compact";
    case DateForm::kKanji: return "kanji";
    case DateForm::kWareki: return "wareki";
    case DateForm::kWarekiShort: return "wareki_short";
    case DateForm::kExcelSerial: return "excel_serial";
  }
  return "unknown";
}

core::Result<ParsedDate> ParseDate(std::string_view raw, DateOptions options) {
  // NFKC turns full-width digits and letters to ASCII and ㍻/㋿ into 平成/令和.
  std::u32string s = internal::NormalizedCodePoints(raw);
  if (s.empty()) return Bad(raw, "日付が空です", "the date is empty");
  ASSIGN_OR_RETURN(const int weekday, StripSuffixes(s, raw));
  size_t era_len = 0;
  const Era* era = FindEra(s, era_len);
  ASSIGN_OR_RETURN(const std::vector<Token> tokens,
                   Tokenize(std::u32string_view(s).substr(era_len), raw));
  if (tokens.empty()) return Bad(raw, "日付が空です", "the date is empty");
  core::Result<ParsedDate> parsed =
      era != nullptr ? ParseWareki(*era, era_len > 1 && s[era_len - 1] != U'.', tokens, raw)
                     : ParseWestern(tokens, options, raw);
  if (parsed && weekday >= 0 && parsed->date.Weekday() != weekday) {
    return Bad(raw, "曜日が日付と一致しません", "the weekday does not match the date");
  }
  return parsed;
}

}  // namespace ichigen::text
