// TableSink: where the generator's rows go — a CSV file in CP932 or UTF-8
// (with or without BOM, CRLF or LF, fields quoted when needed or always), or
// an XLSX workbook (libxlsxwriter, constant-memory mode). CSV rows are
// gathered in a large buffer and converted to CP932 a megabyte at a time,
// so a million rows cost a few hundred writes, not millions.
// Thread-safety: one sink, one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "io/encoding.h"

namespace ichigen::synth {

struct CsvStyle {
  io::Encoding encoding = io::Encoding::kCp932;
  bool crlf = true;        // as Excel writes
  bool quote_all = false;  // some exporters quote every field
};

class TableSink {
 public:
  virtual ~TableSink() = default;
  // A title line above the header: one cell; empty text is a blank line.
  virtual core::Status WriteTitle(std::string_view text) = 0;
  // Fields are quoted as CSV needs, except field `raw_column` (if >= 0),
  // written exactly as given: how a deliberately malformed field (a stray
  // quote) gets into a file.
  virtual core::Status WriteRow(std::span<const std::string> fields, int raw_column = -1) = 0;
  virtual core::Status Close() = 0;
  // Physical lines (CSV) or sheet rows (XLSX) written so far.
  virtual int64_t lines() const = 0;
};

core::Result<std::unique_ptr<TableSink>> OpenCsvSink(const std::string& path, CsvStyle style);
// At most 1,048,576 sheet rows (Excel's limit); kResourceExhausted past it.
core::Result<std::unique_ptr<TableSink>> OpenXlsxSink(const std::string& path,
                                                      const std::string& sheet_name);

}  // namespace ichigen::synth
