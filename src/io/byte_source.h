// ByteSource: where a reader's bytes come from — a file (read with POSIX
// read(2) through one RAII owner of the descriptor) or, for tests and for
// bytes already in memory, a string. Readers take a ByteSource so tests can
// feed exact chunk boundaries and inject read failures. Thread-safety: one
// source, one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"

namespace ichigen::io {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `size` bytes; 0 means the end.
  virtual core::Result<size_t> Read(char* buffer, size_t size) = 0;
  virtual int64_t size() const = 0;  // total bytes, for progress
};

// kNotFound when the file does not exist, kPermissionDenied when it cannot
// be opened for reading, kInvalidArgument for a directory.
core::Result<std::unique_ptr<ByteSource>> OpenFileSource(const std::string& path);
std::unique_ptr<ByteSource> StringSource(std::string bytes);

}  // namespace ichigen::io
