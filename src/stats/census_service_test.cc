// The census and the conflicts over a real SQLite store of generated care
// histories (random event sequences, late arrivals, withdrawals, impossible
// sequences): the parallel pass gives exactly what the single-threaded pass
// gives, for several slice counts, and both equal a patient-by-patient
// derivation through Store::EventsOf.
#include "stats/census_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "store/sqlite_store.h"

namespace ichigen::stats {
namespace {

namespace fs = std::filesystem;
using domain::EventType;

constexpr int kPatients = 600;

class CensusServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ichigen_census_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "ichigen.db").string();
    auto rules = domain::RecuperationRules::LoadDefault();
    ASSERT_TRUE(rules.has_value()) << rules.error().ToString();
    rules_ = std::make_unique<domain::RecuperationRules>(std::move(*rules));
    auto opened = store::SqliteStore::Open(path_);
    ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
    store_ = std::move(*opened);
    Generate();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  // Patients with 0..6 events of random types and dates in July/August
  // 2022, some received late, residences among four codes.
  void Generate() {
    store::BatchInfo info;
    info.sha256 = "sha-census";
    info.file_name = "generated.csv";
    info.source = "HER-SYS";
    info.profile = "hersys";
    info.encoding = "utf-8";
    info.format = "csv";
    info.started_at = "2022-08-01T00:00:00Z";
    auto writer = store_->BeginBatch(info);
    ASSERT_TRUE(writer.has_value()) << writer.error().ToString();
    std::mt19937 rng(20220728);
    const char* codes[] = {"141003", "142042", "142051", ""};
    const core::Date first = *core::Date::ParseIso("2022-07-01");
    for (int i = 0; i < kPatients; ++i) {
      store::PatientRecord p;
      p.hersys_id = std::to_string(7000000 + i);
      p.name = "患者" + std::to_string(i);
      p.created_batch = (*writer)->batch_id();
      p.updated_batch = p.created_batch;
      ASSERT_TRUE((*writer)->InsertPatient(p).has_value());
      const int n = static_cast<int>(rng() % 7);
      for (int e = 0; e < n; ++e) {
        domain::Event event;
        // Mostly a notification first, then anything (impossible sequences too).
        event.type = e == 0 && rng() % 5 != 0
                         ? EventType::kNotified
                         : static_cast<EventType>(rng() % (domain::kEventTypeCount - 1));
        if (rng() % 40 == 0) event.type = EventType::kWithdrawn;
        event.effective_on = first.AddDays(static_cast<int>(rng() % 50));
        // A few arrive after the census cutoff used below.
        event.received_at = (event.effective_on.days() + (rng() % 10 == 0 ? 40 : 1)) * 86400LL;
        event.source = "HER-SYS";
        event.facility = rng() % 2 ? "みなと病院" : "ホテル" + std::to_string(rng() % 3);
        event.residence_code = codes[rng() % 4];
        if (event.type == EventType::kNotified) event.onset_on = event.effective_on.AddDays(-1);
        if (event.type == EventType::kExtended) event.extended_until = event.effective_on.AddDays(5);
        ASSERT_TRUE((*writer)->AddEvent(p.id, event, "e" + std::to_string(e)).has_value());
      }
      ids_.push_back(p.id);
    }
    ASSERT_TRUE((*writer)->Commit(info).has_value());
  }

  PassOptions Pass(int slices) {
    PassOptions pass;
    pass.slices = slices;
    pass.open = [this]() -> core::Result<std::unique_ptr<store::Store>> {
      ASSIGN_OR_RETURN(auto opened, store::SqliteStore::Open(path_));
      return std::unique_ptr<store::Store>(std::move(opened));
    };
    return pass;
  }

  AsOf Date(const char* iso) {
    AsOf as_of;
    as_of.date = *core::Date::ParseIso(iso);
    as_of.cutoff_received_at = JstCutoff(as_of.date, 9, 0);
    return as_of;
  }

  fs::path dir_;
  std::string path_;
  std::unique_ptr<domain::RecuperationRules> rules_;
  std::unique_ptr<store::Store> store_;
  std::vector<int64_t> ids_;
};

void ExpectSameCensus(const domain::CensusAccumulator& a, const domain::CensusAccumulator& b,
                      const std::string& what) {
  EXPECT_EQ(a.counts(), b.counts()) << what;
  EXPECT_EQ(a.counted(), b.counted()) << what;
  EXPECT_EQ(a.withdrawn(), b.withdrawn()) << what;
  EXPECT_EQ(a.not_yet_notified(), b.not_yet_notified()) << what;
  EXPECT_EQ(a.with_conflicts(), b.with_conflicts()) << what;
  EXPECT_EQ(a.ByResidence(), b.ByResidence()) << what;
}

TEST_F(CensusServiceTest, ParallelCensusEqualsSingleThreadedAndPerPatient) {
  for (const char* day : {"2022-07-10", "2022-07-28", "2022-08-31"}) {
    const AsOf as_of = Date(day);
    // Reference: each patient's events read on their own.
    domain::CensusAccumulator reference;
    int64_t patients_with_events = 0;
    for (int64_t id : ids_) {
      auto events = store_->EventsOf(id);
      ASSERT_TRUE(events.has_value());
      if (events->empty()) continue;
      ++patients_with_events;
      reference.AddEvents(*events, as_of.date, as_of.cutoff_received_at, *rules_);
    }
    // The generated histories exercise more than one status, and conflicts.
    int statuses = 0;
    for (int64_t count : reference.counts()) statuses += count > 0 ? 1 : 0;
    EXPECT_GE(statuses, 3) << day;

    auto single = ComputeCensus(*store_, *rules_, as_of);
    ASSERT_TRUE(single.has_value()) << single.error().ToString();
    EXPECT_EQ(single->patients, patients_with_events);
    ExpectSameCensus(single->census, reference, std::string(day) + " single");
    for (int slices : {2, 3, 5, 8}) {
      auto parallel = ComputeCensus(*store_, *rules_, as_of, Pass(slices));
      ASSERT_TRUE(parallel.has_value()) << parallel.error().ToString();
      EXPECT_EQ(parallel->patients, single->patients) << slices;
      EXPECT_EQ(parallel->events, single->events) << slices;
      ExpectSameCensus(parallel->census, single->census,
                       std::string(day) + " " + std::to_string(slices) + " slices");
    }
  }
}

TEST_F(CensusServiceTest, ParallelConflictsEqualSingleThreadedInIdOrder) {
  const AsOf as_of = Date("2022-08-31");
  auto single = FindConflicts(*store_, *rules_, as_of);
  ASSERT_TRUE(single.has_value()) << single.error().ToString();
  ASSERT_GT(single->size(), 10u);  // random sequences include impossible ones
  for (int slices : {2, 3, 5, 8}) {
    auto parallel = FindConflicts(*store_, *rules_, as_of, Pass(slices));
    ASSERT_TRUE(parallel.has_value()) << parallel.error().ToString();
    ASSERT_EQ(parallel->size(), single->size()) << slices;
    for (size_t i = 0; i < single->size(); ++i) {
      const PatientConflicts& a = (*single)[i];
      const PatientConflicts& b = (*parallel)[i];
      EXPECT_EQ(a.patient_id, b.patient_id) << slices;
      EXPECT_TRUE(a.state == b.state) << a.patient_id;
    }
  }
}

TEST_F(CensusServiceTest, AnOpenErrorIsTheCensusError) {
  PassOptions pass;
  pass.slices = 3;
  pass.open = []() -> core::Result<std::unique_ptr<store::Store>> {
    return core::Fail(core::Code::kUnavailable, "開けません", "cannot open", "test");
  };
  auto census = ComputeCensus(*store_, *rules_, Date("2022-07-28"), pass);
  ASSERT_FALSE(census.has_value());
  EXPECT_EQ(census.error().code, core::Code::kUnavailable);
}

}  // namespace
}  // namespace ichigen::stats
