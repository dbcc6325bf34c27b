// CsvWriter: writes RFC 4180 CSV that Excel opens as a clerk expects: CP932
// (default) or UTF-8 with BOM, CRLF line ends, fields quoted when they need
// it. Formula-looking cells (=, +, -, @ at the start) are prefixed with a
// quote so a file from untrusted input cannot run anything in Excel.
// Thread-safety: one writer, one thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "io/encoding.h"

namespace ichigen::io {

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
