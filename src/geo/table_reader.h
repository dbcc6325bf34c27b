// TableReader: the small CSV/TSV reader the geography layer needs for its
// reference files (a UTF-8 BOM, CRLF or LF, '#' comment lines in our own
// files, RFC 4180 quoting in the upstream ones). It is not the intake CSV
// reader: these files are ours or pinned, so a malformed line is a load
// error, not a reject. Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ichigen::geo {

struct TableRow {
  int line = 0;  // 1-based line number in the file
  std::vector<std::string> fields;
};

// Splits `text` into rows of `separator`-separated fields. Blank lines and,
// when `skip_comments`, lines starting with '#' are dropped; the BOM is
// dropped. Quoted fields may contain the separator and doubled quotes but
// not line breaks.
std::vector<TableRow> ReadTable(std::string_view text, char separator,
                                bool skip_comments);

}  // namespace ichigen::geo
