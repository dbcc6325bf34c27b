#include "io/xlsx_reader.h"

#include <gtest/gtest.h>
#include <xlsxwriter.h>
#include <zip.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "io/record_reader.h"

namespace ichigen::io {
namespace {

const std::string kDataDir = std::string(ICHIGEN_TEST_DATA_DIR) + "/io/";
using Fields = std::vector<std::string>;

struct Row {
  int64_t line;
  Fields fields;
  std::string raw_text;
  bool error;
};

core::Result<std::vector<Row>> ReadAll(const std::string& path, const ReaderOptions& options = {}) {
  ASSIGN_OR_RETURN(std::unique_ptr<RecordReader> reader, OpenRecordReader(path, options));
  EXPECT_EQ(reader->format(), FileFormat::kXlsx);
  std::vector<Row> rows;
  for (;;) {
    ASSIGN_OR_RETURN(const Record* record, reader->Next());
    if (record == nullptr) break;
    rows.push_back({record->line, record->fields, record->raw_text, !record->error.empty()});
  }
  return rows;
}

TEST(XlsxReader, LibreOfficeWorkbookFirstSheet) {
  auto rows = ReadAll(kDataDir + "workbook.xlsx");
  ASSERT_TRUE(rows.has_value()) << rows.error().ToString();
  ASSERT_EQ(rows->size(), 4u);  // row 4 is empty and skipped
  const auto& r = *rows;
  EXPECT_EQ(r[0].fields,
            (Fields{"HER-SYS ID", "氏名", "生年月日", "届出日時", "体温", "郵便番号", "備考"}));
  EXPECT_EQ(r[0].line, 1);
  EXPECT_EQ(r[1].fields, (Fields{"1234567", "髙橋 一郎", "1980-04-01", "2022-08-01 09:30:00",
                                 "36.5", "0000123", "自宅療養（延長）"}));
  EXPECT_EQ(r[2].fields, (Fields{"12345678", "山﨑 花子", "1945-03-02", "2022-08-19", "0.1", "",
                                 "〜 − ～ ① ㈱"}));
  // Sparse row 5: A5 is rich text in two runs, E5 a negative number.
  EXPECT_EQ(r[3].line, 5);
  EXPECT_EQ(r[3].fields, (Fields{"文字列ID", "", "", "", "-2.25"}));
  EXPECT_EQ(r[3].raw_text, "文字列ID\t\t\t\t-2.25");
  for (const Row& row : r) EXPECT_FALSE(row.error);
}

TEST(XlsxReader, NamedSheet) {
  ReaderOptions options;
  options.sheet = "集計";
  auto rows = ReadAll(kDataDir + "workbook.xlsx", options);
  ASSERT_TRUE(rows.has_value()) << rows.error().ToString();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[1].fields, (Fields{"横浜市", "100"}));
  EXPECT_EQ((*rows)[2].fields, (Fields{"川崎市", "1234.5678"}));
}

TEST(XlsxReader, UnknownSheetListsTheNames) {
  ReaderOptions options;
  options.sheet = "Sheet9";
  auto reader = OpenRecordReader(kDataDir + "workbook.xlsx", options);
  ASSERT_FALSE(reader.has_value());
  EXPECT_EQ(reader.error().code, core::Code::kNotFound);
  EXPECT_NE(reader.error().message.find("患者一覧, 集計"), std::string::npos);
  EXPECT_NE(reader.error().message_en.find("Sheet9"), std::string::npos);
}

TEST(XlsxReader, ConvertedFromCsvByLibreOffice) {
  auto rows = ReadAll(kDataDir + "plain.xlsx");
  ASSERT_TRUE(rows.has_value()) << rows.error().ToString();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].fields, (Fields{"id", "name", "count"}));
  EXPECT_EQ((*rows)[1].fields, (Fields{"1", "髙橋", "10"}));
  EXPECT_EQ((*rows)[2].fields, (Fields{"2", "山﨑", "20"}));
  EXPECT_EQ((*rows)[2].line, 3);
}

TEST(XlsxReader, ReadsBackWhatLibxlsxwriterWrote) {
  const std::string path =
      (std::filesystem::temp_directory_path() / "ichigen_io_xlsxwriter.xlsx").string();
  {
    lxw_workbook* workbook = workbook_new(path.c_str());
    ASSERT_NE(workbook, nullptr);
    lxw_worksheet* first = workbook_add_worksheet(workbook, "届出");
    lxw_worksheet* second = workbook_add_worksheet(workbook, "宿泊療養");
    lxw_format* date = workbook_add_format(workbook);
    format_set_num_format(date, "yyyy/mm/dd");
    lxw_format* wareki = workbook_add_format(workbook);
    format_set_num_format(wareki, "[$-ja-JP]ggge\"年\"m\"月\"d\"日\"");
    lxw_format* time = workbook_add_format(workbook);
    format_set_num_format(time, "h:mm");
    lxw_format* elapsed = workbook_add_format(workbook);
    format_set_num_format(elapsed, "[h]:mm");
    lxw_format* builtin_date = workbook_add_format(workbook);
    format_set_num_format_index(builtin_date, 14);
    worksheet_write_string(first, 0, 0, "氏名", nullptr);
    worksheet_write_string(first, 0, 1, "発症日", nullptr);
    worksheet_write_string(first, 0, 2, "年齢", nullptr);
    worksheet_write_string(first, 1, 0, "髙橋 一郎", nullptr);
    lxw_datetime onset = {2022, 9, 7, 0, 0, 0};
    worksheet_write_datetime(first, 1, 1, &onset, date);
    worksheet_write_number(first, 1, 2, 45, nullptr);
    worksheet_write_number(first, 1, 3, 0.1 + 0.2, nullptr);
    worksheet_write_boolean(first, 1, 4, 1, nullptr);
    lxw_datetime birth = {1989, 1, 8, 0, 0, 0};
    worksheet_write_datetime(first, 2, 1, &birth, wareki);
    worksheet_write_number(first, 2, 2, 0.5, time);
    worksheet_write_number(first, 2, 3, 1.5, elapsed);
    worksheet_write_number(first, 2, 4, 44774, builtin_date);
    worksheet_write_string(first, 4, 6, "G5", nullptr);  // sparse, row 4 empty
    worksheet_write_string(second, 0, 0, "施設", nullptr);
    worksheet_write_number(second, 1, 0, 1e20, nullptr);
    ASSERT_EQ(workbook_close(workbook), LXW_NO_ERROR);
  }
  auto rows = ReadAll(path);
  ASSERT_TRUE(rows.has_value()) << rows.error().ToString();
  ASSERT_EQ(rows->size(), 4u);
  const auto& r = *rows;
  EXPECT_EQ(r[0].fields, (Fields{"氏名", "発症日", "年齢"}));
  EXPECT_EQ(r[1].fields, (Fields{"髙橋 一郎", "2022-09-07", "45", "0.3", "TRUE"}));
  EXPECT_EQ(r[2].fields, (Fields{"", "1989-01-08", "12:00:00", "1.5", "2022-08-01"}));
  EXPECT_EQ(r[3].line, 5);
  EXPECT_EQ(r[3].fields, (Fields{"", "", "", "", "", "", "G5"}));

  ReaderOptions options;
  options.sheet = "宿泊療養";
  auto second = ReadAll(path, options);
  std::filesystem::remove(path);
  ASSERT_TRUE(second.has_value()) << second.error().ToString();
  ASSERT_EQ(second->size(), 2u);
  EXPECT_EQ((*second)[0].fields, (Fields{"施設"}));
  EXPECT_EQ((*second)[1].fields, (Fields{"1e+20"}));
}

TEST(XlsxReader, TruncatedZipIsAnErrorNotACrash) {
  auto reader = OpenRecordReader(kDataDir + "truncated.xlsx");
  ASSERT_FALSE(reader.has_value());
  EXPECT_EQ(reader.error().code, core::Code::kInvalidArgument);
  EXPECT_FALSE(reader.error().message.empty());
}

TEST(XlsxReader, EveryTruncationOfARealWorkbookFailsCleanly) {
  std::ifstream in(kDataDir + "workbook.xlsx", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 1000u);
  const std::string path =
      (std::filesystem::temp_directory_path() / "ichigen_io_cut.xlsx").string();
  for (size_t cut = 4; cut < bytes.size(); cut += 97) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, cut);
    auto rows = ReadAll(path);
    ASSERT_FALSE(rows.has_value()) << cut;
    EXPECT_NE(rows.error().code, core::Code::kInternal) << cut;
  }
  // Flipped bytes inside the compressed data: an error or a read, never a crash.
  for (size_t at = 100; at < bytes.size(); at += 211) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x5A);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << damaged;
    auto rows = ReadAll(path);
    if (!rows.has_value()) {
      EXPECT_NE(rows.error().code, core::Code::kInternal) << at;
    }
  }
  std::filesystem::remove(path);
}

TEST(XlsxReader, ZipWithoutAWorkbookIsRejected) {
  const std::string path =
      (std::filesystem::temp_directory_path() / "ichigen_io_notbook.xlsx").string();
  {
    int error = 0;
    zip_t* zip = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
    ASSERT_NE(zip, nullptr);
    static const char kText[] = "hello";
    zip_source_t* source = zip_source_buffer(zip, kText, sizeof kText - 1, 0);
    ASSERT_GE(zip_file_add(zip, "readme.txt", source, 0), 0);
    ASSERT_EQ(zip_close(zip), 0);
  }
  auto reader = OpenRecordReader(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(reader.has_value());
  EXPECT_EQ(reader.error().code, core::Code::kInvalidArgument);
}

// A package built part by part, for what spreadsheet programs do not write.
std::string MakePackage(const std::string& name, const std::map<std::string, std::string>& parts) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  int error = 0;
  zip_t* zip = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  EXPECT_NE(zip, nullptr);
  for (const auto& [part, text] : parts) {
    zip_source_t* source = zip_source_buffer(zip, text.data(), text.size(), 0);
    EXPECT_GE(zip_file_add(zip, part.c_str(), source, 0), 0);
  }
  EXPECT_EQ(zip_close(zip), 0);
  return path;
}

std::map<std::string, std::string> MinimalParts(const std::string& sheet_data,
                                                const std::string& shared_strings) {
  const std::string ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
  const std::string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
  return {
      {"xl/workbook.xml", "<workbook xmlns=\"" + ns + "\" xmlns:r=\"" + rel +
                              "\"><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/>"
                              "</sheets></workbook>"},
      {"xl/_rels/workbook.xml.rels",
       "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
       "<Relationship Id=\"rId1\" Type=\"" + rel + "/worksheet\" Target=\"worksheets/s.xml\"/>"
       "<Relationship Id=\"rId2\" Type=\"" + rel + "/sharedStrings\" Target=\"/xl/ss.xml\"/>"
       "</Relationships>"},
      {"xl/worksheets/s.xml", "<x:worksheet xmlns:x=\"" + ns + "\"><x:sheetData>" + sheet_data +
                                  "</x:sheetData></x:worksheet>"},
      {"xl/ss.xml", "<sst xmlns=\"" + ns + "\">" + shared_strings + "</sst>"},
  };
}

TEST(XlsxReader, CellTypesPhoneticRunsAndPrefixes) {
  const std::string path = MakePackage(
      "ichigen_io_types.xlsx",
      MinimalParts("<x:row r=\"2\"><x:c r=\"A2\" t=\"s\"><x:v>0</x:v></x:c>"
                   "<x:c r=\"B2\" t=\"inlineStr\"><x:is><x:t>inline</x:t></x:is></x:c>"
                   "<x:c r=\"C2\" t=\"str\"><x:f>A1&amp;\"x\"</x:f><x:v>formula</x:v></x:c>"
                   "<x:c r=\"D2\" t=\"e\"><x:v>#N/A</x:v></x:c>"
                   "<x:c r=\"E2\" t=\"b\"><x:v>0</x:v></x:c>"
                   "<x:c r=\"F2\"><x:v>1.0E-3</x:v></x:c>"
                   "<x:c t=\"n\"><x:v>7</x:v></x:c></x:row>"
                   "<x:row r=\"3\"/>"
                   "<x:row r=\"4\"><x:c r=\"B4\" t=\"s\"><x:v>5</x:v></x:c></x:row>",
                   "<si><t>髙橋</t><rPh sb=\"0\" eb=\"2\"><t>タカハシ</t></rPh></si>"));
  auto rows = ReadAll(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(rows.has_value()) << rows.error().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].line, 2);
  EXPECT_EQ((*rows)[0].fields,
            (Fields{"髙橋", "inline", "formula", "#N/A", "FALSE", "0.001", "7"}));
  EXPECT_FALSE((*rows)[0].error);
  EXPECT_EQ((*rows)[1].line, 4);
  EXPECT_TRUE((*rows)[1].error);  // shared string 5 does not exist
}

TEST(XlsxReader, HugeSharedStringIsARowErrorNotAnAllocation) {
  std::string sheet;
  for (int row = 1; row <= 3; ++row) {
    const std::string r = std::to_string(row);
    sheet += "<x:row r=\"" + r + "\"><x:c r=\"A" + r + "\" t=\"s\"><x:v>" +
             (row == 2 ? "1" : "0") + "</x:v></x:c></x:row>";
  }
  const std::string path = MakePackage(
      "ichigen_io_huge.xlsx",
      MinimalParts(sheet, "<si><t>ok</t></si><si><t>" + std::string(3 << 20, 'x') + "</t></si>"));
  auto rows = ReadAll(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(rows.has_value()) << rows.error().ToString();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].fields, (Fields{"ok"}));
  EXPECT_TRUE((*rows)[1].error);
  EXPECT_TRUE((*rows)[1].fields.empty());
  EXPECT_EQ((*rows)[2].fields, (Fields{"ok"}));
  EXPECT_FALSE((*rows)[2].error);
}

TEST(XlsxReader, DoctypeIsRefused) {
  auto parts = MinimalParts("<x:row r=\"1\"><x:c t=\"inlineStr\"><x:is><x:t>&lol2;</x:t></x:is></x:c></x:row>", "");
  parts["xl/worksheets/s.xml"] =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
      "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>" +
      parts["xl/worksheets/s.xml"];
  const std::string path = MakePackage("ichigen_io_doctype.xlsx", parts);
  auto rows = ReadAll(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(rows.has_value());
  EXPECT_EQ(rows.error().code, core::Code::kInvalidArgument);
}

}  // namespace
}  // namespace ichigen::io
