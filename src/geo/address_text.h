// Address text: the hand-written, allocation-free normalization pass the
// resolver runs on every address (no ICU, no regex: it must sustain
// hundreds of thousands of addresses a second on one core).
//
// One pass over the UTF-8 input produces two parallel forms:
//  - the display form (full-width ASCII narrowed, half-width katakana
//    widened, hyphen look-alikes and a ー/ｰ after a digit made '-',
//    variation selectors dropped, white space dropped except one space
//    between two ASCII letters or digits, as in "1-2-3 101"), and
//  - the key form of its first kMaxKeyChars characters, used only to match
//    prefecture and municipality names: additionally ヶ/ヵ/ケ/カ/が folded to
//    ケ, の/之 to ノ, and old or variant kanji folded by KanjiFold (澤→沢 …).
// The rest of an address (after the municipality) is then rewritten by
// NormalizeAddressRest: kanji numerals before 丁目/番地/番/号 become digits,
// and 3丁目4番5号 becomes 3-4-5.
// Thread-safety: KanjiFold is immutable after construction; the functions
// are pure.
#pragma once

#include "core/utf8.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace ichigen::geo {

// Decodes the code point at `*pos` and advances `*pos`; malformed bytes
// decode to U+FFFD one byte at a time, so any input is safe.
char32_t DecodeUtf8(std::string_view s, size_t* pos);
using core::AppendUtf8;

// The old/variant kanji fold for names (data/geo/kanji_fold.tsv).
class KanjiFold {
 public:
  // Loads data/geo/kanji_fold.tsv.
  static core::Result<KanjiFold> Load();
  explicit KanjiFold(std::vector<std::pair<char32_t, char32_t>> pairs);

  char32_t Fold(char32_t c) const;
  // The pairs (variant, form), sorted by variant.
  const std::vector<std::pair<char32_t, char32_t>>& pairs() const { return pairs_; }

 private:
  std::vector<std::pair<char32_t, char32_t>> pairs_;
};

// The key form of a single (display-form) character.
char32_t KeyChar(char32_t c, const KanjiFold& fold);
// The key of a whole name (registry side): display pass, then KeyChar.
std::string NameKey(std::string_view name, const KanjiFold& fold);

// The key form of the start of an address, with where each of its
// characters sits in the display form. Fixed size: no allocation.
struct AddressKey {
  static constexpr int kMaxKeyChars = 64;
  static constexpr int kMaxKeyBytes = kMaxKeyChars * 4;
  int count = 0;                                // key characters held
  std::array<char32_t, kMaxKeyChars> chars{};   // key characters
  std::array<uint16_t, kMaxKeyChars + 1> byte{};     // key byte offset of char i
  std::array<uint32_t, kMaxKeyChars + 1> display{};  // display byte offset of char i
  std::array<char, kMaxKeyBytes> bytes{};       // key text, UTF-8

  // Key text of characters [from, to).
  std::string_view Slice(int from, int to) const {
    return std::string_view(bytes.data() + byte[static_cast<size_t>(from)],
                            byte[static_cast<size_t>(to)] - byte[static_cast<size_t>(from)]);
  }
};

// The display pass over `raw` into `display` (cleared first) and `key`.
void NormalizeAddressText(std::string_view raw, const KanjiFold& fold, std::string& display,
                          AddressKey& key);

// Rewrites what follows the municipality: kanji numerals before a
// 丁目/番地/番/号 marker become digits, and "3丁目4番5号", "3丁目4番地5",
// "3の4の5", "３－４－５" all become "3-4-5". A marker not followed by a number
// is kept (西新宿2丁目), except 番地/番/号 at the very end (4番地 → 4).
std::string NormalizeAddressRest(std::string_view display_rest);

// Parses a kanji numeral (三, 十二, 二十三, 一〇五, 百) or returns -1.
int ParseKanjiNumber(std::u32string_view digits);

}  // namespace ichigen::geo
