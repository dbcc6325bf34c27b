// RecordReader: streams the records (rows) of an input file, CSV or XLSX,
// as UTF-8 fields, without holding the file in memory. CSV follows RFC 4180
// (quoted fields, embedded newlines, CRLF or LF); a stray quote is a row
// error on that record, not a failure of the file. XLSX reads the first
// sheet or a named one (shared strings, inline strings, numbers; a number in
// a date format comes out as YYYY-MM-DD). Thread-safety: one reader, one
// thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "io/encoding.h"

namespace ichigen::io {

enum class FileFormat { kCsv, kXlsx };

std::string_view FileFormatName(FileFormat format);

struct Record {
  int64_t line = 0;      // 1-based physical line where the record starts (CSV)
                         // or the sheet row number (XLSX)
  std::vector<std::string> fields;  // UTF-8
  std::string raw_text;  // the record as it stood in the file, decoded to UTF-8
  std::string error;     // non-empty: this record is malformed (Japanese reason)
  std::string error_en;  // the same in English
  bool undecodable = false;  // the error is bytes the encoding cannot decode
};

struct ReaderOptions {
  std::optional<Encoding> encoding;  // nullopt: detect
  std::string sheet;                 // XLSX sheet name; empty: first sheet
  int64_t max_field_bytes = 1 << 20; // a longer field is a row error
  int64_t max_fields = 20000;        // more fields is a row error
  int64_t max_record_bytes = 64 << 20;  // a longer record is a row error
  int64_t max_quoted_lines = 100;    // a quoted field crossing more lines is
                                     // taken as an unterminated quote
};

class RecordReader {
 public:
  virtual ~RecordReader() = default;
  // The next record, or nullptr at the end. The pointer stays valid until
  // the next call. An error means the file cannot be read further.
  virtual core::Result<const Record*> Next() = 0;
  virtual FileFormat format() const = 0;
  virtual Encoding encoding() const = 0;  // kUtf8 for XLSX
  virtual int64_t bytes_read() const = 0; // progress, in source bytes
  virtual int64_t total_bytes() const = 0;
};

// Opens `path`; the format comes from the content (a zip is XLSX).
core::Result<std::unique_ptr<RecordReader>> OpenRecordReader(const std::string& path,
                                                             const ReaderOptions& options = {});

}  // namespace ichigen::io
