#include "io/csv_reader.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "io/byte_source.h"
#include "io/record_reader.h"

namespace ichigen::io {
namespace {

const std::string kDataDir = std::string(ICHIGEN_TEST_DATA_DIR) + "/io/";

struct Row {
  int64_t line;
  std::vector<std::string> fields;
  std::string raw_text;
  bool error;
};

std::vector<Row> ReadAll(RecordReader& reader) {
  std::vector<Row> rows;
  for (;;) {
    auto next = reader.Next();
    EXPECT_TRUE(next.has_value());
    if (!next.has_value() || *next == nullptr) break;
    const Record& r = **next;
    EXPECT_EQ(r.error.empty(), r.error_en.empty());
    rows.push_back({r.line, r.fields, r.raw_text, !r.error.empty()});
  }
  return rows;
}

std::vector<Row> ReadFile(const std::string& name, const ReaderOptions& options = {}) {
  auto reader = OpenRecordReader(kDataDir + name, options);
  EXPECT_TRUE(reader.has_value()) << name << ": "
                                  << (reader.has_value() ? "" : reader.error().ToString());
  if (!reader.has_value()) return {};
  EXPECT_EQ((*reader)->format(), FileFormat::kCsv);
  return ReadAll(**reader);
}

std::vector<Row> ReadString(std::string bytes, Encoding encoding, size_t chunk,
                            const ReaderOptions& options = {}) {
  auto reader = OpenCsvReader(StringSource(std::move(bytes)), "", encoding, options, chunk);
  EXPECT_TRUE(reader.has_value());
  return ReadAll(**reader);
}

using Fields = std::vector<std::string>;

TEST(CsvReader, Cp932AsExcelSavesIt) {
  auto reader = OpenRecordReader(kDataDir + "cp932_excel.csv");
  ASSERT_TRUE(reader.has_value());
  EXPECT_EQ((*reader)->encoding(), Encoding::kCp932);
  const auto rows = ReadAll(**reader);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].fields, (Fields{"HER-SYS ID", "氏名", "住所", "備考"}));
  // 〜 and ～ were both 0x8160 in the file and come back as U+FF5E, as in
  // Windows; − (0x817C) as U+FF0D.
  EXPECT_EQ(rows[1].fields, (Fields{"1234567", "髙橋 一郎", "横浜市中区1～2", "①発熱 ㈱ヨコハマ"}));
  EXPECT_EQ(rows[2].fields, (Fields{"2345678", "山﨑 花子", "川崎市－3", "9:00～17:00"}));
  EXPECT_EQ(rows[2].line, 3);
  EXPECT_EQ(rows[2].raw_text, "2345678,山﨑 花子,川崎市－3,9:00～17:00");
  EXPECT_EQ((*reader)->bytes_read(), (*reader)->total_bytes());
}

TEST(CsvReader, TitleRowsAndBlankLinesKeepPhysicalLineNumbers) {
  const auto rows = ReadFile("cp932_title_rows.csv");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].fields, (Fields{"令和4年8月1日 発生届一覧"}));
  EXPECT_EQ(rows[1].fields, (Fields{"作成: 神奈川県"}));
  EXPECT_EQ(rows[2].line, 4);  // line 3 is blank
  EXPECT_EQ(rows[2].fields, (Fields{"HER-SYS ID", "氏名", "届出日"}));
  EXPECT_EQ(rows[3].line, 5);
  EXPECT_EQ(rows[3].fields, (Fields{"1234567", "髙橋 一郎", "R4.8.1"}));
}

TEST(CsvReader, Utf8BomIsStripped) {
  auto reader = OpenRecordReader(kDataDir + "utf8_bom.csv");
  ASSERT_TRUE(reader.has_value());
  EXPECT_EQ((*reader)->encoding(), Encoding::kUtf8Bom);
  const auto rows = ReadAll(**reader);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].fields, (Fields{"氏名", "フリガナ"}));
  EXPECT_EQ(rows[0].raw_text, "氏名,フリガナ");
  EXPECT_EQ(rows[1].fields, (Fields{"髙橋 一郎", "タカハシ イチロウ"}));
}

TEST(CsvReader, QuotedNewlinesEscapesAndCrlf) {
  const auto rows = ReadFile("quoted_newlines.csv");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_EQ(rows[1].fields, (Fields{"1", "line one\nline two", "x"}));
  EXPECT_EQ(rows[1].raw_text, "1,\"line one\nline two\",x");
  EXPECT_EQ(rows[2].line, 4);  // the quoted newline took line 3
  EXPECT_EQ(rows[2].fields, (Fields{"2", "say \"hi\", then go", "y"}));
  EXPECT_EQ(rows[3].fields, (Fields{"3", "", "z"}));
  for (const Row& row : rows) EXPECT_FALSE(row.error);
}

TEST(CsvReader, StrayQuoteIsARowErrorAndReadingContinues) {
  const auto rows = ReadFile("stray_quote.csv");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_FALSE(rows[0].error);
  EXPECT_TRUE(rows[1].error);
  EXPECT_EQ(rows[1].fields, (Fields{"1", "ab\"c", "d"}));
  EXPECT_TRUE(rows[2].error);  // text after the closing quote
  EXPECT_EQ(rows[2].fields, (Fields{"2", "quotedjunk", "e"}));
  EXPECT_FALSE(rows[3].error);
  EXPECT_EQ(rows[3].fields, (Fields{"3", "ok", "f"}));
  EXPECT_EQ(rows[3].line, 4);
}

TEST(CsvReader, UnterminatedQuoteDoesNotSwallowTheRest) {
  const auto rows = ReadFile("unterminated_quote.csv");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_TRUE(rows[1].error);
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_EQ(rows[1].fields, (Fields{"1", "never closed"}));
  EXPECT_EQ(rows[1].raw_text, "1,\"never closed");
  EXPECT_EQ(rows[2].line, 3);
  EXPECT_EQ(rows[2].fields, (Fields{"2", "two"}));
  EXPECT_FALSE(rows[2].error);
  EXPECT_EQ(rows[3].fields, (Fields{"3", "three"}));
}

TEST(CsvReader, QuoteCrossingTooManyLinesResynchronises) {
  std::string text = "h1,h2\n1,\"open\n";
  for (int i = 0; i < 150; ++i) text += "r" + std::to_string(i) + ",v\n";
  text += "\"closing much later\n";
  const auto rows = ReadString(text, Encoding::kUtf8, 64);
  ASSERT_GE(rows.size(), 152u);
  EXPECT_TRUE(rows[1].error);
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_EQ(rows[2].line, 3);
  EXPECT_EQ(rows[2].fields, (Fields{"r0", "v"}));
  EXPECT_FALSE(rows[2].error);
  EXPECT_EQ(rows[151].fields, (Fields{"r149", "v"}));
  EXPECT_EQ(rows[151].line, 152);
}

TEST(CsvReader, FieldPastMaxBytesIsARowError) {
  ReaderOptions options;
  options.max_field_bytes = 100;
  const std::string text = "a,b\n1," + std::string(500, 'x') + "\n2,ok\n3,\"" +
                           std::string(500, 'y') + "\n4,fine\n";
  const auto rows = ReadString(text, Encoding::kUtf8, 37, options);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_TRUE(rows[1].error);
  EXPECT_EQ(rows[2].fields, (Fields{"2", "ok"}));
  EXPECT_TRUE(rows[3].error);
  EXPECT_EQ(rows[3].line, 4);
  EXPECT_EQ(rows[4].fields, (Fields{"4", "fine"}));
  EXPECT_EQ(rows[4].line, 5);
}

TEST(CsvReader, EmptyFileHasNoRecords) {
  EXPECT_TRUE(ReadFile("empty.csv").empty());
}

TEST(CsvReader, HeaderOnlyFileHasOneRecord) {
  const auto rows = ReadFile("header_only.csv");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields, (Fields{"HER-SYS ID", "氏名", "住所"}));
}

struct EdgeCase {
  std::string name;
  std::string text;
  std::vector<Fields> expected;
};

TEST(CsvReader, EdgeCases) {
  const EdgeCase cases[] = {
      {"no final newline", "a,b\n1,2", {{"a", "b"}, {"1", "2"}}},
      {"trailing comma", "a,\n", {{"a", ""}}},
      {"empty fields", ",,\n", {{"", "", ""}}},
      {"lone CR line ends", "a\rb\r", {{"a"}, {"b"}}},
      {"CRLF", "a,b\r\nc,d\r\n", {{"a", "b"}, {"c", "d"}}},
      {"quoted at EOF", "\"a\"", {{"a"}}},
      {"quoted CRLF kept", "\"a\r\nb\"\r\n", {{"a\r\nb"}}},
      {"blank lines skipped", "\n\r\na\n\n", {{"a"}}},
      {"BOM only", "\xEF\xBB\xBF", {}},
      {"spaces kept", " a , b \n", {{" a ", " b "}}},
  };
  for (const EdgeCase& c : cases) {
    for (size_t chunk : {1, 2, 3, 1024}) {
      const auto rows = ReadString(c.text, Encoding::kUtf8, chunk);
      std::vector<Fields> got;
      for (const Row& row : rows) got.push_back(row.fields);
      EXPECT_EQ(got, c.expected) << c.name << " chunk " << chunk;
    }
  }
}

TEST(CsvReader, TenThousandColumns) {
  std::string header;
  std::string line;
  for (int i = 0; i < 10000; ++i) {
    if (i > 0) {
      header += ',';
      line += ',';
    }
    header += "col" + std::to_string(i);
    line += (i % 2 == 0) ? std::to_string(i) : "\"q," + std::to_string(i) + "\"";
  }
  const auto rows = ReadString(header + "\r\n" + line + "\r\n", Encoding::kUtf8, kCsvChunkBytes);
  ASSERT_EQ(rows.size(), 2u);
  ASSERT_EQ(rows[0].fields.size(), 10000u);
  ASSERT_EQ(rows[1].fields.size(), 10000u);
  EXPECT_EQ(rows[0].fields[9999], "col9999");
  EXPECT_EQ(rows[1].fields[9998], "9998");
  EXPECT_EQ(rows[1].fields[9999], "q,9999");
  EXPECT_FALSE(rows[1].error);

  ReaderOptions narrow;
  narrow.max_fields = 5000;
  const auto limited = ReadString(header + "\nok\n", Encoding::kUtf8, 4096, narrow);
  ASSERT_EQ(limited.size(), 2u);
  EXPECT_TRUE(limited[0].error);
  EXPECT_EQ(limited[1].fields, (Fields{"ok"}));
}

// A file written to disk so OpenRecordReader's real 1 MiB chunks apply.
std::string WriteTemp(const std::string& name, const std::string& bytes) {
  const auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path.string();
}

TEST(CsvReader, Cp932CharacterSplitByTheChunkBoundary) {
  // "髙" (0xFB 0xFC) straddles byte kCsvChunkBytes exactly.
  std::string bytes = "name\r\n";
  const std::string filler_row = "x,";
  std::string row = filler_row + std::string(kCsvChunkBytes - bytes.size() - filler_row.size() - 1, 'a');
  bytes += row;  // ends one byte before the boundary
  ASSERT_EQ(bytes.size(), kCsvChunkBytes - 1);
  bytes += "\xFB\xFC\x8B\xB4\r\n";  // 髙橋
  bytes += "\x8E\x81\x96\xBC\r\n";  // 氏名
  const std::string path = WriteTemp("ichigen_io_chunk_cp932.csv", bytes);
  ReaderOptions options;
  options.encoding = Encoding::kCp932;
  auto reader = OpenRecordReader(path, options);
  ASSERT_TRUE(reader.has_value());
  const auto rows = ReadAll(**reader);
  std::filesystem::remove(path);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].fields[1].substr(rows[1].fields[1].size() - 6), "髙橋");
  EXPECT_FALSE(rows[1].error);
  EXPECT_EQ(rows[2].fields, (Fields{"氏名"}));
  EXPECT_EQ(rows[2].line, 3);
}

TEST(CsvReader, QuotedNewlineOnTheChunkBoundary) {
  for (const std::string newline : {"\n", "\r\n"}) {
    std::string bytes = "a,b\n1,\"";
    bytes += std::string(kCsvChunkBytes - bytes.size() - 1, 'z');
    bytes += newline;  // the newline's first byte is the chunk's last byte
    bytes += "after\"\n2,\"x\"\r";
    bytes += "\n3,y\n";
    const std::string path = WriteTemp("ichigen_io_chunk_quoted.csv", bytes);
    auto reader = OpenRecordReader(path);
    ASSERT_TRUE(reader.has_value());
    const auto rows = ReadAll(**reader);
    std::filesystem::remove(path);
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[1].fields[1].size(), kCsvChunkBytes - 8 + newline.size() + 5);
    EXPECT_TRUE(rows[1].fields[1].ends_with(newline + "after"));
    EXPECT_FALSE(rows[1].error);
    EXPECT_EQ(rows[2].fields, (Fields{"2", "x"}));
    EXPECT_EQ(rows[2].line, 4);
    EXPECT_EQ(rows[3].fields, (Fields{"3", "y"}));
    EXPECT_EQ(rows[3].line, 5);
  }
}

TEST(CsvReader, EveryChunkSizeGivesTheSameRecords) {
  const std::string cp932 =
      "\x8E\x81\x96\xBC,\"\x94\xF5\x8D\x6C\r\n\x81\x60\",x\r\n"  // 氏名,"備考\r\n〜",x
      "\xFB\xFC\x8B\xB4,\"\"\"q\"\"\",\x87\x40\r\n";             // 髙橋,"""q""",①
  const auto reference = ReadString(cp932, Encoding::kCp932, 4096);
  ASSERT_EQ(reference.size(), 2u);
  EXPECT_EQ(reference[0].fields, (Fields{"氏名", "備考\r\n～", "x"}));
  EXPECT_EQ(reference[1].fields, (Fields{"髙橋", "\"q\"", "①"}));
  EXPECT_EQ(reference[1].line, 3);
  for (size_t chunk = 1; chunk < cp932.size(); ++chunk) {
    const auto rows = ReadString(cp932, Encoding::kCp932, chunk);
    ASSERT_EQ(rows.size(), reference.size()) << chunk;
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(rows[i].fields, reference[i].fields) << chunk;
      EXPECT_EQ(rows[i].raw_text, reference[i].raw_text) << chunk;
      EXPECT_EQ(rows[i].line, reference[i].line) << chunk;
    }
  }
}

TEST(CsvReader, UndecodableBytesMarkTheRecord) {
  const auto rows = ReadString("a,b\n\xFF\xFE,c\nd,e\n", Encoding::kUtf8, 1024);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_TRUE(rows[1].error);
  EXPECT_FALSE(rows[2].error);
}

struct BinaryCase {
  std::string file;
  std::string message_part;
};

TEST(OpenRecordReader, RejectsFilesThatAreNeitherCsvNorXlsx) {
  const BinaryCase cases[] = {
      {"legacy.xls", ".xls"},
      {"document.pdf", "PDF"},
  };
  for (const BinaryCase& c : cases) {
    auto reader = OpenRecordReader(kDataDir + c.file);
    ASSERT_FALSE(reader.has_value()) << c.file;
    EXPECT_EQ(reader.error().code, core::Code::kInvalidArgument);
    EXPECT_NE(reader.error().message.find(c.message_part), std::string::npos);
    EXPECT_FALSE(reader.error().message_en.empty());
  }
  std::string random(4096, '\0');
  uint32_t state = 12345;
  for (char& c : random) {
    state = state * 1103515245 + 12345;
    c = static_cast<char>(state >> 16);
  }
  const std::string path = WriteTemp("ichigen_io_random.bin", random);
  auto reader = OpenRecordReader(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(reader.has_value());
  EXPECT_EQ(reader.error().code, core::Code::kInvalidArgument);

  auto missing = OpenRecordReader(kDataDir + "no_such_file.csv");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, core::Code::kNotFound);
}

}  // namespace
}  // namespace ichigen::io
