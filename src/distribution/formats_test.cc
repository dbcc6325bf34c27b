#include "distribution/formats.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/sha256.h"
#include "distribution/test_support.h"
#include "io/encoding.h"
#include "io/csv_writer.h"
#include "io/record_reader.h"
#include "io/zip_archive.h"

namespace ichigen::distribution {
namespace {

namespace fs = std::filesystem;
using testing::At;
using testing::Build;
using testing::kKamakura;
using testing::MakeAgreement;
using testing::Resident;

using Table = std::vector<std::vector<std::string>>;

// Values of columns outside "name,address,phone,care_period" as Resident()
// fills them, and the labels of those columns.
// The birth dates (1961-04-0N) are searched for as dates, not as a bare
// year, which a file digest's hex could hold by chance.
const std::vector<std::string> kUnsharedMarkers = {"カナガワ", "1961-04", "1961/04", "196104",
                                                   "昭和36", "231-00", "所見", "備考",
                                                   "自宅療養中", "横浜市保健所"};
const std::vector<std::string> kUnsharedLabels = {"フリガナ", "生年月日", "年齢", "性別",
                                                  "郵便番号", "療養状況", "管轄保健所",
                                                  "保健所所見", "備考"};

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("ichigen_distribution_" + std::to_string(::getpid()) + "_" +
             std::to_string(counter_++) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void TrimTrailingEmpty(std::vector<std::string>& row) {
  while (!row.empty() && row.back().empty()) row.pop_back();
}

Table ReadTable(const fs::path& path, std::optional<io::Encoding> encoding = std::nullopt) {
  io::ReaderOptions options;
  options.encoding = encoding;
  auto reader = io::OpenRecordReader(path.string(), options);
  EXPECT_TRUE(reader.has_value()) << reader.error().ToString();
  Table table;
  if (!reader.has_value()) return table;
  while (true) {
    auto record = (*reader)->Next();
    EXPECT_TRUE(record.has_value());
    if (!record.has_value() || *record == nullptr) break;
    EXPECT_TRUE((*record)->error.empty()) << (*record)->error;
    std::vector<std::string> row = (*record)->fields;
    TrimTrailingEmpty(row);
    table.push_back(std::move(row));
  }
  return table;
}

// The table every format must show, dates written as `iso` or yyyy/mm/dd.
Table Expected(const Package& package, bool iso_dates) {
  Table table;
  table.push_back(HeaderLabels(package));
  for (const PackageRow& row : package.rows) {
    std::vector<std::string> cells = {row.ref, std::string(ChangeKindNameJa(row.change))};
    std::string content;
    if (row.change == ChangeKind::kEnded) content = EndReasonNameJa(row.reason);
    for (Column column : row.changed) {
      if (!content.empty()) content += "・";
      content += ColumnLabelJa(column);
    }
    cells.push_back(content);
    for (size_t i = 1; i < row.values.size(); ++i) {
      const FieldValue& v = row.values[i];
      if (const auto* text = std::get_if<std::string>(&v)) {
        cells.push_back(*text);
      } else if (const auto* date = std::get_if<core::Date>(&v)) {
        std::string s = date->ToIso();
        if (!iso_dates) std::replace(s.begin(), s.end(), '-', '/');
        cells.push_back(s);
      } else if (const auto* number = std::get_if<int64_t>(&v)) {
        cells.push_back(std::to_string(*number));
      } else {
        cells.emplace_back();
      }
    }
    TrimTrailingEmpty(cells);
    table.push_back(std::move(cells));
  }
  return table;
}

// Two days of Kamakura with every kind of change, under the Kanagawa-style
// agreement.
struct TwoDays {
  Package day1;
  Package day2;
};

TwoDays KanagawaPackages(std::string_view fields = "name,address,phone,care_period") {
  const Agreement agreement = MakeAgreement(kKamakura, fields);
  std::vector<ResidentRow> residents;
  for (int64_t id = 1; id <= 12; ++id) residents.push_back(Resident(id, kKamakura));
  residents[0].Set(Column::kName, std::string("髙橋 一郎"));
  residents[1].Set(Column::kName, std::string("山﨑 花子"));
  residents[2].Set(Column::kName, std::string("=HYPERLINK(\"x\")"));
  TwoDays days;
  days.day1 = Build(agreement, At("2022-08-01"), residents);
  residents[3].Set(Column::kPhone, std::string("090-1111-2222"));
  residents[4].consent = Consent::kWithdrawn;
  residents[5].residence_code6 = testing::kFujisawa;
  residents.erase(residents.begin() + 6);  // released
  std::vector<Departure> departures = {
      Departure{.patient_id = 7, .status = domain::CareStatus::kReleased,
                .residence_code6 = kKamakura, .consent = Consent::kGiven}};
  residents.push_back(Resident(20, kKamakura, "德永 瀨里"));
  days.day2 = Build(agreement, At("2022-08-02"), residents, days.day1.snapshot, departures);
  return days;
}

TEST(Formats, FieldOutsideTheAgreementNeverAppearsInAnyFormat) {
  const Package package = KanagawaPackages().day2;
  ASSERT_GE(package.rows.size(), 10u);
  TempDir dir;
  const auto written = WritePackageFiles(package, dir.path().string());
  ASSERT_TRUE(written.has_value()) << written.error().ToString();

  // CSV, decoded from CP932.
  const auto csv = io::DecodeCp932(ReadBytes(dir.path() / written->files[0].name));
  ASSERT_TRUE(csv.has_value());
  // XLSX: every stored XML part, decompressed.
  std::string xlsx_xml;
  {
    auto zip = io::ZipArchive::Open((dir.path() / written->files[1].name).string());
    ASSERT_TRUE(zip.has_value());
    ASSERT_TRUE((*zip)->Has("xl/worksheets/sheet1.xml"));
    // sharedStrings.xml exists only when strings are not written inline.
    for (const char* part : {"xl/sharedStrings.xml", "xl/worksheets/sheet1.xml",
                             "docProps/core.xml", "docProps/app.xml", "xl/workbook.xml"}) {
      if (!(*zip)->Has(part)) continue;
      auto text = (*zip)->ReadAll(part, 64 << 20);
      ASSERT_TRUE(text.has_value()) << part;
      xlsx_xml += *text;
    }
  }
  const std::string json = ReadBytes(dir.path() / written->files[2].name);
  const std::string manifest = ReadBytes(dir.path() / written->manifest_name);
  for (const auto* texts : {&kUnsharedMarkers, &kUnsharedLabels}) {
    for (const std::string& marker : *texts) {
      EXPECT_EQ(csv->find(marker), std::string::npos) << "CSV has " << marker;
      EXPECT_EQ(xlsx_xml.find(marker), std::string::npos) << "XLSX has " << marker;
      EXPECT_EQ(json.find(marker), std::string::npos) << "JSON has " << marker;
      EXPECT_EQ(manifest.find(marker), std::string::npos) << "manifest has " << marker;
    }
  }
  // The shared ones are there, so the search above could have found a leak.
  EXPECT_NE(csv->find("髙橋 一郎"), std::string::npos);
  EXPECT_NE(xlsx_xml.find("山﨑 花子"), std::string::npos);
  EXPECT_NE(json.find("090-1111-2222"), std::string::npos);

  // XLSX read back: exactly the expected table.
  EXPECT_EQ(ReadTable(dir.path() / written->files[1].name), Expected(package, true));
  // JSON: the value keys are exactly the agreed columns.
  // ordered_json keeps the file's key order, which is part of the format.
  const nlohmann::ordered_json parsed = nlohmann::ordered_json::parse(json);
  for (const auto& row : parsed["rows"]) {
    if (row["change"] == "終了") {
      EXPECT_EQ(row.size(), 3u) << row.dump();  // ref, change, reason
      continue;
    }
    std::vector<std::string> keys;
    for (const auto& [key, value] : row["values"].items()) keys.push_back(key);
    EXPECT_EQ(keys, (std::vector<std::string>{"name", "address", "phone", "care_start", "care_end"}));
  }
}

TEST(Formats, CsvReadsBackThroughCp932WithEveryRowEqual) {
  const Package package = KanagawaPackages().day2;
  const auto csv = RenderCsv(package, io::Encoding::kCp932);
  ASSERT_TRUE(csv.has_value());
  EXPECT_EQ(csv->substituted_characters, 0);
  TempDir dir;
  const fs::path path = dir.path() / "p.csv";
  std::ofstream(path, std::ios::binary) << csv->bytes;
  Table table = ReadTable(path, io::Encoding::kCp932);
  Table expected = Expected(package, false);
  // The formula guard prefixes an apostrophe; everything else is verbatim.
  for (auto& row : expected) {
    for (auto& cell : row) {
      if (io::NeedsFormulaGuard(cell)) cell = "'" + cell;
    }
  }
  EXPECT_EQ(table, expected);
  EXPECT_NE(csv->bytes.find("\r\n"), std::string::npos);
}

struct NameCase {
  std::string name;
  int64_t substituted;
  std::string decoded;
};

class Cp932Names : public ::testing::TestWithParam<NameCase> {};

TEST_P(Cp932Names, RoundTripOrCountedSubstitution) {
  const Agreement agreement = MakeAgreement(kKamakura, "name");
  const std::vector<ResidentRow> residents = {Resident(1, kKamakura, GetParam().name)};
  const Package package = Build(agreement, At("2022-08-01"), residents);
  const auto csv = RenderCsv(package, io::Encoding::kCp932);
  ASSERT_TRUE(csv.has_value());
  EXPECT_EQ(csv->substituted_characters, GetParam().substituted);
  const auto text = io::DecodeCp932(csv->bytes);
  ASSERT_TRUE(text.has_value());
  EXPECT_NE(text->find("," + GetParam().decoded + "\r\n"), std::string::npos) << *text;
}

INSTANTIATE_TEST_SUITE_P(Cases, Cp932Names,
                         ::testing::Values(NameCase{"髙橋 一郎", 0, "髙橋 一郎"},
                                           NameCase{"山﨑 花子", 0, "山﨑 花子"},
                                           NameCase{"德永 瀨里", 0, "德永 瀨里"},
                                           NameCase{"𠮷野 家", 1, "〓野 家"}));

TEST(Formats, Utf8BomCsvStartsWithTheBom) {
  const auto csv = RenderCsv(KanagawaPackages().day1, io::Encoding::kUtf8Bom);
  ASSERT_TRUE(csv.has_value());
  EXPECT_TRUE(csv->bytes.starts_with("\xEF\xBB\xBF" "整理番号,区分,内容,氏名,住所,電話番号,療養開始日,療養終了予定日\r\n"))
      << csv->bytes.substr(0, 80);
}

TEST(Formats, ConsentWithdrawalShowsOnlyTheEndingInEveryFormat) {
  const TwoDays days = KanagawaPackages();
  const PackageRow* ended = testing::RowOf(days.day2, 5);
  ASSERT_NE(ended, nullptr);
  ASSERT_EQ(ended->reason, EndReason::kConsentWithdrawn);
  const std::string address = std::get<std::string>(testing::Resident(5, kKamakura).Get(Column::kAddress));
  TempDir dir;
  const auto written = WritePackageFiles(days.day2, dir.path().string());
  ASSERT_TRUE(written.has_value());
  const std::string csv = io::DecodeCp932(ReadBytes(dir.path() / written->files[0].name)).value();
  EXPECT_NE(csv.find(ended->ref + ",終了,同意撤回,,,,,\r\n"), std::string::npos) << csv;
  EXPECT_EQ(csv.find(address + ","), std::string::npos);
  for (const auto& row : ReadTable(dir.path() / written->files[1].name)) {
    if (row[0] == ended->ref) {
      EXPECT_EQ(row, (std::vector<std::string>{ended->ref, "終了", "同意撤回"}));
    }
  }
  const nlohmann::json json = nlohmann::json::parse(ReadBytes(dir.path() / written->files[2].name));
  bool found = false;
  for (const auto& row : json["rows"]) {
    if (row["ref"] != ended->ref) continue;
    found = true;
    EXPECT_EQ(row, nlohmann::json({{"ref", ended->ref}, {"change", "終了"}, {"reason", "同意撤回"}}));
  }
  EXPECT_TRUE(found);
}

TEST(Formats, RebuildingGivesTheSameBytesInEveryFormat) {
  TempDir first;
  TempDir second;
  const auto a = WritePackageFiles(KanagawaPackages().day2, first.path().string());
  ASSERT_TRUE(a.has_value());
  // Past a second boundary: a clock read anywhere would show.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const auto b = WritePackageFiles(KanagawaPackages().day2, second.path().string());
  ASSERT_TRUE(b.has_value());
  ASSERT_EQ(a->files.size(), 3u);
  for (size_t i = 0; i < a->files.size(); ++i) {
    EXPECT_EQ(ReadBytes(first.path() / a->files[i].name), ReadBytes(second.path() / b->files[i].name))
        << a->files[i].name;
    EXPECT_EQ(a->files[i].sha256, b->files[i].sha256);
  }
  EXPECT_EQ(a->manifest_sha256, b->manifest_sha256);
  EXPECT_EQ(ReadBytes(first.path() / a->manifest_name), ReadBytes(second.path() / b->manifest_name));
}

TEST(Formats, ManifestListsFilesWithTheirHashesAndCounts) {
  const Package package = KanagawaPackages().day2;
  TempDir dir;
  const auto written = WritePackageFiles(package, dir.path().string(),
                                         WriteOptions{.csv_encoding = io::Encoding::kUtf8Bom});
  ASSERT_TRUE(written.has_value());
  const std::string stem = kKamakura + "_20220802T0900";
  EXPECT_EQ(written->manifest_name, stem + "_manifest.json");
  const std::string manifest_text = ReadBytes(dir.path() / written->manifest_name);
  EXPECT_EQ(core::Sha256Hex(manifest_text), written->manifest_sha256);
  const nlohmann::json manifest = nlohmann::json::parse(manifest_text);
  EXPECT_EQ(manifest["id"], kKamakura + "-20220802T0900");
  EXPECT_EQ(manifest["municipality"]["code"], kKamakura);
  EXPECT_EQ(manifest["municipality"]["name"], "鎌倉市");
  EXPECT_EQ(manifest["cutoff"], "2022-08-02T09:00:00+09:00");
  EXPECT_EQ(manifest["agreement_version"], 1);
  EXPECT_EQ(manifest["fields"], nlohmann::json({"name", "address", "phone", "care_period"}));
  EXPECT_EQ(manifest["counts"]["rows"], package.rows.size());
  EXPECT_EQ(manifest["counts"]["new"], 1);
  EXPECT_EQ(manifest["counts"]["changed"], 1);
  EXPECT_EQ(manifest["counts"]["ended"], 3);
  EXPECT_EQ(manifest["counts"]["ended_by_reason"]["consent_withdrawn"], 1);
  EXPECT_EQ(manifest["counts"]["ended_by_reason"]["moved_out"], 1);
  EXPECT_EQ(manifest["counts"]["ended_by_reason"]["released"], 1);
  ASSERT_EQ(manifest["files"].size(), 3u);
  const std::vector<std::string> names = {stem + "_package.csv", stem + "_package.xlsx",
                                          stem + "_package.json"};
  for (size_t i = 0; i < names.size(); ++i) {
    const auto& file = manifest["files"][i];
    EXPECT_EQ(file["name"], names[i]);
    const std::string bytes = ReadBytes(dir.path() / names[i]);
    EXPECT_EQ(file["sha256"], core::Sha256Hex(bytes));
    EXPECT_EQ(file["bytes"], bytes.size());
  }
  EXPECT_EQ(manifest["files"][0]["encoding"], "utf-8-bom");
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    EXPECT_NE(entry.path().extension(), ".tmp") << entry.path();
  }
}

TEST(Formats, XlsxFreezesTheHeaderFitsWidthsAndWritesRealDates) {
  const Package package = KanagawaPackages().day1;
  TempDir dir;
  const fs::path path = dir.path() / "p.xlsx";
  ASSERT_TRUE(WriteXlsx(package, path.string()).has_value());
  auto zip = io::ZipArchive::Open(path.string());
  ASSERT_TRUE(zip.has_value());
  const std::string sheet = (*zip)->ReadAll("xl/worksheets/sheet1.xml", 64 << 20).value();
  const std::string styles = (*zip)->ReadAll("xl/styles.xml", 1 << 20).value();
  const std::string workbook = (*zip)->ReadAll("xl/workbook.xml", 1 << 20).value();
  const std::string core_xml = (*zip)->ReadAll("docProps/core.xml", 1 << 20).value();
  EXPECT_NE(sheet.find(R"(ySplit="1")"), std::string::npos);
  EXPECT_NE(sheet.find(R"(state="frozen")"), std::string::npos);
  EXPECT_NE(sheet.find("<autoFilter"), std::string::npos);
  EXPECT_NE(styles.find(R"(formatCode="yyyy/mm/dd")"), std::string::npos);
  EXPECT_NE(workbook.find(R"(name="自宅療養者一覧")"), std::string::npos);
  // The cutoff 2022-08-01 09:00 JST is the creation time, in UTC.
  EXPECT_NE(core_xml.find("2022-08-01T00:00:00Z"), std::string::npos) << core_xml;
  // 住所 is column E: as wide as its longest value (13 wide characters and
  // two digits) plus padding.
  int longest = 0;
  for (const PackageRow& row : package.rows) {
    longest = std::max(longest, DisplayWidth(std::get<std::string>(row.values[2])));
  }
  EXPECT_EQ(longest, 13 * 2 + 2);
  const std::string address_col = R"(<col min="5" max="5" width=")" + std::to_string(longest + 2) + ".";
  EXPECT_NE(sheet.find(address_col), std::string::npos) << sheet.substr(0, 800);
  // A date is a number cell with a style, not a string.
  const Table table = ReadTable(path);
  EXPECT_EQ(table[1][6], "2022-08-01");
}

TEST(Formats, JsonEscapesWhatJsonMustAndKeepsJapaneseAsIs) {
  const Agreement agreement = MakeAgreement(kKamakura, "name,age,care_end");
  const std::string tricky = "髙橋 \"一郎\"\\\n\t\x01end";
  std::vector<ResidentRow> residents = {Resident(1, kKamakura, tricky)};
  residents[0].Set(Column::kCareEnd, FieldValue{});
  const std::string json = RenderJson(Build(agreement, At("2022-08-01"), residents));
  EXPECT_NE(json.find("髙橋"), std::string::npos);
  const nlohmann::json parsed = nlohmann::json::parse(json);
  const auto& values = parsed["rows"][0]["values"];
  EXPECT_EQ(values["name"], tricky);
  EXPECT_EQ(values["age"], 61);
  EXPECT_TRUE(values["care_end"].is_null());
  EXPECT_EQ(parsed["columns"][2]["type"], "integer");
}

struct WidthCase {
  std::string text;
  int width;
};

class DisplayWidths : public ::testing::TestWithParam<WidthCase> {};

TEST_P(DisplayWidths, CountsEastAsianWideAsTwo) {
  EXPECT_EQ(DisplayWidth(GetParam().text), GetParam().width);
}

INSTANTIATE_TEST_SUITE_P(Cases, DisplayWidths,
                         ::testing::Values(WidthCase{"", 0}, WidthCase{"045-000-1234", 12},
                                           WidthCase{"髙橋 一郎", 9}, WidthCase{"ｶﾅｶﾞﾜ", 5},
                                           WidthCase{"ＡＢ", 4}, WidthCase{"𠮷野", 4},
                                           WidthCase{"é", 1}));

// LibreOffice opens the XLSX and shows the same content as our CSV.
TEST(Formats, LibreOfficeReadsTheXlsxBackWithEqualContent) {
  if (std::system("command -v soffice >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "soffice not found (apt-get install libreoffice-calc-nogui); "
                    "the XLSX read-back through LibreOffice is not checked";
  }
  const Package package = KanagawaPackages().day2;
  TempDir dir;
  const fs::path xlsx = dir.path() / "package.xlsx";
  ASSERT_TRUE(WriteXlsx(package, xlsx.string()).has_value());
  const fs::path out = dir.path() / "lo";
  const std::string command =
      "cd '" + dir.path().string() + "' && HOME='" + dir.path().string() +
      "' timeout 180 soffice --headless --norestore -env:UserInstallation=file://" +
      (dir.path() / "profile").string() +
      " --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1' --outdir '" + out.string() +
      "' '" + xlsx.string() + "' >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  const fs::path csv = out / "package.csv";
  ASSERT_TRUE(fs::exists(csv)) << command;
  EXPECT_EQ(ReadTable(csv, io::Encoding::kUtf8), Expected(package, false));
}

}  // namespace
}  // namespace ichigen::distribution
