#include "io/csv_writer.h"

#include <cstdio>
#include <optional>

#include "io/str_cat.h"

namespace ichigen::io {
namespace {

constexpr size_t kFlushBytes = 1 << 20;

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// "-5", "-0.25": a plain negative number, which Excel reads as a number,
// not as a formula, so it is left alone.
bool IsPlainNegativeNumber(std::string_view s) {
  if (s.size() < 2 || s[0] != '-') return false;
  bool digits = false;
  bool dot = false;
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      digits = true;
    } else if (s[i] == '.' && !dot && digits) {
      dot = true;
    } else {
      return false;
    }
  }
  return digits && s.back() != '.';
}

}  // namespace

// The guard rule: a cell whose first character is = + - @, a tab or a CR is
// given a leading apostrophe, which Excel shows as text and never evaluates
// (OWASP "CSV injection"). Plain negative numbers ("-5", "-0.5") are
// exempt: Excel reads them as numbers, not formulas. Dates (2022-08-01,
// 令和4年8月1日) never start with those characters and are untouched.
bool NeedsFormulaGuard(std::string_view cell) {
  if (cell.empty()) return false;
  switch (cell[0]) {
    case '=':
    case '+':
    case '@':
    case '\t':
    case '\r':
      return true;
    case '-':
      // A lone '-' (a placeholder for "none") is text, not a formula.
      return cell.size() > 1 && !IsPlainNegativeNumber(cell);
    default:
      return false;
  }
}

struct CsvWriter::Impl {
  Encoding encoding = Encoding::kCp932;
  FilePtr file;  // null: in memory
  std::string path;
  std::string buffer;  // encoded bytes not yet written
  std::string line;    // the UTF-8 row being built, reused
  std::optional<Cp932Encoder> encoder;
  int64_t substituted = 0;
  bool closed = false;

  core::Status Flush() {
    if (!file || buffer.empty()) return core::Ok();
    if (std::fwrite(buffer.data(), 1, buffer.size(), file.get()) != buffer.size()) {
      return core::Fail(core::Code::kUnavailable, "ファイルに書き込めませんでした",
                        StrCat("write failed: ", path), path);
    }
    buffer.clear();
    return core::Ok();
  }
};

CsvWriter::CsvWriter() : impl_(std::make_unique<Impl>()) {}

CsvWriter::~CsvWriter() {
  if (impl_ && impl_->file && !impl_->closed) (void)Close();
}

core::Result<std::unique_ptr<CsvWriter>> CsvWriter::Open(const std::string& path,
                                                         Encoding encoding) {
  std::unique_ptr<CsvWriter> writer(new CsvWriter());
  writer->impl_->encoding = encoding;
  writer->impl_->path = path;
  if (encoding == Encoding::kCp932) {
    ASSIGN_OR_RETURN(Cp932Encoder encoder, Cp932Encoder::Create());
    writer->impl_->encoder.emplace(std::move(encoder));
  }
  writer->impl_->file.reset(std::fopen(path.c_str(), "wb"));
  if (!writer->impl_->file) {
    return core::Fail(core::Code::kPermissionDenied, "ファイルを作れません",
                      StrCat("cannot create ", path), path);
  }
  if (encoding == Encoding::kUtf8Bom) writer->impl_->buffer = "\xEF\xBB\xBF";
  return writer;
}

std::unique_ptr<CsvWriter> CsvWriter::InMemory(Encoding encoding) {
  std::unique_ptr<CsvWriter> writer(new CsvWriter());
  writer->impl_->encoding = encoding;
  if (encoding == Encoding::kCp932) {
    auto encoder = Cp932Encoder::Create();
    // ICU's cp932 table is built in; failing to open it is a broken install,
    // and then rows are written as UTF-8 rather than lost.
    if (encoder.has_value()) writer->impl_->encoder.emplace(std::move(*encoder));
  }
  if (encoding == Encoding::kUtf8Bom) writer->impl_->buffer = "\xEF\xBB\xBF";
  return writer;
}

core::Status CsvWriter::WriteRow(const std::vector<std::string>& fields) {
  Impl& impl = *impl_;
  if (impl.closed) {
    return core::Fail(core::Code::kFailedPrecondition, "閉じたファイルには書けません",
                      "the writer is closed");
  }
  std::string& line = impl.line;
  line.clear();
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line.push_back(',');
    const std::string& field = fields[i];
    const bool guard = NeedsFormulaGuard(field);
    const bool quote = guard || field.find_first_of(",\"\r\n") != std::string::npos ||
                       (!field.empty() && (field.front() == ' ' || field.back() == ' '));
    if (!quote) {
      line += field;
      continue;
    }
    line.push_back('"');
    if (guard) line.push_back('\'');
    for (char c : field) {
      if (c == '"') line.push_back('"');
      line.push_back(c);
    }
    line.push_back('"');
  }
  line += "\r\n";
  if (impl.encoder) {
    RETURN_IF_ERROR(impl.encoder->Encode(line, /*substitute=*/true, impl.buffer,
                                         &impl.substituted));
  } else {
    impl.buffer += line;
  }
  if (impl.buffer.size() >= kFlushBytes) return impl.Flush();
  return core::Ok();
}

core::Status CsvWriter::Close() {
  Impl& impl = *impl_;
  if (impl.closed) return core::Ok();
  impl.closed = true;
  RETURN_IF_ERROR(impl.Flush());
  if (impl.file) {
    std::FILE* file = impl.file.release();
    if (std::fclose(file) != 0) {
      return core::Fail(core::Code::kUnavailable, "ファイルを閉じられませんでした",
                        StrCat("close failed: ", impl.path), impl.path);
    }
  }
  return core::Ok();
}

std::string CsvWriter::Take() {
  std::string out = std::move(impl_->buffer);
  impl_->buffer.clear();
  return out;
}

int64_t CsvWriter::substituted_characters() const { return impl_->substituted; }

}  // namespace ichigen::io
