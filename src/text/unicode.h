// Small UTF-8 and code point helpers shared by the text layer's .cc files:
// decoding that never fails (ill-formed bytes become U+FFFD), encoding, and
// the character classes the normalizers test (kana, ASCII, dashes, spaces).
// Internal to src/text; other layers use normalize.h. Thread-safety: pure
// functions.
#pragma once

#include "core/utf8.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ichigen::text::internal {

using core::AppendUtf8;

inline constexpr char32_t kReplacement = 0xFFFD;

// Decodes the code point at `pos` and advances `pos`. Ill-formed sequences
// (overlong, surrogates, truncated, > U+10FFFF) yield U+FFFD and advance one
// byte, so a loop over any byte string terminates. Inline: it is the inner
// loop of every normalizer.
inline char32_t DecodeNext(std::string_view s, size_t& pos) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) {
    ++pos;
    return b0;
  }
  int len = 0;
  char32_t c = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2; c = b0 & 0x1F; min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3; c = b0 & 0x0F; min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4; c = b0 & 0x07; min = 0x10000;
  } else {
    ++pos;
    return kReplacement;
  }
  if (pos + len > s.size()) {
    ++pos;
    return kReplacement;
  }
  for (int i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[pos + i]);
    if ((b & 0xC0) != 0x80) {
      ++pos;
      return kReplacement;
    }
    c = (c << 6) | (b & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
    ++pos;
    return kReplacement;
  }
  pos += len;
  return c;
}


inline bool IsAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

inline bool IsAsciiDigit(char32_t c) { return c >= '0' && c <= '9'; }
inline bool IsAsciiAlpha(char32_t c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
inline bool IsAsciiAlnum(char32_t c) { return IsAsciiDigit(c) || IsAsciiAlpha(c); }
inline char32_t AsciiUpper(char32_t c) {
  return (c >= 'a' && c <= 'z') ? c - 0x20 : c;
}

// Full-width katakana letters ァ..ヺ (not ・ ー ヽ ヾ).
inline bool IsKatakanaLetter(char32_t c) { return c >= 0x30A1 && c <= 0x30FA; }
inline bool IsHiraganaLetter(char32_t c) { return c >= 0x3041 && c <= 0x3096; }
inline bool IsKanaLetter(char32_t c) {
  return IsKatakanaLetter(c) || IsHiraganaLetter(c);
}
inline constexpr char32_t kProlongedSound = 0x30FC;  // ー
inline constexpr char32_t kMiddleDot = 0x30FB;       // ・

// Kanji: CJK unified ideographs (all extensions) and 々 〆.
inline bool IsKanji(char32_t c) {
  return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3FFFF) ||
         c == 0x3005 || c == 0x3006;
}

// Characters people type for a hyphen or a long-vowel mark. Which one was
// meant depends on the neighbours (see normalize.cc).
inline bool IsDashLike(char32_t c) {
  switch (c) {
    case '-':
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
    case 0x2015: case 0x2043: case 0x2212: case 0x2500: case 0x2501:
    case 0x30FC: case 0xFE58: case 0xFE63: case 0xFF0D: case 0xFF70:
      return true;
    default:
      return false;
  }
}

// White space after NFKC, including what NFKC leaves alone.
inline bool IsSpaceLike(char32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
         c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// Invisible characters dropped outright: variation selectors (standard and
// ideographic), zero-width space/joiners, BOM, soft hyphen, other C0/C1
// controls.
inline bool IsDropped(char32_t c) {
  return (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF) ||
         c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 ||
         c == 0xFEFF || c == 0xAD || (c < 0x20 && !IsSpaceLike(c)) ||
         c == 0x7F || (c >= 0x80 && c <= 0x9F && c != 0x85);
}

}  // namespace ichigen::text::internal

namespace ichigen::text::internal {

// The code points of NormalizeText(utf8): NFKC, invisible characters
// dropped, compatibility leftovers mapped, dashes resolved by context,
// white space folded to single ' ' and trimmed. Defined in normalize.cc;
// name.cc and kana.cc build on it without re-decoding.
std::u32string NormalizedCodePoints(std::string_view utf8);

std::string EncodeUtf8(std::u32string_view cps);

}  // namespace ichigen::text::internal
