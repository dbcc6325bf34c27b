// The storage contract: every test runs against SQLite and against
// PostgreSQL (StoreKind), through the Store interface only. PostgreSQL cases
// need a server named by ICHIGEN_TEST_PG (see store/pg_test_env.h); each test
// gets a fresh database (PostgreSQL) or file (SQLite).
#include "store/postgres_store.h"
#include "store/sqlite_store.h"

#include "store/parallel_events.h"
#include "store/pg_handle.h"
#include "store/pg_test_env.h"
#include "store/sqlite_handle.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <map>
#include <set>

namespace ichigen::store {
namespace {

enum class StoreKind { kSqlite, kPostgres };

std::string KindName(const ::testing::TestParamInfo<StoreKind>& info) {
  return info.param == StoreKind::kSqlite ? "SQLite" : "PostgreSQL";
}

class StoreContractTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    const std::string test_name =
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    const std::string label = test_name.substr(test_name.find('/') + 1);
    if (GetParam() == StoreKind::kPostgres) {
      server_ = FindPgTestServer();
      if (!server_.available()) {
        if (server_.required) FAIL() << server_.why;
        GTEST_SKIP() << server_.why;
      }
      auto fresh = FreshPgDatabase(server_.conninfo, label);
      ASSERT_TRUE(fresh.has_value()) << fresh.error().ToString();
      location_ = *fresh;
    } else {
      location_ = (std::filesystem::temp_directory_path() /
                   ("ichigen_store_test_" + std::to_string(::getpid()) + "_" + label + ".db"))
                      .string();
      std::filesystem::remove(location_);
    }
    auto opened = OpenStore();
    ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
    store_ = std::move(*opened);
  }

  void TearDown() override {
    store_.reset();
    if (location_.empty()) return;
    if (GetParam() == StoreKind::kPostgres) {
      DropPgDatabase(server_.conninfo, location_);
    } else {
      for (const char* suffix : {"", "-wal", "-shm"}) {
        std::filesystem::remove(location_ + suffix);
      }
    }
  }

  // Another store on the same data (another thread, another server).
  core::Result<std::unique_ptr<Store>> OpenStore() const {
    if (GetParam() == StoreKind::kPostgres) {
      ASSIGN_OR_RETURN(auto opened, PostgresStore::Open(location_));
      return std::unique_ptr<Store>(std::move(opened));
    }
    ASSIGN_OR_RETURN(auto opened, SqliteStore::Open(location_));
    return std::unique_ptr<Store>(std::move(opened));
  }

  // SQL run directly on the database, past the Store (as an administrator could).
  core::Status RawExec(const std::string& sql) const {
    if (GetParam() == StoreKind::kPostgres) {
      ASSIGN_OR_RETURN(auto conn, PgConn::Connect(location_));
      return conn->Exec(sql);
    }
    ASSIGN_OR_RETURN(auto db, SqliteDb::Open(location_));
    return db->Exec(sql);
  }

  int LatestMigration() const {
    return GetParam() == StoreKind::kPostgres ? PostgresMigrations().back().version
                                              : SqliteMigrations().back().version;
  }

  static BatchInfo Batch(std::string sha) {
    BatchInfo info;
    info.sha256 = std::move(sha);
    info.file_name = "a.csv";
    info.source = "HER-SYS";
    info.profile = "hersys";
    info.encoding = "cp932";
    info.format = "csv";
    info.started_at = "2022-08-01T00:00:00Z";
    return info;
  }

  static PatientRecord Patient(std::string hersys_id, int64_t batch) {
    PatientRecord p;
    p.hersys_id = std::move(hersys_id);
    p.name = "髙橋 一郎";
    p.name_key = "髙橋一郎";
    p.name_folded = "高橋一郎";
    p.birth_date = "1980-01-02";
    p.age = 42;
    p.consent_share = true;
    p.raw_json = "{}";
    p.content_hash = "h";
    p.created_batch = batch;
    p.updated_batch = batch;
    return p;
  }

  PgTestServer server_;
  std::string location_;  // SQLite file path or PostgreSQL conninfo
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Stores, StoreContractTest,
                         ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres), KindName);

// Both dialects carry the same migrations, version for version.
TEST(StoreMigrationsTest, BothDialectsHaveTheSameVersions) {
  ASSERT_EQ(PostgresMigrations().size(), SqliteMigrations().size());
  for (size_t i = 0; i < SqliteMigrations().size(); ++i) {
    EXPECT_EQ(PostgresMigrations()[i].version, SqliteMigrations()[i].version);
    EXPECT_STREQ(PostgresMigrations()[i].description, SqliteMigrations()[i].description);
  }
}

TEST_P(StoreContractTest, SchemaVersionIsTheLatestMigration) {
  EXPECT_EQ(*store_->SchemaVersion(), LatestMigration());
  // Re-opening does not re-apply anything.
  store_.reset();
  auto again = OpenStore();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*(*again)->SchemaVersion(), LatestMigration());
}

TEST_P(StoreContractTest, CommittedBatchKeepsPatientsRowsAndCounts) {
  auto writer = store_->BeginBatch(Batch("sha-1"));
  ASSERT_TRUE(writer.has_value()) << writer.error().ToString();
  PatientRecord p = Patient("1234567", (*writer)->batch_id());
  ASSERT_TRUE((*writer)->InsertPatient(p).has_value());
  EXPECT_GT(p.id, 0);
  RowRecord row{.line = 2, .outcome = Outcome::kAccepted, .patient_id = p.id, .hersys_id = "1234567"};
  ASSERT_TRUE((*writer)->AddRow(row).has_value());
  RowRecord bad{.line = 3, .outcome = Outcome::kRejected, .reason_code = "missing_required",
                .reason_ja = "氏名がありません", .reason_en = "name is missing", .raw_text = "x,y"};
  ASSERT_TRUE((*writer)->AddRow(bad).has_value());
  BatchInfo final_info = Batch("sha-1");
  final_info.rows = 2;
  final_info.accepted = 1;
  final_info.rejected = 1;
  final_info.finished_at = "2022-08-01T00:00:01Z";
  ASSERT_TRUE((*writer)->Commit(final_info).has_value());

  auto found = store_->FindPatientByHersysId("1234567");
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->name_folded, "高橋一郎");
  EXPECT_EQ((*found)->age, 42);
  EXPECT_EQ((*found)->consent_share, true);
  EXPECT_EQ(*store_->CountPatients(), 1);

  auto batches = store_->ListBatches();
  ASSERT_EQ(batches->size(), 1u);
  EXPECT_EQ((*batches)[0].accepted, 1);
  EXPECT_EQ((*batches)[0].rejected, 1);

  std::vector<RowRecord> rejected;
  ASSERT_TRUE(store_->ForEachRow((*batches)[0].id, Outcome::kRejected, [&](const RowRecord& r) {
    rejected.push_back(r);
    return core::Ok();
  }).has_value());
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].line, 3);
  EXPECT_EQ(rejected[0].reason_ja, "氏名がありません");
  EXPECT_EQ(rejected[0].raw_text, "x,y");
}

TEST_P(StoreContractTest, UncommittedBatchLeavesNothing) {
  {
    auto writer = store_->BeginBatch(Batch("sha-2"));
    ASSERT_TRUE(writer.has_value());
    PatientRecord p = Patient("7654321", (*writer)->batch_id());
    ASSERT_TRUE((*writer)->InsertPatient(p).has_value());
  }
  EXPECT_EQ(*store_->CountPatients(), 0);
  EXPECT_TRUE(store_->ListBatches()->empty());
  EXPECT_FALSE(store_->FindBatchBySha256("sha-2")->has_value());
}

TEST_P(StoreContractTest, SameFileHashIsRefused) {
  auto first = store_->BeginBatch(Batch("sha-3"));
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE((*first)->Commit(Batch("sha-3")).has_value());
  first->reset();
  auto second = store_->BeginBatch(Batch("sha-3"));
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, core::Code::kAlreadyExists);
}

TEST_P(StoreContractTest, DuplicateHersysIdIsAConstraintError) {
  auto writer = store_->BeginBatch(Batch("sha-4"));
  ASSERT_TRUE(writer.has_value());
  PatientRecord a = Patient("1111111", (*writer)->batch_id());
  PatientRecord b = Patient("1111111", (*writer)->batch_id());
  ASSERT_TRUE((*writer)->InsertPatient(a).has_value());
  auto second = (*writer)->InsertPatient(b);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, core::Code::kAlreadyExists);
}

TEST_P(StoreContractTest, UpdateAndReviewItems) {
  auto writer = store_->BeginBatch(Batch("sha-5"));
  ASSERT_TRUE(writer.has_value());
  PatientRecord p = Patient("2222222", (*writer)->batch_id());
  ASSERT_TRUE((*writer)->InsertPatient(p).has_value());
  p.address = "神奈川県横浜市中区1-1";
  p.municipality_code = "141046";
  ASSERT_TRUE((*writer)->UpdatePatient(p).has_value());
  ReviewItem item{.line = 5, .kind = "hersys_id_contradiction", .reason_ja = "矛盾",
                  .reason_en = "contradiction", .row_json = "{}", .candidate_patient_id = p.id};
  ASSERT_TRUE((*writer)->AddReviewItem(item).has_value());
  ASSERT_TRUE((*writer)->Commit(Batch("sha-5")).has_value());
  EXPECT_EQ((*store_->GetPatient(p.id))->municipality_code, "141046");
  auto open = store_->ListReviewItems("open");
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].candidate_patient_id, p.id);
  EXPECT_FALSE(store_->GetBatch(999).has_value());
  EXPECT_EQ(store_->GetBatch(999).error().code, core::Code::kNotFound);
}

TEST(SqliteStoreTest, ANonDatabaseFileIsRefusedClearly) {
  const auto junk = std::filesystem::temp_directory_path() /
                    ("ichigen_store_test_" + std::to_string(::getpid()) + ".junk");
  {
    std::FILE* f = std::fopen(junk.c_str(), "wb");
    std::fputs("this is not a database, just some text that is long enough to matter..........", f);
    std::fclose(f);
  }
  auto opened = SqliteStore::Open(junk.string());
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code, core::Code::kDataLoss);
  std::filesystem::remove(junk);
}

TEST(PostgresStoreTest, AnUnreachableServerIsRefusedClearly) {
  auto opened = PostgresStore::Open("host=/nonexistent/ichigen port=5 connect_timeout=2");
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code, core::Code::kUnavailable);
  EXPECT_EQ(opened.error().message, "PostgreSQL に接続できません");
  EXPECT_NE(opened.error().context.find("/nonexistent/ichigen"), std::string::npos);
  auto garbled = PostgresStore::Open("postgresql://[::1");
  ASSERT_FALSE(garbled.has_value());
}


TEST_P(StoreContractTest, SearchByPrefixesAndFilters) {
  auto writer = store_->BeginBatch(Batch("sha-search"));
  ASSERT_TRUE(writer.has_value());
  const struct {
    const char* id;
    const char* folded;
    const char* kana;
    const char* birth;
    const char* code;
  } people[] = {
      {"3000001", "高橋一郎", "タカハシイチロウ", "1980-01-02", "141046"},
      {"3000002", "高橋花子", "タカハシハナコ", "1985-03-04", "141313"},
      {"3000003", "高田修", "タカタオサム", "1980-01-02", "141046"},
      {"3000004", "佐藤' OR 1=1 --", "サトウ", "1970-01-01", "131016"},
  };
  for (const auto& person : people) {
    PatientRecord p = Patient(person.id, (*writer)->batch_id());
    p.name_folded = person.folded;
    p.kana_key = person.kana;
    p.birth_date = person.birth;
    p.municipality_code = person.code;
    ASSERT_TRUE((*writer)->InsertPatient(p).has_value());
  }
  ASSERT_TRUE((*writer)->Commit(Batch("sha-search")).has_value());

  auto takahashi = store_->SearchPatients({.name_prefix = "高橋"});
  ASSERT_TRUE(takahashi.has_value()) << takahashi.error().ToString();
  EXPECT_EQ(takahashi->total, 2);
  auto kana = store_->SearchPatients({.kana_prefix = "タカ"});
  EXPECT_EQ(kana->total, 3);
  auto born = store_->SearchPatients({.birth_date = "1980-01-02", .municipality_codes = {"141046"}});
  EXPECT_EQ(born->total, 2);
  // A kana page is in reading order: タカタ… (3000003), タカハシイ… (3000001), タカハシハ….
  auto paged = store_->SearchPatients({.kana_prefix = "タカ", .limit = 1, .offset = 1});
  EXPECT_EQ(paged->total, 3);
  EXPECT_FALSE(paged->total_capped);
  ASSERT_EQ(paged->patients.size(), 1u);
  EXPECT_EQ(paged->patients[0].hersys_id, "3000001");
  // SQL in a search string is data, not SQL.
  auto hostile = store_->SearchPatients({.name_prefix = "佐藤' OR 1=1 --"});
  EXPECT_EQ(hostile->total, 1);
  auto none = store_->SearchPatients({.name_prefix = "' OR '1'='1"});
  EXPECT_EQ(none->total, 0);
}


domain::Event MakeEvent(domain::EventType type, const char* iso, const char* facility = "") {
  domain::Event event;
  event.type = type;
  event.effective_on = *core::Date::ParseIso(iso);
  event.received_at = 1659312000;
  event.source = "病院:みなと病院";
  event.facility = facility;
  event.line = 3;
  return event;
}

// A prefix search pages in its key's order (then id), so that a page is read
// off the index range; other searches page in id order. Ids run opposite to
// the readings here, so the two orders differ.
TEST_P(StoreContractTest, PrefixSearchesPageInKeyOrderOthersInIdOrder) {
  auto writer = store_->BeginBatch(Batch("sha-order"));
  ASSERT_TRUE(writer.has_value());
  const struct {
    const char* id;
    const char* folded;
    const char* kana;
  } people[] = {
      {"3100001", "鈴木花子", "スズキハナコ"},
      {"3100002", "鈴木太郎", "スズキタロウ"},
      {"3100003", "鈴木一郎", "スズキイチロウ"},
      {"3100004", "鈴木一郎", "スズキイチロウ"},  // same keys: id breaks the tie
      {"3100005", "鈴木", "スズキ"},
  };
  for (const auto& person : people) {
    PatientRecord p = Patient(person.id, (*writer)->batch_id());
    p.name_folded = person.folded;
    p.kana_key = person.kana;
    p.birth_date = "1990-05-06";
    ASSERT_TRUE((*writer)->InsertPatient(p).has_value());
  }
  ASSERT_TRUE((*writer)->Commit(Batch("sha-order")).has_value());
  auto ids_of = [](const PatientPage& page) {
    std::vector<std::string> ids;
    for (const PatientRecord& p : page.patients) ids.push_back(p.hersys_id);
    return ids;
  };
  using Ids = std::vector<std::string>;
  auto kana = store_->SearchPatients({.kana_prefix = "スズキ"});
  ASSERT_TRUE(kana.has_value()) << kana.error().ToString();
  // Bytes of the keys: イ (E3 82 A4) < タ (E3 82 BF) < ハ (E3 83 8F).
  EXPECT_EQ(ids_of(*kana), (Ids{"3100005", "3100003", "3100004", "3100002", "3100001"}));
  auto kana_page = store_->SearchPatients({.kana_prefix = "スズキ", .limit = 2, .offset = 2});
  EXPECT_EQ(ids_of(*kana_page), (Ids{"3100004", "3100002"}));
  EXPECT_EQ(kana_page->total, 5);
  auto name = store_->SearchPatients({.name_prefix = "鈴木"});
  ASSERT_TRUE(name.has_value());
  // 一 (E4 B8 80) < 太 (E5 A4 AA) < 花 (E8 8A B1).
  EXPECT_EQ(ids_of(*name), (Ids{"3100005", "3100003", "3100004", "3100002", "3100001"}));
  auto born = store_->SearchPatients({.birth_date = "1990-05-06"});
  ASSERT_TRUE(born.has_value());
  EXPECT_EQ(ids_of(*born), (Ids{"3100001", "3100002", "3100003", "3100004", "3100005"}));
}

// The count stops past kSearchCountCap and says so; the page is still right.
TEST_P(StoreContractTest, SearchCountStopsAtTheCap) {
  auto writer = store_->BeginBatch(Batch("sha-cap"));
  ASSERT_TRUE(writer.has_value());
  for (int64_t i = 0; i < kSearchCountCap + 5; ++i) {
    PatientRecord p = Patient(std::to_string(3200000 + i), (*writer)->batch_id());
    p.kana_key = "ヤマダ" + std::to_string(100000 + i);
    p.birth_date = "1975-07-08";
    ASSERT_TRUE((*writer)->InsertPatient(p).has_value());
  }
  ASSERT_TRUE((*writer)->Commit(Batch("sha-cap")).has_value());
  auto capped = store_->SearchPatients({.kana_prefix = "ヤマダ", .limit = 3, .offset = 997});
  ASSERT_TRUE(capped.has_value()) << capped.error().ToString();
  EXPECT_EQ(capped->total, kSearchCountCap);
  EXPECT_TRUE(capped->total_capped);
  ASSERT_EQ(capped->patients.size(), 3u);
  EXPECT_EQ(capped->patients[0].kana_key, "ヤマダ100997");
  auto narrow = store_->SearchPatients({.kana_prefix = "ヤマダ10000"});
  ASSERT_TRUE(narrow.has_value());
  EXPECT_EQ(narrow->total, 10);
  EXPECT_FALSE(narrow->total_capped);
  auto by_date = store_->SearchPatients({.birth_date = "1975-07-08", .limit = 1});
  ASSERT_TRUE(by_date.has_value());
  EXPECT_TRUE(by_date->total_capped);
  ASSERT_EQ(by_date->patients.size(), 1u);
  EXPECT_EQ(by_date->patients[0].hersys_id, "3200000");
}

TEST_P(StoreContractTest, EventsAreDedupedGroupedAndNeverEdited) {
  auto writer = store_->BeginBatch(Batch("sha-events"));
  ASSERT_TRUE(writer.has_value());
  PatientRecord a = Patient("4000001", (*writer)->batch_id());
  PatientRecord b = Patient("4000002", (*writer)->batch_id());
  ASSERT_TRUE((*writer)->InsertPatient(a).has_value());
  ASSERT_TRUE((*writer)->InsertPatient(b).has_value());

  domain::Event admitted = MakeEvent(domain::EventType::kAdmitted, "2022-08-03", "みなと病院");
  admitted.onset_on = core::Date::ParseIso("2022-07-30");
  admitted.care_status = domain::CareStatus::kHospitalized;
  admitted.symptomatic = true;
  ASSERT_TRUE(*(*writer)->AddEvent(b.id, admitted, "admitted|2022-08-03|みなと病院"));
  EXPECT_GT(admitted.id, 0);
  domain::Event again = MakeEvent(domain::EventType::kAdmitted, "2022-08-03", "みなと病院");
  EXPECT_FALSE(*(*writer)->AddEvent(b.id, again, "admitted|2022-08-03|みなと病院"));
  EXPECT_EQ(again.id, 0);
  domain::Event discharged = MakeEvent(domain::EventType::kDischarged, "2022-08-09", "みなと病院");
  ASSERT_TRUE(*(*writer)->AddEvent(b.id, discharged, "discharged|2022-08-09|みなと病院"));
  domain::Event notified = MakeEvent(domain::EventType::kNotified, "2022-08-01");
  ASSERT_TRUE(*(*writer)->AddEvent(a.id, notified, "notified"));
  domain::Event fix = MakeEvent(domain::EventType::kCorrected, "2022-08-04", "みなと病院");
  fix.supersedes = admitted.id;
  ASSERT_TRUE(*(*writer)->AddEvent(b.id, fix, "corrected|1"));
  EXPECT_EQ((*writer)->EventsOf(b.id)->size(), 3u);
  ASSERT_TRUE((*writer)->Commit(Batch("sha-events")).has_value());

  auto events = store_->EventsOf(b.id);
  ASSERT_TRUE(events.has_value()) << events.error().ToString();
  ASSERT_EQ(events->size(), 3u);
  const domain::Event& first = (*events)[0];
  EXPECT_EQ(first.type, domain::EventType::kAdmitted);
  EXPECT_EQ(first.effective_on.ToIso(), "2022-08-03");
  EXPECT_EQ(first.facility, "みなと病院");
  EXPECT_EQ(first.onset_on->ToIso(), "2022-07-30");
  EXPECT_EQ(first.care_status, domain::CareStatus::kHospitalized);
  EXPECT_EQ(first.symptomatic, true);
  EXPECT_EQ(first.line, 3);
  EXPECT_GT(first.batch_id, 0);
  EXPECT_EQ((*events)[2].supersedes, admitted.id);

  std::vector<std::pair<int64_t, size_t>> groups;
  ASSERT_TRUE(store_->ForEachPatientEvents([&](int64_t patient, std::span<const domain::Event> es) {
    groups.emplace_back(patient, es.size());
    return core::Ok();
  }).has_value());
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0], std::make_pair(a.id, size_t{1}));
  EXPECT_EQ(groups[1], std::make_pair(b.id, size_t{3}));

  // Even with direct access to the file, an event cannot be edited in place.
  auto edited = RawExec("UPDATE events SET effective_on = effective_on + 1");
  ASSERT_FALSE(edited.has_value());
  EXPECT_NE(edited.error().context.find("never edited"), std::string::npos);
}

TEST_P(StoreContractTest, ParallelPassSeesEveryPatientOnceInSliceOrder) {
  auto writer = store_->BeginBatch(Batch("sha-parallel"));
  ASSERT_TRUE(writer.has_value());
  std::vector<int64_t> ids;
  for (int i = 0; i < 25; ++i) {
    PatientRecord p = Patient("50000" + std::to_string(10 + i), (*writer)->batch_id());
    ASSERT_TRUE((*writer)->InsertPatient(p).has_value());
    ids.push_back(p.id);
    for (int e = 0; e <= i % 3; ++e) {
      domain::Event event = MakeEvent(domain::EventType::kNotified, "2022-08-01");
      ASSERT_TRUE(*(*writer)->AddEvent(p.id, event, "n" + std::to_string(e)));
    }
  }
  ASSERT_TRUE((*writer)->Commit(Batch("sha-parallel")).has_value());
  EXPECT_EQ(*store_->MaxPatientId(), ids.back());

  const StoreOpener open = [this]() { return OpenStore(); };
  for (int slices : {1, 2, 3, 7}) {
    std::vector<std::vector<std::pair<int64_t, size_t>>> seen(static_cast<size_t>(slices));
    ASSERT_TRUE(ForEachPatientEventsParallel(
                    *store_, open, slices,
                    [&](int slice, int64_t patient, std::span<const domain::Event> events) {
                      seen[static_cast<size_t>(slice)].emplace_back(patient, events.size());
                      return core::Ok();
                    })
                    .has_value());
    std::vector<int64_t> order;
    for (const auto& part : seen) {
      for (const auto& [patient, count] : part) {
        order.push_back(patient);
        const auto index = static_cast<size_t>(patient - ids.front());
        EXPECT_EQ(count, index % 3 + 1) << "patient " << patient;
      }
    }
    EXPECT_EQ(order, ids) << slices << " slices";
  }

  // An error in one slice is the pass's error.
  auto failed = ForEachPatientEventsParallel(
      *store_, open, 2, [&](int, int64_t patient, std::span<const domain::Event>) -> core::Status {
        if (patient == ids.back()) {
          return core::Fail(core::Code::kInternal, "止めました", "stopped", "test");
        }
        return core::Ok();
      });
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().message_en, "stopped");
}

TEST_P(StoreContractTest, GetPatientsReadsManyInIdOrderSkippingMissing) {
  auto writer = store_->BeginBatch(Batch("sha-many"));
  ASSERT_TRUE(writer.has_value());
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    PatientRecord p = Patient("60000" + std::to_string(10 + i), (*writer)->batch_id());
    ASSERT_TRUE((*writer)->InsertPatient(p).has_value());
    ids.push_back(p.id);
  }
  ASSERT_TRUE((*writer)->Commit(Batch("sha-many")).has_value());
  const std::vector<int64_t> wanted = {ids[0], ids[2], ids[4] + 100};
  auto many = store_->GetPatients(wanted);
  ASSERT_TRUE(many.has_value()) << many.error().ToString();
  ASSERT_EQ(many->size(), 2u);  // ids[4] + 100 does not exist
  EXPECT_EQ((*many)[0].id, ids[0]);
  EXPECT_EQ((*many)[0].hersys_id, "6000010");
  EXPECT_EQ((*many)[1].id, ids[2]);
  EXPECT_EQ((*many)[1].hersys_id, "6000012");
  auto none = store_->GetPatients({});
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreContractTest, IdentityLookupByHersysIdReadsOnlyWhoThePatientIs) {
  auto writer = store_->BeginBatch(Batch("sha-identity"));
  ASSERT_TRUE(writer.has_value());
  PatientRecord p = Patient("7000001", (*writer)->batch_id());
  p.name_kana = "タカハシ イチロウ";
  p.kana_key = "タカハシイチロウ";
  p.address = "神奈川県横浜市中区日本大通1";
  ASSERT_TRUE((*writer)->InsertPatient(p).has_value());
  auto found = (*writer)->FindPatientIdentityByHersysId("7000001");
  ASSERT_TRUE(found.has_value()) << found.error().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, p.id);
  EXPECT_EQ((*found)->hersys_id, "7000001");
  EXPECT_EQ((*found)->name, "髙橋 一郎");
  EXPECT_EQ((*found)->name_folded, "高橋一郎");
  EXPECT_EQ((*found)->name_kana, "タカハシ イチロウ");
  EXPECT_EQ((*found)->kana_key, "タカハシイチロウ");
  EXPECT_EQ((*found)->birth_date, "1980-01-02");
  // SQLite reads only these columns (the peak day's hot path); a store may
  // fill more (PostgreSQL's default reads the whole record).
  if (GetParam() == StoreKind::kSqlite) {
    EXPECT_EQ((*found)->address, "");
  }
  auto missing = (*writer)->FindPatientIdentityByHersysId("7000002");
  ASSERT_TRUE(missing.has_value());
  EXPECT_FALSE(missing->has_value());
}


// Two servers (two stores) importing at once: writers take turns, each
// batch is whole, nothing is lost, and a reader is never blocked.
TEST_P(StoreContractTest, ConcurrentBatchesFromTwoStoresAreSerializedAndKept) {
  auto second = OpenStore();
  ASSERT_TRUE(second.has_value()) << second.error().ToString();
  auto first_writer = store_->BeginBatch(Batch("sha-concurrent-a"));
  ASSERT_TRUE(first_writer.has_value()) << first_writer.error().ToString();
  PatientRecord a = Patient("6000001", (*first_writer)->batch_id());
  ASSERT_TRUE((*first_writer)->InsertPatient(a).has_value());

  std::atomic<bool> second_began{false};
  core::Status second_result = core::Ok();
  std::thread other([&] {
    auto writer = (*second)->BeginBatch(Batch("sha-concurrent-b"));
    second_began = true;
    if (!writer) {
      second_result = std::unexpected(writer.error());
      return;
    }
    for (int i = 0; i < 20; ++i) {
      PatientRecord p = Patient("61000" + std::to_string(10 + i), (*writer)->batch_id());
      auto inserted = (*writer)->InsertPatient(p);
      if (!inserted) {
        second_result = std::unexpected(inserted.error());
        return;
      }
    }
    second_result = (*writer)->Commit(Batch("sha-concurrent-b"));
  });
  // The second writer waits for the first; a reader on a third store does not.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(second_began.load());
  auto reader = OpenStore();
  ASSERT_TRUE(reader.has_value());
  EXPECT_EQ(*(*reader)->CountPatients(), 0);
  ASSERT_TRUE((*first_writer)->Commit(Batch("sha-concurrent-a")).has_value());
  other.join();
  ASSERT_TRUE(second_result.has_value()) << second_result.error().ToString();
  EXPECT_EQ(*(*reader)->CountPatients(), 21);
  auto batches = (*reader)->ListBatches();
  ASSERT_EQ(batches->size(), 2u);
  EXPECT_EQ((*batches)[0].sha256, "sha-concurrent-a");
  EXPECT_EQ((*batches)[1].sha256, "sha-concurrent-b");
}

// The same file sent to two servers at once is stored once.
TEST_P(StoreContractTest, TheSameFileFromTwoStoresAtOnceIsStoredOnce) {
  auto second = OpenStore();
  ASSERT_TRUE(second.has_value());
  auto first_writer = store_->BeginBatch(Batch("sha-twice"));
  ASSERT_TRUE(first_writer.has_value());
  core::Code second_code = core::Code::kOk;
  std::thread other([&] {
    auto writer = (*second)->BeginBatch(Batch("sha-twice"));
    second_code = writer ? core::Code::kOk : writer.error().code;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_TRUE((*first_writer)->Commit(Batch("sha-twice")).has_value());
  other.join();
  EXPECT_EQ(second_code, core::Code::kAlreadyExists);
  EXPECT_EQ(store_->ListBatches()->size(), 1u);
}

// Servers starting together on a new database apply each migration once.
TEST_P(StoreContractTest, StoresOpeningTogetherMigrateOnce) {
  store_.reset();
  if (GetParam() == StoreKind::kPostgres) {
    auto fresh = FreshPgDatabase(server_.conninfo, "migrate_together");
    ASSERT_TRUE(fresh.has_value()) << fresh.error().ToString();
    DropPgDatabase(server_.conninfo, location_);
    location_ = *fresh;
  } else {
    std::filesystem::remove(location_);
  }
  std::vector<std::thread> threads;
  std::vector<core::Status> results(4, core::Ok());
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      auto opened = OpenStore();
      results[i] = opened ? core::Ok() : core::Status(std::unexpected(opened.error()));
    });
  }
  for (std::thread& t : threads) t.join();
  for (const core::Status& result : results) {
    EXPECT_TRUE(result.has_value()) << result.error().ToString();
  }
  auto opened = OpenStore();
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(*(*opened)->SchemaVersion(), LatestMigration());
  // Applying a migration twice would have failed on CREATE TABLE; the record
  // holds one row per version.
  auto twice = RawExec("CREATE TABLE only_once AS SELECT version FROM schema_migrations "
                       "GROUP BY version HAVING COUNT(*) > 1");
  ASSERT_TRUE(twice.has_value()) << twice.error().ToString();
  store_ = std::move(*opened);
}

// A damaged input line (NUL, bytes that are not UTF-8) is kept as the raw
// text of its rejected row instead of failing the batch.
TEST_P(StoreContractTest, DamagedRawTextIsStoredNotFatal) {
  auto writer = store_->BeginBatch(Batch("sha-damaged"));
  ASSERT_TRUE(writer.has_value());
  const std::string damaged = std::string("abc\t\\x") + '\0' + "\xff\xfe" + "\n末尾";
  RowRecord bad{.line = 2, .outcome = Outcome::kRejected, .reason_code = "encoding",
                .reason_ja = "文字コード", .reason_en = "encoding", .raw_text = damaged};
  ASSERT_TRUE((*writer)->AddRow(bad).has_value());
  ASSERT_TRUE((*writer)->Commit(Batch("sha-damaged")).has_value());
  std::vector<std::string> texts;
  auto batch = store_->FindBatchBySha256("sha-damaged");
  ASSERT_TRUE(batch.has_value() && batch->has_value());
  ASSERT_TRUE(store_->ForEachRow((*batch)->id, std::nullopt, [&](const RowRecord& row) {
    texts.push_back(row.raw_text);
    return core::Ok();
  }).has_value());
  ASSERT_EQ(texts.size(), 1u);
  EXPECT_TRUE(texts[0].starts_with("abc\t\\x")) << texts[0];
  EXPECT_TRUE(texts[0].ends_with("\n末尾")) << texts[0];
}

// Many rows go through more than one COPY chunk and come back in line order.
TEST_P(StoreContractTest, ManyRowsComeBackInLineOrder) {
  auto writer = store_->BeginBatch(Batch("sha-many"));
  ASSERT_TRUE(writer.has_value());
  constexpr int kRows = 45000;
  for (int line = kRows + 1; line >= 2; --line) {
    RowRecord row{.line = line, .outcome = line % 7 == 0 ? Outcome::kRejected : Outcome::kAccepted,
                  .raw_text = "行" + std::to_string(line)};
    ASSERT_TRUE((*writer)->AddRow(row).has_value());
  }
  ASSERT_TRUE((*writer)->Commit(Batch("sha-many")).has_value());
  const int64_t batch_id = (*store_->FindBatchBySha256("sha-many"))->id;
  int64_t expected = 2;
  int64_t seen = 0;
  ASSERT_TRUE(store_->ForEachRow(batch_id, std::nullopt, [&](const RowRecord& row) {
    EXPECT_EQ(row.line, expected++);
    ++seen;
    return core::Ok();
  }).has_value());
  EXPECT_EQ(seen, kRows);
  int64_t rejected = 0;
  ASSERT_TRUE(store_->ForEachRow(batch_id, Outcome::kRejected, [&](const RowRecord& row) {
    EXPECT_EQ(row.raw_text, "行" + std::to_string(row.line));
    ++rejected;
    return core::Ok();
  }).has_value());
  EXPECT_EQ(rejected, (kRows + 1) / 7);
}


// What a batch wrote is visible on the same store before it commits — to the
// batch and to the store's own reads — and is gone if it never commits.
TEST_P(StoreContractTest, AnOpenBatchSeesItsOwnWrites) {
  {
    auto first = store_->BeginBatch(Batch("sha-seen-1"));
    ASSERT_TRUE(first.has_value());
    PatientRecord stored = Patient("7000001", (*first)->batch_id());
    ASSERT_TRUE((*first)->InsertPatient(stored).has_value());
    domain::Event notified = MakeEvent(domain::EventType::kNotified, "2022-08-01");
    ASSERT_TRUE(*(*first)->AddEvent(stored.id, notified, "notified"));
    ASSERT_TRUE((*first)->Commit(Batch("sha-seen-1")).has_value());
  }
  // A batch of a few megabytes: large enough for a store to prepare for many
  // lookups of keys it does not hold (PostgreSQL reads the stored keys once).
  BatchInfo large = Batch("sha-seen-2");
  large.bytes = 4 << 20;
  auto writer = store_->BeginBatch(large);
  ASSERT_TRUE(writer.has_value());
  auto absent = (*writer)->FindPatientByHersysId("7000002");
  ASSERT_TRUE(absent.has_value());
  EXPECT_FALSE(absent->has_value());
  PatientRecord fresh = Patient("7000002", (*writer)->batch_id());
  fresh.phone_key = "0451234567";
  ASSERT_TRUE((*writer)->InsertPatient(fresh).has_value());
  auto found = (*writer)->FindPatientByHersysId("7000002");
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->id, fresh.id);
  fresh.address = "横浜市中区";
  ASSERT_TRUE((*writer)->UpdatePatient(fresh).has_value());
  EXPECT_EQ((*(*writer)->FindPatientByHersysId("7000002"))->address, "横浜市中区");
  // A second patient with a taken HER-SYS ID is refused at once.
  PatientRecord twin = Patient("7000002", (*writer)->batch_id());
  auto refused = (*writer)->InsertPatient(twin);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, core::Code::kAlreadyExists);
  PatientRecord stored_twin = Patient("7000001", (*writer)->batch_id());
  EXPECT_EQ((*writer)->InsertPatient(stored_twin).error().code, core::Code::kAlreadyExists);
  // Events: dedupe against stored events (of an earlier batch's patient) too.
  const int64_t stored_id = (*(*writer)->FindPatientByHersysId("7000001"))->id;
  domain::Event again = MakeEvent(domain::EventType::kNotified, "2022-08-01");
  EXPECT_FALSE(*(*writer)->AddEvent(stored_id, again, "notified"));
  domain::Event recovered = MakeEvent(domain::EventType::kReleased, "2022-08-09");
  ASSERT_TRUE(*(*writer)->AddEvent(stored_id, recovered, "recovered"));
  domain::Event fresh_event = MakeEvent(domain::EventType::kNotified, "2022-08-02");
  ASSERT_TRUE(*(*writer)->AddEvent(fresh.id, fresh_event, "notified"));
  EXPECT_EQ((*writer)->EventsOf(fresh.id)->size(), 1u);
  EXPECT_EQ((*writer)->EventsOf(stored_id)->size(), 2u);
  // Candidate search and the store's own reads see the unsaved patient.
  auto candidates = (*writer)->FindCandidates({.phone_key = "0451234567"});
  ASSERT_TRUE(candidates.has_value()) << candidates.error().ToString();
  ASSERT_EQ(candidates->patients.size(), 1u);
  EXPECT_EQ(candidates->patients[0].id, fresh.id);
  auto after_search = (*writer)->FindPatientByHersysId("7000002");
  ASSERT_TRUE(after_search.has_value() && after_search->has_value());
  EXPECT_EQ((*after_search)->address, "横浜市中区");
  EXPECT_EQ((*writer)->InsertPatient(twin).error().code, core::Code::kAlreadyExists);
  EXPECT_EQ(*store_->CountPatients(), 2);
  EXPECT_EQ(store_->EventsOf(fresh.id)->size(), 1u);
  auto both = store_->GetPatients(std::vector<int64_t>{stored_id, fresh.id});
  ASSERT_TRUE(both.has_value()) << both.error().ToString();
  ASSERT_EQ(both->size(), 2u);
  EXPECT_EQ((*both)[1].address, "横浜市中区");
  writer->reset();  // never committed
  EXPECT_EQ(*store_->CountPatients(), 1);
  EXPECT_EQ(store_->EventsOf(stored_id)->size(), 1u);
  EXPECT_FALSE(store_->FindPatientByHersysId("7000002")->has_value());
}


// GetPatient, SearchPatients and EventsOf keep their prepared statements,
// reset after every use: between calls a store holds no read snapshot, so
// it sees what another connection committed since, and it does not hold a
// WAL checkpoint back.
TEST_P(StoreContractTest, KeptStatementsHoldNoSnapshotBetweenCalls) {
  auto writer = store_->BeginBatch(Batch("sha-kept"));
  ASSERT_TRUE(writer.has_value());
  PatientRecord one = Patient("4000001", (*writer)->batch_id());
  PatientRecord two = Patient("4000002", (*writer)->batch_id());
  auto first = (*writer)->InsertPatient(one);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  ASSERT_TRUE((*writer)->InsertPatient(two).has_value());
  ASSERT_TRUE((*writer)->Commit(Batch("sha-kept")).has_value());
  const int64_t id = *first;

  for (int round = 0; round < 2; ++round) {  // the second round runs the kept statements
    auto patient = store_->GetPatient(id);
    ASSERT_TRUE(patient.has_value() && patient->has_value());
    EXPECT_EQ((*patient)->hersys_id, "4000001");
    auto found = store_->SearchPatients({.name_prefix = "高橋", .limit = 1});
    ASSERT_TRUE(found.has_value()) << found.error().ToString();
    EXPECT_EQ(found->total, 2);
    ASSERT_EQ(found->patients.size(), 1u);
    ASSERT_TRUE(store_->EventsOf(id).has_value());
  }
  auto missing = store_->GetPatient(id + 100);
  ASSERT_TRUE(missing.has_value());
  EXPECT_FALSE(missing->has_value());

  ASSERT_TRUE(RawExec("UPDATE patients SET name = '高橋 二郎' WHERE id = " + std::to_string(id))
                  .has_value());
  auto changed = store_->GetPatient(id);
  ASSERT_TRUE(changed.has_value() && changed->has_value());
  EXPECT_EQ((*changed)->name, "高橋 二郎");
  auto searched = store_->SearchPatients({.hersys_id = "4000001"});
  ASSERT_TRUE(searched.has_value());
  ASSERT_EQ(searched->patients.size(), 1u);
  EXPECT_EQ(searched->patients[0].name, "高橋 二郎");
  if (GetParam() != StoreKind::kSqlite) return;
  // No reader is left in the WAL: a truncating checkpoint is not blocked.
  auto other = SqliteDb::Open(location_);
  ASSERT_TRUE(other.has_value()) << other.error().ToString();
  auto checkpoint = (*other)->Prepare("PRAGMA wal_checkpoint(TRUNCATE)");
  ASSERT_TRUE(checkpoint.has_value());
  auto row = checkpoint->Step();
  ASSERT_TRUE(row.has_value() && *row);
  EXPECT_EQ(checkpoint->Int(0), 0) << "checkpoint busy: a kept statement holds a snapshot";
}


// Candidate blocks follow identity/blocking.h: a birth-date block keeps only
// those who also share a reading, the phone or the municipality; a big name
// block only those who also share the birth year, municipality or phone.
TEST_P(StoreContractTest, CandidateBlocksAreNarrowedByTheBlockingRules) {
  auto writer = store_->BeginBatch(Batch("sha-candidates"));
  ASSERT_TRUE(writer.has_value());
  const struct {
    const char* id;
    const char* folded;
    const char* kana;
    const char* birth;
    const char* code;
    const char* phone;
  } people[] = {
      {"4000001", "高橋一郎", "タカハシイチロウ", "1980-01-02", "141046", "09011112222"},
      {"4000002", "鈴木花子", "スズキハナコ", "1980-01-02", "131016", ""},   // birth date only
      {"4000003", "田中一郎", "タナカイチロウ", "1980-01-02", "131016", ""},  // given reading
      {"4000004", "高橋次郎", "タカハシジロウ", "1980-01-02", "131016", ""},  // family reading
      {"4000005", "山本勇", "ヤマモトイサム", "1980-01-02", "131016", "09011112222"},  // phone
  };
  std::map<std::string, int64_t> ids;
  for (const auto& person : people) {
    PatientRecord p = Patient(person.id, (*writer)->batch_id());
    p.name_folded = person.folded;
    p.kana_key = person.kana;
    p.birth_date = person.birth;
    p.municipality_code = person.code;
    p.phone_key = person.phone;
    ASSERT_TRUE((*writer)->InsertPatient(p).has_value());
    ids[person.id] = p.id;
  }
  // 60 namesakes, one of them born in 1970.
  for (int i = 0; i < 60; ++i) {
    PatientRecord p = Patient(std::to_string(5000000 + i), (*writer)->batch_id());
    p.name_folded = "佐藤清";
    p.kana_key = "サトウキヨシ";
    p.birth_date = i == 7 ? "1970-05-05" : "1950-01-" + std::to_string(10 + i % 18);
    p.municipality_code = "222222";
    ASSERT_TRUE((*writer)->InsertPatient(p).has_value());
    if (i == 7) ids["1970"] = p.id;
  }
  auto id_set = [](const CandidateSet& set) {
    std::set<int64_t> out;
    for (const PatientRecord& p : set.patients) out.insert(p.id);
    return out;
  };
  CandidateQuery birth{.birth_date = "1980-01-02",
                       .phone_key = "09011112222",
                       .kana_family = "タカハシ",
                       .kana_given = "イチロウ",
                       .municipality_code = "141046"};
  const std::set<int64_t> birth_block = {ids["4000001"], ids["4000003"], ids["4000004"],
                                         ids["4000005"]};
  // The batch's own search applies the same rules to what it has written.
  auto in_batch = (*writer)->FindCandidates(birth);
  ASSERT_TRUE(in_batch.has_value()) << in_batch.error().ToString();
  EXPECT_EQ(id_set(*in_batch), birth_block);
  CandidateQuery namesake{.birth_date = "1970-06-06", .name_folded = "佐藤清"};
  EXPECT_EQ(id_set(*(*writer)->FindCandidates(namesake)), (std::set<int64_t>{ids["1970"]}));
  ASSERT_TRUE((*writer)->Commit(Batch("sha-candidates")).has_value());

  auto found = store_->FindCandidates(birth);
  ASSERT_TRUE(found.has_value()) << found.error().ToString();
  EXPECT_EQ(id_set(*found), birth_block);
  EXPECT_EQ(found->phone_block_size, 2);
  // Only the candidate columns are read, not the raw record.
  EXPECT_FALSE(found->patients.front().name_folded.empty());
  EXPECT_TRUE(found->patients.front().raw_json.empty());

  CandidateQuery name{.birth_date = "1970-06-06", .name_folded = "佐藤清"};
  EXPECT_EQ(id_set(*store_->FindCandidates(name)), (std::set<int64_t>{ids["1970"]}));
  // The kana block is narrowed the same way; the municipality narrows too.
  CandidateQuery kana{.birth_date = "1970-06-06", .kana_key = "サトウキヨシ"};
  EXPECT_EQ(id_set(*store_->FindCandidates(kana)), (std::set<int64_t>{ids["1970"]}));
  kana.municipality_code = "222222";
  EXPECT_EQ(store_->FindCandidates(kana)->patients.size(), 60u);
  kana.municipality_code = "999999";
  kana.birth_date = "";  // no second key at all: nobody in a big block
  EXPECT_TRUE(store_->FindCandidates(kana)->patients.empty());
  name.small_block = 100;  // small enough to read whole
  EXPECT_EQ(store_->FindCandidates(name)->patients.size(), 60u);
  name.max_block = 10;  // too big to be useful: skipped and counted
  auto skipped = store_->FindCandidates(name);
  EXPECT_TRUE(skipped->patients.empty());
  EXPECT_EQ(skipped->oversized_blocks, 1);
}


// An operator's merge, and its undo, as the store keeps them (the service's
// side is tests/merge_test.cc): decisions are recorded whole or not at all,
// read back with who and why, never edited, undone at most once; while a
// merge stands the merged-away patient is in no search and no candidate
// block, yet still readable by id.
TEST_P(StoreContractTest, NamePrefixCountsAreTheTermFrequencies) {
  auto writer = store_->BeginBatch(Batch("sha-names"));
  ASSERT_TRUE(writer.has_value());
  const std::pair<const char*, const char*> people[] = {
      {"9000001", "佐藤太郎"}, {"9000002", "佐藤花子"}, {"9000003", "佐藤"},
      {"9000004", "佐野一郎"}, {"9000005", "高橋一郎"}, {"9000006", "髙橋次郎"}};
  for (const auto& [id, folded] : people) {
    PatientRecord p = Patient(id, (*writer)->batch_id());
    p.name_folded = folded;
    ASSERT_TRUE((*writer)->InsertPatient(p).has_value());
  }
  ASSERT_TRUE((*writer)->Commit(Batch("sha-names")).has_value());
  const std::pair<std::string, int64_t> expected[] = {
      {"", 6}, {"佐藤", 3}, {"佐", 4}, {"高橋", 1}, {"髙橋", 1}, {"鈴木", 0}, {"佐藤太郎", 1}};
  for (const auto& [prefix, count] : expected) {
    auto counted = store_->CountNamePrefix(prefix);
    ASSERT_TRUE(counted.has_value()) << counted.error().ToString();
    EXPECT_EQ(*counted, count) << prefix;
  }
  // A writer counts what is stored.
  auto open = store_->BeginBatch(Batch("sha-names-2"));
  ASSERT_TRUE(open.has_value());
  auto inside = (*open)->CountNamePrefix("佐藤");
  ASSERT_TRUE(inside.has_value()) << inside.error().ToString();
  EXPECT_EQ(*inside, 3);
}

TEST_P(StoreContractTest, MergeDecisionsAreKeptAndHideTheMergedAwayPatient) {
  auto writer = store_->BeginBatch(Batch("sha-merge"));
  ASSERT_TRUE(writer.has_value());
  PatientRecord survivor = Patient("8000001", (*writer)->batch_id());
  PatientRecord merged = Patient("8000002", (*writer)->batch_id());
  PatientRecord other = Patient("8000003", (*writer)->batch_id());
  for (PatientRecord* p : {&survivor, &merged, &other}) {
    p->kana_key = "タカハシイチロウ";
    p->phone_key = "09033334444";
    p->municipality_code = "141046";
    ASSERT_TRUE((*writer)->InsertPatient(*p).has_value());
  }
  other.name_folded = "鈴木花子";
  other.kana_key = "スズキハナコ";
  other.birth_date = "1990-03-03";
  other.phone_key = "";
  ASSERT_TRUE((*writer)->UpdatePatient(other).has_value());
  domain::Event notified = MakeEvent(domain::EventType::kNotified, "2022-08-01");
  ASSERT_TRUE(*(*writer)->AddEvent(merged.id, notified, "notified"));
  // A merge belongs in a decision, not in an import.
  MergeDecision in_import{.action = "merge", .survivor_id = survivor.id,
                          .merged_id = merged.id, .decided_by = "担当A", .reason = "x"};
  auto refused = (*writer)->RecordMerge(in_import);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, core::Code::kFailedPrecondition);
  const int64_t batch = (*writer)->batch_id();
  ASSERT_TRUE((*writer)->Commit(Batch("sha-merge")).has_value());

  const PatientQuery by_merged_id{.hersys_id = "8000002"};
  const PatientQuery by_name{.name_prefix = "高橋"};
  const CandidateQuery everything{.birth_date = "1980-01-02",
                                  .name_folded = "高橋一郎",
                                  .kana_key = "タカハシイチロウ",
                                  .phone_key = "09033334444",
                                  .kana_family = "タカハシ",
                                  .municipality_code = "141046"};
  auto candidate_ids = [&](Store& store) {
    std::vector<int64_t> ids;
    auto found = store.FindCandidates(everything);
    EXPECT_TRUE(found.has_value()) << found.error().ToString();
    if (found) {
      for (const PatientRecord& p : found->patients) ids.push_back(p.id);
    }
    return ids;
  };
  ASSERT_EQ(store_->SearchPatients(by_merged_id)->total, 1);
  ASSERT_EQ(store_->SearchPatients(by_name)->total, 2);
  ASSERT_EQ(candidate_ids(*store_), (std::vector<int64_t>{survivor.id, merged.id}));
  EXPECT_TRUE(store_->MergeDecisionsOf(survivor.id)->empty());

  // A decision that never commits leaves no trace.
  {
    auto abandoned = store_->BeginDecision(batch);
    ASSERT_TRUE(abandoned.has_value()) << abandoned.error().ToString();
    ASSERT_TRUE((*abandoned)->RecordMerge(in_import).has_value());
  }
  EXPECT_TRUE(store_->MergeDecisionsOf(merged.id)->empty());
  EXPECT_EQ(store_->SearchPatients(by_merged_id)->total, 1);

  // The merge: a copy on the survivor, a cancellation on the merged-away.
  auto decision = store_->BeginDecision(batch);
  ASSERT_TRUE(decision.has_value()) << decision.error().ToString();
  domain::Event copy = MakeEvent(domain::EventType::kNotified, "2022-08-01");
  ASSERT_TRUE(*(*decision)->AddEvent(survivor.id, copy, "merge|1"));
  domain::Event cancel = MakeEvent(domain::EventType::kCorrected, "2022-08-10");
  cancel.supersedes = notified.id;
  cancel.cancels = true;
  ASSERT_TRUE(*(*decision)->AddEvent(merged.id, cancel, "merge|1"));
  MergeDecision merge{.action = "merge",
                      .survivor_id = survivor.id,
                      .merged_id = merged.id,
                      .decided_by = "担当A",
                      .reason = "同一人物（重複届出）",
                      .survivor_event_ids = {copy.id},
                      .merged_event_ids = {cancel.id}};
  auto merge_id = (*decision)->RecordMerge(merge);
  ASSERT_TRUE(merge_id.has_value()) << merge_id.error().ToString();
  EXPECT_GT(*merge_id, 0);
  ASSERT_TRUE((*decision)->Commit({}).has_value());
  decision->reset();

  auto kept = store_->GetMergeDecision(*merge_id);
  ASSERT_TRUE(kept.has_value()) << kept.error().ToString();
  EXPECT_EQ(kept->id, *merge_id);
  EXPECT_EQ(kept->action, "merge");
  EXPECT_EQ(kept->survivor_id, survivor.id);
  EXPECT_EQ(kept->merged_id, merged.id);
  EXPECT_EQ(kept->undoes, 0);
  EXPECT_EQ(kept->decided_by, "担当A");
  EXPECT_EQ(kept->reason, "同一人物（重複届出）");
  EXPECT_EQ(kept->decided_at.size(), 20u) << kept->decided_at;  // 2022-08-01T00:00:00Z
  EXPECT_EQ(kept->survivor_event_ids, std::vector<int64_t>{copy.id});
  EXPECT_EQ(kept->merged_event_ids, std::vector<int64_t>{cancel.id});
  EXPECT_FALSE(kept->undone);
  for (int64_t id : {survivor.id, merged.id}) {
    auto of = store_->MergeDecisionsOf(id);
    ASSERT_TRUE(of.has_value()) << of.error().ToString();
    ASSERT_EQ(of->size(), 1u);
    EXPECT_EQ((*of)[0].id, *merge_id);
  }
  EXPECT_TRUE(store_->MergeDecisionsOf(other.id)->empty());
  EXPECT_EQ(store_->GetMergeDecision(*merge_id + 100).error().code, core::Code::kNotFound);

  // Searches and candidate blocks show the survivor only; reads by id still work.
  EXPECT_EQ(store_->SearchPatients(by_merged_id)->total, 0);
  auto named = store_->SearchPatients(by_name);
  ASSERT_TRUE(named.has_value());
  EXPECT_EQ(named->total, 1);
  ASSERT_EQ(named->patients.size(), 1u);
  EXPECT_EQ(named->patients[0].id, survivor.id);
  EXPECT_EQ(candidate_ids(*store_), std::vector<int64_t>{survivor.id});
  ASSERT_TRUE(store_->GetPatient(merged.id)->has_value());
  EXPECT_EQ(store_->GetPatients(std::vector<int64_t>{survivor.id, merged.id})->size(), 2u);
  EXPECT_EQ(store_->EventsOf(merged.id)->size(), 2u);
  {
    // The same inside a writer (an import's identity search).
    auto open = store_->BeginDecision(batch);
    ASSERT_TRUE(open.has_value());
    auto inside = (*open)->FindCandidates(everything);
    ASSERT_TRUE(inside.has_value()) << inside.error().ToString();
    ASSERT_EQ(inside->patients.size(), 1u);
    EXPECT_EQ(inside->patients[0].id, survivor.id);
    // An update naming the merged-away patient is led to the survivor.
    auto led = (*open)->SurvivorOf(merged.id);
    ASSERT_TRUE(led.has_value()) << led.error().ToString();
    ASSERT_TRUE(led->has_value());
    EXPECT_EQ((*led)->id, survivor.id);
    EXPECT_EQ((*led)->hersys_id, "8000001");
    EXPECT_FALSE((*(*open)->SurvivorOf(survivor.id)).has_value());
    EXPECT_FALSE((*(*open)->SurvivorOf(other.id)).has_value());
  }

  // Decisions are never edited, even past the store.
  auto edited = RawExec("UPDATE patient_merges SET reason = 'x'");
  ASSERT_FALSE(edited.has_value());
  EXPECT_NE(edited.error().context.find("never edited"), std::string::npos);

  // The unmerge is a decision of its own, naming the merge.
  MergeDecision unmerge{.action = "unmerge",
                        .survivor_id = survivor.id,
                        .merged_id = merged.id,
                        .undoes = *merge_id,
                        .decided_by = "担当B",
                        .reason = "別人と判明"};
  auto undo = store_->BeginDecision(batch);
  ASSERT_TRUE(undo.has_value());
  auto unmerge_id = (*undo)->RecordMerge(unmerge);
  ASSERT_TRUE(unmerge_id.has_value()) << unmerge_id.error().ToString();
  ASSERT_TRUE((*undo)->Commit({}).has_value());
  undo->reset();
  EXPECT_TRUE(store_->GetMergeDecision(*merge_id)->undone);
  {
    // Unmerged, the ID leads to its own patient again.
    auto open = store_->BeginDecision(batch);
    ASSERT_TRUE(open.has_value());
    auto led = (*open)->SurvivorOf(merged.id);
    ASSERT_TRUE(led.has_value()) << led.error().ToString();
    EXPECT_FALSE(led->has_value());
  }
  auto undone = store_->GetMergeDecision(*unmerge_id);
  ASSERT_TRUE(undone.has_value());
  EXPECT_EQ(undone->action, "unmerge");
  EXPECT_EQ(undone->undoes, *merge_id);
  EXPECT_EQ(undone->decided_by, "担当B");
  EXPECT_FALSE(undone->undone);
  auto both = store_->MergeDecisionsOf(merged.id);
  ASSERT_EQ(both->size(), 2u);
  EXPECT_EQ((*both)[0].id, *merge_id);
  EXPECT_EQ((*both)[1].id, *unmerge_id);
  EXPECT_EQ(store_->SearchPatients(by_merged_id)->total, 1);
  EXPECT_EQ(store_->SearchPatients(by_name)->total, 2);
  EXPECT_EQ(candidate_ids(*store_), (std::vector<int64_t>{survivor.id, merged.id}));

  // A merge is undone once only; the refused decision stores nothing.
  {
    auto again = store_->BeginDecision(batch);
    ASSERT_TRUE(again.has_value());
    auto twice = (*again)->RecordMerge(unmerge);
    ASSERT_FALSE(twice.has_value());
    EXPECT_EQ(twice.error().code, core::Code::kFailedPrecondition);
  }
  EXPECT_EQ(store_->MergeDecisionsOf(merged.id)->size(), 2u);

  // Merged again: hidden again.
  auto redo = store_->BeginDecision(batch);
  ASSERT_TRUE(redo.has_value());
  auto remerge_id = (*redo)->RecordMerge(merge);
  ASSERT_TRUE(remerge_id.has_value()) << remerge_id.error().ToString();
  ASSERT_TRUE((*redo)->Commit({}).has_value());
  redo->reset();
  EXPECT_EQ(store_->SearchPatients(by_merged_id)->total, 0);
  EXPECT_EQ(candidate_ids(*store_), std::vector<int64_t>{survivor.id});
  EXPECT_EQ(store_->MergeDecisionsOf(survivor.id)->size(), 3u);
}

}  // namespace
}  // namespace ichigen::store
