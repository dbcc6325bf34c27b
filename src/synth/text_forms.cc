#include "synth/text_forms.h"

#include <array>
#include <charconv>
#include <cstdint>

namespace ichigen::synth {
namespace {

struct Era {
  int year, month, day;  // first day of the era
  const char* name;
  char letter;
};

// Newest first; dates before 明治 are written in the Western form.
constexpr std::array<Era, 5> kEras = {{
    {2019, 5, 1, "令和", 'R'},
    {1989, 1, 8, "平成", 'H'},
    {1926, 12, 25, "昭和", 'S'},
    {1912, 7, 30, "大正", 'T'},
    {1868, 10, 23, "明治", 'M'},
}};

const Era* EraOf(const core::Ymd& ymd) {
  for (const Era& era : kEras) {
    if (ymd.year > era.year ||
        (ymd.year == era.year &&
         (ymd.month > era.month || (ymd.month == era.month && ymd.day >= era.day)))) {
      return &era;
    }
  }
  return nullptr;
}

// Decodes one UTF-8 code point at `i`, advancing it; returns -1 when the
// bytes are not a well-formed sequence (then one byte is consumed).
int32_t NextCodePoint(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  int len = b0 < 0x80 ? 1 : (b0 >> 5) == 6 ? 2 : (b0 >> 4) == 14 ? 3 : (b0 >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return -1;
  }
  int32_t cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1f) : len == 3 ? (b0 & 0x0f) : (b0 & 0x07);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
  i += len;
  return cp;
}

void AppendCodePoint(int32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// Half-width forms of U+30A1 (ァ) .. U+30F6 (ヶ), in code point order.
constexpr std::array<std::string_view, 86> kHalfWidthKatakana = {
    "ｧ", "ｱ", "ｨ", "ｲ", "ｩ", "ｳ", "ｪ", "ｴ", "ｫ", "ｵ", "ｶ", "ｶﾞ", "ｷ", "ｷﾞ", "ｸ",
    "ｸﾞ", "ｹ", "ｹﾞ", "ｺ", "ｺﾞ", "ｻ", "ｻﾞ", "ｼ", "ｼﾞ", "ｽ", "ｽﾞ", "ｾ", "ｾﾞ", "ｿ", "ｿﾞ",
    "ﾀ", "ﾀﾞ", "ﾁ", "ﾁﾞ", "ｯ", "ﾂ", "ﾂﾞ", "ﾃ", "ﾃﾞ", "ﾄ", "ﾄﾞ", "ﾅ", "ﾆ", "ﾇ", "ﾈ",
    "ﾉ", "ﾊ", "ﾊﾞ", "ﾊﾟ", "ﾋ", "ﾋﾞ", "ﾋﾟ", "ﾌ", "ﾌﾞ", "ﾌﾟ", "ﾍ", "ﾍﾞ", "ﾍﾟ", "ﾎ", "ﾎﾞ",
    "ﾎﾟ", "ﾏ", "ﾐ", "ﾑ", "ﾒ", "ﾓ", "ｬ", "ﾔ", "ｭ", "ﾕ", "ｮ", "ﾖ", "ﾗ", "ﾘ", "ﾙ",
    "ﾚ", "ﾛ", "ﾜ", "ﾜ", "ｲ", "ｴ", "ｦ", "ﾝ", "ｳﾞ", "ｶ", "ｹ",
};

constexpr std::array<std::string_view, 10> kKanjiDigits = {
    "〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"};

}  // namespace

void AppendInt(int64_t value, std::string& out) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

void AppendPadded(int64_t value, int width, std::string& out) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  for (int pad = width - static_cast<int>(end - buffer); pad > 0; --pad) out.push_back('0');
  out.append(buffer, end);
}

void AppendDate(core::Date date, DateStyle style, std::string& out) {
  const core::Ymd ymd = date.ToYmd();
  const Era* era = EraOf(ymd);
  if ((style == DateStyle::kWareki || style == DateStyle::kWarekiShort) && era == nullptr) {
    style = DateStyle::kSlash;
  }
  switch (style) {
    case DateStyle::kSlash:
      AppendInt(ymd.year, out), out.push_back('/'), AppendInt(ymd.month, out);
      out.push_back('/'), AppendInt(ymd.day, out);
      return;
    case DateStyle::kSlashPadded:
      AppendPadded(ymd.year, 4, out), out.push_back('/'), AppendPadded(ymd.month, 2, out);
      out.push_back('/'), AppendPadded(ymd.day, 2, out);
      return;
    case DateStyle::kIso:
      AppendPadded(ymd.year, 4, out), out.push_back('-'), AppendPadded(ymd.month, 2, out);
      out.push_back('-'), AppendPadded(ymd.day, 2, out);
      return;
    case DateStyle::kCompact:
      AppendPadded(ymd.year, 4, out), AppendPadded(ymd.month, 2, out);
      AppendPadded(ymd.day, 2, out);
      return;
    case DateStyle::kKanji:
      AppendInt(ymd.year, out), out.append("年"), AppendInt(ymd.month, out);
      out.append("月"), AppendInt(ymd.day, out), out.append("日");
      return;
    case DateStyle::kWareki: {
      const int year = ymd.year - era->year + 1;
      out.append(era->name);
      if (year == 1) {
        out.append("元");
      } else {
        AppendInt(year, out);
      }
      out.append("年"), AppendInt(ymd.month, out), out.append("月");
      AppendInt(ymd.day, out), out.append("日");
      return;
    }
    case DateStyle::kWarekiShort:
      out.push_back(era->letter), AppendInt(ymd.year - era->year + 1, out);
      out.push_back('.'), AppendInt(ymd.month, out), out.push_back('.');
      AppendInt(ymd.day, out);
      return;
  }
}

std::string FormatDate(core::Date date, DateStyle style) {
  std::string out;
  AppendDate(date, style, out);
  return out;
}

void AppendPhone(const PhoneNumber& phone, PhoneStyle style, std::string& out) {
  const std::string_view d = phone.digits;
  const size_t area = static_cast<size_t>(phone.area_length);
  const size_t local = d.size() - area - 4;  // exchange part before the last 4
  const std::string_view a = d.substr(0, area);
  const std::string_view b = d.substr(area, local);
  const std::string_view c = d.substr(area + local);
  switch (style) {
    case PhoneStyle::kHyphen:
      out.append(a), out.push_back('-'), out.append(b), out.push_back('-'), out.append(c);
      return;
    case PhoneStyle::kPlain:
      out.append(d);
      return;
    case PhoneStyle::kFullWidth: {
      std::string hyphenated;
      AppendPhone(phone, PhoneStyle::kHyphen, hyphenated);
      AppendFullWidth(hyphenated, out);
      return;
    }
    case PhoneStyle::kInternational:
      out.append("+81-"), out.append(a.substr(1)), out.push_back('-'), out.append(b);
      out.push_back('-'), out.append(c);
      return;
    case PhoneStyle::kParenthesized:
      out.append(a), out.push_back('('), out.append(b), out.push_back(')'), out.append(c);
      return;
  }
}

void AppendFullWidth(std::string_view text, std::string& out) {
  for (char ch : text) {
    if (ch >= '0' && ch <= '9') {
      AppendCodePoint(0xFF10 + (ch - '0'), out);
    } else if (ch == '-') {
      out.append("－");
    } else {
      out.push_back(ch);
    }
  }
}

void AppendKanjiNumber(int value, std::string& out) {
  if (value <= 0 || value >= 100) {
    AppendInt(value, out);
    return;
  }
  const int tens = value / 10;
  const int ones = value % 10;
  if (tens > 1) out.append(kKanjiDigits[static_cast<size_t>(tens)]);
  if (tens > 0) out.append("十");
  if (ones > 0) out.append(kKanjiDigits[static_cast<size_t>(ones)]);
}

void AppendHiragana(std::string_view katakana, std::string& out) {
  for (size_t i = 0; i < katakana.size();) {
    const size_t start = i;
    const int32_t cp = NextCodePoint(katakana, i);
    if (cp >= 0x30A1 && cp <= 0x30F6) {
      AppendCodePoint(cp - 0x60, out);
    } else {
      out.append(katakana.substr(start, i - start));
    }
  }
}

void AppendHalfWidthKana(std::string_view katakana, std::string& out) {
  for (size_t i = 0; i < katakana.size();) {
    const size_t start = i;
    const int32_t cp = NextCodePoint(katakana, i);
    if (cp >= 0x30A1 && cp <= 0x30F6) {
      out.append(kHalfWidthKatakana[static_cast<size_t>(cp - 0x30A1)]);
    } else if (cp == 0x30FC) {
      out.append("ｰ");
    } else if (cp == 0x3000) {
      out.push_back(' ');
    } else {
      out.append(katakana.substr(start, i - start));
    }
  }
}

}  // namespace ichigen::synth
