// Person names written in kanji (or kana, or Latin letters): a display form,
// the family/given split point when the writer gave one, and matching keys.
// The variant fold is conservative and one-to-one (髙→高, 邊/邉→辺, 齋→斎,
// 澤→沢 …) from the audited table data/text/kanji_variant_fold.tsv; pairs
// that are different names (斎/斉, 崎/埼, 坂/阪, 広/弘/宏, 畑/畠) are listed in
// data/text/kanji_confusable.tsv and are never folded together.
// Thread-safety: the tables are loaded once, immutably; calls are safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ichigen::text {

struct NormalizedName {
  std::string display;      // NormalizeText form, single space at the split
  std::string key;          // no spaces, exact characters after NormalizeText
  std::string folded_key;   // key with old/variant kanji folded
  std::string family;       // before the split point (empty if no split)
  std::string given;        // after the split point
  bool has_split = false;   // the writer separated family and given name
  std::vector<std::string> flags;  // e.g. "variant_folded", "latin", "empty"
};

NormalizedName NormalizeName(std::string_view raw);

// The variant fold alone (used on any kanji text, e.g. addresses).
std::string FoldKanjiVariants(std::string_view utf8);

// True when the two code points are a listed confusable pair.
bool AreConfusable(char32_t a, char32_t b);

}  // namespace ichigen::text
