#include "text/kana.h"

#include <algorithm>

#include "text/unicode.h"

namespace ichigen::text {
namespace {

using internal::AppendUtf8;
using internal::DecodeNext;
using internal::kProlongedSound;

// Vowel of each katakana letter U+30A1 ァ .. U+30FA ヺ ('-' for ン).
constexpr std::string_view kVowels =
    "aaiiuueeoo"        // ァ..オ
    "aaiiuueeoo"        // カ..ゴ
    "aaiiuueeoo"        // サ..ゾ
    "aaiiuuueeoo"       // タ ダ チ ヂ ッ ツ ヅ テ デ ト ド
    "aiueo"             // ナ..ノ
    "aaaiiiuuueeeooo"   // ハ..ポ
    "aiueo"             // マ..モ
    "aauuoo"            // ャ..ヨ
    "aiueo"             // ラ..ロ
    "aaieo"             // ヮ ワ ヰ ヱ ヲ
    "-"                 // ン
    "uaeaieo";          // ヴ ヵ ヶ ヷ ヸ ヹ ヺ
static_assert(kVowels.size() == 0x30FA - 0x30A1 + 1);

char VowelOf(char32_t c) {
  if (!internal::IsKatakanaLetter(c)) return 0;
  const char v = kVowels[c - 0x30A1];
  return v == '-' ? 0 : v;
}

char32_t ToKatakana(char32_t c) {
  if (internal::IsHiraganaLetter(c)) return c + 0x60;
  if (c == 0x309D || c == 0x309E) return c + 0x60;  // ゝゞ → ヽヾ
  return c;
}

bool IsSplit(char32_t c) {
  return c == ' ' || c == internal::kMiddleDot || c == 0x00B7;
}

// The voiced form of a katakana letter (カ → ガ, ハ → バ, ウ → ヴ), for ヾ.
char32_t Voiced(char32_t c) {
  if ((c >= 0x30AB && c <= 0x30C2 && (c - 0x30AB) % 2 == 0) ||  // カ..チ
      c == 0x30C4 || c == 0x30C6 || c == 0x30C8) {              // ツ テ ト
    return c + 1;
  }
  if (c >= 0x30CF && c <= 0x30DB && (c - 0x30CF) % 3 == 0) return c + 1;  // ハ..ホ
  if (c == 0x30A6) return 0x30F4;  // ウ → ヴ
  return c;
}

// Spelling differences that do not change the sound, one letter at a time
// (long vowels are handled afterwards because they need the neighbour).
char32_t PlainLetter(char32_t c) {
  switch (c) {
    // Small kana written large: old systems and hand-written sheets did not
    // have them (ハツトリ for ハットリ, キヨウコ for キョウコ).
    case 0x30A1: case 0x30A3: case 0x30A5: case 0x30A7: case 0x30A9:  // ァィゥェォ
    case 0x30C3:                                                       // ッ
    case 0x30E3: case 0x30E5: case 0x30E7:                             // ャュョ
    case 0x30EE:                                                       // ヮ
      return c + 1;
    case 0x30F5: return 0x30AB;  // ヵ → カ
    case 0x30F6: return 0x30B1;  // ヶ → ケ
    case 0x30C2: return 0x30B8;  // ヂ → ジ
    case 0x30C5: return 0x30BA;  // ヅ → ズ
    case 0x30F2: return 0x30AA;  // ヲ → オ
    case 0x30F1: return 0x30A8;  // ヱ → エ
    case 0x30F0: return 0x30A4;  // ヰ → イ
    case 0x30F4: return 0x30D6;  // ヴ → ブ
    case 0x30F7: return 0x30D0;  // ヷ → バ
    case 0x30F8: return 0x30D3;  // ヸ → ビ
    case 0x30F9: return 0x30D9;  // ヹ → ベ
    case 0x30FA: return 0x30DC;  // ヺ → ボ
    default: return c;
  }
}

// Writes the phonetic key of `in` to `out` (UTF-8); `letters` is scratch
// space reused across calls to save allocations.
void PhoneticOf(std::u32string_view in, std::u32string& letters, std::string& out) {
  // Pass 1: katakana, no separators, iteration marks expanded, ヴァ-style
  // pairs merged, letters made plain.
  letters.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    char32_t c = ToKatakana(in[i]);
    if (IsSplit(c) || internal::IsSpaceLike(c)) continue;
    if (c == 0x30FD || c == 0x30FE) {  // ヽ ヾ repeat the previous letter
      if (letters.empty()) continue;
      c = c == 0x30FE ? Voiced(letters.back()) : letters.back();
    }
    if (c == 0x30F4 && i + 1 < in.size()) {
      // ヴァ ヴィ ヴェ ヴォ are written バ ビ ベ ボ just as often.
      const char32_t n = ToKatakana(in[i + 1]);
      const char32_t merged = n == 0x30A1 ? 0x30D0 : n == 0x30A3 ? 0x30D3
                            : n == 0x30A7 ? 0x30D9 : n == 0x30A9 ? 0x30DC : 0;
      if (merged != 0) {
        letters.push_back(merged);
        ++i;
        continue;
      }
    }
    letters.push_back(PlainLetter(c));
  }
  // Pass 2: long vowels. ー takes the vowel it lengthens, spelled the way
  // kana spells it: a→ア, i→イ, u→ウ, e→イ (ケーコ = ケイコ), o→ウ
  // (ヨーコ = ヨウコ). An o-row letter followed by オ is the same long o
  // (オオノ = オーノ = オウノ) and an e-row letter followed by エ the same
  // long e (ネエ = ネー). A vowel that is not written at all is NOT
  // supplied: ユコ ≠ ユウコ and オノ (小野) ≠ オオノ (大野) are different
  // names. ー after ン or at the start carries no sound and is dropped.
  out.clear();
  out.reserve(letters.size() * 3);
  char32_t last = 0;
  for (char32_t c : letters) {
    const char prev = VowelOf(last);
    if (c == kProlongedSound) {
      switch (prev) {
        case 'a': c = 0x30A2; break;
        case 'i': case 'e': c = 0x30A4; break;
        case 'u': case 'o': c = 0x30A6; break;
        default: continue;
      }
    } else if (c == 0x30AA && prev == 'o') {
      c = 0x30A6;  // オ after o-row → ウ
    } else if (c == 0x30A8 && prev == 'e') {
      c = 0x30A4;  // エ after e-row → イ
    }
    AppendUtf8(out, c);
    last = c;
  }
}

void AddFlag(std::vector<std::string>& flags, std::string_view flag) {
  if (std::find(flags.begin(), flags.end(), flag) == flags.end()) flags.emplace_back(flag);
}

// Half-width katakana U+FF66..FF9F is EF BD A6..EF BE 9F in UTF-8.
bool HasHalfWidthKana(std::string_view raw) {
  for (size_t i = 0; i + 2 < raw.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(raw[i]);
    const auto b1 = static_cast<unsigned char>(raw[i + 1]);
    const auto b2 = static_cast<unsigned char>(raw[i + 2]);
    if (b0 == 0xEF && ((b1 == 0xBD && b2 >= 0xA6) || (b1 == 0xBE && b2 <= 0x9F))) return true;
  }
  return false;
}

}  // namespace

std::string PhoneticKey(std::string_view kana) {
  std::u32string cps;
  cps.reserve(kana.size());
  for (size_t pos = 0; pos < kana.size();) cps.push_back(DecodeNext(kana, pos));
  std::u32string scratch;
  std::string out;
  PhoneticOf(cps, scratch, out);
  return out;
}

NormalizedKana NormalizeKana(std::string_view raw) {
  NormalizedKana r;
  std::u32string cps = internal::NormalizedCodePoints(raw);
  bool hiragana = false;
  for (char32_t& c : cps) {
    if (internal::IsHiraganaLetter(c) || c == 0x309D || c == 0x309E) hiragana = true;
    c = ToKatakana(c);
  }
  if (hiragana) AddFlag(r.flags, "hiragana");
  if (HasHalfWidthKana(raw)) AddFlag(r.flags, "halfwidth");

  // Parts separated by a space or ・; the first separator is the split.
  std::vector<std::u32string_view> parts;
  const std::u32string_view all(cps);
  size_t start = 0;
  for (size_t i = 0; i <= all.size(); ++i) {
    if (i == all.size() || IsSplit(all[i])) {
      if (i > start) parts.push_back(all.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.empty()) {
    AddFlag(r.flags, "empty");
    return r;
  }
  r.has_split = parts.size() >= 2;
  if (parts.size() > 2) AddFlag(r.flags, "multiple_splits");
  std::u32string key;
  key.reserve(cps.size());
  for (size_t p = 0; p < parts.size(); ++p) {
    for (char32_t c : parts[p]) {
      if (internal::IsKatakanaLetter(c) || c == kProlongedSound || c == 0x30FD ||
          c == 0x30FE) {
        continue;
      }
      r.valid = false;
      if (internal::IsKanji(c)) {
        AddFlag(r.flags, "kanji");
      } else if (internal::IsAsciiAlpha(c)) {
        AddFlag(r.flags, "latin");
      } else {
        AddFlag(r.flags, "not_kana");
      }
    }
    if (p > 0) r.katakana.push_back(' ');
    for (char32_t c : parts[p]) AppendUtf8(r.katakana, c);
    key.append(parts[p]);
  }
  r.key = internal::EncodeUtf8(key);
  std::u32string scratch;
  scratch.reserve(key.size());
  PhoneticOf(key, scratch, r.phonetic);
  if (r.has_split) {
    // key is the parts concatenated, so the given name is its tail.
    PhoneticOf(parts[0], scratch, r.family_phonetic);
    PhoneticOf(std::u32string_view(key).substr(parts[0].size()), scratch, r.given_phonetic);
  }
  return r;
}

}  // namespace ichigen::text
