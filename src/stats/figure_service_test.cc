// Figures over a real store: files through the real importer into SQLite and
// into PostgreSQL (a server named by ICHIGEN_TEST_PG, see
// store/pg_test_env.h), then the figures materialized, updated per batch and verified. Incremental
// updates (late and out-of-order sheets, a withdrawal, a death) equal a full
// recomputation; the daily series and census read back match the patients;
// the real Tokyo open-data files round-trip through import and export.
#include "stats/figure_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "intake/importer.h"
#include "intake/merge_service.h"
#include "io/record_reader.h"
#include "stats/census_service.h"
#include "stats/opendata_export.h"
#include "store/contribution_log.h"
#include "store/event_pack.h"
#include "store/pg_test_env.h"
#include "store/postgres_stats_store.h"
#include "store/postgres_store.h"
#include "store/sqlite_stats_store.h"
#include "store/sqlite_store.h"
#include "synth/synth.h"

namespace ichigen::stats {
namespace {

std::string StatsFixture(const std::string& name) {
  return std::string(ICHIGEN_TEST_DATA_DIR) + "/stats/" + name;
}
std::string RefFile(const std::string& name) {
  return std::string(ICHIGEN_SOURCE_DIR) + "/data/ref/" + name;
}
core::Date D(const char* iso) { return *core::Date::ParseIso(iso); }

// A stats store over a real one that counts the contributions written, can
// run a hook when an update reads the stored contributions (another process
// stepping in between an update's reads and its write), and can leave the
// batch reads to StatsStore's defaults.
class ObservedStatsStore final : public store::StatsStore {
 public:
  explicit ObservedStatsStore(store::StatsStore& real, bool own_batch_reads = true)
      : real_(real), own_batch_reads_(own_batch_reads) {}
  std::function<void()> before_contributions;
  int64_t contributions_written = 0;

  core::Status ForEachPatientInput(const store::StatsPatientFn& fn) override {
    return real_.ForEachPatientInput(fn);
  }
  core::Status ForEachPatientInputIn(store::PatientIdRange range,
                                     const store::StatsPatientFn& fn) override {
    return real_.ForEachPatientInputIn(range, fn);
  }
  core::Status ForEachPatientInputOfBatch(int64_t batch_id,
                                          const store::StatsPatientFn& fn) override {
    return real_.ForEachPatientInputOfBatch(batch_id, fn);
  }
  core::Result<std::vector<int64_t>> PatientIdsOfBatch(int64_t batch_id) override {
    if (!own_batch_reads_) return StatsStore::PatientIdsOfBatch(batch_id);
    return real_.PatientIdsOfBatch(batch_id);
  }
  core::Status ForEachPatientInputOf(std::span<const int64_t> ids,
                                     std::span<const uint8_t> want_record,
                                     const store::StatsPatientFn& fn) override {
    if (!own_batch_reads_) return StatsStore::ForEachPatientInputOf(ids, want_record, fn);
    return real_.ForEachPatientInputOf(ids, want_record, fn);
  }
  core::Result<std::optional<std::vector<int64_t>>> PatientIdsUpdatedIn(
      int64_t batch_id) override {
    if (!own_batch_reads_) return StatsStore::PatientIdsUpdatedIn(batch_id);
    return real_.PatientIdsUpdatedIn(batch_id);
  }
  core::Result<int64_t> FoldContributionLog(bool always) override {
    return real_.FoldContributionLog(always);
  }
  core::Result<std::optional<store::BatchEventLog>> NewEventsOfBatch(int64_t batch_id) override {
    if (!own_batch_reads_) return StatsStore::NewEventsOfBatch(batch_id);
    return real_.NewEventsOfBatch(batch_id);
  }
  core::Result<store::DecisionPatients> PatientsOfDecisions() override {
    return real_.PatientsOfDecisions();
  }
  core::Result<int64_t> LatestBatch() override { return real_.LatestBatch(); }
  core::Result<std::vector<std::pair<int64_t, std::string>>> Contributions(
      std::span<const int64_t> ids) override {
    if (before_contributions) std::exchange(before_contributions, nullptr)();
    return real_.Contributions(ids);
  }
  core::Status ReplaceAll(std::span<const store::FlowCount> flows,
                          std::span<const store::CensusDelta> census,
                          std::span<const std::pair<int64_t, std::string>> contributions,
                          const store::StatsState& state) override {
    return real_.ReplaceAll(flows, census, contributions, state);
  }
  core::Status ApplyDelta(std::span<const store::FlowCount> flows,
                          std::span<const store::CensusDelta> census,
                          std::span<const std::string> log_records, int64_t batch_id,
                          int64_t patients_added,
                          std::span<const int64_t> decision_seqs,
                          int64_t expected_version) override {
    RETURN_IF_ERROR(real_.ApplyDelta(flows, census, log_records, batch_id, patients_added,
                                     decision_seqs, expected_version));
    for (const std::string& record : log_records) {
      contributions_written += store::SummarizeLogRecord(record).entries;
    }
    return core::Ok();
  }
  core::Result<StoredContributions> ReadStoredContributions(
      std::span<const int64_t> ids) override {
    if (before_contributions) std::exchange(before_contributions, nullptr)();
    return real_.ReadStoredContributions(ids);
  }
  core::Result<std::vector<store::FlowCount>> ReadFlows(const std::string& series, int32_t from,
                                                        int32_t to) override {
    return real_.ReadFlows(series, from, to);
  }
  core::Result<std::vector<store::FlowCount>> ReadAllFlows() override {
    return real_.ReadAllFlows();
  }
  core::Result<std::vector<store::CensusDelta>> ReadCensusDeltas(int32_t to) override {
    return real_.ReadCensusDeltas(to);
  }
  core::Result<std::optional<store::StatsState>> State() override { return real_.State(); }

 private:
  store::StatsStore& real_;
  bool own_batch_reads_;
};

enum class StoreKind { kSqlite, kPostgres };

class FigureServiceTest : public ::testing::TestWithParam<StoreKind> {
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
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    name = name.substr(0, name.find('/'));
    dir_ = std::filesystem::temp_directory_path() /
           ("ichigen_stats_test_" + std::to_string(::getpid()) + "_" + name +
            (GetParam() == StoreKind::kPostgres ? "_pg" : ""));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    if (GetParam() == StoreKind::kPostgres) {
      server_ = store::FindPgTestServer();
      if (!server_.available()) {
        if (server_.required) FAIL() << server_.why;
        GTEST_SKIP() << server_.why;
      }
    }
  }
  void TearDown() override {
    for (const std::string& database : databases_) {
      store::DropPgDatabase(server_.conninfo, database);
    }
    std::filesystem::remove_all(dir_);
  }

  // Where the stores named `name` live: a file, or a fresh database.
  std::string Location(const std::string& name) {
    if (GetParam() == StoreKind::kSqlite) return (dir_ / name).string();
    if (auto it = locations_.find(name); it != locations_.end()) return it->second;
    auto fresh = store::FreshPgDatabase(server_.conninfo, "stats_" + name);
    EXPECT_TRUE(fresh.has_value()) << fresh.error().ToString();
    if (!fresh) return "";
    databases_.push_back(*fresh);
    locations_[name] = *fresh;
    return *fresh;
  }
  core::Result<std::unique_ptr<store::StatsStore>> OpenStats(const std::string& location) {
    if (GetParam() == StoreKind::kPostgres) {
      ASSIGN_OR_RETURN(auto opened, store::PostgresStatsStore::Open(location));
      return std::unique_ptr<store::StatsStore>(std::move(opened));
    }
    ASSIGN_OR_RETURN(auto opened, store::SqliteStatsStore::Open(location));
    return std::unique_ptr<store::StatsStore>(std::move(opened));
  }

  struct Stores {
    std::unique_ptr<store::Store> store;
    std::unique_ptr<store::StatsStore> stats;
  };
  Stores Open(const std::string& name) {
    Stores out;
    const std::string path = Location(name);
    if (GetParam() == StoreKind::kPostgres) {
      auto store = store::PostgresStore::Open(path);
      EXPECT_TRUE(store.has_value()) << store.error().ToString();
      out.store = std::move(*store);
    } else {
      auto store = store::SqliteStore::Open(path);
      EXPECT_TRUE(store.has_value()) << store.error().ToString();
      out.store = std::move(*store);
    }
    auto stats = OpenStats(path);
    EXPECT_TRUE(stats.has_value()) << stats.error().ToString();
    out.stats = std::move(*stats);
    return out;
  }
  int64_t Import(store::Store& store, const std::string& path, const std::string& profile = "auto") {
    intake::Importer importer(store, *context_);
    intake::ImportOptions options;
    options.profile = profile;
    options.today = D("2022-08-31");
    auto report = importer.ImportFile(path, options);
    EXPECT_TRUE(report.has_value()) << path << ": " << report.error().ToString();
    return report ? report->batch_id : 0;
  }
  // A HER-SYS file resending hersys_day1.csv's first patient (1000001, 45 in
  // that file) with the given age: a changed record, no new event.
  std::string ResendOfFirstPatient(const std::string& name, int age) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << "HER-SYS ID,届出日,氏名,フリガナ,性別,年齢,住所,発症日,診断日,重症度,"
                           "療養状況\n1000001,2022-08-01,山田 太郎,ヤマダ タロウ,男,"
                        << age
                        << ",神奈川県横浜市中区山下町1,2022-07-30,2022-08-01,軽症,自宅療養\n";
    return path;
  }
  Figures Stored(store::StatsStore& stats) {
    auto flows = stats.ReadAllFlows();
    auto census = stats.ReadCensusDeltas(std::numeric_limits<int32_t>::max());
    EXPECT_TRUE(flows && census);
    return Figures::FromRows(*flows, *census);
  }

  static intake::IntakeContext* context_;
  static domain::RecuperationRules* rules_;
  std::filesystem::path dir_;
  store::PgTestServer server_;
  std::map<std::string, std::string> locations_;  // PostgreSQL: name → conninfo
  std::vector<std::string> databases_;            // to drop
};
intake::IntakeContext* FigureServiceTest::context_ = nullptr;
domain::RecuperationRules* FigureServiceTest::rules_ = nullptr;

INSTANTIATE_TEST_SUITE_P(Stores, FigureServiceTest,
                         ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return info.param == StoreKind::kSqlite ? "SQLite" : "PostgreSQL";
                         });

// Contribution writes as the log records ApplyDelta takes.
std::vector<std::string> Log(const std::vector<std::pair<int64_t, std::string>>& writes) {
  auto records = store::PackContributionLog(writes);
  EXPECT_TRUE(records) << records.error().ToString();
  return records ? *records : std::vector<std::string>();
}

// Stored contributions in a form where equal contributions with equal
// histories compare equal (an update appends a batch's events to the stored
// ones as a list of their own; a recomputation packs one list).
std::vector<std::pair<int64_t, std::string>> Canonical(
    const std::vector<std::pair<int64_t, std::string>>& stored) {
  std::vector<std::pair<int64_t, std::string>> out;
  for (const auto& [id, bytes] : stored) {
    auto contribution = DecodeStored(bytes);
    auto events = DecodeStoredEvents(bytes);
    EXPECT_TRUE(contribution && events) << id;
    if (!contribution || !events) continue;
    std::string canonical = contribution->Encode();
    canonical.push_back(StoredHasEvents(bytes) ? '+' : '-');
    store::PackEvents(*events, canonical);
    out.emplace_back(id, std::move(canonical));
  }
  return out;
}

// Both dialects carry the same statistics migrations, version for version.
TEST(StatsMigrationsTest, BothDialectsHaveTheSameVersions) {
  ASSERT_EQ(store::PostgresStatsMigrations().size(), store::SqliteStatsMigrations().size());
  for (size_t i = 0; i < store::SqliteStatsMigrations().size(); ++i) {
    EXPECT_EQ(store::PostgresStatsMigrations()[i].version,
              store::SqliteStatsMigrations()[i].version);
    EXPECT_STREQ(store::PostgresStatsMigrations()[i].description,
                 store::SqliteStatsMigrations()[i].description);
  }
}

TEST_P(FigureServiceTest, IncrementalUpdatesEqualFullRecomputation) {
  Stores a = Open("a.db");
  const int64_t b1 = Import(*a.store, StatsFixture("hersys_day1.csv"));
  ASSERT_GT(b1, 0);
  // The first update has no figures to adjust: it computes them all.
  auto first = UpdateAfterBatch(*a.stats, *rules_, b1, "2022-08-03T00:00:00Z");
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_TRUE(first->full);
  auto day3 = ReadDaily(*a.stats, Series::kNotified, D("2022-08-01"), D("2022-08-03"));
  ASSERT_TRUE(day3) << day3.error().ToString();
  ASSERT_EQ(day3->size(), 3u);
  EXPECT_EQ((*day3)[0].total, 2);
  EXPECT_EQ((*day3)[1].total, 2);
  EXPECT_EQ((*day3)[2].total, 1);
  EXPECT_EQ((*day3)[2].age_band.at("90歳以上"), 1);
  EXPECT_NEAR((*day3)[2].average7, 5.0 / 7.0, 1e-9);

  // Late sheets: events days in the past, a withdrawal, a death, out of order.
  for (const char* file : {"updates_late.csv", "updates_more.csv"}) {
    const int64_t batch = Import(*a.store, StatsFixture(file));
    ASSERT_GT(batch, 0);
    auto update = UpdateAfterBatch(*a.stats, *rules_, batch, "2022-08-10T00:00:00Z");
    ASSERT_TRUE(update) << update.error().ToString();
    EXPECT_FALSE(update->full);
    EXPECT_GT(update->changed, 0) << file;
    EXPECT_LE(update->first_day, D("2022-08-08").days()) << "a late sheet changes past days";
  }
  auto verify = VerifyFigures(*a.stats, *rules_);
  ASSERT_TRUE(verify) << verify.error().ToString();
  EXPECT_TRUE(verify->differences.empty()) << verify->differences.front().what;

  // The same files into a second store, recomputed once at the end.
  Stores b = Open("b.db");
  Import(*b.store, StatsFixture("hersys_day1.csv"));
  Import(*b.store, StatsFixture("updates_late.csv"));
  Import(*b.store, StatsFixture("updates_more.csv"));
  ASSERT_TRUE(RecomputeFigures(*b.stats, *rules_, "2022-08-10T00:00:00Z"));
  const Figures incremental = Stored(*a.stats);
  EXPECT_FALSE(incremental.flows.empty());
  EXPECT_EQ(incremental, Stored(*b.stats));

  // The withdrawn patient (1000004) no longer counts on 2022-08-02; 1000002
  // died on 2022-08-05 and 1000003 on 2022-08-10.
  auto days = ReadDaily(*a.stats, Series::kNotified, D("2022-08-02"), D("2022-08-02"));
  ASSERT_TRUE(days);
  EXPECT_EQ((*days)[0].total, 1);
  auto deaths = ReadDaily(*a.stats, Series::kDeaths, D("2022-08-05"), D("2022-08-10"));
  ASSERT_TRUE(deaths);
  EXPECT_EQ(deaths->front().total, 1);
  EXPECT_EQ(deaths->back().total, 1);
  auto census = ReadCensus(*a.stats, D("2022-08-04"), D("2022-08-11"));
  ASSERT_TRUE(census);
  const auto slot = [](domain::CareStatus s) { return static_cast<size_t>(s); };
  EXPECT_EQ(census->back().counts[slot(domain::CareStatus::kDead)], 2);
  EXPECT_EQ(census->back().Counted(), 4);
  // On 2022-08-04 1000002 (重症) is in hospital: counted among the severe.
  EXPECT_EQ(census->front().counts[kSevereSlot], 1);
  // Each day of the census equals ComputeCensus with everything received.
  for (const CensusDay& day : *census) {
    auto brute = ComputeCensus(*a.store, *rules_, AsOf{day.day, std::numeric_limits<int64_t>::max()});
    ASSERT_TRUE(brute);
    for (int s = 0; s < domain::kCareStatusCount; ++s) {
      EXPECT_EQ(day.counts[s], brute->census.Count(static_cast<domain::CareStatus>(s)))
          << day.day.ToIso() << " " << CensusSlotNameEn(s);
    }
  }
}

TEST_P(FigureServiceTest, UpdateThroughDoesNothingBeforeFiguresAndCatchesUpMissedBatches) {
  Stores a = Open("a.db");
  const int64_t b1 = Import(*a.store, StatsFixture("hersys_day1.csv"));
  // No figures yet: an import's update computes nothing.
  auto none = UpdateFiguresThrough(*a.stats, *rules_, b1, "now");
  ASSERT_TRUE(none) << none.error().ToString();
  EXPECT_FALSE(none->has_value());
  auto state = a.stats->State();
  ASSERT_TRUE(state);
  EXPECT_FALSE(state->has_value());

  ASSERT_TRUE(RecomputeFigures(*a.stats, *rules_, "now"));
  // updates_late.csv is imported but its update never ran (a crash, a
  // failure); the update after updates_more.csv applies both.
  const int64_t b2 = Import(*a.store, StatsFixture("updates_late.csv"));
  const int64_t b3 = Import(*a.store, StatsFixture("updates_more.csv"));
  ASSERT_EQ(b3, b2 + 1);
  auto caught_up = UpdateFiguresThrough(*a.stats, *rules_, b3, "now");
  ASSERT_TRUE(caught_up) << caught_up.error().ToString();
  ASSERT_TRUE(caught_up->has_value());
  EXPECT_EQ((*caught_up)->batch_id, b3);
  EXPECT_GE((*caught_up)->changed, 4);  // 1000001..1000005 changed, across both batches
  EXPECT_EQ((*a.stats->State())->last_batch, b3);
  // Counted patients, kept by difference: 1000004 was withdrawn.
  EXPECT_EQ((*a.stats->State())->patients, 4);
  auto verify = VerifyFigures(*a.stats, *rules_);
  ASSERT_TRUE(verify);
  EXPECT_TRUE(verify->differences.empty()) << verify->differences.front().what;
  // Running it again changes nothing.
  auto again = UpdateFiguresThrough(*a.stats, *rules_, b3, "now");
  ASSERT_TRUE(again && again->has_value());
  EXPECT_EQ((*again)->changed, 0);
}

// Generated files (synth): a HER-SYS export and care sheets about its
// patients, imported one batch at a time with an incremental update after
// each, equal a recomputation from scratch; a parallel pass in several
// slices equals a serial one.
TEST_P(FigureServiceTest, GeneratedDataIncrementalEqualsFullAndParallelEqualsSerial) {
  // Update sheets name patients of the HER-SYS run with the same seed, IDs
  // and date range; each sheet kind brings different events.
  auto write = [&](synth::SynthKind kind, synth::SheetKind sheet, int64_t rows,
                   const std::string& name) {
    synth::SynthOptions o;
    o.kind = kind;
    o.sheet = sheet;
    o.out = (dir_ / name).string();
    o.rows = rows;
    o.patients = 800;
    o.seed = 77;
    o.no_id_rate = 0;
    o.from = D("2022-07-01");
    o.to = D("2022-07-31");
    auto summary = synth::Synthesize(o, *context_->registry);
    EXPECT_TRUE(summary) << summary.error().ToString();
    return o.out;
  };
  const std::string hersys =
      write(synth::SynthKind::kHersys, synth::SheetKind::kRandom, 800, "hersys.csv");
  const std::vector<std::string> sheets = {
      write(synth::SynthKind::kUpdates, synth::SheetKind::kHospital, 300, "hospital.csv"),
      write(synth::SynthKind::kUpdates, synth::SheetKind::kLodging, 300, "lodging.csv"),
      write(synth::SynthKind::kUpdates, synth::SheetKind::kHealthCenter, 400, "hc.csv")};

  Stores a = Open("a.db");
  Import(*a.store, hersys);
  ASSERT_TRUE(RecomputeFigures(*a.stats, *rules_, "now"));
  // The sheets in reverse order: later care events arrive before earlier ones.
  for (auto it = sheets.rbegin(); it != sheets.rend(); ++it) {
    const int64_t batch = Import(*a.store, *it);
    ASSERT_GT(batch, 0);
    auto update = UpdateFiguresThrough(*a.stats, *rules_, batch, "now");
    ASSERT_TRUE(update && update->has_value());
    EXPECT_GT((*update)->changed, 0) << *it;
  }
  const Figures incremental = Stored(*a.stats);

  Stores b = Open("b.db");
  Import(*b.store, hersys);
  for (auto it = sheets.rbegin(); it != sheets.rend(); ++it) Import(*b.store, *it);
  auto serial = ComputeAllFigures(*b.stats, *rules_);
  ASSERT_TRUE(serial) << serial.error().ToString();
  EXPECT_GT(serial->patients, 700);
  EXPECT_EQ(incremental, serial->figures);
  // What the updates stored for each patient, its events included (SQLite
  // brings them up to date from the batches' event logs), is what a
  // recomputation of the same store stores.
  auto a_all = ComputeAllFigures(*a.stats, *rules_);
  ASSERT_TRUE(a_all) << a_all.error().ToString();
  std::vector<int64_t> a_ids;
  for (const auto& [id, bytes] : a_all->contributions) a_ids.push_back(id);
  auto a_stored = a.stats->Contributions(a_ids);
  ASSERT_TRUE(a_stored) << a_stored.error().ToString();
  EXPECT_EQ(Canonical(*a_stored), Canonical(a_all->contributions));

  const std::string b_path = Location("b.db");
  Parallelism parallel;
  parallel.slices = 3;
  parallel.open = [&]() { return OpenStats(b_path); };
  auto sliced = ComputeAllFigures(*b.stats, *rules_, parallel);
  ASSERT_TRUE(sliced) << sliced.error().ToString();
  EXPECT_EQ(sliced->patients, serial->patients);
  EXPECT_EQ(sliced->events, serial->events);
  EXPECT_EQ(sliced->figures, serial->figures);
  EXPECT_EQ(sliced->contributions, serial->contributions);

  // The same updates with each batch's patients read in three slices on
  // three connections give the same figures and contributions.
  // Figures computed on the empty store: the HER-SYS export's patients are
  // all new to them (inserted), the sheets' known (updated).
  Stores c = Open("c.db");
  ASSERT_TRUE(RecomputeFigures(*c.stats, *rules_, "now"));
  const std::string c_path = Location("c.db");
  Parallelism update_slices;
  update_slices.slices = 3;
  update_slices.min_update_slice = 50;
  int opened = 0;
  update_slices.open = [&]() -> core::Result<std::unique_ptr<store::StatsStore>> {
    ++opened;
    return OpenStats(c_path);
  };
  std::vector<std::string> files = {hersys};
  files.insert(files.end(), sheets.rbegin(), sheets.rend());
  for (const std::string& file : files) {
    const int64_t batch = Import(*c.store, file);
    auto update = UpdateFiguresThrough(*c.stats, *rules_, batch, "now", update_slices);
    ASSERT_TRUE(update && update->has_value()) << update.error().ToString();
    EXPECT_GT((*update)->patients, 150) << file;
  }
  EXPECT_EQ(opened, 8) << "two more connections for each batch";
  EXPECT_EQ(Stored(*c.stats), serial->figures);
  auto c_all = ComputeAllFigures(*c.stats, *rules_);
  ASSERT_TRUE(c_all);
  auto c_ids = std::vector<int64_t>();
  for (const auto& [id, bytes] : c_all->contributions) c_ids.push_back(id);
  auto c_stored = c.stats->Contributions(c_ids);
  ASSERT_TRUE(c_stored);
  EXPECT_EQ(Canonical(*c_stored), Canonical(c_all->contributions))
      << "every stored contribution is current";
  EXPECT_EQ((*c.stats->State())->patients, static_cast<int64_t>(c_all->contributions.size()));
}

TEST_P(FigureServiceTest, VerifyReportsADamagedFigure) {
  Stores a = Open("a.db");
  Import(*a.store, StatsFixture("hersys_day1.csv"));
  ASSERT_TRUE(RecomputeFigures(*a.stats, *rules_, "now"));
  // Someone's count drifts: one extra case on 2022-08-01.
  const store::FlowCount drift{"notified", "total", D("2022-08-01").days(), 1};
  ASSERT_TRUE(a.stats->ApplyDelta({&drift, 1}, {}, {}, 0, 0, {}, store::kAnyStatsVersion));
  auto verify = VerifyFigures(*a.stats, *rules_);
  ASSERT_TRUE(verify);
  ASSERT_EQ(verify->differences.size(), 1u);
  EXPECT_EQ(verify->differences[0].what, "flow notified total 2022-08-01");
  EXPECT_EQ(verify->differences[0].stored, 3);
  EXPECT_EQ(verify->differences[0].computed, 2);
}

// A batch whose rows change no patient's figures (the same sheet again, one
// blank line longer, so not the same file): every patient is compared as
// bytes and skipped; nothing is decoded, subtracted or written.
TEST_P(FigureServiceTest, UnchangedPatientsAreSkippedAndNotWritten) {
  Stores a = Open("a.db");
  Import(*a.store, StatsFixture("hersys_day1.csv"));
  ASSERT_TRUE(RecomputeFigures(*a.stats, *rules_, "now"));
  ObservedStatsStore observed(*a.stats);
  const int64_t late = Import(*a.store, StatsFixture("updates_late.csv"));
  auto first = UpdateFiguresThrough(observed, *rules_, late, "now");
  ASSERT_TRUE(first && first->has_value()) << first.error().ToString();
  EXPECT_EQ((*first)->changed, 5);
  EXPECT_EQ((*first)->written, 5);
  EXPECT_EQ(observed.contributions_written, 5);
  const Figures before = Stored(*a.stats);

  const std::string again = (dir_ / "updates_late_again.csv").string();
  std::filesystem::copy_file(StatsFixture("updates_late.csv"), again);
  std::ofstream(again, std::ios::app) << "\r\n";
  const int64_t repeat = Import(*a.store, again);
  ASSERT_EQ(repeat, late + 1) << "a new batch, not the same file";
  auto second = UpdateFiguresThrough(observed, *rules_, repeat, "now");
  ASSERT_TRUE(second && second->has_value()) << second.error().ToString();
  // The batch added no events and changed no record: with its events
  // logged (SQLite) nobody needs a look; otherwise its five patients.
  EXPECT_LE((*second)->patients, 5);
  EXPECT_EQ((*second)->changed, 0);
  EXPECT_EQ((*second)->written, 0);
  EXPECT_EQ(observed.contributions_written, 5) << "nothing written for the second batch";
  EXPECT_EQ((*second)->first_day, kNoDay);
  EXPECT_EQ((*a.stats->State())->last_batch, repeat);
  EXPECT_EQ(Stored(*a.stats), before);
}

// Figures computed by an older build hold version 1 contributions: an update
// decodes them, counts only real changes, rewrites its patients' in the
// compact form, and the figures stay equal to a recomputation.
TEST_P(FigureServiceTest, OlderEncodingIsRewrittenByTheNextUpdate) {
  Stores a = Open("a.db");
  Import(*a.store, StatsFixture("hersys_day1.csv"));
  ASSERT_TRUE(RecomputeFigures(*a.stats, *rules_, "now"));
  auto all = ComputeAllFigures(*a.stats, *rules_);
  ASSERT_TRUE(all);
  std::vector<std::pair<int64_t, std::string>> v1;
  for (const auto& [id, bytes] : all->contributions) {
    auto c = DecodeStored(bytes);
    ASSERT_TRUE(c);
    // The version 1 layout, as stores written before version 2 hold it.
    std::string old(1, '\x01');
    auto i32 = [&](int32_t v) { old.append(reinterpret_cast<const char*>(&v), 4); };
    auto str = [&](const std::string& v) {
      old.push_back(static_cast<char>(v.size()));
      old += v;
    };
    i32(c->notified_day);
    i32(c->published_day);
    i32(c->died_day);
    old.push_back(c->severe ? 1 : 0);
    str(c->municipality);
    str(c->age_band);
    str(c->sex);
    i32(static_cast<int32_t>(c->intervals.size()));
    for (const StatusInterval& interval : c->intervals) {
      i32(interval.start);
      i32(interval.end);
      old.push_back(static_cast<char>(interval.status));
    }
    v1.emplace_back(id, std::move(old));
  }
  ASSERT_EQ(v1.size(), 5u);
  ASSERT_TRUE(a.stats->ApplyDelta({}, {}, Log(v1), 0, 0, {}, store::kAnyStatsVersion));
  // updates_more.csv touches 1000001 and 1000003 only when imported after
  // updates_late.csv; both files are applied here.
  const int64_t late = Import(*a.store, StatsFixture("updates_late.csv"));
  auto update = UpdateFiguresThrough(*a.stats, *rules_, late, "now");
  ASSERT_TRUE(update && update->has_value()) << update.error().ToString();
  EXPECT_EQ((*update)->written, 5);
  EXPECT_EQ((*update)->changed, 5);
  std::vector<int64_t> ids;
  for (const auto& [id, bytes] : v1) ids.push_back(id);
  auto stored = a.stats->Contributions(ids);
  ASSERT_TRUE(stored);
  for (const auto& [id, bytes] : *stored) {
    EXPECT_TRUE(StoredHasEvents(bytes)) << id;
    auto c = DecodeStored(bytes);
    ASSERT_TRUE(c) << id;
  }
  EXPECT_EQ(stored->size(), 4u) << "1000004 withdrew";
  auto verify = VerifyFigures(*a.stats, *rules_);
  ASSERT_TRUE(verify);
  EXPECT_TRUE(verify->differences.empty()) << verify->differences.front().what;
}

// StatsStore's default batch reads (for stores that do not override them)
// give what SQLite's own give: the batch's patients in id order, each once,
// with their events; an id with no patient or events comes with none.
TEST_P(FigureServiceTest, DefaultBatchReadsEqualTheStoresOwn) {
  Stores a = Open("a.db");
  Import(*a.store, StatsFixture("hersys_day1.csv"));
  const int64_t late = Import(*a.store, StatsFixture("updates_late.csv"));
  ObservedStatsStore own(*a.stats, true);
  ObservedStatsStore defaults(*a.stats, false);
  auto own_ids = own.PatientIdsOfBatch(late);
  auto default_ids = defaults.PatientIdsOfBatch(late);
  ASSERT_TRUE(own_ids && default_ids);
  EXPECT_EQ(own_ids->size(), 5u);
  EXPECT_TRUE(std::is_sorted(own_ids->begin(), own_ids->end()));
  EXPECT_EQ(*own_ids, *default_ids);
  std::vector<int64_t> ids = *own_ids;
  ids.insert(ids.begin(), 0);        // before every patient
  ids.push_back(ids.back() + 1000);  // after every patient
  using Seen = std::vector<std::tuple<int64_t, std::string, size_t>>;
  auto read = [&](store::StatsStore& stats) {
    Seen seen;
    auto status = stats.ForEachPatientInputOf(
        ids, {}, [&](const store::StatsPatient& p, std::span<const domain::Event> events) {
          seen.emplace_back(p.id, p.municipality_code, events.size());
          return core::Ok();
        });
    EXPECT_TRUE(status) << status.error().ToString();
    return seen;
  };
  const Seen mine = read(own);
  EXPECT_EQ(mine.size(), ids.size());
  EXPECT_EQ(mine.front(), std::make_tuple(int64_t{0}, std::string(), size_t{0}));
  EXPECT_GT(std::get<2>(mine[1]), 1u) << "the notification and the late sheet's event";
  EXPECT_FALSE(std::get<1>(mine[1]).empty());
  EXPECT_EQ(mine, read(defaults));

  // Records and events asked for apart: records far apart (sought) or close
  // together (a range), events left out. What was asked for is reported
  // (a store may read the rest anyway: SQLite does not).
  using store::kInputNoEvents;
  using store::kInputRecord;
  const uint8_t both = kInputRecord;
  const uint8_t record_only = kInputRecord | kInputNoEvents;
  for (const std::vector<uint8_t>& want :
       {std::vector<uint8_t>{0, both, 0, record_only, 0, 0, both},          // far apart
        std::vector<uint8_t>{0, both, record_only, both, record_only, both, 0},  // close
        std::vector<uint8_t>{record_only, 0, kInputNoEvents, 0, 0, 0, 0}}) {
    ASSERT_EQ(want.size(), ids.size());
    Seen seen;
    auto status = own.ForEachPatientInputOf(
        ids, want, [&](const store::StatsPatient& p, std::span<const domain::Event> events) {
          seen.emplace_back(p.id, p.municipality_code, events.size());
          return core::Ok();
        });
    ASSERT_TRUE(status) << status.error().ToString();
    ASSERT_EQ(seen.size(), ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      EXPECT_EQ(std::get<0>(seen[i]), ids[i]);
      if ((want[i] & kInputRecord) != 0) {
        EXPECT_EQ(std::get<1>(seen[i]), std::get<1>(mine[i])) << i;
      } else if (GetParam() == StoreKind::kSqlite) {
        EXPECT_EQ(std::get<1>(seen[i]), "") << i;
      }
      if ((want[i] & kInputNoEvents) == 0) {
        EXPECT_EQ(std::get<2>(seen[i]), std::get<2>(mine[i])) << i;
      } else if (GetParam() == StoreKind::kSqlite) {
        EXPECT_EQ(std::get<2>(seen[i]), 0u) << i;
      }
    }
  }
}

// Another process applies the batch between this update's reads and its
// write: the store refuses the second application (kAborted, nothing
// written), and UpdateFiguresThrough carries on from the new state, so the
// batch counts once.
TEST_P(FigureServiceTest, ABatchAppliedByAnotherProcessMeanwhileCountsOnce) {
  Stores a = Open("a.db");
  Import(*a.store, StatsFixture("hersys_day1.csv"));
  ASSERT_TRUE(RecomputeFigures(*a.stats, *rules_, "now"));
  const int64_t late = Import(*a.store, StatsFixture("updates_late.csv"));
  auto other = OpenStats(Location("a.db"));
  ASSERT_TRUE(other);
  ObservedStatsStore racing(*a.stats);
  int64_t other_changed = -1;
  racing.before_contributions = [&] {
    auto applied = UpdateFiguresThrough(**other, *rules_, late, "now");
    ASSERT_TRUE(applied && applied->has_value()) << applied.error().ToString();
    other_changed = (*applied)->changed;
  };
  auto aborted = UpdateAfterBatch(racing, *rules_, late, "now");
  ASSERT_FALSE(aborted);
  EXPECT_EQ(aborted.error().code, core::Code::kAborted);
  EXPECT_EQ(other_changed, 5);
  EXPECT_EQ(racing.contributions_written, 0);
  auto verify = VerifyFigures(*a.stats, *rules_);
  ASSERT_TRUE(verify);
  EXPECT_TRUE(verify->differences.empty()) << verify->differences.front().what;

  // The same race through UpdateFiguresThrough: it retries from the state
  // the other process left and applies the next batch itself.
  const int64_t more = Import(*a.store, StatsFixture("updates_more.csv"));
  racing.before_contributions = [&] {
    auto applied = UpdateFiguresThrough(**other, *rules_, more, "now");
    ASSERT_TRUE(applied && applied->has_value());
  };
  auto through = UpdateFiguresThrough(racing, *rules_, more, "now");
  ASSERT_TRUE(through && through->has_value()) << through.error().ToString();
  EXPECT_EQ((*through)->changed, 0) << "the other process applied it";
  EXPECT_EQ(racing.contributions_written, 0);
  EXPECT_EQ((*a.stats->State())->last_batch, more);
  verify = VerifyFigures(*a.stats, *rules_);
  ASSERT_TRUE(verify);
  EXPECT_TRUE(verify->differences.empty()) << verify->differences.front().what;
  // Applying an applied batch again does nothing; skipping one is refused.
  auto repeat = UpdateAfterBatch(*a.stats, *rules_, late, "now");
  ASSERT_TRUE(repeat);
  EXPECT_TRUE(repeat->already_applied);
  auto skip = UpdateAfterBatch(*a.stats, *rules_, more + 2, "now");
  ASSERT_FALSE(skip);
  EXPECT_EQ(skip.error().code, core::Code::kFailedPrecondition);
}

// Two threads on their own connections update the same batches at once (as
// a CLI import and the server would): every batch counts once.
TEST_P(FigureServiceTest, ConcurrentUpdatesOnTwoConnectionsCountEachBatchOnce) {
  Stores a = Open("a.db");
  Import(*a.store, StatsFixture("hersys_day1.csv"));
  Import(*a.store, StatsFixture("updates_late.csv"));
  const int64_t last = Import(*a.store, StatsFixture("updates_more.csv"));
  ASSERT_TRUE(RecomputeFigures(*a.stats, *rules_, "now"));  // the reference

  Stores fresh = Open("fresh.db");
  Import(*fresh.store, StatsFixture("hersys_day1.csv"));
  ASSERT_TRUE(RecomputeFigures(*fresh.stats, *rules_, "now"));
  const int64_t fresh_last_before = (*fresh.stats->State())->last_batch;
  Import(*fresh.store, StatsFixture("updates_late.csv"));
  const int64_t fresh_last = Import(*fresh.store, StatsFixture("updates_more.csv"));
  ASSERT_EQ(fresh_last, fresh_last_before + 2);
  std::vector<core::Result<std::optional<UpdateSummary>>> results(2, std::nullopt);
  const std::string fresh_path = Location("fresh.db");
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        auto stats = OpenStats(fresh_path);
        if (!stats) {
          results[static_cast<size_t>(t)] = std::unexpected(stats.error());
          return;
        }
        results[static_cast<size_t>(t)] =
            UpdateFiguresThrough(**stats, *rules_, fresh_last, "now");
      });
    }
  }
  int64_t changed = 0;
  for (auto& result : results) {
    ASSERT_TRUE(result && result->has_value()) << result.error().ToString();
    changed += (*result)->changed;
  }
  EXPECT_GE(changed, 5);
  EXPECT_EQ((*fresh.stats->State())->last_batch, fresh_last);
  auto verify = VerifyFigures(*fresh.stats, *rules_);
  ASSERT_TRUE(verify);
  EXPECT_TRUE(verify->differences.empty()) << verify->differences.front().what;
  EXPECT_EQ(Stored(*fresh.stats), Stored(*a.stats)) << "the same as recomputed from scratch";
  EXPECT_EQ(last, fresh_last);
}

// Two servers on one database update the figures for imports that touched
// the same patient: the one whose read is stale by the time it writes is
// refused (kAborted) and stores nothing, so no change is counted twice.
// SqliteStatsStore makes no such check (one server per file): PostgreSQL only.
class PostgresFigureServiceTest : public FigureServiceTest {};
INSTANTIATE_TEST_SUITE_P(Stores, PostgresFigureServiceTest,
                         ::testing::Values(StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>&) { return "PostgreSQL"; });

TEST_P(PostgresFigureServiceTest, ADeltaFromAStaleReadIsRefusedAndStoresNothing) {
  Stores a = Open("a.db");
  Import(*a.store, StatsFixture("hersys_day1.csv"));
  ASSERT_TRUE(RecomputeFigures(*a.stats, *rules_, "now"));
  auto other = OpenStats(Location("a.db"));
  ASSERT_TRUE(other.has_value()) << other.error().ToString();
  auto max_id = a.store->MaxPatientId();
  ASSERT_TRUE(max_id.has_value());
  const int64_t id = *max_id;
  const int32_t day = D("2022-08-01").days();
  auto before = a.stats->ReadFlows("notified", day, day);
  ASSERT_TRUE(before.has_value());
  int64_t total_before = 0;
  for (const auto& f : *before) total_before += f.key == "total" ? f.count : 0;
  // Both read the patient's contribution; the other server writes first.
  ASSERT_TRUE(a.stats->Contributions({&id, 1}).has_value());
  ASSERT_TRUE((*other)->Contributions({&id, 1}).has_value());
  const store::FlowCount one{"notified", "total", day, 1};
  const std::vector<std::pair<int64_t, std::string>> theirs = {{id, "theirs"}};
  ASSERT_TRUE((*other)->ApplyDelta({&one, 1}, {}, Log(theirs), 0, 0, {}, store::kAnyStatsVersion).has_value());
  const std::vector<std::pair<int64_t, std::string>> mine = {{id, "mine"}};
  auto refused = a.stats->ApplyDelta({&one, 1}, {}, Log(mine), 0, 0, {}, store::kAnyStatsVersion);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, core::Code::kAborted);
  auto after = a.stats->ReadFlows("notified", day, day);
  ASSERT_TRUE(after.has_value());
  int64_t total_after = 0;
  for (const auto& f : *after) total_after += f.key == "total" ? f.count : 0;
  EXPECT_EQ(total_after, total_before + 1);  // the other server's change, once
  auto stored = a.stats->Contributions({&id, 1});
  ASSERT_TRUE(stored.has_value() && stored->size() == 1u);
  EXPECT_EQ((*stored)[0].second, "theirs");
  // Read again, the write goes through.
  EXPECT_TRUE(a.stats->ApplyDelta({}, {}, Log(mine), 0, 0, {}, store::kAnyStatsVersion).has_value());
}

TEST_P(FigureServiceTest, EmptyRangeIsAnError) {
  Stores a = Open("a.db");
  auto days = ReadDaily(*a.stats, Series::kNotified, D("2022-08-05"), D("2022-08-01"));
  ASSERT_FALSE(days);
  EXPECT_EQ(days.error().code, core::Code::kInvalidArgument);
}

// Reads a CSV into rows of fields (header first).
std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  auto reader = io::OpenRecordReader(path, io::ReaderOptions{});
  EXPECT_TRUE(reader.has_value()) << path;
  if (!reader) return rows;
  while (true) {
    auto record = (*reader)->Next();
    EXPECT_TRUE(record.has_value());
    if (!record || *record == nullptr) break;
    rows.push_back((*record)->fields);
  }
  return rows;
}

void ExpectRoundTrip(const std::vector<std::vector<std::string>>& original,
                     const std::vector<std::vector<std::string>>& exported) {
  ASSERT_FALSE(original.empty());
  ASSERT_EQ(exported.size(), original.size()) << "one exported row per published row";
  std::map<std::string, size_t> out_column;
  for (size_t i = 0; i < exported[0].size(); ++i) out_column[exported[0][i]] = i;
  int compared = 0;
  for (size_t c = 0; c < original[0].size(); ++c) {
    std::string name = original[0][c];
    if (name.starts_with("\xEF\xBB\xBF")) name = name.substr(3);
    if (name == "退院済フラグ") name = "患者_退院済フラグ";
    auto it = out_column.find(name);
    if (it == out_column.end()) continue;  // not a standard column (曜日, 患者_属性 …)
    for (size_t r = 1; r < original.size(); ++r) {
      const std::string want = c < original[r].size() ? original[r][c] : "";
      // io::CsvWriter guards cells an spreadsheet could run as a formula
      // (a leading '-' that is not a number) with a quote mark: the one
      // deliberate difference.
      const std::string guarded = io::NeedsFormulaGuard(want) ? "'" + want : want;
      ASSERT_EQ(exported[r][it->second], guarded) << "row " << r << " column " << name;
      ++compared;
    }
  }
  EXPECT_GE(compared, static_cast<int>(original.size() - 1) * 10);
}

TEST_P(FigureServiceTest, TokyoOpenDataRoundTrips) {
  for (const char* file : {"tokyo_130001_tokyo_covid19_patients_2020-05-01.csv",
                           "tokyo_130001_tokyo_covid19_patients_2022-1_sample60.csv"}) {
    Stores a = Open(std::string(file) + ".db");
    ASSERT_GT(Import(*a.store, RefFile(file), "opendata"), 0);
    const std::string out = (dir_ / (std::string(file) + ".out.csv")).string();
    auto writer = io::CsvWriter::Open(out, io::Encoding::kUtf8Bom);
    ASSERT_TRUE(writer);
    auto rows = WriteOpenDataPatients(*a.store, OpenDataOptions{}, **writer);
    ASSERT_TRUE(rows) << rows.error().ToString();
    ASSERT_TRUE((*writer)->Close());
    ExpectRoundTrip(ReadCsv(RefFile(file)), ReadCsv(out));
  }
}

// An update reads the records of only the patients its batch inserted or
// changed: an update sheet reads none (their attributes are those stored with
// their contributions), a HER-SYS resend that moves a patient to another age
// band reads that one and moves its counts. The changed contributions go to
// the contribution log; folding the log into its table changes nothing read.
TEST_P(FigureServiceTest, RecordsAreReadOnlyWhereTheBatchChangedThemAndTheLogFolds) {
  Stores a = Open("a.db");
  Import(*a.store, StatsFixture("hersys_day1.csv"));
  ASSERT_TRUE(RecomputeFigures(*a.stats, *rules_, "now"));
  const int64_t late = Import(*a.store, StatsFixture("updates_late.csv"));
  auto sheet = UpdateFiguresThrough(*a.stats, *rules_, late, "now");
  ASSERT_TRUE(sheet && sheet->has_value()) << sheet.error().ToString();
  EXPECT_EQ((*sheet)->patients, 5);
  EXPECT_EQ((*sheet)->records_read, 0);
  // SQLite logs a batch's events: no history is read again. PostgreSQL
  // reads each patient's from the events table.
  EXPECT_EQ((*sheet)->histories_read, GetParam() == StoreKind::kSqlite ? 0 : 5);
  EXPECT_EQ((*sheet)->folded, 0) << "a short log stays";

  const std::string resend = ResendOfFirstPatient("hersys_resend.csv", 55);
  const int64_t again = Import(*a.store, resend);
  auto moved = UpdateFiguresThrough(*a.stats, *rules_, again, "now");
  ASSERT_TRUE(moved && moved->has_value()) << moved.error().ToString();
  EXPECT_EQ((*moved)->patients, 1);
  EXPECT_EQ((*moved)->records_read, 1);
  EXPECT_EQ((*moved)->changed, 1);
  auto day = ReadDaily(*a.stats, Series::kNotified, D("2022-08-01"), D("2022-08-01"));
  ASSERT_TRUE(day) << day.error().ToString();
  EXPECT_EQ((*day)[0].age_band["50代"], 1);
  EXPECT_EQ((*day)[0].age_band.count("40代"), 0u);

  auto ids = a.stats->PatientIdsOfBatch(late);
  ASSERT_TRUE(ids) << ids.error().ToString();
  ids->push_back(1);  // the resent patient's store id is among the first
  std::sort(ids->begin(), ids->end());
  ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
  auto logged = a.stats->Contributions(*ids);
  ASSERT_TRUE(logged) << logged.error().ToString();
  const Figures before = Stored(*a.stats);
  auto folded = a.stats->FoldContributionLog(true);
  ASSERT_TRUE(folded) << folded.error().ToString();
  EXPECT_EQ(*folded, 6) << "five from the sheet, one from the resend";
  auto refolded = a.stats->FoldContributionLog(true);
  ASSERT_TRUE(refolded);
  EXPECT_EQ(*refolded, 0);
  auto from_table = a.stats->Contributions(*ids);
  ASSERT_TRUE(from_table);
  EXPECT_EQ(*from_table, *logged);
  EXPECT_EQ(Stored(*a.stats), before);
  EXPECT_EQ((*a.stats->State())->patients, 4) << "1000004 withdrew: no contribution";
  auto verify = VerifyFigures(*a.stats, *rules_);
  ASSERT_TRUE(verify) << verify.error().ToString();
  EXPECT_TRUE(verify->differences.empty()) << verify->differences.front().what;
}

// A batch's new patients are computed from the events it logged (SQLite),
// their records read; a patient without a contribution that the batch added
// events to but did not create (1000004 withdrew) has its history read.
TEST_P(FigureServiceTest, NewPatientsComeFromTheBatchLogAndOthersFromTheirHistory) {
  Stores a = Open("a.db");
  Import(*a.store, StatsFixture("hersys_day1.csv"));
  ASSERT_TRUE(RecomputeFigures(*a.stats, *rules_, "now"));
  const int64_t late = Import(*a.store, StatsFixture("updates_late.csv"));
  ASSERT_TRUE(UpdateFiguresThrough(*a.stats, *rules_, late, "now"));

  const std::string day2 = (dir_ / "hersys_day2.csv").string();
  std::ofstream(day2) << "HER-SYS ID,届出日,氏名,フリガナ,性別,年齢,住所,発症日,診断日,重症度,"
                         "療養状況\n"
                         "1000006,2022-08-04,伊藤 四郎,イトウ シロウ,男,61,"
                         "神奈川県横浜市中区山下町4,2022-08-03,2022-08-04,軽症,宿泊療養\n"
                         "1000007,2022-08-04,渡辺 春子,ワタナベ ハルコ,女,19,"
                         "神奈川県川崎市川崎区宮本町2,2022-08-02,2022-08-04,中等症,入院\n";
  const int64_t fresh = Import(*a.store, day2);
  auto added = UpdateFiguresThrough(*a.stats, *rules_, fresh, "now");
  ASSERT_TRUE(added && added->has_value()) << added.error().ToString();
  EXPECT_EQ((*added)->patients, 2);
  EXPECT_EQ((*added)->records_read, 2);
  EXPECT_EQ((*added)->changed, 2);
  EXPECT_EQ((*added)->histories_read, GetParam() == StoreKind::kSqlite ? 0 : 2);

  const std::string sheet = (dir_ / "withdrawn_admitted.csv").string();
  std::ofstream(sheet) << "HER-SYS ID,区分,日付,医療機関名\n"
                          "1000004,入院,2022-08-06,相模原病院\n"
                          "1000006,入院,2022-08-07,横浜病院\n";
  const int64_t more = Import(*a.store, sheet);
  auto taken = UpdateFiguresThrough(*a.stats, *rules_, more, "now");
  ASSERT_TRUE(taken && taken->has_value()) << taken.error().ToString();
  EXPECT_EQ((*taken)->patients, 2);
  EXPECT_EQ((*taken)->histories_read, GetParam() == StoreKind::kSqlite ? 1 : 2)
      << "1000004 has no contribution: its history, not just the batch's events";
  EXPECT_EQ((*taken)->changed, 1) << "1000006 moves to 入院; 1000004 stays withdrawn";

  // Figures and every stored contribution equal a recomputation.
  auto verify = VerifyFigures(*a.stats, *rules_);
  ASSERT_TRUE(verify) << verify.error().ToString();
  EXPECT_TRUE(verify->differences.empty()) << verify->differences.front().what;
  auto all = ComputeAllFigures(*a.stats, *rules_);
  ASSERT_TRUE(all) << all.error().ToString();
  std::vector<int64_t> ids;
  for (const auto& [id, bytes] : all->contributions) ids.push_back(id);
  EXPECT_EQ(ids.size(), 6u) << "1000004 withdrew: no contribution";
  auto stored = a.stats->Contributions(ids);
  ASSERT_TRUE(stored) << stored.error().ToString();
  EXPECT_EQ(Canonical(*stored), Canonical(all->contributions));
  EXPECT_EQ((*a.stats->State())->patients, 6);
}

// A review or merge decision writes events under an old batch: the next
// update takes in the patients it wrote to (their histories read again),
// so the figures stay equal to a recomputation; its marks are then gone.
TEST_P(FigureServiceTest, DecisionsAreTakenInByTheNextUpdate) {
  Stores a = Open("a.db");
  Import(*a.store, StatsFixture("hersys_day1.csv"));
  ASSERT_TRUE(RecomputeFigures(*a.stats, *rules_, "now"));
  intake::MergeService merges(*a.store);
  auto merged = merges.Merge(3, 4, "tester", "同一人物 (test)");
  ASSERT_TRUE(merged) << merged.error().ToString();
  auto marks = a.stats->PatientsOfDecisions();
  ASSERT_TRUE(marks) << marks.error().ToString();
  EXPECT_EQ(marks->ids, (std::vector<int64_t>{3, 4}));
  EXPECT_FALSE(marks->seqs.empty());

  const std::string resend = ResendOfFirstPatient("hersys_resend.csv", 55);
  const int64_t batch = Import(*a.store, resend);
  auto update = UpdateFiguresThrough(*a.stats, *rules_, batch, "now");
  ASSERT_TRUE(update && update->has_value()) << update.error().ToString();
  EXPECT_EQ((*update)->patients, 3) << "the resent patient and the two the merge wrote to";
  EXPECT_GE((*update)->histories_read, 2);
  auto after = a.stats->PatientsOfDecisions();
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->ids.empty());
  auto verify = VerifyFigures(*a.stats, *rules_);
  ASSERT_TRUE(verify) << verify.error().ToString();
  EXPECT_TRUE(verify->differences.empty()) << verify->differences.front().what;
  // Undone, and taken in again by the next update.
  auto undone = merges.Unmerge(merged->id, "tester", "別人でした (test)");
  ASSERT_TRUE(undone) << undone.error().ToString();
  const std::string again = ResendOfFirstPatient("hersys_resend2.csv", 45);
  const int64_t next = Import(*a.store, again);
  auto second = UpdateFiguresThrough(*a.stats, *rules_, next, "now");
  ASSERT_TRUE(second && second->has_value()) << second.error().ToString();
  EXPECT_EQ((*second)->patients, 3);
  auto reverify = VerifyFigures(*a.stats, *rules_);
  ASSERT_TRUE(reverify) << reverify.error().ToString();
  EXPECT_TRUE(reverify->differences.empty()) << reverify->differences.front().what;
  // A write removes exactly the marks it read, not every one numbered below
  // (on PostgreSQL a lower number may commit later).
  ASSERT_TRUE(merges.Merge(3, 4, "tester", "やはり同一人物 (test)"));
  auto marked = a.stats->PatientsOfDecisions();
  ASSERT_TRUE(marked);
  ASSERT_GE(marked->seqs.size(), 2u);
  const std::vector<int64_t> last_only = {marked->seqs.back()};
  ASSERT_TRUE(a.stats->ApplyDelta({}, {}, {}, 0, 0, last_only, store::kAnyStatsVersion));
  auto kept = a.stats->PatientsOfDecisions();
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->seqs, std::vector<int64_t>(marked->seqs.begin(), marked->seqs.end() - 1));
}

// A decision reaches the figures at once through UpdateFiguresForDecisions,
// with no batch; the figures then equal a recomputation again.
TEST_P(FigureServiceTest, DecisionsReachTheFiguresWithoutAnImport) {
  Stores a = Open("a.db");
  Import(*a.store, StatsFixture("hersys_day1.csv"));
  auto none = UpdateFiguresForDecisions(*a.stats, *rules_, "now");
  ASSERT_TRUE(none) << none.error().ToString();
  EXPECT_FALSE(none->has_value()) << "no figures yet: nothing to keep current";
  ASSERT_TRUE(RecomputeFigures(*a.stats, *rules_, "now"));
  const int64_t last_batch = (*a.stats->State())->last_batch;

  intake::MergeService merges(*a.store);
  auto merged = merges.Merge(3, 5, "tester", "同一人物 (test)");
  ASSERT_TRUE(merged) << merged.error().ToString();
  auto stale = VerifyFigures(*a.stats, *rules_);
  ASSERT_TRUE(stale) << stale.error().ToString();
  EXPECT_FALSE(stale->differences.empty()) << "the merge moved 1000005's stay to 1000003";

  auto taken = UpdateFiguresForDecisions(*a.stats, *rules_, "now");
  ASSERT_TRUE(taken && taken->has_value()) << taken.error().ToString();
  EXPECT_EQ((*taken)->patients, 2);
  EXPECT_EQ((*taken)->histories_read, 2);
  EXPECT_GT((*taken)->changed, 0);
  EXPECT_EQ((*a.stats->State())->last_batch, last_batch) << "no batch was applied";
  EXPECT_TRUE(a.stats->PatientsOfDecisions()->ids.empty());
  auto verify = VerifyFigures(*a.stats, *rules_);
  ASSERT_TRUE(verify) << verify.error().ToString();
  EXPECT_TRUE(verify->differences.empty()) << verify->differences.front().what;
  auto again = UpdateFiguresForDecisions(*a.stats, *rules_, "now");
  ASSERT_TRUE(again && again->has_value());
  EXPECT_EQ((*again)->patients, 0) << "no decision waiting";

  ASSERT_TRUE(merges.Unmerge(merged->id, "tester", "別人でした (test)"));
  auto undone = UpdateFiguresForDecisions(*a.stats, *rules_, "now");
  ASSERT_TRUE(undone && undone->has_value()) << undone.error().ToString();
  EXPECT_EQ((*undone)->patients, 2);
  auto reverify = VerifyFigures(*a.stats, *rules_);
  ASSERT_TRUE(reverify) << reverify.error().ToString();
  EXPECT_TRUE(reverify->differences.empty()) << reverify->differences.front().what;
  // The next import's update has no decision left to take in.
  const int64_t batch = Import(*a.store, ResendOfFirstPatient("hersys_resend.csv", 55));
  auto update = UpdateFiguresThrough(*a.stats, *rules_, batch, "now");
  ASSERT_TRUE(update && update->has_value()) << update.error().ToString();
  EXPECT_EQ((*update)->patients, 1);
}

// A write whose reads another write overtook is refused and stores nothing.
TEST_P(FigureServiceTest, AWriteAfterAnotherSinceItsReadIsRefused) {
  Stores a = Open("a.db");
  Import(*a.store, StatsFixture("hersys_day1.csv"));
  ASSERT_TRUE(RecomputeFigures(*a.stats, *rules_, "now"));
  const int64_t read_version = (*a.stats->State())->version;
  const int32_t day = D("2022-08-01").days();
  const store::FlowCount one{"notified", "total", day, 1};
  auto total = [&]() {
    auto flows = a.stats->ReadFlows("notified", day, day);
    EXPECT_TRUE(flows.has_value());
    int64_t sum = 0;
    for (const auto& f : *flows) sum += f.key == "total" ? f.count : 0;
    return sum;
  };
  const int64_t before = total();
  // Another write (another process's update) lands first.
  ASSERT_TRUE(a.stats->ApplyDelta({&one, 1}, {}, {}, 0, 0, {}, store::kAnyStatsVersion));
  EXPECT_EQ((*a.stats->State())->version, read_version + 1);
  auto refused = a.stats->ApplyDelta({&one, 1}, {}, {}, 0, 0, {}, read_version);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, core::Code::kAborted);
  EXPECT_EQ(total(), before + 1) << "the refused write stored nothing";
  EXPECT_TRUE(a.stats->ApplyDelta({&one, 1}, {}, {}, 0, 0, {}, read_version + 1).has_value());
  EXPECT_EQ(total(), before + 2);
  // A recomputation raises the version too (it is not reset).
  const int64_t versioned = (*a.stats->State())->version;
  ASSERT_TRUE(RecomputeFigures(*a.stats, *rules_, "now"));
  EXPECT_GT((*a.stats->State())->version, versioned);
}

}  // namespace
}  // namespace ichigen::stats
