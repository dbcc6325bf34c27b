// Data files: reference data, profiles, fold tables and rule tables ship
// inside the binary (one binary, nothing to install beside it) and can be
// overridden or extended without rebuilding by putting files of the same
// relative name under the directory named by ICHIGEN_DATA_DIR.
// Thread-safety: the embedded table is immutable; functions are safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ichigen::core {

// The text of data file `name` (e.g. "ref/code4fukui_prefjp-utf8.csv"):
// $ICHIGEN_DATA_DIR/name when that file exists, else the embedded copy.
Result<std::string> LoadDataFile(std::string_view name);

// Names of the data files directly under `dir` (e.g. "profiles"), embedded
// and overriding ones together, sorted, without duplicates.
std::vector<std::string> ListDataFiles(std::string_view dir);

struct EmbeddedFile {
  const char* name;
  const char* begin;
  const char* end;
};

}  // namespace ichigen::core

// Defined by the generated resources library (cmake/Embed.cmake).
extern "C" const ichigen::core::EmbeddedFile ichigen_embedded_files[];
extern "C" const unsigned long ichigen_embedded_file_count;
