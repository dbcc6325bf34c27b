// End-to-end intake: real CP932 files through the importer into a real
// store, every row accounted for; every test runs on a SQLite file and on a
// fresh PostgreSQL database (ICHIGEN_TEST_PG, see store/pg_test_env.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "intake/importer.h"
#include "intake/merge_service.h"
#include "store/pg_test_env.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"
#include "synth/synth.h"

namespace ichigen {
namespace {

const std::string kFixture = std::string(ICHIGEN_TEST_DATA_DIR) + "/intake/hersys_mixed.cp932.csv";
const std::string kFixtureUtf8 = std::string(ICHIGEN_TEST_DATA_DIR) + "/intake/hersys_mixed.utf8.csv";

enum class StoreKind { kSqlite, kPostgres };

class ImportTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  static void SetUpTestSuite() {
    auto context = intake::IntakeContext::Load();
    ASSERT_TRUE(context.has_value()) << context.error().ToString();
    context_ = new intake::IntakeContext(std::move(*context));
  }
  static void TearDownTestSuite() {
    delete context_;
    context_ = nullptr;
  }

  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    name = name.substr(name.find('/') + 1);
    name = name.substr(0, name.find('/'));
    dir_ = std::filesystem::temp_directory_path() /
           ("ichigen_import_test_" + std::to_string(::getpid()) + "_" + name +
            (GetParam() == StoreKind::kPostgres ? "_pg" : ""));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    if (GetParam() == StoreKind::kPostgres) {
      server_ = store::FindPgTestServer();
      if (!server_.available()) {
        if (server_.required) FAIL() << server_.why;
        GTEST_SKIP() << server_.why;
      }
      auto fresh = store::FreshPgDatabase(server_.conninfo, "import_" + name);
      ASSERT_TRUE(fresh.has_value()) << fresh.error().ToString();
      pg_database_ = *fresh;
      auto store = store::PostgresStore::Open(pg_database_);
      ASSERT_TRUE(store.has_value()) << store.error().ToString();
      store_ = std::move(*store);
    } else {
      auto store = store::SqliteStore::Open((dir_ / "test.db").string());
      ASSERT_TRUE(store.has_value()) << store.error().ToString();
      store_ = std::move(*store);
    }
    options_.today = *core::Date::ParseIso("2022-08-10");
  }
  void TearDown() override {
    store_.reset();
    if (!pg_database_.empty()) store::DropPgDatabase(server_.conninfo, pg_database_);
    std::filesystem::remove_all(dir_);
  }

  core::Result<intake::ImportReport> Import(const std::string& path) {
    intake::Importer importer(*store_, *context_);
    return importer.ImportFile(path, options_);
  }

  std::map<int64_t, store::RowRecord> Rows(int64_t batch_id) {
    std::map<int64_t, store::RowRecord> rows;
    auto status = store_->ForEachRow(batch_id, std::nullopt, [&](const store::RowRecord& row) {
      rows[row.line] = row;
      return core::Ok();
    });
    EXPECT_TRUE(status.has_value());
    return rows;
  }

  // The fixture imported and its 1000001 (髙橋 一郎) merged into 1000002 by
  // an operator: {survivor, merged-away} store ids, with `merges` the
  // service that did it (to undo it).
  std::pair<int64_t, int64_t> ImportAndMergeDuplicate(intake::MergeService& merges,
                                                      store::MergeDecision* decision = nullptr) {
    options_.today = *core::Date::ParseIso("2022-08-31");
    EXPECT_TRUE(Import(kFixture).has_value());
    const int64_t survivor = (*store_->FindPatientByHersysId("1000002"))->id;
    const int64_t merged = (*store_->FindPatientByHersysId("1000001"))->id;
    auto merge = merges.Merge(survivor, merged, "担当A", "同一人物（重複届出）");
    EXPECT_TRUE(merge.has_value()) << merge.error().ToString();
    if (decision != nullptr && merge) *decision = *merge;
    return {survivor, merged};
  }

  static intake::IntakeContext* context_;
  std::filesystem::path dir_;
  store::PgTestServer server_;
  std::string pg_database_;
  std::unique_ptr<store::Store> store_;
  intake::ImportOptions options_;
};

intake::IntakeContext* ImportTest::context_ = nullptr;

INSTANTIATE_TEST_SUITE_P(Stores, ImportTest,
                         ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return info.param == StoreKind::kSqlite ? "SQLite" : "PostgreSQL";
                         });

TEST_P(ImportTest, EveryRowOfAMixedCp932FileGetsExactlyOneOutcome) {
  auto report = Import(kFixture);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_EQ(report->profile, "hersys");
  EXPECT_EQ(report->encoding, "cp932");
  EXPECT_EQ(report->header_line, 3);  // below two title rows
  EXPECT_FALSE(report->duplicate_file);
  EXPECT_EQ(report->rows, 18);
  EXPECT_EQ(report->accepted, 3);
  EXPECT_EQ(report->merged, 2);
  EXPECT_EQ(report->review, 1);
  EXPECT_EQ(report->rejected, 12);
  EXPECT_EQ(report->rows, report->accepted + report->merged + report->review + report->rejected);
  ASSERT_EQ(report->unknown_columns.size(), 1u);
  EXPECT_EQ(report->unknown_columns[0], "備考欄");

  // Physical line → expected outcome and reason code.
  const std::map<int64_t, std::pair<std::string, std::string>> expected = {
      {4, {"accepted", ""}},
      {5, {"accepted", ""}},  // its quoted address runs over line 6
      {7, {"accepted", ""}},
      {8, {"rejected", "missing_required"}},
      {9, {"rejected", "bad_hersys_id"}},
      {10, {"rejected", "bad_date"}},
      {11, {"rejected", "birth_after_notified"}},
      {12, {"rejected", "bad_sex"}},
      {13, {"rejected", "date_out_of_range"}},
      {14, {"rejected", "bad_age"}},
      {15, {"rejected", "bad_municipality_code"}},
      {16, {"rejected", "bad_value"}},
      {17, {"rejected", "malformed_row"}},
      {18, {"rejected", "blank_row"}},
      {19, {"merged", "updated"}},
      {20, {"merged", "unchanged"}},
      {21, {"review", "hersys_id_contradiction"}},
      {22, {"rejected", "invalid_encoding"}},
  };
  const auto rows = Rows(report->batch_id);
  ASSERT_EQ(rows.size(), expected.size());
  for (const auto& [line, want] : expected) {
    ASSERT_TRUE(rows.contains(line)) << "line " << line;
    const store::RowRecord& row = rows.at(line);
    EXPECT_EQ(store::OutcomeName(row.outcome), want.first) << "line " << line;
    EXPECT_EQ(row.reason_code, want.second) << "line " << line;
    if (row.outcome == store::Outcome::kRejected) {
      EXPECT_FALSE(row.reason_ja.empty()) << "line " << line;
      EXPECT_FALSE(row.reason_en.empty()) << "line " << line;
      EXPECT_FALSE(row.raw_text.empty() && want.second != "blank_row") << "line " << line;
    }
  }
  EXPECT_NE(rows.at(9).raw_text.find("桁数 不足"), std::string::npos);
  EXPECT_EQ(rows.at(19).hersys_id, "1000001");
  EXPECT_NE(rows.at(19).reason_ja.find("電話番号"), std::string::npos);
}

TEST_P(ImportTest, PatientsKeepNormalizedAndRawValues) {
  ASSERT_TRUE(Import(kFixture).has_value());
  auto takahashi = store_->FindPatientByHersysId("1000001");
  ASSERT_TRUE(takahashi.has_value() && takahashi->has_value());
  const store::PatientRecord& p = **takahashi;
  EXPECT_EQ(p.name_folded, "高橋一郎");
  EXPECT_EQ(p.birth_date, "1970-03-02");
  EXPECT_EQ(p.sex, "男");
  EXPECT_EQ(p.age, 52);
  EXPECT_EQ(p.municipality_code, "141046");  // 横浜市中区
  EXPECT_EQ(p.phone_key, "09099998888");     // updated by line 19
  EXPECT_EQ(p.consent_share, true);
  EXPECT_NE(p.raw_json.find("S45.3.2"), std::string::npos);
  EXPECT_NE(p.extra_json.find("メモ1"), std::string::npos);

  auto yamada = store_->FindPatientByHersysId("1000002");
  ASSERT_TRUE(yamada->has_value());
  EXPECT_EQ((*yamada)->notified_on, "2022-08-01");  // 令和4年8月1日
  EXPECT_EQ((*yamada)->municipality_code, "141313");  // 川崎市川崎区
  EXPECT_EQ((*yamada)->consent_share, false);
  EXPECT_EQ((*yamada)->name, "山田 花子");  // the review row did not touch her

  auto sato = store_->FindPatientByHersysId("1000003");
  ASSERT_TRUE(sato->has_value());
  EXPECT_EQ((*sato)->municipality_code, "141038");  // 横浜市西区, prefecture inferred
  EXPECT_EQ((*sato)->birth_date, "1980-01-01");
  EXPECT_EQ((*sato)->sex, "男");

  auto review = store_->ListReviewItems("open");
  ASSERT_EQ(review->size(), 1u);
  EXPECT_EQ((*review)[0].candidate_patient_id, (*yamada)->id);
  EXPECT_EQ((*review)[0].line, 21);
}

TEST_P(ImportTest, ReimportingTheSameFileChangesNothing) {
  auto first = Import(kFixture);
  ASSERT_TRUE(first.has_value());
  const int64_t patients = *store_->CountPatients();
  auto second = Import(kFixture);
  ASSERT_TRUE(second.has_value());
  EXPECT_TRUE(second->duplicate_file);
  EXPECT_EQ(second->batch_id, first->batch_id);
  EXPECT_EQ(second->accepted, first->accepted);
  EXPECT_EQ(*store_->CountPatients(), patients);
  EXPECT_EQ(store_->ListBatches()->size(), 1u);
}

TEST_P(ImportTest, TheSameRowsInAnotherFileDoNotDuplicatePatients) {
  ASSERT_TRUE(Import(kFixture).has_value());
  const int64_t patients = *store_->CountPatients();
  // The UTF-8 source of the same rows is a different file (other bytes).
  auto again = Import(kFixtureUtf8);
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_FALSE(again->duplicate_file);
  EXPECT_EQ(again->encoding, "utf-8");
  EXPECT_EQ(again->accepted, 0);
  EXPECT_EQ(*store_->CountPatients(), patients);
  EXPECT_EQ(store_->ListBatches()->size(), 2u);
}

// Every event the store holds, by patient id.
std::map<int64_t, size_t> EventCounts(store::Store& store) {
  std::map<int64_t, size_t> counts;
  auto status = store.ForEachPatientEvents(
      [&](int64_t patient_id, std::span<const domain::Event> events) {
        counts[patient_id] = events.size();
        return core::Ok();
      });
  EXPECT_TRUE(status.has_value());
  return counts;
}

TEST_P(ImportTest, AnIdLessSheetImportedAgainLinksNothingNew) {
  options_.today = *core::Date::ParseIso("2022-08-31");  // the sheet's stays are late August
  ASSERT_TRUE(Import(kFixture).has_value());
  const std::string noid = std::string(ICHIGEN_TEST_DATA_DIR) + "/intake/updates_noid.cp932.csv";
  auto first = Import(noid);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  // 高橋 一郎 (stored as 髙橋) is linked on evidence alone.
  auto takahashi = store_->FindPatientByHersysId("1000001");
  ASSERT_TRUE(takahashi.has_value() && takahashi->has_value());
  const std::map<int64_t, store::RowRecord> rows = Rows(first->batch_id);
  ASSERT_TRUE(rows.contains(2));
  EXPECT_EQ(rows.at(2).reason_code, "auto_linked");
  EXPECT_EQ(rows.at(2).patient_id, (*takahashi)->id);
  const std::map<int64_t, size_t> events = EventCounts(*store_);
  const int64_t patients = *store_->CountPatients();

  // The same rows in another file (UTF-8: other bytes, so not refused as a
  // duplicate) reach the same patient and add nothing.
  auto again = Import(std::string(ICHIGEN_TEST_DATA_DIR) + "/intake/updates_noid.utf8.csv");
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_FALSE(again->duplicate_file);
  EXPECT_EQ(again->accepted, 0);
  const std::map<int64_t, store::RowRecord> again_rows = Rows(again->batch_id);
  ASSERT_TRUE(again_rows.contains(2));
  EXPECT_EQ(again_rows.at(2).patient_id, (*takahashi)->id);
  EXPECT_EQ(EventCounts(*store_), events);
  EXPECT_EQ(*store_->CountPatients(), patients);
}

TEST_P(ImportTest, AnUpdateNamingAMergedAwayPatientLandsOnTheSurvivor) {
  intake::MergeService merges(*store_);
  store::MergeDecision merge;
  const auto [survivor, merged] = ImportAndMergeDuplicate(merges, &merge);
  ASSERT_NE(merge.id, 0);
  const std::map<int64_t, size_t> before = EventCounts(*store_);

  // A hospital still reports under the merged-away patient's HER-SYS ID.
  const std::string sheet = (dir_ / "merged_id.csv").string();
  std::ofstream(sheet) << "HER-SYS ID,氏名,生年月日,入院日,医療機関名\n"
                          "1000001,髙橋 一郎,S45.3.2,2022/8/20,みなと病院\n";
  auto report = Import(sheet);
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  const std::map<int64_t, store::RowRecord> rows = Rows(report->batch_id);
  ASSERT_TRUE(rows.contains(2));
  EXPECT_EQ(rows.at(2).outcome, store::Outcome::kMerged);
  EXPECT_EQ(rows.at(2).patient_id, survivor);
  EXPECT_EQ(rows.at(2).hersys_id, "1000002");
  const std::map<int64_t, size_t> after = EventCounts(*store_);
  EXPECT_EQ(after.at(survivor), before.at(survivor) + 1);
  EXPECT_EQ(after.at(merged), before.at(merged));
  auto events = store_->EventsOf(survivor);
  ASSERT_TRUE(events.has_value());
  EXPECT_EQ(events->back().effective_on, *core::Date::ParseIso("2022-08-20"));

  // Once unmerged, the ID names its own patient again.
  ASSERT_TRUE(merges.Unmerge(merge.id, "担当B", "別人と判明").has_value());
  std::ofstream(sheet) << "HER-SYS ID,氏名,生年月日,入院日,医療機関名\n"
                          "1000001,髙橋 一郎,S45.3.2,2022/8/26,みなと病院\n";
  auto unmerged = Import(sheet);
  ASSERT_TRUE(unmerged.has_value()) << unmerged.error().ToString();
  EXPECT_EQ(Rows(unmerged->batch_id).at(2).patient_id, merged);
}

// A HER-SYS export resending a merged-away patient's ID: the same content
// changes nothing; changed content is not applied to the merged-away record
// (where a restated notification would count the person twice) nor to the
// survivor, but queued for a clerk with the survivor named.
TEST_P(ImportTest, AHersysResendOfAMergedAwayIdIsQueuedNotApplied) {
  intake::MergeService merges(*store_);
  const auto [survivor, merged] = ImportAndMergeDuplicate(merges);
  ASSERT_FALSE(HasFailure());
  const std::map<int64_t, size_t> before = EventCounts(*store_);
  const auto merged_before = *store_->GetPatient(merged);
  const auto survivor_before = *store_->GetPatient(survivor);
  ASSERT_TRUE(merged_before && survivor_before);

  const std::string header =
      "患者ID,届出年月日,患者氏名,ふりがな,性別,生年月日,年齢,郵便番号,居住地住所,"
      "全国地方公共団体コード,携帯電話番号,職業,発病年月日,確定日,医療機関名,保健所,重症度,"
      "療養状況,療養開始日,情報提供同意,備考欄\n";
  const std::string same =
      "1000001,2022/8/1,髙橋 一郎,たかはし いちろう,男,S45.3.2,52歳,231-0023,"
      "神奈川県横浜市中区山下町1-2-3,141046,090-9999-8888,会社員,2022/7/30,2022/8/1,"
      "みなと病院,,軽症,自宅療養中,2022/8/1,有,メモ1\n";
  // The patient's latest row again (the export's last resend of it).
  const std::string resend = (dir_ / "resend_same.csv").string();
  std::ofstream(resend) << header << same;
  auto unchanged = Import(resend);
  ASSERT_TRUE(unchanged.has_value()) << unchanged.error().ToString();
  EXPECT_EQ(unchanged->merged, 1);
  EXPECT_EQ(unchanged->review, 0);
  EXPECT_EQ(Rows(unchanged->batch_id).at(2).reason_code, "unchanged");
  EXPECT_EQ(EventCounts(*store_), before);

  // The notification restated a day later and the care status changed.
  std::string changed_row = same;
  changed_row.replace(changed_row.find("2022/8/1,髙橋"), 8, "2022/8/2");
  changed_row.replace(changed_row.find("自宅療養中"), std::string("自宅療養中").size(), "入院中");
  const std::string changed_file = (dir_ / "resend_changed.csv").string();
  std::ofstream(changed_file) << header << changed_row;
  auto changed = Import(changed_file);
  ASSERT_TRUE(changed.has_value()) << changed.error().ToString();
  EXPECT_EQ(changed->review, 1);
  EXPECT_EQ(changed->merged, 0);
  const store::RowRecord row = Rows(changed->batch_id).at(2);
  EXPECT_EQ(row.outcome, store::Outcome::kReview);
  EXPECT_EQ(row.reason_code, "merged_hersys_id");
  EXPECT_NE(row.reason_ja.find("患者 " + std::to_string(survivor)), std::string::npos)
      << row.reason_ja;
  // Nothing changed: no event anywhere, neither record rewritten.
  EXPECT_EQ(EventCounts(*store_), before);
  const auto merged_after = *store_->GetPatient(merged);
  const auto survivor_after = *store_->GetPatient(survivor);
  ASSERT_TRUE(merged_after && survivor_after);
  EXPECT_EQ(merged_after->content_hash, merged_before->content_hash);
  EXPECT_EQ(merged_after->notified_on, "2022-08-01");
  EXPECT_EQ(survivor_after->content_hash, survivor_before->content_hash);
  auto queue = store_->ListReviewItems("open");
  ASSERT_TRUE(queue.has_value()) << queue.error().ToString();
  int queued = 0;
  for (const auto& item : *queue) {
    if (item.batch_id != changed->batch_id) continue;
    ++queued;
    EXPECT_EQ(item.kind, "merged_hersys_id");
    EXPECT_EQ(item.candidate_patient_id, survivor);
  }
  EXPECT_EQ(queued, 1);
}

TEST_P(ImportTest, AFileWithoutARecognisableHeaderIsRefusedWhole) {
  const auto path = dir_ / "no_header.csv";
  std::ofstream(path) << "a,b,c\n1,2,3\n";
  auto report = Import(path.string());
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code, core::Code::kInvalidArgument);
  EXPECT_TRUE(store_->ListBatches()->empty());
}

TEST_P(ImportTest, MissingRequiredColumnsAreNamed) {
  const auto path = dir_ / "partial.csv";
  std::ofstream(path) << "HER-SYS ID,氏名,住所\n1234567,山田 太郎,横浜市中区山下町1\n";
  auto report = Import(path.string());
  ASSERT_FALSE(report.has_value());
  EXPECT_NE(report.error().message.find("届出日"), std::string::npos) << report.error().message;
}

TEST_P(ImportTest, EmptyAndHeaderOnlyFiles) {
  const auto empty = dir_ / "empty.csv";
  std::ofstream(empty) << "";
  auto none = Import(empty.string());
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code, core::Code::kInvalidArgument);

  const auto header_only = dir_ / "header_only.csv";
  std::ofstream(header_only) << "HER-SYS ID,届出日,氏名,住所\r\n";
  auto report = Import(header_only.string());
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_EQ(report->rows, 0);
  EXPECT_EQ(store_->ListBatches()->size(), 1u);
}

// What a store holds after some imports, independent of how it numbers
// patients and events: each batch's row outcomes by line, and each patient's
// events by HER-SYS ID (or by name and birth date when it has none).
struct StoredOutcome {
  std::vector<std::map<int64_t, std::string>> rows_by_batch;
  std::map<std::string, std::vector<std::string>> events_by_patient;
};

StoredOutcome Describe(store::Store& store) {
  StoredOutcome out;
  auto batches = store.ListBatches();
  EXPECT_TRUE(batches.has_value());
  std::sort(batches->begin(), batches->end(),
            [](const store::BatchInfo& a, const store::BatchInfo& b) { return a.id < b.id; });
  for (const store::BatchInfo& batch : *batches) {
    std::map<int64_t, std::string>& rows = out.rows_by_batch.emplace_back();
    EXPECT_TRUE(store.ForEachRow(batch.id, std::nullopt, [&](const store::RowRecord& row) {
      rows[row.line] = std::string(store::OutcomeName(row.outcome)) + " " + row.reason_code + " " +
                       row.hersys_id;
      return core::Ok();
    }));
  }
  std::map<int64_t, std::string> key_of;
  EXPECT_TRUE(store.ForEachPatient([&](const store::PatientRecord& p) {
    key_of[p.id] = p.hersys_id.empty() ? p.name + " " + p.birth_date : p.hersys_id;
    return core::Ok();
  }));
  EXPECT_TRUE(store.ForEachPatientEvents(
      [&](int64_t patient_id, std::span<const domain::Event> events) {
        std::vector<std::string>& mine = out.events_by_patient[key_of[patient_id]];
        for (const domain::Event& e : events) {
          mine.push_back(std::string(domain::EventTypeNameEn(e.type)) + " " +
                         e.effective_on.ToIso() + " " + e.facility + " " + std::to_string(e.line) +
                         (e.care_status ? " " + std::string(domain::CareStatusNameEn(*e.care_status))
                                        : ""));
        }
        return core::Ok();
      }));
  return out;
}

// Update sheets over several of the importer's chunks (1,024 rows), naming
// stored patients again and again, with every row sent twice, then the
// patients re-notified: each store must end exactly as a SQLite store fed
// the same files (on PostgreSQL this checks the writer's per-chunk prefetch
// of stored patients and its in-memory dedupe of their events).
TEST_P(ImportTest, UpdateSheetsOverManyChunksEndAsOnSqlite) {
  auto make = [&](const std::string& name, synth::SynthKind kind, uint64_t seed, int64_t rows,
                  io::Encoding encoding) {
    synth::SynthOptions o;
    o.kind = kind;
    o.out = (dir_ / name).string();
    o.rows = rows;
    o.seed = seed;
    o.encoding = encoding;
    o.header_style = synth::HeaderStyle::kCanonical;
    o.to = core::Date::ParseIso("2022-07-27");
    o.patients = 600;
    o.no_id_rate = 0.25;
    o.duplicate_rate = 0.1;
    auto made = synth::Synthesize(o, *context_->registry);
    EXPECT_TRUE(made.has_value()) << made.error().ToString();
    return o.out;
  };
  const std::string hersys = make("hersys.csv", synth::SynthKind::kHersys, 42, 600,
                                  io::Encoding::kUtf8);
  const std::string updates = make("updates.csv", synth::SynthKind::kUpdates, 42, 1500,
                                   io::Encoding::kUtf8);
  // The same sheet with every data row twice: the second copy adds nothing.
  const std::string twice = (dir_ / "updates_twice.csv").string();
  {
    std::ifstream in(updates, std::ios::binary);
    std::string header, line, body;
    std::getline(in, header);
    while (std::getline(in, line)) body += line + "\n";
    std::ofstream out(twice, std::ios::binary);
    out << header << "\n" << body << body;
  }
  // The first file again in another encoding: every patient is stored.
  const std::string again = make("hersys_again.csv", synth::SynthKind::kHersys, 42, 600,
                                 io::Encoding::kCp932);
  const std::vector<std::string> files = {hersys, updates, twice, again};

  for (const std::string& file : files) {
    auto report = Import(file);
    ASSERT_TRUE(report.has_value()) << file << ": " << report.error().ToString();
  }
  auto reference = store::SqliteStore::Open((dir_ / "reference.db").string());
  ASSERT_TRUE(reference.has_value());
  for (const std::string& file : files) {
    intake::Importer importer(**reference, *context_);
    auto report = importer.ImportFile(file, options_);
    ASSERT_TRUE(report.has_value()) << file << ": " << report.error().ToString();
  }

  const StoredOutcome got = Describe(*store_);
  const StoredOutcome want = Describe(**reference);
  ASSERT_EQ(got.rows_by_batch.size(), 4u);
  EXPECT_EQ(got.rows_by_batch, want.rows_by_batch);
  EXPECT_EQ(got.events_by_patient, want.events_by_patient);
  // The doubled sheet spans several chunks and its second half adds nothing.
  EXPECT_EQ(got.rows_by_batch[2].size(), 3000u);
  std::map<std::string, int64_t> second_half;  // "outcome reason" → rows
  for (const auto& [line, outcome] : got.rows_by_batch[2]) {
    if (line > 1501) ++second_half[outcome.substr(0, outcome.rfind(' '))];
  }
  EXPECT_EQ(second_half["merged events_added"], 0);
  EXPECT_GT(second_half["merged unchanged"], 900);
}

}  // namespace
}  // namespace ichigen
