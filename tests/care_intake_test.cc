// Care history through intake: update sheets (events and stays, implied by
// their headers), press attributes and the real Tokyo open-data files, into
// a real store, and the state derived from what was stored.
#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <map>

#include "domain/care_status.h"
#include "intake/importer.h"
#include "intake/review_service.h"
#include "store/sqlite_store.h"

namespace ichigen {
namespace {

std::string Fixture(const std::string& name) {
  return std::string(ICHIGEN_TEST_DATA_DIR) + "/intake/" + name;
}
std::string RefFile(const std::string& name) {
  return std::string(ICHIGEN_SOURCE_DIR) + "/data/ref/" + name;
}

class CareIntakeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto context = intake::IntakeContext::Load();
    ASSERT_TRUE(context.has_value()) << context.error().ToString();
    context_ = new intake::IntakeContext(std::move(*context));
    auto rules = domain::RecuperationRules::LoadDefault();
    ASSERT_TRUE(rules.has_value());
    rules_ = new domain::RecuperationRules(std::move(*rules));
  }
  static void TearDownTestSuite() {
    delete context_;
    delete rules_;
  }

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ichigen_care_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = Open("a.db");
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<store::Store> Open(const std::string& name) {
    auto store = store::SqliteStore::Open((dir_ / name).string());
    EXPECT_TRUE(store.has_value());
    return std::move(*store);
  }

  intake::ImportReport Import(store::Store& store, const std::string& path) {
    intake::Importer importer(store, *context_);
    intake::ImportOptions options;
    options.today = *core::Date::ParseIso("2022-08-31");
    auto report = importer.ImportFile(path, options);
    EXPECT_TRUE(report.has_value()) << path << ": " << report.error().ToString();
    return report.value_or(intake::ImportReport{});
  }

  std::map<int64_t, std::string> Reasons(store::Store& store, int64_t batch) {
    std::map<int64_t, std::string> reasons;
    EXPECT_TRUE(store.ForEachRow(batch, std::nullopt, [&](const store::RowRecord& row) {
      reasons[row.line] = std::string(store::OutcomeName(row.outcome)) + ":" + row.reason_code;
      return core::Ok();
    }).has_value());
    return reasons;
  }

  domain::PatientState StateOf(store::Store& store, const std::string& hersys_id, const char* iso) {
    auto patient = store.FindPatientByHersysId(hersys_id);
    EXPECT_TRUE(patient.has_value() && patient->has_value()) << hersys_id;
    auto events = store.EventsOf((*patient)->id);
    EXPECT_TRUE(events.has_value());
    return domain::DeriveState(*events, *core::Date::ParseIso(iso),
                               std::numeric_limits<int64_t>::max(), *rules_);
  }

  static intake::IntakeContext* context_;
  static domain::RecuperationRules* rules_;
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

intake::IntakeContext* CareIntakeTest::context_ = nullptr;
domain::RecuperationRules* CareIntakeTest::rules_ = nullptr;

TEST_F(CareIntakeTest, HospitalStaySheetBecomesEventsAndEveryRowIsAccountedFor) {
  Import(*store_, Fixture("hersys_mixed.cp932.csv"));
  const intake::ImportReport report = Import(*store_, Fixture("updates_hospital.cp932.csv"));
  EXPECT_EQ(report.profile, "updates");
  EXPECT_EQ(report.header_line, 2);
  EXPECT_EQ(report.rows, 7);
  EXPECT_EQ(report.merged, 3);
  EXPECT_EQ(report.review, 2);
  EXPECT_EQ(report.rejected, 2);
  const std::map<int64_t, std::string> expected = {
      {3, "merged:events_added"},
      {4, "merged:events_added"},
      {5, "review:hersys_id_contradiction"},  // a mistyped ID must not move events
      {6, "merged:auto_linked"},  // no ID, but name and birth date agree, nothing disagrees
      {7, "review:unknown_hersys_id"},
      {8, "rejected:stay_order"},
      {9, "rejected:bad_date"},
  };
  EXPECT_EQ(Reasons(*store_, report.batch_id), expected);

  const domain::PatientState in_hospital = StateOf(*store_, "1000001", "2022-08-05");
  EXPECT_EQ(in_hospital.status, domain::CareStatus::kHospitalized);
  EXPECT_EQ(in_hospital.facility, "みなと病院");
  // Discharged on 8/9: no longer in hospital on 8/9.
  EXPECT_EQ(StateOf(*store_, "1000001", "2022-08-09").status, domain::CareStatus::kReleased);
  EXPECT_EQ(StateOf(*store_, "1000001", "2022-08-02").status,
            domain::CareStatus::kHomeRecuperation);
  // The contradicting row (ID 1000003, another name and birth date, 8/5) did
  // not touch patient 1000003; the ID-less row naming him (8/6) did.
  EXPECT_EQ(StateOf(*store_, "1000003", "2022-08-05").status, domain::CareStatus::kArranging);
  EXPECT_EQ(StateOf(*store_, "1000003", "2022-08-06").status, domain::CareStatus::kHospitalized);
}

TEST_F(CareIntakeTest, ReListedStaysAddNothingAndEventSheetsWork) {
  Import(*store_, Fixture("hersys_mixed.cp932.csv"));
  Import(*store_, Fixture("updates_hospital.cp932.csv"));
  const intake::ImportReport week2 = Import(*store_, Fixture("updates_hospital_week2.cp932.csv"));
  EXPECT_EQ(Reasons(*store_, week2.batch_id),
            (std::map<int64_t, std::string>{{2, "merged:unchanged"}, {3, "merged:events_added"}}));
  auto takahashi = store_->FindPatientByHersysId("1000001");
  EXPECT_EQ(store_->EventsOf((*takahashi)->id)->size(), 3u);  // notified, admitted, discharged

  const intake::ImportReport events = Import(*store_, Fixture("updates_events.cp932.csv"));
  EXPECT_EQ(Reasons(*store_, events.batch_id),
            (std::map<int64_t, std::string>{{2, "merged:events_added"},
                                            {3, "merged:events_added"},
                                            {4, "rejected:bad_value"},
                                            {5, "rejected:missing_event"}}));
  // Discharged and sent home on the same day: at home that day.
  const domain::PatientState yamada = StateOf(*store_, "1000002", "2022-08-15");
  EXPECT_EQ(yamada.status, domain::CareStatus::kHomeRecuperation);
  EXPECT_EQ(yamada.status_since->ToIso(), "2022-08-15");
  EXPECT_NE(StateOf(*store_, "1000002", "2022-08-25").status,
            domain::CareStatus::kHomeRecuperation);  // the period ran out by itself
  EXPECT_EQ(StateOf(*store_, "1000003", "2022-08-20").status, domain::CareStatus::kDead);
}

TEST_F(CareIntakeTest, SheetsInAnyOrderGiveTheSameStates) {
  auto other = Open("b.db");
  for (const char* name : {"hersys_mixed.cp932.csv", "updates_hospital.cp932.csv",
                           "updates_hospital_week2.cp932.csv", "updates_events.cp932.csv"}) {
    Import(*store_, Fixture(name));
  }
  for (const char* name : {"updates_events.cp932.csv", "updates_hospital_week2.cp932.csv",
                           "hersys_mixed.cp932.csv", "updates_hospital.cp932.csv",
                           "updates_events.utf8.csv", "updates_hospital_week2.utf8.csv"}) {
    Import(*other, Fixture(name));
  }
  for (const char* id : {"1000001", "1000002", "1000003"}) {
    for (const char* day : {"2022-08-02", "2022-08-05", "2022-08-09", "2022-08-15", "2022-08-20"}) {
      const domain::PatientState a = StateOf(*store_, id, day);
      const domain::PatientState b = StateOf(*other, id, day);
      EXPECT_EQ(a.status, b.status) << id << " " << day;
      EXPECT_EQ(a.facility, b.facility) << id << " " << day;
      EXPECT_EQ(a.home_last_day, b.home_last_day) << id << " " << day;
    }
  }
}

TEST_F(CareIntakeTest, RowsWithoutIdLinkOnStrongEvidenceAndQueueTheRest) {
  Import(*store_, Fixture("hersys_mixed.cp932.csv"));
  const intake::ImportReport sheet = Import(*store_, Fixture("updates_noid.cp932.csv"));
  const auto reasons = Reasons(*store_, sheet.batch_id);
  // 髙橋 written 高橋, with kana, birth date, sex, phone and address agreeing.
  EXPECT_EQ(reasons.at(2), "merged:auto_linked");
  // Name agrees but the birth date has day and month swapped, nothing else: review.
  EXPECT_EQ(reasons.at(3), "review:identity_review");
  // Nobody like this is stored.
  EXPECT_EQ(reasons.at(4), "review:no_match");
  // A mistyped ID: the person is found but the IDs conflict, so never auto-linked.
  EXPECT_EQ(reasons.at(5), "review:identity_review");

  auto takahashi = store_->FindPatientByHersysId("1000001");
  EXPECT_EQ(StateOf(*store_, "1000001", "2022-08-20").status, domain::CareStatus::kHospitalized);
  auto items = store_->ListReviewItems("open");
  ASSERT_TRUE(items.has_value());
  bool found_swap = false;
  for (const store::ReviewItem& item : *items) {
    if (item.batch_id != sheet.batch_id || item.line != 3) continue;
    found_swap = true;
    auto yamada = store_->FindPatientByHersysId("1000002");
    EXPECT_EQ(item.candidate_patient_id, (*yamada)->id);
    EXPECT_NE(item.candidates_json.find("\"fields\""), std::string::npos);
  }
  EXPECT_TRUE(found_swap);

  // The same rows again (another file) add no links and no events.
  const size_t events_before = store_->EventsOf((*takahashi)->id)->size();
  const intake::ImportReport again = Import(*store_, Fixture("updates_noid.utf8.csv"));
  EXPECT_EQ(again.accepted, 0);
  EXPECT_EQ(store_->EventsOf((*takahashi)->id)->size(), events_before);
}

TEST_F(CareIntakeTest, ReviewDecisionsLinkUndoNewAndRejectWithWhoAndWhy) {
  Import(*store_, Fixture("hersys_mixed.cp932.csv"));
  const intake::ImportReport sheet = Import(*store_, Fixture("updates_noid.cp932.csv"));
  auto open = store_->ListReviewItems("open");
  ASSERT_TRUE(open.has_value());
  std::map<int64_t, int64_t> item_at_line;
  for (const store::ReviewItem& item : *open) {
    if (item.batch_id == sheet.batch_id) item_at_line[item.line] = item.id;
  }
  ASSERT_TRUE(item_at_line.contains(3) && item_at_line.contains(4) && item_at_line.contains(5));
  intake::ReviewService review(*store_, *context_);
  auto yamada = store_->FindPatientByHersysId("1000002");

  // Link: the row's admission lands on 山田 花子.
  auto linked = review.Link(item_at_line[3], (*yamada)->id, "担当A", "生年月日の月日入れ違い");
  ASSERT_TRUE(linked.has_value()) << linked.error().ToString();
  EXPECT_EQ(linked->event_ids.size(), 1u);
  EXPECT_EQ(StateOf(*store_, "1000002", "2022-08-21").status, domain::CareStatus::kHospitalized);
  EXPECT_EQ(store_->GetReviewItem(item_at_line[3])->status, "linked");
  EXPECT_EQ(store_->GetReviewItem(item_at_line[3])->decided_by, "担当A");
  // A decided item cannot be decided again without undo.
  auto twice = review.Reject(item_at_line[3], "担当A", "x");
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().code, core::Code::kFailedPrecondition);

  // Undo: the admission is cancelled (not deleted) and the item is open again.
  const size_t events_before_undo = store_->EventsOf((*yamada)->id)->size();
  auto undone = review.Undo(item_at_line[3], "担当B", "別人でした");
  ASSERT_TRUE(undone.has_value()) << undone.error().ToString();
  EXPECT_EQ(store_->GetReviewItem(item_at_line[3])->status, "open");
  EXPECT_EQ(store_->EventsOf((*yamada)->id)->size(), events_before_undo + 1);
  EXPECT_NE(StateOf(*store_, "1000002", "2022-08-21").status, domain::CareStatus::kHospitalized);
  auto history = store_->DecisionsOf(item_at_line[3]);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1].decided_by, "担当B");
  EXPECT_EQ((*history)[1].reason, "別人でした");
  // Linked again after the undo, the events come back.
  ASSERT_TRUE(review.Link(item_at_line[3], (*yamada)->id, "担当A", "再確認").has_value());
  EXPECT_EQ(StateOf(*store_, "1000002", "2022-08-21").status, domain::CareStatus::kHospitalized);

  // New person: 鈴木 三郎 becomes a patient of his own, with his admission.
  const int64_t patients = *store_->CountPatients();
  auto created = review.NewPerson(item_at_line[4], "担当A", "未届出の患者");
  ASSERT_TRUE(created.has_value()) << created.error().ToString();
  EXPECT_EQ(*store_->CountPatients(), patients + 1);
  EXPECT_EQ((*store_->GetPatient(created->patient_id))->name, "鈴木 三郎");

  // Reject needs nothing but who and why.
  ASSERT_TRUE(review.Reject(item_at_line[5], "担当A", "HER-SYS ID の誤記、元票で確認").has_value());
  EXPECT_EQ(store_->GetReviewItem(item_at_line[5])->status, "rejected");
  EXPECT_EQ(store_->GetReviewItem(999999).error().code, core::Code::kNotFound);
}

TEST_F(CareIntakeTest, PressAttributesAttachToThePatientOrWaitInReview) {
  Import(*store_, Fixture("hersys_mixed.cp932.csv"));
  const intake::ImportReport press = Import(*store_, Fixture("press.cp932.csv"));
  EXPECT_EQ(press.profile, "press");
  EXPECT_EQ(Reasons(*store_, press.batch_id),
            (std::map<int64_t, std::string>{{2, "merged:updated"}, {3, "review:unknown_hersys_id"}}));
  auto patient = store_->FindPatientByHersysId("1000001");
  EXPECT_EQ((*patient)->published_on, "2022-08-02");
  EXPECT_EQ((*patient)->age_band, "50代");
  EXPECT_NE((*patient)->press_json.find("発熱;咳"), std::string::npos);
}

TEST_F(CareIntakeTest, TokyoOpenDataFilesImportWithEveryRowAccountedFor) {
  const intake::ImportReport early = Import(*store_, RefFile("tokyo_130001_tokyo_covid19_patients_2020-05-01.csv"));
  EXPECT_EQ(early.profile, "opendata");
  EXPECT_EQ(early.rows, 4317);
  EXPECT_EQ(early.rows, early.accepted + early.merged + early.review + early.rejected);
  EXPECT_EQ(early.accepted, 4317);
  const intake::ImportReport sample = Import(*store_, RefFile("tokyo_130001_tokyo_covid19_patients_2022-1_sample60.csv"));
  EXPECT_EQ(sample.rows, 60);
  EXPECT_EQ(sample.accepted, 60);
  EXPECT_EQ(*store_->CountPatients(), 4377);
  // Every case counts in the census from its publication date.
  int64_t counted = 0;
  ASSERT_TRUE(store_->ForEachPatientEvents([&](int64_t, std::span<const domain::Event> events) {
    counted += domain::DeriveState(events, *core::Date::ParseIso("2022-08-31"),
                                   std::numeric_limits<int64_t>::max(), *rules_)
                   .InCensus();
    return core::Ok();
  }).has_value());
  EXPECT_EQ(counted, 4377);
}

}  // namespace
}  // namespace ichigen
