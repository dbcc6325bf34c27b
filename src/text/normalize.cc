#include "text/normalize.h"

#include <iterator>

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/utypes.h>

#include "text/unicode.h"

namespace ichigen::text {
namespace internal {
namespace {

// ICU owns the NFKC instance (a process-wide immutable singleton); we only
// cache the pointer. nullptr when ICU data is missing: then NFKC is skipped
// and the rest of the clean-up still runs.
const icu::Normalizer2* Nfkc() {
  static const icu::Normalizer2* const kNfkc = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFKCInstance(status);
    return U_SUCCESS(status) ? n : nullptr;
  }();
  return kNfkc;
}

// What NFKC leaves alone but a Japanese reader treats as another character.
// - U+FA11 﨑 is one of the twelve "unified" ideographs in the compatibility
//   block, so NFKC keeps it; it is the たつさき form of 崎. The other eleven
//   (U+FA0E 﨎, FA0F, FA13, FA14, FA1F, FA21, FA23, FA24, FA27, FA28, FA29)
//   have no standard equivalent and are kept.
// - CJK Radicals Supplement forms have no NFKC mapping, yet PDF and Mac
//   copy-paste produce them in place of the ordinary characters (⻑野 for
//   長野). Only the ones that are whole Japanese characters are mapped.
char32_t MapLeftover(char32_t c) {
  switch (c) {
    case 0xFA11: return 0x5D0E;  // 﨑 → 崎
    case 0x2EA0: return 0x6C11;  // ⺠ → 民
    case 0x2EC1: return 0x864E;  // ⻁ → 虎
    case 0x2EC4: return 0x897F;  // ⻄ → 西
    case 0x2ED1: return 0x9577;  // ⻑ → 長
    case 0x2ED8: return 0x9752;  // ⻘ → 青
    case 0x2EDD: return 0x98DF;  // ⻝ → 食
    case 0x2EE4: return 0x9B3C;  // ⻤ → 鬼
    case 0x2EE8: return 0x9EA6;  // ⻨ → 麦
    case 0x2EE9: return 0x9EC4;  // ⻩ → 黄
    case 0x2EEB: return 0x6589;  // ⻫ → 斉
    case 0x2EED: return 0x6B6F;  // ⻭ → 歯
    case 0x2EEF: return 0x7ADC;  // ⻯ → 竜
    case 0x2EF2: return 0x4E80;  // ⻲ → 亀
    default: return c;
  }
}

// Well-formed UTF-8 in NFKC. Ill-formed bytes become U+FFFD and invisible
// characters are removed first: ICU's UTF-8 API expects well-formed input,
// and a zero-width space between か and a combining ゛ would block a
// composition that a second pass (after the removal) would then make, so
// the result would not be idempotent.
std::string NfkcUtf8(std::string_view raw) {
  std::string clean;
  clean.reserve(raw.size() + 8);
  for (size_t pos = 0; pos < raw.size();) {
    const size_t before = pos;
    const char32_t c = DecodeNext(raw, pos);
    if (IsDropped(c)) continue;
    if (c == kReplacement) {
      AppendUtf8(clean, c);
    } else {
      clean.append(raw.substr(before, pos - before));
    }
  }
  const std::string_view utf8 = clean;
  const icu::Normalizer2* nfkc = Nfkc();
  if (nfkc == nullptr) return std::string(utf8);
  std::string out;
  out.reserve(utf8.size() + 8);
  icu::StringByteSink<std::string> sink(&out);
  UErrorCode status = U_ZERO_ERROR;
  nfkc->normalizeUTF8(0, icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())),
                      sink, nullptr, status);
  if (U_FAILURE(status)) return std::string(utf8);
  return out;
}

// Code points whose NFKC form is themselves, or (full-width ASCII, U+3000,
// NBSP) a single ASCII character, and that never compose with a neighbour
// that is also in this set. Text made only of these (kanji names, katakana,
// full-width digits) skips ICU. Checked against NFKC in normalize_test.cc.
bool NfkcTrivial(char32_t c, char32_t& mapped) {
  mapped = c;
  if (c < 0x80 || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3041 && c <= 0x3096) ||
      (c >= 0x30A1 && c <= 0x30FC) || (c >= 0x3400 && c <= 0x4DBF) || c == 0x3005 ||
      c == 0x3006 || c == 0x2010 || (c >= 0x2012 && c <= 0x2015) || c == 0x2212 ||
      c == 0x2500 || c == 0x2501 || (c >= 0xFE00 && c <= 0xFE0F) ||
      (c >= 0xE0100 && c <= 0xE01EF) || c == 0xFA11) {
    return true;
  }
  if (c >= 0xFF01 && c <= 0xFF5E) {
    mapped = c - 0xFEE0;
    return true;
  }
  if (c == 0x3000 || c == 0xA0) {
    mapped = ' ';
    return true;
  }
  return false;
}

// NFKC of half-width katakana U+FF61..FF9D (one code point each).
constexpr char16_t kHalfWidthKana[] = {
    0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2, 0x30A1, 0x30A3, 0x30A5, 0x30A7,
    0x30A9, 0x30E3, 0x30E5, 0x30E7, 0x30C3, 0x30FC, 0x30A2, 0x30A4, 0x30A6, 0x30A8,
    0x30AA, 0x30AB, 0x30AD, 0x30AF, 0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9, 0x30BB,
    0x30BD, 0x30BF, 0x30C1, 0x30C4, 0x30C6, 0x30C8, 0x30CA, 0x30CB, 0x30CC, 0x30CD,
    0x30CE, 0x30CF, 0x30D2, 0x30D5, 0x30D8, 0x30DB, 0x30DE, 0x30DF, 0x30E0, 0x30E1,
    0x30E2, 0x30E4, 0x30E6, 0x30E8, 0x30E9, 0x30EA, 0x30EB, 0x30EC, 0x30ED, 0x30EF,
    0x30F3};
static_assert(std::size(kHalfWidthKana) == 0xFF9D - 0xFF61 + 1);

// The katakana that NFKC composes from `base` and a voiced (゛) or
// semi-voiced (゜) mark; 0 when there is none.
char32_t ComposeMark(char32_t base, bool semi) {
  const bool ha_row = base >= 0x30CF && base <= 0x30DB && (base - 0x30CF) % 3 == 0;
  if (semi) return ha_row ? base + 2 : 0;
  if (ha_row) return base + 1;
  if ((base >= 0x30AB && base <= 0x30C1 && (base - 0x30AB) % 2 == 0) || base == 0x30C4 ||
      base == 0x30C6 || base == 0x30C8) {
    return base + 1;
  }
  switch (base) {
    case 0x30A6: return 0x30F4;  // ウ゛ → ヴ
    case 0x30EF: return 0x30F7;  // ワ゛ → ヷ
    case 0x30F2: return 0x30FA;  // ヲ゛ → ヺ
    default: return 0;
  }
}

bool IsLongVowelContext(char32_t prev) {
  return IsKanaLetter(prev) || prev == kProlongedSound;
}

// Resolves every dash look-alike in place (see IsDashLike): after kana, or
// after a long-vowel mark that itself followed kana, it is ー, except that a
// drawn dash (─, −, ‐ …) between kana and a digit is '-' (コーポ─101 is
// building コーポ, room 101); next to ASCII
// letters or digits it is '-'; a written ー/ｰ with no such context stays ー,
// anything else becomes '-'.
void ResolveDashes(std::u32string& cps) {
  for (size_t i = 0; i < cps.size(); ++i) {
    const char32_t c = cps[i];
    if (!IsDashLike(c)) continue;
    const char32_t prev = i > 0 ? cps[i - 1] : 0;
    size_t j = i + 1;
    while (j < cps.size() && IsDashLike(cps[j])) ++j;
    const char32_t next = j < cps.size() ? cps[j] : 0;
    const bool written_long_vowel = c == kProlongedSound || c == 0xFF70;
    if (IsLongVowelContext(prev) && !(IsAsciiDigit(next) && !written_long_vowel)) {
      cps[i] = kProlongedSound;
    } else if (IsAsciiAlnum(prev) || IsAsciiAlnum(next)) {
      cps[i] = '-';
    } else if (written_long_vowel) {
      cps[i] = kProlongedSound;
    } else {
      cps[i] = '-';
    }
  }
}

}  // namespace

std::string EncodeUtf8(std::u32string_view cps) {
  std::string out;
  out.reserve(cps.size() * 3);
  for (char32_t c : cps) AppendUtf8(out, c);
  return out;
}

std::u32string NormalizedCodePoints(std::string_view utf8) {
  std::u32string cps;
  cps.reserve(utf8.size());
  bool pending_space = false;
  auto push = [&](char32_t c) {
    if (IsDropped(c)) return;
    if (IsSpaceLike(c)) {
      pending_space = !cps.empty();
      return;
    }
    if (pending_space) {
      cps.push_back(' ');
      pending_space = false;
    }
    cps.push_back(MapLeftover(c));
  };
  // Without ICU when every code point is NFKC-trivial; half-width katakana
  // and their voiced marks are composed here too (the commonest non-trivial
  // input). Anything else restarts through ICU.
  bool trivial = true;
  for (size_t pos = 0; pos < utf8.size();) {
    const char32_t c = DecodeNext(utf8, pos);
    char32_t mapped = 0;
    if (NfkcTrivial(c, mapped)) {
      push(mapped);
      continue;
    }
    if (c >= 0xFF61 && c <= 0xFF9D) {
      mapped = kHalfWidthKana[c - 0xFF61];
      size_t next_pos = pos;
      const char32_t next = next_pos < utf8.size() ? DecodeNext(utf8, next_pos) : 0;
      if (next == 0xFF9E || next == 0xFF9F) {
        mapped = ComposeMark(mapped, next == 0xFF9F);
        if (mapped == 0) {
          trivial = false;
          break;
        }
        pos = next_pos;
      }
      push(mapped);
      continue;
    }
    trivial = false;
    break;
  }
  if (!trivial) {
    cps.clear();
    pending_space = false;
    const std::string nfkc = NfkcUtf8(utf8);
    for (size_t pos = 0; pos < nfkc.size();) push(DecodeNext(nfkc, pos));
  }
  ResolveDashes(cps);
  return cps;
}

}  // namespace internal

bool IsValidUtf8(std::string_view bytes) {
  size_t pos = 0;
  while (pos < bytes.size()) {
    const auto b = static_cast<unsigned char>(bytes[pos]);
    if (b < 0x80) {
      ++pos;
      continue;
    }
    const size_t before = pos;
    const char32_t c = internal::DecodeNext(bytes, pos);
    // A genuine U+FFFD is 3 bytes; a decoding error advances only one.
    if (c == internal::kReplacement && pos - before == 1) return false;
  }
  return true;
}

std::string NormalizeText(std::string_view utf8) {
  if (internal::IsAscii(utf8)) {
    // Fast path: no code point buffer, just fold white space and drop
    // control characters.
    std::string out;
    out.reserve(utf8.size());
    bool pending_space = false;
    for (char ch : utf8) {
      const auto c = static_cast<unsigned char>(ch);
      if (internal::IsSpaceLike(c)) {
        pending_space = !out.empty();
        continue;
      }
      if (internal::IsDropped(c)) continue;
      if (pending_space) {
        out.push_back(' ');
        pending_space = false;
      }
      out.push_back(ch);
    }
    return out;
  }
  return internal::EncodeUtf8(internal::NormalizedCodePoints(utf8));
}

std::string FoldHeader(std::string_view utf8) {
  const std::u32string cps = internal::NormalizedCodePoints(utf8);
  std::string out;
  out.reserve(cps.size() * 3);
  char32_t prev = 0;
  for (char32_t c : cps) {
    if (c == ' ') continue;
    if (c >= 'A' && c <= 'Z') c += 0x20;
    // Headers are matched, not read: a long-vowel mark that does not follow
    // kana (コード keeps its ー) is a dash here.
    if (c == internal::kProlongedSound && !internal::IsKanaLetter(prev) &&
        prev != internal::kProlongedSound) {
      c = '-';
    }
    internal::AppendUtf8(out, c);
    prev = c;
  }
  return out;
}

}  // namespace ichigen::text
