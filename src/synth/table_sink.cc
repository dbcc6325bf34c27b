#include "synth/table_sink.h"

#include <xlsxwriter.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ichigen::synth {
namespace {

constexpr size_t kFlushBytes = 1 << 20;
constexpr int64_t kXlsxMaxRows = 1'048'576;

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

core::Status WriteError(const std::string& path) {
  return core::Fail(core::Code::kUnavailable, "ファイルに書き込めません", "cannot write the file",
                    path + ": " + std::strerror(errno));
}

class CsvSink final : public TableSink {
 public:
  CsvSink(std::unique_ptr<std::FILE, FileCloser> file, std::string path, CsvStyle style)
      : file_(std::move(file)), path_(std::move(path)), style_(style) {
    buffer_.reserve(kFlushBytes + 64 * 1024);
    if (style_.encoding == io::Encoding::kUtf8Bom) buffer_.append("\xEF\xBB\xBF");
  }

  core::Status WriteTitle(std::string_view text) override {
    if (!text.empty()) AppendField(text);
    return EndLine();
  }

  core::Status WriteRow(std::span<const std::string> fields, int raw_column) override {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) buffer_.push_back(',');
      if (static_cast<int>(i) == raw_column) {
        buffer_.append(fields[i]);
      } else {
        AppendField(fields[i]);
      }
    }
    return EndLine();
  }

  core::Status Close() override {
    RETURN_IF_ERROR(Flush());
    if (std::fclose(file_.release()) != 0) return WriteError(path_);
    return core::Ok();
  }

  int64_t lines() const override { return lines_; }

 private:
  void AppendField(std::string_view text) {
    const bool quote = style_.quote_all || text.find_first_of(",\"\r\n") != std::string_view::npos;
    if (!quote) {
      buffer_.append(text);
      return;
    }
    buffer_.push_back('"');
    for (char ch : text) {
      if (ch == '"') buffer_.push_back('"');
      buffer_.push_back(ch);
    }
    buffer_.push_back('"');
  }

  core::Status EndLine() {
    buffer_.append(style_.crlf ? "\r\n" : "\n");
    ++lines_;
    if (buffer_.size() >= kFlushBytes) return Flush();
    return core::Ok();
  }

  core::Status Flush() {
    if (buffer_.empty()) return core::Ok();
    std::string_view bytes = buffer_;
    std::string encoded;
    if (style_.encoding == io::Encoding::kCp932) {
      // Lines end inside the buffer, so no character is split across calls.
      ASSIGN_OR_RETURN(encoded, io::EncodeCp932(buffer_));
      bytes = encoded;
    }
    if (std::fwrite(bytes.data(), 1, bytes.size(), file_.get()) != bytes.size()) {
      return WriteError(path_);
    }
    buffer_.clear();
    return core::Ok();
  }

  std::unique_ptr<std::FILE, FileCloser> file_;
  std::string path_;
  CsvStyle style_;
  std::string buffer_;
  int64_t lines_ = 0;
};

struct WorkbookCloser {
  void operator()(lxw_workbook* workbook) const { workbook_close(workbook); }
};

class XlsxSink final : public TableSink {
 public:
  XlsxSink(std::unique_ptr<lxw_workbook, WorkbookCloser> workbook, lxw_worksheet* sheet,
           std::string path)
      : workbook_(std::move(workbook)), sheet_(sheet), path_(std::move(path)) {}

  core::Status WriteTitle(std::string_view text) override {
    if (!text.empty()) RETURN_IF_ERROR(Cell(0, std::string(text)));
    return NextRow();
  }

  core::Status WriteRow(std::span<const std::string> fields, int) override {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (!fields[i].empty()) RETURN_IF_ERROR(Cell(static_cast<lxw_col_t>(i), fields[i]));
    }
    return NextRow();
  }

  core::Status Close() override {
    const lxw_error error = workbook_close(workbook_.release());
    if (error != LXW_NO_ERROR) {
      return core::Fail(core::Code::kUnavailable, "XLSX を書き出せません", "cannot write the XLSX",
                        path_ + ": " + lxw_strerror(error));
    }
    return core::Ok();
  }

  int64_t lines() const override { return row_; }

 private:
  core::Status Cell(lxw_col_t column, const std::string& text) {
    const lxw_error error = worksheet_write_string(sheet_, static_cast<lxw_row_t>(row_), column,
                                                   text.c_str(), nullptr);
    if (error != LXW_NO_ERROR) {
      return core::Fail(core::Code::kInvalidArgument, "XLSX のセルを書けません",
                        "cannot write an XLSX cell", path_ + ": " + lxw_strerror(error));
    }
    return core::Ok();
  }

  core::Status NextRow() {
    if (++row_ >= kXlsxMaxRows) {
      return core::Fail(core::Code::kResourceExhausted, "XLSX の行数の上限を超えました",
                        "more rows than an XLSX sheet holds", path_);
    }
    return core::Ok();
  }

  std::unique_ptr<lxw_workbook, WorkbookCloser> workbook_;
  lxw_worksheet* sheet_;
  std::string path_;
  int64_t row_ = 0;
};

}  // namespace

core::Result<std::unique_ptr<TableSink>> OpenCsvSink(const std::string& path, CsvStyle style) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
  if (!file) {
    return core::Fail(core::Code::kInvalidArgument, "出力ファイルを作れません",
                      "cannot create the output file", path + ": " + std::strerror(errno));
  }
  return std::make_unique<CsvSink>(std::move(file), path, style);
}

core::Result<std::unique_ptr<TableSink>> OpenXlsxSink(const std::string& path,
                                                      const std::string& sheet_name) {
  lxw_workbook_options options = {};
  options.constant_memory = LXW_TRUE;
  std::unique_ptr<lxw_workbook, WorkbookCloser> workbook(
      workbook_new_opt(path.c_str(), &options));
  if (!workbook) {
    return core::Fail(core::Code::kInvalidArgument, "出力ファイルを作れません",
                      "cannot create the output file", path);
  }
  lxw_worksheet* sheet = workbook_add_worksheet(workbook.get(), sheet_name.c_str());
  if (sheet == nullptr) {
    return core::Fail(core::Code::kInternal, "シートを作れません", "cannot add a worksheet", path);
  }
  return std::make_unique<XlsxSink>(std::move(workbook), sheet, path);
}

}  // namespace ichigen::synth
