// Care history through intake: update sheets (events and stays, implied by
// their headers), press attributes and the real Tokyo open-data files, into
// a real store, and the state derived from what was stored.
#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <map>

#include "domain/care_status.h"
#include "intake/importer.h"
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
  EXPECT_EQ(report.merged, 2);
  EXPECT_EQ(report.review, 3);
  EXPECT_EQ(report.rejected, 2);
  const std::map<int64_t, std::string> expected = {
      {3, "merged:events_added"},
      {4, "merged:events_added"},
      {5, "review:hersys_id_contradiction"},  // a mistyped ID must not move events
      {6, "review:no_hersys_id"},
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
  // The contradicting row did not touch patient 1000003.
  EXPECT_EQ(StateOf(*store_, "1000003", "2022-08-10").status, domain::CareStatus::kArranging);
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
