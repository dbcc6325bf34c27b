// ZipArchive: a read-only zip package (libzip), the one RAII owner of a
// zip_t*; ZipEntryStream: one member being decompressed, the one RAII owner
// of a zip_file_t*. Entries are located case-insensitively, as OOXML part
// names are. Thread-safety: an archive and its streams are used by one
// thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"

struct zip;
struct zip_file;

namespace ichigen::io {

class ZipEntryStream {
 public:
  ~ZipEntryStream();
  ZipEntryStream(const ZipEntryStream&) = delete;
  ZipEntryStream& operator=(const ZipEntryStream&) = delete;
  // Up to `size` decompressed bytes; 0 at the end. A damaged member (bad
  // CRC, truncated data) is kInvalidArgument.
  core::Result<size_t> Read(char* buffer, size_t size);
  int64_t compressed_bytes_read() const;  // approximate, for progress

 private:
  friend class ZipArchive;
  ZipEntryStream(zip_file* file, std::string name, uint64_t size, uint64_t comp_size);
  zip_file* file_;
  std::string name_;
  uint64_t size_;
  uint64_t comp_size_;
  uint64_t read_ = 0;
};

class ZipArchive {
 public:
  // kInvalidArgument for a file that is not a readable zip.
  static core::Result<std::unique_ptr<ZipArchive>> Open(const std::string& path);
  ~ZipArchive();
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  bool Has(const std::string& name) const;
  // kNotFound when the member is missing.
  core::Result<std::unique_ptr<ZipEntryStream>> OpenEntry(const std::string& name) const;
  // The whole member; kResourceExhausted past `max_bytes` (a zip bomb).
  core::Result<std::string> ReadAll(const std::string& name, size_t max_bytes) const;
  int64_t file_size() const { return file_size_; }

 private:
  ZipArchive(zip* archive, int64_t file_size) : archive_(archive), file_size_(file_size) {}
  zip* archive_;
  int64_t file_size_;
};

}  // namespace ichigen::io
