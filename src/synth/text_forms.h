// The written forms a synthetic value can take in a file people send: dates
// (2022/8/1, 2022-08-01, 20220801, 2022年8月1日, 令和4年8月1日, R4.8.1 and the
// same for 昭和/平成 birth dates), phone numbers (hyphens or not, full-width,
// +81, 045(123)4567), kana readings (katakana, hiragana, half-width) and
// digits (full-width, kanji numerals). Each function appends to `out`
// rather than returning a string: the generator formats millions of values
// into one reused buffer. Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/date.h"

namespace ichigen::synth {

enum class DateStyle {
  kSlash,          // 2022/8/1
  kSlashPadded,    // 2022/08/01
  kIso,            // 2022-08-01
  kCompact,        // 20220801
  kKanji,          // 2022年8月1日
  kWareki,         // 令和4年8月1日, 令和元年5月1日
  kWarekiShort,    // R4.8.1
};
inline constexpr int kDateStyleCount = 7;

void AppendDate(core::Date date, DateStyle style, std::string& out);
std::string FormatDate(core::Date date, DateStyle style);

// A phone number as its digits (e.g. "09012345678", "0451234567") and the
// length of its area code (3 for mobiles: 090/080/070).
struct PhoneNumber {
  std::string digits;
  int area_length = 3;
};

enum class PhoneStyle {
  kHyphen,           // 090-1234-5678, 045-123-4567
  kPlain,            // 09012345678
  kFullWidth,        // ０９０－１２３４－５６７８
  kInternational,    // +81-90-1234-5678
  kParenthesized,    // 045(123)4567
};
inline constexpr int kPhoneStyleCount = 5;

void AppendPhone(const PhoneNumber& phone, PhoneStyle style, std::string& out);

// ASCII digits and '-' of `text` to full-width (０-９, －); the rest as is.
void AppendFullWidth(std::string_view text, std::string& out);
// 1..99 in kanji numerals (三, 十二, 四十五); other values in ASCII digits.
void AppendKanjiNumber(int value, std::string& out);

// Full-width katakana → hiragana / half-width katakana; other text as is.
void AppendHiragana(std::string_view katakana, std::string& out);
void AppendHalfWidthKana(std::string_view katakana, std::string& out);

void AppendInt(int64_t value, std::string& out);
// Zero-padded to `width` digits.
void AppendPadded(int64_t value, int width, std::string& out);

}  // namespace ichigen::synth
