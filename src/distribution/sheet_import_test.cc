// The consent and last-mile sheet readers on real files and a real SQLite
// store: header synonyms and title rows, dates as people type them, blank
// lines, and bad rows rejected with their line while the rest goes in.
#include "distribution/sheet_import.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "store/sqlite_distribution_store.h"
#include "store/sqlite_store.h"

namespace ichigen::distribution {
namespace {

namespace fs = std::filesystem;

TEST(ParseSheetDateTest, AcceptsTheFormsExcelUsersTypeAndRefusesTheRest) {
  const core::Date expected = *core::Date::ParseIso("2022-08-01");
  for (const char* text : {"2022-08-01", "2022/8/1", "2022/08/01", "2022年8月1日", " 2022/8/1　"}) {
    auto date = ParseSheetDate(text);
    ASSERT_TRUE(date.has_value()) << text << ": " << date.error().ToString();
    EXPECT_EQ(*date, expected) << text;
  }
  for (const char* text : {"", "8/1", "2022/13/1", "2022/2/30", "2022/8/1/", "2022-8-1x", "昨日",
                           "2022年8月", "-2022/8/1"}) {
    auto date = ParseSheetDate(text);
    ASSERT_FALSE(date.has_value()) << text;
    EXPECT_EQ(date.error().code, core::Code::kInvalidArgument) << text;
    EXPECT_FALSE(date.error().message_en.empty());
  }
}

TEST(ParseConsentWordTest, GivenAndWithdrawnInJapaneseAndEnglish) {
  for (const char* text : {"given", "あり", "有", "同意", "同意あり", "1", " あり "}) {
    EXPECT_EQ(ParseConsentWord(text).value_or(Consent::kUnknown), Consent::kGiven) << text;
  }
  for (const char* text : {"withdrawn", "撤回", "同意撤回", "なし", "無", "0"}) {
    EXPECT_EQ(ParseConsentWord(text).value_or(Consent::kUnknown), Consent::kWithdrawn) << text;
  }
  for (const char* text : {"", "maybe", "未確認", "2"}) {
    auto parsed = ParseConsentWord(text);
    ASSERT_FALSE(parsed.has_value()) << text;
    EXPECT_EQ(parsed.error().code, core::Code::kInvalidArgument);
  }
}

class SheetImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ichigen_sheet_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const std::string db = (dir_ / "ichigen.db").string();
    store_ = std::move(*store::SqliteStore::Open(db));
    distribution_ = std::move(*store::SqliteDistributionStore::Open(db));
    store::BatchInfo info;
    info.sha256 = "seed";
    info.file_name = "seed.csv";
    auto writer = store_->BeginBatch(info);
    ASSERT_TRUE(writer.has_value());
    for (const char* hersys : {"HS1", "HS2"}) {
      store::PatientRecord p;
      p.hersys_id = hersys;
      p.municipality_code = "142042";
      p.created_batch = p.updated_batch = (*writer)->batch_id();
      ASSERT_TRUE((*writer)->InsertPatient(p).has_value());
    }
    ASSERT_TRUE((*writer)->Commit(info).has_value());
  }
  void TearDown() override {
    distribution_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }
  std::string Write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }

  fs::path dir_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<store::SqliteDistributionStore> distribution_;
};

TEST_F(SheetImportTest, ConsentSheetWithATitleRowSynonymsAndBadRows) {
  const std::string path = Write("consent.csv",
                                 "同意の一覧（鎌倉保健福祉事務所）\r\n"
                                 "患者ID,同意の有無,同意日\r\n"
                                 "HS1,あり,2022/8/1\r\n"
                                 "\r\n"
                                 "HS2,撤回,2022年8月3日\r\n"
                                 "HS9,あり,2022-08-01\r\n"
                                 "HS1,たぶん,2022-08-01\r\n"
                                 "HS2,あり,8月1日\r\n");
  ConsentSheetOptions options;
  options.default_source = "consent.csv";
  options.today = *core::Date::ParseIso("2022-08-05");
  options.now_utc = "2022-08-05T00:00:00Z";
  auto report = ImportConsentSheet(path, *store_, *distribution_, options);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_EQ(report->format, "csv");
  EXPECT_EQ(report->encoding, "utf-8");
  EXPECT_EQ(report->recorded, 2);
  EXPECT_EQ(report->rejected, 3);
  ASSERT_EQ(report->errors.size(), 3u);
  EXPECT_EQ(report->errors[0].line, 6);  // HS9: no such patient
  EXPECT_EQ(report->errors[0].message_en, "no patient with this HER-SYS ID");
  EXPECT_EQ(report->errors[1].line, 7);  // たぶん
  EXPECT_EQ(report->errors[2].line, 8);  // 8月1日
  auto consents = distribution_->ConsentsOf(2);
  ASSERT_EQ(consents->size(), 1u);
  EXPECT_EQ((*consents)[0].consent, Consent::kWithdrawn);
  EXPECT_EQ((*consents)[0].on.ToIso(), "2022-08-03");
  EXPECT_EQ((*consents)[0].source, "consent.csv");  // no 出典 column: the default
}

TEST_F(SheetImportTest, SheetsWithoutTheRequiredColumnsAreRefusedWhole) {
  ConsentSheetOptions consent;
  auto report = ImportConsentSheet(Write("c.csv", "HER-SYS ID,日付\r\nHS1,2022-08-01\r\n"), *store_,
                                   *distribution_, consent);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code, core::Code::kInvalidArgument);
  EXPECT_NE(report.error().message.find("同意"), std::string::npos) << report.error().message;

  LastmileService service(*store_, *distribution_);
  LastmileSheetOptions lastmile;
  lastmile.municipality_code6 = "142042";
  auto no_kind = ImportLastmileSheet(Write("l.csv", "整理番号,備考\r\nA,B\r\n"), service, lastmile);
  ASSERT_FALSE(no_kind.has_value());
  EXPECT_NE(no_kind.error().message.find("区分"), std::string::npos) << no_kind.error().message;
  // No code column and no municipality named: whose records would they be?
  lastmile.municipality_code6.clear();
  auto no_code = ImportLastmileSheet(Write("m.csv", "整理番号,区分\r\nA,連絡済\r\n"), service, lastmile);
  ASSERT_FALSE(no_code.has_value());
  EXPECT_NE(no_code.error().message.find("市区町村コード"), std::string::npos);
  EXPECT_FALSE(ImportLastmileSheet(Write("e.csv", ""), service, lastmile).has_value());
  EXPECT_TRUE(distribution_->ConsentsOf(1)->empty());
  EXPECT_TRUE(distribution_->ListLastmile(0, "")->empty());
}

}  // namespace
}  // namespace ichigen::distribution
