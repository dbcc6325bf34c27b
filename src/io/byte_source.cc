#include "io/byte_source.h"
#include "io/str_cat.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ichigen::io {
namespace {

// The one RAII owner of a file descriptor in this layer.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

class FileSource final : public ByteSource {
 public:
  FileSource(std::unique_ptr<FileDescriptor> fd, int64_t size, std::string path)
      : fd_(std::move(fd)), size_(size), path_(std::move(path)) {}

  core::Result<size_t> Read(char* buffer, size_t size) override {
    for (;;) {
      const ssize_t n = ::read(fd_->get(), buffer, size);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno == EINTR) continue;
      return core::Fail(core::Code::kUnavailable, "ファイルを読めませんでした",
                        StrCat("read failed: ", std::strerror(errno)), path_);
    }
  }
  int64_t size() const override { return size_; }

 private:
  std::unique_ptr<FileDescriptor> fd_;
  int64_t size_;
  std::string path_;
};

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string bytes) : bytes_(std::move(bytes)) {}
  core::Result<size_t> Read(char* buffer, size_t size) override {
    const size_t n = std::min(size, bytes_.size() - offset_);
    std::memcpy(buffer, bytes_.data() + offset_, n);
    offset_ += n;
    return n;
  }
  int64_t size() const override { return static_cast<int64_t>(bytes_.size()); }

 private:
  std::string bytes_;
  size_t offset_ = 0;
};

}  // namespace

core::Result<std::unique_ptr<ByteSource>> OpenFileSource(const std::string& path) {
  const int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (raw < 0) {
    const int err = errno;
    if (err == ENOENT) {
      return core::Fail(core::Code::kNotFound, "ファイルが見つかりません",
                        StrCat("file not found: ", path), path);
    }
    return core::Fail(core::Code::kPermissionDenied, "ファイルを開けません",
                      StrCat("cannot open ", path, ": ", std::strerror(err)), path);
  }
  auto fd = std::make_unique<FileDescriptor>(raw);
  struct stat info {};
  if (::fstat(fd->get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return core::Fail(core::Code::kInvalidArgument, "通常のファイルではありません",
                      StrCat("not a regular file: ", path), path);
  }
  ::posix_fadvise(fd->get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::make_unique<FileSource>(std::move(fd), static_cast<int64_t>(info.st_size),
                                      path);
}

std::unique_ptr<ByteSource> StringSource(std::string bytes) {
  return std::make_unique<MemorySource>(std::move(bytes));
}

}  // namespace ichigen::io
