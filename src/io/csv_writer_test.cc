#include "io/csv_writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "io/record_reader.h"

namespace ichigen::io {
namespace {

struct GuardCase {
  std::string cell;
  bool guarded;
};

TEST(NeedsFormulaGuard, Rule) {
  const GuardCase cases[] = {
      {"=1+1", true},   {"+81 90", true}, {"@SUM(A1)", true}, {"\tx", true},
      {"\rx", true},    {"-A1", true},    {"-", false},        {"-5", false},
      {"-0.25", false}, {"-5.", true},    {"2022-08-01", false}, {"", false},
      {"髙橋", false},  {"令和4年8月1日", false},
  };
  for (const GuardCase& c : cases) EXPECT_EQ(NeedsFormulaGuard(c.cell), c.guarded) << c.cell;
}

TEST(CsvWriter, QuotesGuardsAndCrlf) {
  auto writer = CsvWriter::InMemory(Encoding::kUtf8);
  ASSERT_TRUE(writer->WriteRow({"a", "b,c", "say \"hi\"", "two\nlines", "=cmd()", "-5", " pad"}));
  ASSERT_TRUE(writer->WriteRow({}));
  EXPECT_EQ(writer->Take(),
            "a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\",\"'=cmd()\",-5,\" pad\"\r\n\r\n");
}

TEST(CsvWriter, Utf8BomAndCp932) {
  auto bom = CsvWriter::InMemory(Encoding::kUtf8Bom);
  ASSERT_TRUE(bom->WriteRow({"氏名"}));
  EXPECT_EQ(bom->Take(), "\xEF\xBB\xBF\xE6\xB0\x8F\xE5\x90\x8D\r\n");

  auto cp932 = CsvWriter::InMemory(Encoding::kCp932);
  ASSERT_TRUE(cp932->WriteRow({"髙橋", "〜", "\xF0\x9F\x98\x80"}));
  EXPECT_EQ(cp932->Take(), "\xFB\xFC\x8B\xB4,\x81\x60,\x81\xAC\r\n");
  EXPECT_EQ(cp932->substituted_characters(), 1);
}

TEST(CsvWriter, FileRoundTripsThroughTheReader) {
  const std::string path =
      (std::filesystem::temp_directory_path() / "ichigen_io_writer.csv").string();
  const std::vector<std::vector<std::string>> rows = {
      {"HER-SYS ID", "氏名", "備考"},
      {"1234567", "山﨑 花子", "①発熱\n㈱ヨコハマ, \"至急\""},
  };
  {
    auto writer = CsvWriter::Open(path, Encoding::kCp932);
    ASSERT_TRUE(writer.has_value());
    for (const auto& row : rows) ASSERT_TRUE((*writer)->WriteRow(row));
    ASSERT_TRUE((*writer)->Close());
  }
  auto reader = OpenRecordReader(path);
  ASSERT_TRUE(reader.has_value());
  EXPECT_EQ((*reader)->encoding(), Encoding::kCp932);
  for (const auto& expected : rows) {
    auto record = (*reader)->Next();
    ASSERT_TRUE(record.has_value());
    ASSERT_NE(*record, nullptr);
    EXPECT_EQ((*record)->fields, expected);
  }
  EXPECT_EQ((*reader)->Next().value(), nullptr);
  std::filesystem::remove(path);

  auto bad = CsvWriter::Open("/nonexistent-dir/x.csv", Encoding::kUtf8);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, core::Code::kPermissionDenied);
}

}  // namespace
}  // namespace ichigen::io
