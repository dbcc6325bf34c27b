// The byte-level pieces of `ichigen migrate` (migrate.h), apart so that they
// are tested without a server:
//
// TableChecksum: the order-independent checksum of a table — the sum modulo
// 2^128 of the first 16 bytes of SHA-256 over each row's canonical encoding.
// Canonical*: a value's canonical encoding, the same from SQLite's storage
// classes and PostgreSQL's types (NULL "n", integer "i<decimal>;", floating
// point "r<shortest round-trip>;", text "t<bytes>:<UTF-8>", binary
// "b<bytes>:<bytes>"); a row's encoding is its values' in column order.
// Copy*: values in COPY's text format (bytea in hex form).
//
// Thread-safety: the functions are pure; a TableChecksum is used by one
// thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/sha256.h"

namespace ichigen::store::migration {

class TableChecksum {
 public:
  void AddRow(std::string_view encoding);
  int64_t rows() const { return rows_; }
  std::string Hex() const;  // 32 hex digits

 private:
  core::Sha256 hasher_;
  uint64_t high_ = 0;
  uint64_t low_ = 0;
  int64_t rows_ = 0;
};

void AppendNumber(std::string& out, int64_t value);
void AppendNumber(std::string& out, double value);  // shortest round-trip form

void CanonicalInteger(std::string& out, int64_t value);
void CanonicalReal(std::string& out, double value);
void CanonicalBytes(std::string& out, char kind, std::string_view bytes);  // 't' or 'b'

// Text escaped for COPY's text format (backslash, tab, newline, CR).
void CopyText(std::string& out, std::string_view text);
// Binary as a bytea literal in hex form, escaped for COPY's text format.
void CopyBytea(std::string& out, std::string_view bytes);
// PostgreSQL's text output of a bytea ("\x" and hex digits) back to bytes;
// false (and `out` unspecified) for anything else.
bool DecodeByteaHex(std::string_view text, std::string& out);

}  // namespace ichigen::store::migration
