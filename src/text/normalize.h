// Text normalization shared by every field: ICU-based NFKC where it is right
// (not blindly), variation selectors stripped, the CJK compatibility
// ideographs NFKC leaves mapped explicitly, dash and long-vowel look-alikes
// resolved by context (after kana → ー; next to ASCII letters or digits →
// '-'; a lone ー stays ー; any other dash → '-'), and whitespace folded.
// Text made only of kanji, kana, ASCII and full-width ASCII never touches
// ICU (the common case, measured by bench_normalize). No I/O.
// Thread-safety: all functions are safe to call from any thread.
#pragma once

#include <string>
#include <string_view>

namespace ichigen::text {

// True when `bytes` is well-formed UTF-8.
bool IsValidUtf8(std::string_view bytes);

// General clean-up of a free-text value for storage beside the raw value:
// NFKC (full-width ASCII to half-width, half-width katakana to full-width),
// variation selectors removed, compatibility ideographs mapped, runs of
// white space (including U+3000) folded to one ASCII space, trimmed.
std::string NormalizeText(std::string_view utf8);

// Key for matching a column header against profile synonyms: NFKC, all
// white space removed, ASCII lower-cased, dash look-alikes to '-'.
std::string FoldHeader(std::string_view utf8);

}  // namespace ichigen::text
