// Hexadecimal digits, for the layers that read hex text (PostgreSQL's bytea
// output, checksums). Thread-safety: pure.
#pragma once

namespace ichigen::core {

// The value of one hex digit (either case), or -1 if `c` is not one.
inline int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace ichigen::core
