// XlsxReader: the RecordReader for Office Open XML workbooks. libzip opens
// the package; expat parses xl/workbook.xml and its relationships (to find
// the sheet), xl/styles.xml (which cell styles are dates), and
// xl/sharedStrings.xml (held in memory, bounded); the worksheet itself is
// streamed through expat from zip_fread chunks, so a large sheet is never
// loaded whole. Thread-safety: one reader, one thread.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "io/record_reader.h"

namespace ichigen::io {

// kInvalidArgument for a damaged package or one that is not a workbook,
// kNotFound (listing the sheet names) for an unknown sheet,
// kResourceExhausted when shared strings exceed the memory budget.
core::Result<std::unique_ptr<RecordReader>> OpenXlsxReader(const std::string& path,
                                                           const ReaderOptions& options);

}  // namespace ichigen::io
