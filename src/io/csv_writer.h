// CsvWriter: writes RFC 4180 CSV that Excel opens as a clerk expects: CP932
// (default) or UTF-8 with BOM (kUtf8 writes no BOM, for scripts), CRLF line
// ends, fields quoted when they hold , " CR LF or edge spaces. Formula-
// looking cells get a leading apostrophe so a file built from untrusted
// input cannot run anything in Excel; see NeedsFormulaGuard for the rule.
// Rows are buffered and written in 1 MiB blocks. Thread-safety: one writer,
// one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "io/encoding.h"

namespace ichigen::io {

// True when `cell` starts with = + @ - TAB or CR, except a plain negative
// number such as "-5" or "-0.25", which Excel reads as a number.
bool NeedsFormulaGuard(std::string_view cell);

class CsvWriter {
 public:
  // kCp932 substitutes characters CP932 cannot hold and counts them.
  static core::Result<std::unique_ptr<CsvWriter>> Open(const std::string& path,
                                                       Encoding encoding);
  // Writes to memory instead; Take() returns the bytes.
  static std::unique_ptr<CsvWriter> InMemory(Encoding encoding);
  ~CsvWriter();

  core::Status WriteRow(const std::vector<std::string>& fields);
  core::Status Close();
  std::string Take();
  int64_t substituted_characters() const;

 private:
  CsvWriter();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ichigen::io
