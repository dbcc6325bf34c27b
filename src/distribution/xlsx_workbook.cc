#include "distribution/xlsx_workbook.h"

#include <utility>

namespace ichigen::distribution {

core::Result<XlsxWorkbook> XlsxWorkbook::Create(const std::string& path, bool constant_memory) {
  lxw_workbook_options options = {};
  options.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE;
  lxw_workbook* workbook = workbook_new_opt(path.c_str(), &options);
  if (workbook == nullptr) {
    return core::Fail(core::Code::kUnavailable, "XLSXファイルを作成できません",
                      "cannot create XLSX workbook", path);
  }
  return XlsxWorkbook(workbook, path);
}

XlsxWorkbook::~XlsxWorkbook() {
  if (workbook_ != nullptr) lxw_workbook_free(workbook_);
}

XlsxWorkbook::XlsxWorkbook(XlsxWorkbook&& other) noexcept
    : workbook_(std::exchange(other.workbook_, nullptr)), path_(std::move(other.path_)) {}

XlsxWorkbook& XlsxWorkbook::operator=(XlsxWorkbook&& other) noexcept {
  if (this != &other) {
    if (workbook_ != nullptr) lxw_workbook_free(workbook_);
    workbook_ = std::exchange(other.workbook_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

core::Status XlsxWorkbook::Close() {
  if (workbook_ == nullptr) {
    return core::Fail(core::Code::kFailedPrecondition, "XLSXは既に閉じられています",
                      "XLSX workbook already closed", path_);
  }
  // workbook_close frees the workbook whatever it returns.
  const lxw_error error = workbook_close(std::exchange(workbook_, nullptr));
  if (error != LXW_NO_ERROR) {
    return core::Fail(core::Code::kUnavailable, "XLSXファイルを書き込めません",
                      std::string("cannot write XLSX: ") + lxw_strerror(error), path_);
  }
  return core::Ok();
}

core::Status XlsxCheck(lxw_error error, std::string_view what) {
  if (error == LXW_NO_ERROR) return core::Ok();
  return core::Fail(core::Code::kInternal, "XLSXの作成に失敗しました",
                    std::string("libxlsxwriter: ") + lxw_strerror(error), std::string(what));
}

}  // namespace ichigen::distribution
