// Kana readings (フリガナ): hiragana and katakana folded together, half-width
// kana widened, and a phonetic key that forgives what people write
// differently for the same sound: small kana, long vowels (ユウコ/ユーコ,
// オオノ/オーノ), ヴ/ブ, ヂ/ジ, ヅ/ズ, ヲ/オ, voiced marks kept.
//
// Phonetic key rules, in order (see kana.cc):
//  1. hiragana → katakana; spaces and ・ dropped; ヽ/ヾ repeat the letter.
//  2. small kana → large (ァ→ア, ッ→ツ, ャ→ヤ, ヮ→ワ, ヵ→カ, ヶ→ケ).
//  3. ヴァ/ヴィ/ヴェ/ヴォ → バ/ビ/ベ/ボ, ヴ → ブ; ヂ→ジ, ヅ→ズ, ヲ→オ, ヱ→エ,
//     ヰ→イ, ヷヸヹヺ → バビベボ. Voiced/unvoiced stay distinct (カトウ ≠ ガトウ).
//  4. ー becomes the vowel it lengthens, spelled as kana spells it: a→ア,
//     i→イ, u→ウ, e→イ, o→ウ (ユーコ = ユウコ, ヨーコ = ヨウコ, ケーコ =
//     ケイコ); オ after an o-row letter → ウ (オオノ = オーノ = オウノ); エ
//     after an e-row letter → イ. ー after ン or at the start is dropped.
//  5. A vowel that is not written is never supplied: ユコ ≠ ユウコ and
//     オノ (小野) ≠ オオノ (大野), because those are different names.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ichigen::text {

struct NormalizedKana {
  std::string katakana;   // full-width katakana, one space at the split
  std::string key;        // katakana without spaces
  std::string phonetic;   // phonetic key of the whole reading
  std::string family_phonetic;  // phonetic key of the part before the split
  std::string given_phonetic;   // phonetic key of the part after the split
  bool has_split = false;
  bool valid = true;      // false if it contains anything but kana and spaces
  // "hiragana", "halfwidth", "kanji", "latin", "not_kana", "empty",
  // "multiple_splits"
  std::vector<std::string> flags;
};

NormalizedKana NormalizeKana(std::string_view raw);

// Phonetic key of a katakana or hiragana string (spaces dropped).
std::string PhoneticKey(std::string_view kana);

}  // namespace ichigen::text
