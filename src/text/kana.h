// Kana readings (フリガナ): hiragana and katakana folded together, half-width
// kana widened, and a phonetic key that forgives what people write
// differently for the same sound: small kana, long vowels (ユウコ/ユーコ,
// オオノ/オーノ), ヴ/ブ, ヂ/ジ, ヅ/ズ, ヲ/オ, voiced marks kept.
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
  std::vector<std::string> flags;
};

NormalizedKana NormalizeKana(std::string_view raw);

// Phonetic key of a katakana or hiragana string (spaces dropped).
std::string PhoneticKey(std::string_view kana);

}  // namespace ichigen::text
