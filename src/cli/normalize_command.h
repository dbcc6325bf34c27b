// `ichigen normalize name|kana|date|phone|address`: the normalizers of the
// text and geography layers for operators and scripts. Reads one value per
// line on stdin and writes one JSON object per line on stdout, in the same
// order (blank lines give an object too, so lines stay aligned). For
// `address` a line may be "address<TAB>code[<TAB>postal code]" to cross-check
// a given municipality code and postal code.
// Thread-safety: runs on the main thread.
#pragma once

#include <CLI/CLI.hpp>

namespace ichigen::cli {

void AddNormalizeCommand(CLI::App& app);

}  // namespace ichigen::cli
