#include "io/xlsx_reader.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include "io/number_format.h"
#include "io/str_cat.h"
#include "io/xml_parser.h"
#include "io/zip_archive.h"

namespace ichigen::io {
namespace {

constexpr size_t kMaxSmallPartBytes = 64 << 20;       // workbook, rels, styles
constexpr size_t kMaxSharedStringBytes = 512u << 20;  // memory budget for strings
constexpr size_t kStreamChunkBytes = 64 * 1024;
constexpr int64_t kMaxExcelColumns = 16384;

bool IsTrue(const char* value) {
  return value != nullptr && (std::strcmp(value, "1") == 0 || std::strcmp(value, "true") == 0);
}

std::optional<int64_t> ParseInt(std::string_view text) {
  int64_t value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

// Parses a whole part through a handler.
core::Status ParsePart(const ZipArchive& zip, const std::string& name, XmlHandler& handler) {
  ASSIGN_OR_RETURN(std::unique_ptr<ZipEntryStream> stream, zip.OpenEntry(name));
  ASSIGN_OR_RETURN(std::unique_ptr<XmlParser> parser, XmlParser::Create(handler, name));
  std::string buffer(kStreamChunkBytes, '\0');
  size_t total = 0;
  for (;;) {
    ASSIGN_OR_RETURN(size_t n, stream->Read(buffer.data(), buffer.size()));
    total += n;
    if (total > kMaxSmallPartBytes) {
      return core::Fail(core::Code::kResourceExhausted,
                        StrCat("Excel ファイルの ", name, " が大きすぎます"),
                        StrCat("part ", name, " is larger than ", kMaxSmallPartBytes, " bytes"));
    }
    RETURN_IF_ERROR(parser->Feed(std::string_view(buffer.data(), n), n == 0));
    if (n == 0) return core::Ok();
  }
}

// "xl/" + "worksheets/sheet1.xml"; "/xl/x.xml" is from the package root.
std::string ResolveTarget(std::string_view base_dir, std::string_view target) {
  if (target.starts_with('/')) return std::string(target.substr(1));
  std::string dir(base_dir);
  while (target.starts_with("../")) {
    target.remove_prefix(3);
    if (!dir.empty()) dir.pop_back();
    const size_t slash = dir.rfind('/');
    dir = slash == std::string::npos ? "" : dir.substr(0, slash + 1);
  }
  return dir + std::string(target);
}

struct Relationship {
  std::string type;
  std::string target;
};

class RelsHandler final : public XmlHandler {
 public:
  void StartElement(std::string_view name, const char** attributes) override {
    if (name != "Relationship") return;
    const char* id = XmlAttribute(attributes, "Id");
    const char* type = XmlAttribute(attributes, "Type");
    const char* target = XmlAttribute(attributes, "Target");
    if (id && target) rels[id] = Relationship{type ? type : "", target};
  }
  void EndElement(std::string_view) override {}
  void Characters(std::string_view) override {}

  const Relationship* OfType(std::string_view suffix) const {
    for (const auto& [id, rel] : rels) {
      if (rel.type.ends_with(suffix)) return &rel;
    }
    return nullptr;
  }
  std::unordered_map<std::string, Relationship> rels;
};

struct SheetEntry {
  std::string name;
  std::string rel_id;
};

class WorkbookHandler final : public XmlHandler {
 public:
  void StartElement(std::string_view name, const char** attributes) override {
    if (name == "sheet") {
      const char* sheet_name = XmlAttribute(attributes, "name");
      const char* id = XmlAttribute(attributes, "id");  // r:id
      if (sheet_name && id) sheets.push_back({sheet_name, id});
    } else if (name == "workbookPr") {
      date1904 = IsTrue(XmlAttribute(attributes, "date1904"));
    }
  }
  void EndElement(std::string_view) override {}
  void Characters(std::string_view) override {}
  std::vector<SheetEntry> sheets;
  bool date1904 = false;
};

class StylesHandler final : public XmlHandler {
 public:
  void StartElement(std::string_view name, const char** attributes) override {
    if (name == "numFmt") {
      const char* id = XmlAttribute(attributes, "numFmtId");
      const char* code = XmlAttribute(attributes, "formatCode");
      if (id && code) {
        if (auto n = ParseInt(id)) custom_[*n] = code;
      }
    } else if (name == "cellXfs") {
      in_cell_xfs_ = true;
    } else if (name == "xf" && in_cell_xfs_) {
      const char* id = XmlAttribute(attributes, "numFmtId");
      xf_num_fmt_.push_back(id ? ParseInt(id).value_or(0) : 0);
    }
  }
  void EndElement(std::string_view name) override {
    if (name == "cellXfs") in_cell_xfs_ = false;
  }
  void Characters(std::string_view) override {}

  // Cell style index (the s attribute) → format.
  std::vector<CellFormat> Resolve() const {
    std::vector<CellFormat> formats;
    formats.reserve(xf_num_fmt_.size());
    for (int64_t id : xf_num_fmt_) {
      const auto custom = custom_.find(id);
      formats.push_back(custom != custom_.end() ? ClassifyFormatCode(custom->second)
                                                : ClassifyBuiltinFormat(static_cast<int>(id)));
    }
    return formats;
  }

 private:
  bool in_cell_xfs_ = false;
  std::unordered_map<int64_t, std::string> custom_;
  std::vector<int64_t> xf_num_fmt_;
};

// <si> holds <t> or rich-text runs <r><t>; phonetic guides <rPh><t> (the
// furigana Japanese Excel stores) are not part of the value.
class SharedStringsHandler final : public XmlHandler {
 public:
  explicit SharedStringsHandler(XmlParser*& parser) : parser_(parser) {}
  void StartElement(std::string_view name, const char**) override {
    if (name == "si") {
      current_.clear();
      in_si_ = true;
    } else if (name == "rPh") {
      ++in_phonetic_;
    } else if (name == "t" && in_si_ && in_phonetic_ == 0) {
      in_text_ = true;
    }
  }
  void EndElement(std::string_view name) override {
    if (name == "si") {
      in_si_ = false;
      bytes_ += current_.size() + sizeof(std::string);
      if (bytes_ > kMaxSharedStringBytes) {
        exhausted = true;
        if (parser_) parser_->Stop();
        return;
      }
      strings.push_back(current_);
    } else if (name == "rPh") {
      --in_phonetic_;
    } else if (name == "t") {
      in_text_ = false;
    }
  }
  void Characters(std::string_view text) override {
    if (in_text_) current_.append(text);
  }
  std::vector<std::string> strings;
  bool exhausted = false;

 private:
  XmlParser*& parser_;
  std::string current_;
  size_t bytes_ = 0;
  bool in_si_ = false;
  bool in_text_ = false;
  int in_phonetic_ = 0;
};

// "C5" → column 2 (0-based); nullopt when there are no letters.
std::optional<int64_t> ColumnOf(const char* ref) {
  int64_t column = 0;
  int letters = 0;
  for (const char* p = ref; *p; ++p) {
    const char c = *p;
    if (c >= 'A' && c <= 'Z') {
      column = column * 26 + (c - 'A' + 1);
    } else if (c >= 'a' && c <= 'z') {
      column = column * 26 + (c - 'a' + 1);
    } else {
      break;
    }
    if (++letters > 4) return kMaxExcelColumns + 1;  // far past any sheet
  }
  if (letters == 0) return std::nullopt;
  return column - 1;
}

struct Workbook {
  std::vector<std::string> shared_strings;
  std::vector<CellFormat> formats;
  bool date1904 = false;
  std::string sheet_part;
  std::string sheet_name;
};

class SheetHandler final : public XmlHandler {
 public:
  SheetHandler(const Workbook& workbook, const ReaderOptions& options,
               std::deque<Record>& out)
      : workbook_(workbook), options_(options), out_(out) {}

  void StartElement(std::string_view name, const char** attributes) override {
    if (name == "row") {
      const char* r = XmlAttribute(attributes, "r");
      const auto number = r ? ParseInt(r) : std::nullopt;
      row_number_ = number.value_or(row_number_ + 1);
      row_ = Record{};
      row_.line = row_number_;
      next_column_ = 0;
      row_bytes_ = 0;
      has_value_ = false;
    } else if (name == "c") {
      const char* r = XmlAttribute(attributes, "r");
      const auto column = r ? ColumnOf(r) : std::nullopt;
      column_ = column.value_or(next_column_);
      next_column_ = column_ + 1;
      const char* t = XmlAttribute(attributes, "t");
      type_ = t ? t : "n";
      const char* s = XmlAttribute(attributes, "s");
      style_ = s ? ParseInt(s).value_or(0) : 0;
      value_.clear();
      in_cell_ = true;
    } else if (in_cell_ && name == "v") {
      in_value_ = true;
    } else if (in_cell_ && name == "rPh") {
      ++in_phonetic_;
    } else if (in_cell_ && name == "t" && in_phonetic_ == 0) {
      in_value_ = true;
    }
  }

  void EndElement(std::string_view name) override {
    if (name == "v" || name == "t") {
      in_value_ = false;
    } else if (name == "rPh") {
      --in_phonetic_;
    } else if (name == "c") {
      in_cell_ = false;
      EndCell();
    } else if (name == "row") {
      // A row with no values (no cells, or only formatted empty ones) carries
      // nothing to import, unless a cell in it was broken.
      if (has_value_ || !row_.error.empty()) {
        std::string raw;
        for (size_t i = 0; i < row_.fields.size(); ++i) {
          if (i > 0) raw.push_back('\t');
          raw += row_.fields[i];
        }
        row_.raw_text = std::move(raw);
        out_.push_back(std::move(row_));
      }
      row_ = Record{};
    }
  }

  void Characters(std::string_view text) override {
    if (!in_value_) return;
    if (static_cast<int64_t>(value_.size() + text.size()) > options_.max_field_bytes) {
      value_overflow_ = true;
      return;
    }
    value_.append(text);
  }

 private:
  void RowError(std::string ja, std::string en) {
    if (!row_.error.empty()) return;
    row_.error = std::move(ja);
    row_.error_en = std::move(en);
  }

  std::string CellName() const {
    std::string letters;
    for (int64_t c = column_ + 1; c > 0; c = (c - 1) / 26) {
      letters.insert(letters.begin(), static_cast<char>('A' + (c - 1) % 26));
    }
    return StrCat(letters, row_number_);
  }

  void EndCell() {
    if (value_overflow_) {
      value_overflow_ = false;
      RowError(StrCat("セル ", CellName(), " が長すぎます"),
               StrCat("cell ", CellName(), " is longer than ", options_.max_field_bytes,
                      " bytes"));
      value_.clear();
    }
    std::string text = CellText();
    if (text.empty()) return;
    if (column_ >= options_.max_fields || column_ >= kMaxExcelColumns) {
      RowError(StrCat("列が多すぎます（", options_.max_fields, " 列超）"),
               StrCat("more than ", options_.max_fields, " fields"));
      return;
    }
    if (static_cast<int64_t>(row_bytes_ + text.size()) > options_.max_record_bytes) {
      RowError("行が長すぎます", "the row is too long");
      return;
    }
    row_bytes_ += text.size();
    if (static_cast<int64_t>(row_.fields.size()) <= column_) {
      row_.fields.resize(static_cast<size_t>(column_ + 1));
    }
    row_.fields[static_cast<size_t>(column_)] = std::move(text);
    has_value_ = true;
  }

  std::string CellText() {
    if (type_ == "s") {
      const auto index = ParseInt(value_);
      if (!index || *index < 0 ||
          *index >= static_cast<int64_t>(workbook_.shared_strings.size())) {
        RowError(StrCat("セル ", CellName(), " の共有文字列番号が範囲外です"),
                 StrCat("cell ", CellName(), " refers to a missing shared string"));
        return {};
      }
      const std::string& s = workbook_.shared_strings[static_cast<size_t>(*index)];
      if (static_cast<int64_t>(s.size()) > options_.max_field_bytes) {
        RowError(StrCat("セル ", CellName(), " が長すぎます"),
                 StrCat("cell ", CellName(), " is too long"));
        return {};
      }
      return s;
    }
    if (type_ == "inlineStr" || type_ == "str") return std::move(value_);
    // An error value (#N/A, #REF!) stays as Excel shows it, which is also
    // what the same sheet saved as CSV holds, so both formats import alike.
    if (type_ == "e") return std::move(value_);
    if (type_ == "b") return value_.empty() ? "" : (value_ == "0" ? "FALSE" : "TRUE");
    if (type_ == "d") {  // ISO 8601 text
      std::string iso = std::move(value_);
      const size_t t = iso.find('T');
      if (t == std::string::npos) return iso;
      std::string time = iso.substr(t + 1, 8);
      iso.resize(t);
      if (!time.empty() && time != "00:00:00") iso += " " + time;
      return iso;
    }
    if (value_.empty()) return {};
    char* end = nullptr;
    const double number = std::strtod(value_.c_str(), &end);
    if (end == value_.c_str() || *end != '\0') return std::move(value_);  // not a number
    CellFormat format;
    if (style_ >= 0 && style_ < static_cast<int64_t>(workbook_.formats.size())) {
      format = workbook_.formats[static_cast<size_t>(style_)];
    }
    return FormatCellNumber(number, format, workbook_.date1904);
  }

  const Workbook& workbook_;
  const ReaderOptions& options_;
  std::deque<Record>& out_;

  Record row_;
  int64_t row_number_ = 0;
  int64_t next_column_ = 0;
  int64_t column_ = 0;
  int64_t style_ = 0;
  size_t row_bytes_ = 0;
  std::string type_;
  std::string value_;
  bool in_cell_ = false;
  bool in_value_ = false;
  bool value_overflow_ = false;
  bool has_value_ = false;
  int in_phonetic_ = 0;
};

core::Result<Workbook> LoadWorkbook(const ZipArchive& zip, const std::string& wanted_sheet) {
  std::string workbook_part = "xl/workbook.xml";
  if (zip.Has("_rels/.rels")) {
    RelsHandler root;
    RETURN_IF_ERROR(ParsePart(zip, "_rels/.rels", root));
    if (const Relationship* office = root.OfType("/officeDocument")) {
      workbook_part = ResolveTarget("", office->target);
    }
  }
  if (!zip.Has(workbook_part)) {
    return core::Fail(core::Code::kInvalidArgument,
                      "Excel ブック (.xlsx) ではない zip ファイルです",
                      "the zip file is not an Excel workbook (no xl/workbook.xml)");
  }
  const size_t slash = workbook_part.rfind('/');
  const std::string base = slash == std::string::npos ? "" : workbook_part.substr(0, slash + 1);
  const std::string rels_part = base + "_rels/" + workbook_part.substr(base.size()) + ".rels";

  WorkbookHandler book;
  RETURN_IF_ERROR(ParsePart(zip, workbook_part, book));
  RelsHandler rels;
  RETURN_IF_ERROR(ParsePart(zip, rels_part, rels));
  if (book.sheets.empty()) {
    return core::Fail(core::Code::kInvalidArgument, "Excel ファイルにシートがありません",
                      "the workbook has no sheets");
  }

  const SheetEntry* sheet = &book.sheets.front();
  if (!wanted_sheet.empty()) {
    sheet = nullptr;
    std::string names;
    for (const SheetEntry& entry : book.sheets) {
      if (entry.name == wanted_sheet) sheet = &entry;
      names += (names.empty() ? "" : ", ") + entry.name;
    }
    if (sheet == nullptr) {
      return core::Fail(core::Code::kNotFound,
                        StrCat("シート「", wanted_sheet, "」がありません（あるシート: ", names, "）"),
                        StrCat("no sheet named '", wanted_sheet, "' (sheets: ", names, ")"));
    }
  }
  const auto rel = rels.rels.find(sheet->rel_id);
  if (rel == rels.rels.end()) {
    return core::Fail(core::Code::kInvalidArgument,
                      "Excel ファイルが壊れているため読めません（シートの参照先がありません）",
                      StrCat("sheet '", sheet->name, "' has no relationship ", sheet->rel_id));
  }

  Workbook workbook;
  workbook.date1904 = book.date1904;
  workbook.sheet_name = sheet->name;
  workbook.sheet_part = ResolveTarget(base, rel->second.target);

  if (const Relationship* styles = rels.OfType("/styles")) {
    const std::string part = ResolveTarget(base, styles->target);
    if (zip.Has(part)) {
      StylesHandler handler;
      RETURN_IF_ERROR(ParsePart(zip, part, handler));
      workbook.formats = handler.Resolve();
    }
  }
  if (const Relationship* strings = rels.OfType("/sharedStrings")) {
    const std::string part = ResolveTarget(base, strings->target);
    if (zip.Has(part)) {
      ASSIGN_OR_RETURN(std::unique_ptr<ZipEntryStream> stream, zip.OpenEntry(part));
      XmlParser* parser_ref = nullptr;
      SharedStringsHandler handler(parser_ref);
      ASSIGN_OR_RETURN(std::unique_ptr<XmlParser> parser, XmlParser::Create(handler, part));
      parser_ref = parser.get();
      std::string buffer(kStreamChunkBytes, '\0');
      for (;;) {
        ASSIGN_OR_RETURN(size_t n, stream->Read(buffer.data(), buffer.size()));
        RETURN_IF_ERROR(parser->Feed(std::string_view(buffer.data(), n), n == 0));
        if (handler.exhausted) {
          return core::Fail(
              core::Code::kResourceExhausted,
              "Excel ファイルの共有文字列が大きすぎるため読めません",
              StrCat("shared strings exceed ", kMaxSharedStringBytes, " bytes"));
        }
        if (n == 0) break;
      }
      workbook.shared_strings = std::move(handler.strings);
    }
  }
  return workbook;
}

class XlsxReader final : public RecordReader {
 public:
  XlsxReader(std::unique_ptr<ZipArchive> zip, std::unique_ptr<Workbook> workbook,
             const ReaderOptions& options)
      : zip_(std::move(zip)),
        workbook_(std::move(workbook)),
        options_(options),
        handler_(*workbook_, options_, queue_) {}

  core::Status Start() {
    ASSIGN_OR_RETURN(stream_, zip_->OpenEntry(workbook_->sheet_part));
    ASSIGN_OR_RETURN(parser_, XmlParser::Create(handler_, workbook_->sheet_part));
    buffer_.resize(kStreamChunkBytes);
    return core::Ok();
  }

  core::Result<const Record*> Next() override {
    while (queue_.empty() && !done_) {
      ASSIGN_OR_RETURN(size_t n, stream_->Read(buffer_.data(), buffer_.size()));
      done_ = n == 0;
      RETURN_IF_ERROR(parser_->Feed(std::string_view(buffer_.data(), n), done_));
    }
    if (queue_.empty()) return nullptr;
    current_ = std::move(queue_.front());
    queue_.pop_front();
    return &current_;
  }
  FileFormat format() const override { return FileFormat::kXlsx; }
  Encoding encoding() const override { return Encoding::kUtf8; }
  int64_t bytes_read() const override {
    return stream_ ? std::min(stream_->compressed_bytes_read(), zip_->file_size()) : 0;
  }
  int64_t total_bytes() const override { return zip_->file_size(); }

 private:
  std::unique_ptr<ZipArchive> zip_;
  std::unique_ptr<Workbook> workbook_;
  ReaderOptions options_;
  std::deque<Record> queue_;
  SheetHandler handler_;
  std::unique_ptr<ZipEntryStream> stream_;
  std::unique_ptr<XmlParser> parser_;
  std::string buffer_;
  bool done_ = false;
  Record current_;
};

}  // namespace

core::Result<std::unique_ptr<RecordReader>> OpenXlsxReader(const std::string& path,
                                                           const ReaderOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<ZipArchive> zip, ZipArchive::Open(path));
  auto loaded = LoadWorkbook(*zip, options.sheet);
  if (!loaded.has_value()) return std::unexpected(std::move(loaded.error()).WithContext(path));
  auto workbook = std::make_unique<Workbook>(std::move(*loaded));
  auto reader = std::make_unique<XlsxReader>(std::move(zip), std::move(workbook), options);
  RETURN_IF_ERROR(reader->Start());
  return reader;
}

}  // namespace ichigen::io
