// XlsxWorkbook: the one RAII owner of a libxlsxwriter lxw_workbook*.
//
// libxlsxwriter 1.1.4 writes the file only at workbook_close, and reports
// errors as lxw_error codes; this wrapper turns those into core::Status and
// frees an unfinished workbook without writing anything (a failed build
// must not leave a half package that looks complete). Cells, formats and
// sheets are used through the raw pointers it hands out, which live as long
// as the workbook. Thread-safety: one workbook, one thread (libxlsxwriter
// keeps no global state, so separate workbooks may be built in parallel).
#pragma once

#include <string>
#include <string_view>

#include <xlsxwriter.h>

#include "core/result.h"

namespace ichigen::distribution {

class XlsxWorkbook {
 public:
  // Opens a workbook that will be written to `path` by Close(). With
  // `constant_memory`, rows must be written in order and each is flushed to a
  // temporary file as the next begins; strings are stored inline instead of
  // in the shared-string table, which Excel and LibreOffice read alike.
  static core::Result<XlsxWorkbook> Create(const std::string& path, bool constant_memory);
  ~XlsxWorkbook();
  XlsxWorkbook(XlsxWorkbook&& other) noexcept;
  XlsxWorkbook& operator=(XlsxWorkbook&& other) noexcept;
  XlsxWorkbook(const XlsxWorkbook&) = delete;
  XlsxWorkbook& operator=(const XlsxWorkbook&) = delete;

  lxw_workbook* get() const { return workbook_; }
  // Writes the file and releases the workbook.
  core::Status Close();

 private:
  XlsxWorkbook(lxw_workbook* workbook, std::string path)
      : workbook_(workbook), path_(std::move(path)) {}
  lxw_workbook* workbook_ = nullptr;
  std::string path_;
};

// kInternal naming the libxlsxwriter error and what was being done.
core::Status XlsxCheck(lxw_error error, std::string_view what);

}  // namespace ichigen::distribution
