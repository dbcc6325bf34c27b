// Unicode-aware edit distances for matching: strings are compared by code
// point, never by byte, so one mistyped kanji (three UTF-8 bytes) is one
// edit. The distance is the optimal-string-alignment form of Damerau–
// Levenshtein (insert, delete, substitute, swap two neighbours), because a
// swap of two neighbouring characters is as common a typing slip as a
// substitution. Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace ichigen::identity {

// The code points of UTF-8 text; malformed bytes become U+FFFD one byte at
// a time, so any input is safe.
std::u32string ToCodePoints(std::string_view utf8);

std::string ToUtf8(std::u32string_view code_points);

// Damerau–Levenshtein (optimal string alignment) distance by code point.
// Stops early and returns `limit + 1` once the distance is known to exceed
// `limit`, which keeps the common "is it 0 or 1?" question cheap.
int EditDistance(std::u32string_view a, std::u32string_view b, int limit = 1 << 20);
int EditDistance(std::string_view a_utf8, std::string_view b_utf8, int limit = 1 << 20);

}  // namespace ichigen::identity
