#include "distribution/formats.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "distribution/xlsx_workbook.h"
#include "io/csv_writer.h"

namespace ichigen::distribution {
namespace {

// Columns 区分 and 内容 sit after 整理番号 (file column 0).
constexpr size_t kFixedColumns = 3;
constexpr double kMaxColumnWidth = 60;
constexpr double kColumnPadding = 2;
constexpr int kDateWidth = 10;  // yyyy/mm/dd

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

std::string SlashDate(core::Date date) {
  const core::Ymd ymd = date.ToYmd();
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d/%02d/%02d", ymd.year, ymd.month, ymd.day);
  return buffer;
}

std::string CellText(const FieldValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  if (const auto* date = std::get_if<core::Date>(&value)) return SlashDate(*date);
  if (const auto* number = std::get_if<int64_t>(&value)) return std::to_string(*number);
  return {};
}

// 内容: what changed (labels joined by ・) or why it ended.
std::string ContentText(const PackageRow& row) {
  if (row.change == ChangeKind::kEnded) return std::string(EndReasonNameJa(row.reason));
  std::string out;
  for (Column column : row.changed) {
    if (!out.empty()) out += "・";
    out += ColumnLabelJa(column);
  }
  return out;
}

core::Status WriteFileAtomically(const std::filesystem::path& path, std::string_view bytes) {
  std::filesystem::path temp = path;
  temp += ".tmp";
  {
    FilePtr file(std::fopen(temp.c_str(), "wb"));
    if (!file) {
      return core::Fail(core::Code::kUnavailable, "ファイルを作成できません",
                        "cannot create file", temp.string());
    }
    if (std::fwrite(bytes.data(), 1, bytes.size(), file.get()) != bytes.size() ||
        std::fclose(file.release()) != 0) {
      std::error_code ignored;
      std::filesystem::remove(temp, ignored);
      return core::Fail(core::Code::kUnavailable, "ファイルを書き込めません",
                        "cannot write file", temp.string());
    }
  }
  std::error_code error;
  std::filesystem::rename(temp, path, error);
  if (error) {
    return core::Fail(core::Code::kUnavailable, "ファイル名を変更できません",
                      "cannot rename file: " + error.message(), path.string());
  }
  return core::Ok();
}

core::Result<std::string> ReadFile(const std::filesystem::path& path) {
  FilePtr file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    return core::Fail(core::Code::kUnavailable, "ファイルを読めません", "cannot read file",
                      path.string());
  }
  std::string bytes;
  char buffer[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) bytes.append(buffer, n);
  return bytes;
}

// A JSON string literal of UTF-8 text (RFC 8259: escape " \\ and controls;
// everything else, Japanese included, as is).
void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text, run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(text, run, std::string_view::npos);
  out += '"';
}

nlohmann::ordered_json JsonHead(const Package& package) {
  nlohmann::ordered_json json;
  json["id"] = package.id;
  json["municipality"] = {{"code", package.municipality_code6},
                          {"name", package.municipality_name}};
  json["cutoff"] = package.cutoff.Iso();
  json["agreement_version"] = package.agreement_version;
  nlohmann::ordered_json fields = nlohmann::ordered_json::array();
  for (Field field : package.fields) fields.push_back(std::string(FieldName(field)));
  json["fields"] = std::move(fields);
  nlohmann::ordered_json columns = nlohmann::ordered_json::array();
  for (Column column : package.columns) {
    columns.push_back({{"key", std::string(ColumnKey(column))},
                       {"label", std::string(ColumnLabelJa(column))},
                       {"type", std::string(FieldTypeName(ColumnType(column)))}});
  }
  json["columns"] = std::move(columns);
  return json;
}

}  // namespace

int DisplayWidth(std::string_view utf8) {
  int width = 0;
  for (size_t i = 0; i < utf8.size();) {
    const unsigned char lead = static_cast<unsigned char>(utf8[i]);
    char32_t c = lead;
    size_t length = 1;
    if (lead >= 0xF0) {
      length = 4;
      c = lead & 0x07;
    } else if (lead >= 0xE0) {
      length = 3;
      c = lead & 0x0F;
    } else if (lead >= 0xC0) {
      length = 2;
      c = lead & 0x1F;
    }
    for (size_t k = 1; k < length && i + k < utf8.size(); ++k) {
      c = c << 6 | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    }
    i += length;
    // East Asian Wide and Fullwidth blocks (UAX #11), approximately:
    // Hangul Jamo, CJK radicals through Yi, Hangul syllables, CJK
    // compatibility, vertical and full-width forms, and the supplementary
    // ideographic planes. Half-width katakana (U+FF61..FF9F) stay 1.
    const bool wide = (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) ||
                      (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
                      (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
                      (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD);
    width += wide ? 2 : 1;
  }
  return width;
}

std::vector<std::string> HeaderLabels(const Package& package) {
  std::vector<std::string> labels;
  labels.reserve(package.columns.size() + 2);
  labels.emplace_back(ColumnLabelJa(Column::kRef));
  labels.emplace_back("区分");
  labels.emplace_back("内容");
  for (size_t i = 1; i < package.columns.size(); ++i) {
    labels.emplace_back(ColumnLabelJa(package.columns[i]));
  }
  return labels;
}

std::string FileStem(const Package& package) {
  return package.municipality_code6 + "_" + package.cutoff.Compact();
}

core::Result<CsvBytes> RenderCsv(const Package& package, io::Encoding encoding) {
  std::unique_ptr<io::CsvWriter> writer = io::CsvWriter::InMemory(encoding);
  RETURN_IF_ERROR(writer->WriteRow(HeaderLabels(package)));
  std::vector<std::string> cells;
  for (const PackageRow& row : package.rows) {
    cells.assign(package.columns.size() + 2, std::string());
    cells[0] = row.ref;
    cells[1] = ChangeKindNameJa(row.change);
    cells[2] = ContentText(row);
    for (size_t i = 1; i < row.values.size(); ++i) cells[i + 2] = CellText(row.values[i]);
    RETURN_IF_ERROR(writer->WriteRow(cells));
  }
  RETURN_IF_ERROR(writer->Close());
  return CsvBytes{writer->Take(), writer->substituted_characters()};
}

std::string RenderJson(const Package& package) {
  // The head through nlohmann (few keys); the rows, which are most of the
  // bytes, written directly, one row object per line: the same JSON a
  // generic serializer would give, several times faster for 10^5 rows.
  std::string out = JsonHead(package).dump();
  out.pop_back();  // the head object's closing brace
  out += ",\"rows\":[";
  std::vector<std::string> keys;
  for (size_t i = 1; i < package.columns.size(); ++i) {
    keys.push_back(",\"" + std::string(ColumnKey(package.columns[i])) + "\":");
  }
  bool first = true;
  for (const PackageRow& row : package.rows) {
    out += first ? "\n{\"ref\":" : ",\n{\"ref\":";
    first = false;
    AppendJsonString(out, row.ref);
    out += ",\"change\":";
    AppendJsonString(out, ChangeKindNameJa(row.change));
    if (row.change == ChangeKind::kEnded) {
      out += ",\"reason\":";
      AppendJsonString(out, EndReasonNameJa(row.reason));
      out += '}';
      continue;
    }
    if (row.change == ChangeKind::kChanged) {
      out += ",\"changed\":[";
      for (size_t i = 0; i < row.changed.size(); ++i) {
        if (i > 0) out += ',';
        AppendJsonString(out, ColumnKey(row.changed[i]));
      }
      out += ']';
    }
    out += ",\"values\":{";
    for (size_t i = 1; i < row.values.size(); ++i) {
      out.append(keys[i - 1], i == 1 ? 1 : 0, std::string::npos);
      const FieldValue& value = row.values[i];
      if (const auto* text = std::get_if<std::string>(&value)) {
        AppendJsonString(out, *text);
      } else if (const auto* date = std::get_if<core::Date>(&value)) {
        out += '"';
        out += date->ToIso();
        out += '"';
      } else if (const auto* number = std::get_if<int64_t>(&value)) {
        out += std::to_string(*number);
      } else {
        out += "null";
      }
    }
    out += "}}";
  }
  out += "\n]}\n";
  return out;
}

core::Status WriteXlsx(const Package& package, const std::string& path) {
  // Constant memory: a package of tens of thousands of rows is written
  // row by row without building a shared-string table (about twice as fast
  // for packages of mostly distinct names and addresses).
  ASSIGN_OR_RETURN(XlsxWorkbook workbook, XlsxWorkbook::Create(path, /*constant_memory=*/true));
  lxw_workbook* book = workbook.get();

  const std::string title = std::string(kSheetName) + " " + package.municipality_name + " " +
                            package.cutoff.Iso();
  lxw_doc_properties properties = {};
  properties.title = const_cast<char*>(title.c_str());
  properties.subject = const_cast<char*>(package.id.c_str());
  properties.author = const_cast<char*>("Ichigen");
  // The cutoff, not the clock: libxlsxwriter would otherwise stamp
  // time(NULL) into docProps/core.xml and no rebuild would match.
  properties.created = static_cast<time_t>(package.cutoff.UnixSeconds());
  RETURN_IF_ERROR(XlsxCheck(workbook_set_properties(book, &properties), "properties"));

  lxw_worksheet* sheet = workbook_add_worksheet(book, std::string(kSheetName).c_str());
  if (sheet == nullptr) return XlsxCheck(LXW_ERROR_MEMORY_MALLOC_FAILED, "worksheet");
  lxw_format* header = workbook_add_format(book);
  format_set_bold(header);
  format_set_bg_color(header, 0xD9E1F2);
  format_set_border(header, LXW_BORDER_THIN);
  lxw_format* date = workbook_add_format(book);
  format_set_num_format(date, "yyyy/mm/dd");

  const std::vector<std::string> labels = HeaderLabels(package);
  std::vector<int> widths(labels.size());
  for (size_t c = 0; c < labels.size(); ++c) {
    widths[c] = DisplayWidth(labels[c]);
    RETURN_IF_ERROR(XlsxCheck(
        worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(c), labels[c].c_str(), header),
        "header"));
  }

  lxw_row_t r = 0;
  for (const PackageRow& row : package.rows) {
    ++r;
    const std::string change(ChangeKindNameJa(row.change));
    const std::string content = ContentText(row);
    RETURN_IF_ERROR(XlsxCheck(worksheet_write_string(sheet, r, 0, row.ref.c_str(), nullptr), "ref"));
    RETURN_IF_ERROR(XlsxCheck(worksheet_write_string(sheet, r, 1, change.c_str(), nullptr), "change"));
    widths[0] = std::max(widths[0], DisplayWidth(row.ref));
    widths[1] = std::max(widths[1], DisplayWidth(change));
    if (!content.empty()) {
      RETURN_IF_ERROR(
          XlsxCheck(worksheet_write_string(sheet, r, 2, content.c_str(), nullptr), "content"));
      widths[2] = std::max(widths[2], DisplayWidth(content));
    }
    for (size_t i = 1; i < row.values.size(); ++i) {
      const size_t c = i + kFixedColumns - 1;
      const lxw_col_t col = static_cast<lxw_col_t>(c);
      const FieldValue& value = row.values[i];
      if (const auto* text = std::get_if<std::string>(&value)) {
        if (text->empty()) continue;
        RETURN_IF_ERROR(XlsxCheck(worksheet_write_string(sheet, r, col, text->c_str(), nullptr),
                                  ColumnKey(package.columns[i])));
        widths[c] = std::max(widths[c], DisplayWidth(*text));
      } else if (const auto* day = std::get_if<core::Date>(&value)) {
        const core::Ymd ymd = day->ToYmd();
        if (ymd.year < 1900) {  // Excel has no dates before 1900
          const std::string text = SlashDate(*day);
          RETURN_IF_ERROR(XlsxCheck(worksheet_write_string(sheet, r, col, text.c_str(), nullptr),
                                    ColumnKey(package.columns[i])));
        } else {
          lxw_datetime datetime = {ymd.year, ymd.month, ymd.day, 0, 0, 0};
          RETURN_IF_ERROR(XlsxCheck(worksheet_write_datetime(sheet, r, col, &datetime, date),
                                    ColumnKey(package.columns[i])));
        }
        widths[c] = std::max(widths[c], kDateWidth);
      } else if (const auto* number = std::get_if<int64_t>(&value)) {
        RETURN_IF_ERROR(XlsxCheck(
            worksheet_write_number(sheet, r, col, static_cast<double>(*number), nullptr),
            ColumnKey(package.columns[i])));
        widths[c] = std::max(widths[c], DisplayWidth(std::to_string(*number)));
      }
    }
  }
  for (size_t c = 0; c < widths.size(); ++c) {
    const double width = std::min(kMaxColumnWidth, widths[c] + kColumnPadding);
    RETURN_IF_ERROR(XlsxCheck(worksheet_set_column(sheet, static_cast<lxw_col_t>(c),
                                                   static_cast<lxw_col_t>(c), width, nullptr),
                              "width"));
  }
  worksheet_freeze_panes(sheet, 1, 0);
  RETURN_IF_ERROR(XlsxCheck(worksheet_autofilter(sheet, 0, 0, r, static_cast<lxw_col_t>(labels.size() - 1)),
                            "autofilter"));
  return workbook.Close();
}

std::string RenderManifest(const Package& package, std::span<const PackageFile> files,
                           int64_t csv_substituted_characters) {
  nlohmann::ordered_json json = JsonHead(package);
  nlohmann::ordered_json counts;
  counts["rows"] = package.rows.size();
  for (int k = 0; k < kChangeKindCount; ++k) {
    counts[std::string(ChangeKindKey(static_cast<ChangeKind>(k)))] = package.change_counts[k];
  }
  nlohmann::ordered_json reasons = nlohmann::ordered_json::object();
  for (int r = 1; r < kEndReasonCount; ++r) {  // 0 is kNone
    reasons[std::string(EndReasonKey(static_cast<EndReason>(r)))] = package.end_counts[r];
  }
  counts["ended_by_reason"] = std::move(reasons);
  json["counts"] = std::move(counts);
  json["csv_substituted_characters"] = csv_substituted_characters;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const PackageFile& file : files) {
    nlohmann::ordered_json item;
    item["name"] = file.name;
    item["format"] = file.format;
    if (!file.encoding.empty()) item["encoding"] = file.encoding;
    item["bytes"] = file.bytes;
    item["sha256"] = file.sha256;
    list.push_back(std::move(item));
  }
  json["files"] = std::move(list);
  return json.dump(2) + "\n";
}

core::Result<WrittenPackage> WritePackageFiles(const Package& package, const std::string& dir,
                                               const WriteOptions& options) {
  if (options.csv_encoding == io::Encoding::kUtf8) {
    return core::Fail(core::Code::kInvalidArgument, "CSVの文字コードは CP932 か BOM付きUTF-8 です",
                      "CSV encoding must be cp932 or utf-8-bom", "csv_encoding");
  }
  const std::filesystem::path base(dir);
  const std::string stem = FileStem(package);
  WrittenPackage written;

  ASSIGN_OR_RETURN(const CsvBytes csv, RenderCsv(package, options.csv_encoding));
  const std::string csv_name = stem + "_package.csv";
  RETURN_IF_ERROR(WriteFileAtomically(base / csv_name, csv.bytes));
  written.files.push_back({csv_name, "csv", std::string(io::EncodingName(options.csv_encoding)),
                           static_cast<int64_t>(csv.bytes.size()), core::Sha256Hex(csv.bytes)});

  const std::string xlsx_name = stem + "_package.xlsx";
  std::filesystem::path xlsx_temp = base / xlsx_name;
  xlsx_temp += ".tmp";
  if (core::Status status = WriteXlsx(package, xlsx_temp.string()); !status.has_value()) {
    std::error_code ignored;
    std::filesystem::remove(xlsx_temp, ignored);
    return std::unexpected(std::move(status).error());
  }
  ASSIGN_OR_RETURN(const std::string xlsx, ReadFile(xlsx_temp));
  std::error_code error;
  std::filesystem::rename(xlsx_temp, base / xlsx_name, error);
  if (error) {
    return core::Fail(core::Code::kUnavailable, "ファイル名を変更できません",
                      "cannot rename file: " + error.message(), (base / xlsx_name).string());
  }
  written.files.push_back({xlsx_name, "xlsx", "", static_cast<int64_t>(xlsx.size()),
                           core::Sha256Hex(xlsx)});

  const std::string json = RenderJson(package);
  const std::string json_name = stem + "_package.json";
  RETURN_IF_ERROR(WriteFileAtomically(base / json_name, json));
  written.files.push_back({json_name, "json", "utf-8", static_cast<int64_t>(json.size()),
                           core::Sha256Hex(json)});

  const std::string manifest = RenderManifest(package, written.files, csv.substituted_characters);
  written.manifest_name = stem + "_manifest.json";
  RETURN_IF_ERROR(WriteFileAtomically(base / written.manifest_name, manifest));
  written.manifest_sha256 = core::Sha256Hex(manifest);
  return written;
}

}  // namespace ichigen::distribution
