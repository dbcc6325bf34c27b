#include "io/record_reader.h"

#include <cstring>

#include "io/byte_source.h"
#include "io/csv_reader.h"
#include "io/xlsx_reader.h"

namespace ichigen::io {
namespace {

constexpr size_t kSniffBytes = 64 * 1024;

core::Status RejectBinary(std::string_view head, const std::string& path) {
  auto fail = [&](std::string ja, std::string en) -> core::Status {
    return core::Fail(core::Code::kInvalidArgument, std::move(ja), std::move(en), path);
  };
  if (head.starts_with("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) {
    return fail(
        "古い Excel 形式 (.xls) のファイルは読めません。Excel で「Excel ブック (.xlsx)」"
        "または「CSV」として保存し直してください",
        "legacy Excel (.xls) files cannot be read; save it as .xlsx or CSV");
  }
  if (head.starts_with("%PDF")) {
    return fail("PDF ファイルは読めません。CSV か Excel (.xlsx) のファイルを指定してください",
                "PDF files cannot be read; give a CSV or .xlsx file");
  }
  if (head.starts_with("\xFF\xFE") || head.starts_with("\xFE\xFF")) {
    return fail(
        "UTF-16 のテキスト（Excel の「Unicode テキスト」）は読めません。"
        "「CSV UTF-8」または「CSV」として保存し直してください",
        "UTF-16 text cannot be read; save it as CSV (UTF-8 or Shift_JIS)");
  }
  if (std::memchr(head.data(), '\0', std::min(head.size(), kSniffBytes)) != nullptr) {
    return fail("CSV でも Excel (.xlsx) でもないファイルです（バイナリデータを含みます）",
                "the file is neither CSV text nor XLSX (it contains binary data)");
  }
  return core::Ok();
}

}  // namespace

std::string_view FileFormatName(FileFormat format) {
  switch (format) {
    case FileFormat::kCsv: return "csv";
    case FileFormat::kXlsx: return "xlsx";
  }
  return "csv";
}

core::Result<std::unique_ptr<RecordReader>> OpenRecordReader(const std::string& path,
                                                             const ReaderOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> source, OpenFileSource(path));
  // The first chunk is read whole, so the CSV reader's chunk boundaries stay
  // at multiples of kCsvChunkBytes from the start of the file.
  std::string head(kCsvChunkBytes, '\0');
  size_t filled = 0;
  while (filled < head.size()) {
    ASSIGN_OR_RETURN(size_t n, source->Read(head.data() + filled, head.size() - filled));
    if (n == 0) break;
    filled += n;
  }
  head.resize(filled);
  if (head.starts_with("PK\x03\x04") || head.starts_with("PK\x05\x06")) {
    source.reset();
    return OpenXlsxReader(path, options);
  }
  RETURN_IF_ERROR(RejectBinary(head, path));
  const Encoding encoding =
      options.encoding.value_or(DetectEncoding(std::string_view(head).substr(0, kSniffBytes)));
  return OpenCsvReader(std::move(source), std::move(head), encoding, options);
}

}  // namespace ichigen::io
