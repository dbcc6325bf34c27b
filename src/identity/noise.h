// Identity noise: the ways a hand-typed hospital or hotel sheet differs from
// the HER-SYS record of the same person, applied one kind at a time to a
// RawPerson, for the identity evaluation (bench/identity_eval.cc) and for
// `ichigen synth`. The input is taken to be in HER-SYS form (name "佐藤 太郎",
// kana "サトウ タロウ", ISO birth date, hyphenated phone, address rest such as
// "本町3丁目4-5"). Randomness is injected (NoiseRng, an own SplitMix64, so the
// same seed gives the same rows on every platform).
// Thread-safety: pure functions of their arguments; a NoiseRng is not shared.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "identity/person.h"

namespace ichigen::identity {

enum class NoiseKind : uint8_t {
  kKanjiVariant,   // 高→髙, 辺→邊: an old or variant form
  kKanaVariant,    // ユウコ→ユーコ, ヅ→ズ, katakana→hiragana
  kNameTypo,       // one kanji substituted, dropped or swapped
  kKanaTypo,       // one kana substituted
  kNameNoSpace,    // family and given name run together
  kBirthSwap,      // day and month swapped
  kBirthDigit,     // one digit of YYYYMMDD wrong
  kBirthEra,       // right era-year number, wrong era (S5 written H5)
  kPhoneFormat,    // hyphens, brackets, full width, +81, lost leading 0
  kAddressFormat,  // 三丁目 / ３－４－５ / 4番5号 / ヶ↔ケ / spaces
  kKanaMissing,
  kPhoneMissing,
  kAddressMissing,
  kSexMissing,
};
inline constexpr size_t kNoiseKindCount = 14;
std::string_view NoiseKindName(NoiseKind kind);

class NoiseRng {
 public:
  explicit NoiseRng(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  uint64_t Below(uint64_t n);  // uniform in [0, n); 0 when n is 0
  double Uniform();            // [0, 1)
  bool Chance(double p) { return Uniform() < p; }

 private:
  uint64_t state_;
};

// `person` with one noise of `kind` applied, or nullopt when the kind does
// not fit it (no kanji with a variant, a birth day above 12 for a swap, no
// phone to reformat …). The result always differs from the input.
std::optional<RawPerson> ApplyNoise(NoiseKind kind, const RawPerson& person, NoiseRng& rng);

}  // namespace ichigen::identity
