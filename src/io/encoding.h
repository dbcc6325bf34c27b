// Text encodings of the files people send: UTF-8, UTF-8 with BOM, and
// CP932 (Windows-31J, as Excel saves "CSV"), detected from the bytes and
// converted with ICU's "ibm-943_P15A-2003" table, which is Microsoft's cp932
// (0x8160 ↔ U+FF5E, 0x817C ↔ U+FF0D, NEC row 13, IBM extension kanji).
// Decoder converts a stream chunk by chunk, carrying a multi-byte sequence
// split across chunks. Cp932Encoder writes cp932, first mapping the code
// points other systems use for the same glyphs (U+301C 〜, U+2212 −, U+2016,
// U+00A2/A3/AC …) as Windows' best-fit table does. Thread-safety: the free
// functions are safe; a Decoder or Cp932Encoder is used by one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace ichigen::io {

enum class Encoding { kUtf8, kUtf8Bom, kCp932 };

std::string_view EncodingName(Encoding encoding);  // "utf-8", "utf-8-bom", "cp932"
core::Result<Encoding> ParseEncodingName(std::string_view name);  // also "sjis", "shift_jis"

// Looks at up to the first 64 KiB: a BOM, else valid UTF-8 with non-ASCII,
// else CP932 if it decodes cleanly, else UTF-8 (pure ASCII).
Encoding DetectEncoding(std::string_view sample);

class Decoder {
 public:
  static core::Result<std::unique_ptr<Decoder>> Create(Encoding encoding);
  virtual ~Decoder() = default;
  // Appends the UTF-8 of `bytes` to the returned string; an incomplete
  // trailing sequence is kept for the next call. Invalid bytes become U+FFFD
  // and are counted.
  virtual std::string Decode(std::string_view bytes, bool last) = 0;
  virtual int64_t invalid_sequences() const = 0;
};

// UTF-8 → CP932 for Excel-friendly output. Characters CP932 cannot hold are
// an error naming the first one (kInvalidArgument) unless `substitute`,
// which writes 〓 (ゲタ, 0x81AC) instead.
core::Result<std::string> EncodeCp932(std::string_view utf8, bool substitute = false);

// The converter EncodeCp932 opens, kept for many calls (CsvWriter).
class Cp932Encoder {
 public:
  static core::Result<Cp932Encoder> Create();
  ~Cp932Encoder();
  Cp932Encoder(Cp932Encoder&&) noexcept;
  Cp932Encoder& operator=(Cp932Encoder&&) noexcept;
  // Appends the cp932 bytes of `utf8` to `out` (a buffer the caller reuses);
  // adds the number of 〓 written to *substituted when `substitute`.
  core::Status Encode(std::string_view utf8, bool substitute, std::string& out,
                      int64_t* substituted);
  static std::string_view ConverterName();  // the ICU converter used

 private:
  struct Impl;
  explicit Cp932Encoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};
// CP932 → UTF-8 of a whole buffer.
core::Result<std::string> DecodeCp932(std::string_view bytes);

}  // namespace ichigen::io
