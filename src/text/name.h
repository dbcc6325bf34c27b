// Person names written in kanji (or kana, or Latin letters): a display form,
// the family/given split point when the writer gave one, and matching keys.
// The variant fold is conservative and one-to-one (髙→高, 邊/邉→辺, 齋→斎,
// 澤→沢 …) from the audited table data/text/kanji_variant_fold.tsv; pairs
// that are different names (斎/斉, 崎/埼, 坂/阪, 広/弘/宏, 畑/畠) are listed in
// data/text/kanji_confusable.tsv and are never folded together. 龍/竜 is
// deliberately not folded: both are chosen freely in given names, so a
// difference is evidence of a different person. A space, full-width space
// or ・ between family and given name is a split point: recorded, shown as
// one space in `display`, removed from the keys.
// Thread-safety: the tables are loaded once, immutably; calls are safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace ichigen::text {

struct NormalizedName {
  std::string display;      // NormalizeText form, single space at the split
  std::string key;          // no spaces, exact characters after NormalizeText
  std::string folded_key;   // key with old/variant kanji folded, Latin
                            // upper-cased, hiragana as katakana
  std::string family;       // before the split point (empty if no split)
  std::string given;        // after the split point
  bool has_split = false;   // the writer separated family and given name
  // "variant_folded", "latin", "kana", "digits", "empty", "multiple_splits",
  // "invalid_utf8", "fold_table_unavailable"
  std::vector<std::string> flags;
};

NormalizedName NormalizeName(std::string_view raw);

// The variant fold alone (used on any kanji text, e.g. addresses).
std::string FoldKanjiVariants(std::string_view utf8);

// The variant fold of one code point (itself when not in the table).
char32_t FoldKanjiVariant(char32_t c);

// True when the two code points are a listed confusable pair, directly or
// after the variant fold (齋/斉 is confusable because 齋 folds to 斎).
bool AreConfusable(char32_t a, char32_t b);

// The confusable pairs as listed in data/text/kanji_confusable.tsv.
const std::vector<std::pair<char32_t, char32_t>>& ConfusablePairs();

// Whether both tables loaded and passed their checks (one-to-one fold, no
// chains, no confusable pair folded together). When they did not, the fold
// is disabled (nothing is folded, which is the safe direction) and this
// says why; call it at start-up to fail loudly.
core::Status CheckNameTables();

}  // namespace ichigen::text
