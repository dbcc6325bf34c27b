#include "io/zip_archive.h"
#include "io/str_cat.h"

#include <zip.h>

#include <filesystem>

namespace ichigen::io {
namespace {

core::Error Damaged(std::string detail) {
  return core::Error{core::Code::kInvalidArgument,
                     "Excel ファイル (.xlsx) が壊れているため読めません",
                     "the XLSX file is damaged: " + detail, {}};
}

}  // namespace

ZipEntryStream::ZipEntryStream(zip_file* file, std::string name, uint64_t size,
                               uint64_t comp_size)
    : file_(file), name_(std::move(name)), size_(size), comp_size_(comp_size) {}

ZipEntryStream::~ZipEntryStream() { zip_fclose(file_); }

core::Result<size_t> ZipEntryStream::Read(char* buffer, size_t size) {
  const zip_int64_t n = zip_fread(file_, buffer, size);
  if (n < 0) {
    return std::unexpected(Damaged(StrCat(name_, ": ", zip_file_strerror(file_))));
  }
  read_ += static_cast<uint64_t>(n);
  return static_cast<size_t>(n);
}

int64_t ZipEntryStream::compressed_bytes_read() const {
  if (size_ == 0) return static_cast<int64_t>(comp_size_);
  return static_cast<int64_t>(static_cast<double>(read_) / static_cast<double>(size_) *
                              static_cast<double>(comp_size_));
}

core::Result<std::unique_ptr<ZipArchive>> ZipArchive::Open(const std::string& path) {
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY, &error);
  if (archive == nullptr) {
    zip_error_t detail;
    zip_error_init_with_code(&detail, error);
    core::Error e = Damaged(zip_error_strerror(&detail));
    zip_error_fini(&detail);
    e.context = path;
    return std::unexpected(std::move(e));
  }
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return std::unique_ptr<ZipArchive>(
      new ZipArchive(archive, ec ? 0 : static_cast<int64_t>(size)));
}

ZipArchive::~ZipArchive() { zip_discard(archive_); }

bool ZipArchive::Has(const std::string& name) const {
  return zip_name_locate(archive_, name.c_str(), ZIP_FL_NOCASE) >= 0;
}

core::Result<std::unique_ptr<ZipEntryStream>> ZipArchive::OpenEntry(
    const std::string& name) const {
  const zip_int64_t index = zip_name_locate(archive_, name.c_str(), ZIP_FL_NOCASE);
  if (index < 0) {
    return core::Fail(core::Code::kNotFound,
                      StrCat("Excel ファイルに ", name, " がありません"),
                      StrCat("the workbook has no part ", name));
  }
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat_index(archive_, static_cast<zip_uint64_t>(index), 0, &stat) != 0) {
    return std::unexpected(Damaged(StrCat(name, ": ", zip_strerror(archive_))));
  }
  zip_file_t* file = zip_fopen_index(archive_, static_cast<zip_uint64_t>(index), 0);
  if (file == nullptr) {
    return std::unexpected(Damaged(StrCat(name, ": ", zip_strerror(archive_))));
  }
  return std::unique_ptr<ZipEntryStream>(new ZipEntryStream(
      file, name, (stat.valid & ZIP_STAT_SIZE) ? stat.size : 0,
      (stat.valid & ZIP_STAT_COMP_SIZE) ? stat.comp_size : 0));
}

core::Result<std::string> ZipArchive::ReadAll(const std::string& name,
                                              size_t max_bytes) const {
  ASSIGN_OR_RETURN(std::unique_ptr<ZipEntryStream> stream, OpenEntry(name));
  std::string out;
  char buffer[65536];
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, stream->Read(buffer, sizeof buffer));
    if (n == 0) break;
    if (out.size() + n > max_bytes) {
      return core::Fail(core::Code::kResourceExhausted,
                        StrCat("Excel ファイルの ", name, " が大きすぎます"),
                        StrCat("part ", name, " is larger than ", max_bytes, " bytes"));
    }
    out.append(buffer, n);
  }
  return out;
}

}  // namespace ichigen::io
