// The storage contract, run against SQLite (PostgreSQL joins later through
// the same fixture).
#include "store/sqlite_store.h"

#include "store/parallel_events.h"
#include "store/sqlite_handle.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace ichigen::store {
namespace {

class StoreContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("ichigen_store_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
    std::filesystem::remove(path_);
    auto opened = SqliteStore::Open(path_.string());
    ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(path_.string() + suffix);
    }
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

  std::filesystem::path path_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreContractTest, SchemaVersionIsTheLatestMigration) {
  EXPECT_EQ(*store_->SchemaVersion(), SqliteMigrations().back().version);
  // Re-opening does not re-apply anything.
  store_.reset();
  auto again = SqliteStore::Open(path_.string());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*(*again)->SchemaVersion(), SqliteMigrations().back().version);
}

TEST_F(StoreContractTest, CommittedBatchKeepsPatientsRowsAndCounts) {
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

TEST_F(StoreContractTest, UncommittedBatchLeavesNothing) {
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

TEST_F(StoreContractTest, SameFileHashIsRefused) {
  auto first = store_->BeginBatch(Batch("sha-3"));
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE((*first)->Commit(Batch("sha-3")).has_value());
  first->reset();
  auto second = store_->BeginBatch(Batch("sha-3"));
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, core::Code::kAlreadyExists);
}

TEST_F(StoreContractTest, DuplicateHersysIdIsAConstraintError) {
  auto writer = store_->BeginBatch(Batch("sha-4"));
  ASSERT_TRUE(writer.has_value());
  PatientRecord a = Patient("1111111", (*writer)->batch_id());
  PatientRecord b = Patient("1111111", (*writer)->batch_id());
  ASSERT_TRUE((*writer)->InsertPatient(a).has_value());
  auto second = (*writer)->InsertPatient(b);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, core::Code::kAlreadyExists);
}

TEST_F(StoreContractTest, UpdateAndReviewItems) {
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

TEST_F(StoreContractTest, ANonDatabaseFileIsRefusedClearly) {
  const auto junk = path_.string() + ".junk";
  {
    std::FILE* f = std::fopen(junk.c_str(), "wb");
    std::fputs("this is not a database, just some text that is long enough to matter..........", f);
    std::fclose(f);
  }
  auto opened = SqliteStore::Open(junk);
  ASSERT_FALSE(opened.has_value());
  EXPECT_EQ(opened.error().code, core::Code::kDataLoss);
  std::filesystem::remove(junk);
}

}  // namespace
}  // namespace ichigen::store

namespace ichigen::store {
namespace {

TEST_F(StoreContractTest, SearchByPrefixesAndFilters) {
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
  auto paged = store_->SearchPatients({.kana_prefix = "タカ", .limit = 1, .offset = 1});
  EXPECT_EQ(paged->total, 3);
  ASSERT_EQ(paged->patients.size(), 1u);
  EXPECT_EQ(paged->patients[0].hersys_id, "3000002");
  // SQL in a search string is data, not SQL.
  auto hostile = store_->SearchPatients({.name_prefix = "佐藤' OR 1=1 --"});
  EXPECT_EQ(hostile->total, 1);
  auto none = store_->SearchPatients({.name_prefix = "' OR '1'='1"});
  EXPECT_EQ(none->total, 0);
}

}  // namespace
}  // namespace ichigen::store

namespace ichigen::store {
namespace {

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

TEST_F(StoreContractTest, EventsAreDedupedGroupedAndNeverEdited) {
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
  auto raw = SqliteDb::Open(path_.string());
  ASSERT_TRUE(raw.has_value());
  auto edited = (*raw)->Exec("UPDATE events SET effective_on = effective_on + 1");
  ASSERT_FALSE(edited.has_value());
  EXPECT_NE(edited.error().context.find("never edited"), std::string::npos);
}

TEST_F(StoreContractTest, ParallelPassSeesEveryPatientOnceInSliceOrder) {
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

  const StoreOpener open = [this]() -> core::Result<std::unique_ptr<Store>> {
    ASSIGN_OR_RETURN(auto opened, SqliteStore::Open(path_.string()));
    return std::unique_ptr<Store>(std::move(opened));
  };
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

TEST_F(StoreContractTest, GetPatientsReadsManyInIdOrderSkippingMissing) {
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

TEST_F(StoreContractTest, IdentityLookupByHersysIdReadsOnlyWhoThePatientIs) {
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
  EXPECT_EQ((*found)->address, "");  // not read
  auto missing = (*writer)->FindPatientIdentityByHersysId("7000002");
  ASSERT_TRUE(missing.has_value());
  EXPECT_FALSE(missing->has_value());
}

}  // namespace
}  // namespace ichigen::store
