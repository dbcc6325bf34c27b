// The statistics endpoints end to end: a server on port 0 over a real
// SQLite store and stats store, the figures computed from real fixture files
// imported through the real importer, read back over HTTP as JSON and CSV,
// refused to the roles that must not see them, and kept current by the
// import jobs (and not lost when that update fails).
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "api/geo_jurisdictions.h"
#include "api/handlers.h"
#include "api/server.h"
#include "api/test_random.h"
#include "io/encoding.h"
#include "stats/figure_service.h"
#include "api/test_stores.h"
#include "store/postgres_stats_store.h"
#include "store/sqlite_stats_store.h"

namespace ichigen::api {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string StatsFixture(const std::string& name) {
  return std::string(ICHIGEN_TEST_DATA_DIR) + "/stats/" + name;
}

// A stats store whose writes of deltas can be made to fail, to show that a
// failed update of the figures leaves the batch (and the job) standing.
class FlakyStatsStore final : public store::StatsStore {
 public:
  explicit FlakyStatsStore(std::unique_ptr<store::StatsStore> real) : real_(std::move(real)) {}
  std::atomic<bool> fail_writes{false};

  core::Status ForEachPatientInput(const store::StatsPatientFn& fn) override {
    return real_->ForEachPatientInput(fn);
  }
  core::Status ForEachPatientInputOfBatch(int64_t batch_id,
                                          const store::StatsPatientFn& fn) override {
    return real_->ForEachPatientInputOfBatch(batch_id, fn);
  }
  core::Result<int64_t> LatestBatch() override { return real_->LatestBatch(); }
  core::Result<std::vector<std::pair<int64_t, std::string>>> Contributions(
      std::span<const int64_t> ids) override {
    return real_->Contributions(ids);
  }
  core::Status ReplaceAll(std::span<const store::FlowCount> flows,
                          std::span<const store::CensusDelta> census,
                          std::span<const std::pair<int64_t, std::string>> contributions,
                          const store::StatsState& state) override {
    return real_->ReplaceAll(flows, census, contributions, state);
  }
  core::Status ApplyDelta(std::span<const store::FlowCount> flows,
                          std::span<const store::CensusDelta> census,
                          std::span<const std::string> log_records, int64_t batch_id,
                          int64_t patients_added,
                          std::span<const int64_t> decision_seqs,
                          int64_t expected_version) override {
    if (fail_writes) {
      return core::Fail(core::Code::kUnavailable, "書き込めません", "disk full (test)");
    }
    return real_->ApplyDelta(flows, census, log_records, batch_id, patients_added,
                             decision_seqs, expected_version);
  }
  core::Result<StoredContributions> ReadStoredContributions(
      std::span<const int64_t> ids) override {
    return real_->ReadStoredContributions(ids);
  }
  core::Result<std::optional<store::BatchEventLog>> NewEventsOfBatch(int64_t batch_id) override {
    return real_->NewEventsOfBatch(batch_id);
  }
  core::Result<store::DecisionPatients> PatientsOfDecisions() override {
    return real_->PatientsOfDecisions();
  }
  core::Result<int64_t> FoldContributionLog(bool always) override {
    return real_->FoldContributionLog(always);
  }
  core::Result<std::vector<store::FlowCount>> ReadFlows(const std::string& series, int32_t from,
                                                        int32_t to) override {
    return real_->ReadFlows(series, from, to);
  }
  core::Result<std::vector<store::FlowCount>> ReadAllFlows() override {
    return real_->ReadAllFlows();
  }
  core::Result<std::vector<store::CensusDelta>> ReadCensusDeltas(int32_t to) override {
    return real_->ReadCensusDeltas(to);
  }
  core::Result<std::optional<store::StatsState>> State() override { return real_->State(); }

 private:
  std::unique_ptr<store::StatsStore> real_;
};

class StatsApiTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  static void SetUpTestSuite() {
    auto intake = intake::IntakeContext::Load();
    ASSERT_TRUE(intake.has_value()) << intake.error().ToString();
    intake_ = new intake::IntakeContext(std::move(*intake));
    auto rules = domain::RecuperationRules::LoadDefault();
    ASSERT_TRUE(rules.has_value());
    rules_ = new domain::RecuperationRules(std::move(*rules));
  }
  static void TearDownTestSuite() {
    delete intake_;
    delete rules_;
  }

  void SetUp() override {
    ICHIGEN_SKIP_WITHOUT_PG(GetParam());
    dir_ = fs::temp_directory_path() /
           ("ichigen_stats_api_" + std::to_string(::getpid()) + "_" + TestLabel());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto prepared = site_.Prepare(GetParam(), dir_);
    ASSERT_TRUE(prepared.has_value()) << prepared.error().ToString();
    db_ = site_.location();
    {
      auto store = site_.OpenStore();
      ASSERT_TRUE(store.has_value()) << store.error().ToString();
      intake::Importer importer(**store, *intake_);
      intake::ImportOptions options;
      options.today = *core::Date::ParseIso("2022-08-31");
      auto report = importer.ImportFile(StatsFixture("hersys_day1.csv"), options);
      ASSERT_TRUE(report.has_value()) << report.error().ToString();
    }
    if (site_.postgres()) {
      auto stats = store::PostgresStatsStore::Open(db_);
      ASSERT_TRUE(stats.has_value()) << stats.error().ToString();
      stats_ = std::make_unique<FlakyStatsStore>(std::move(*stats));
    } else {
      auto stats = store::SqliteStatsStore::Open(db_);
      ASSERT_TRUE(stats.has_value()) << stats.error().ToString();
      stats_ = std::make_unique<FlakyStatsStore>(std::move(*stats));
    }
    auto accounts = site_.OpenAccounts();
    ASSERT_TRUE(accounts.has_value()) << accounts.error().ToString();
    accounts_ = std::move(*accounts);
    auto audit_store = site_.OpenAudit();
    ASSERT_TRUE(audit_store.has_value()) << audit_store.error().ToString();
    audit_store_ = std::move(*audit_store);
    jurisdictions_ = std::make_unique<GeoJurisdictions>(*intake_->registry);

    ServerOptions options;
    options.port = 0;
    options.threads = 4;
    options.store_connections = 2;
    options.upload_dir = (dir_ / "uploads").string();
    ServerDeps deps;
    deps.open_store = [this]() { return site_.OpenStore(); };
    deps.account_store = accounts_.get();
    deps.audit_store = audit_store_.get();
    deps.stats_store = stats_.get();
    deps.intake = intake_;
    deps.field_policy = &field_policy_;
    deps.jurisdictions = jurisdictions_.get();
    deps.random = &random_;
    deps.password_params = PasswordParams::Minimum();
    deps.log_stream = &log_;
    auto server = ApiServer::Create(options, std::move(deps));
    ASSERT_TRUE(server.has_value()) << server.error().ToString();
    server_ = std::move(*server);
    auto port = server_->Start();
    ASSERT_TRUE(port.has_value()) << port.error().ToString();
    port_ = *port;
    const std::pair<const char*, Role> users[] = {
        {"admin", Role::kAdmin},         {"op", Role::kOperator},
        {"hc", Role::kHealthCenter},     {"fac", Role::kFacility},
        {"muni", Role::kMunicipality},   {"aud", Role::kAuditor}};
    for (const auto& [login, role] : users) {
      const std::string scope = role == Role::kHealthCenter   ? "中"
                                : role == Role::kFacility     ? "A病院"
                                : role == Role::kMunicipality ? "141003"
                                                              : "";
      auto added = server_->accounts().AddUser(login, role, scope, "", std::string(login) + "-pw-12345");
      ASSERT_TRUE(added.has_value()) << added.error().ToString();
      tokens_[login] = server_->accounts().IssueToken(added->id, "test", "full")->token;
    }
  }

  void TearDown() override {
    server_.reset();
    stats_.reset();
    audit_store_.reset();
    accounts_.reset();
    site_.Drop();
    fs::remove_all(dir_);
  }

  void Recompute() {
    auto s = stats::RecomputeFigures(*stats_, *rules_, "2022-08-03T00:00:00Z");
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
  }
  httplib::Result Get(const std::string& login, const std::string& path) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(30, 0);
    return client.Get(path, {{"Authorization", "Bearer " + tokens_.at(login)}});
  }
  static json Body(const httplib::Result& res) { return json::parse(res->body, nullptr, false); }
  httplib::Result Post(const std::string& login, const std::string& path, const json& body) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(30, 0);
    return client.Post(path, {{"Authorization", "Bearer " + tokens_.at(login)}}, body.dump(),
                       "application/json");
  }

  // Runs a file through the server's import jobs (as an upload does).
  json ImportJob(const std::string& file) {
    const fs::path copy = dir_ / fs::path(file).filename();
    fs::copy_file(file, copy, fs::copy_options::overwrite_existing);
    JobRequest request;
    request.path = copy.string();
    request.submitted_by = "op";
    request.role = "operator";
    auto id = server_->jobs().Submit(std::move(request));
    EXPECT_TRUE(id.has_value());
    for (int i = 0; i < 600 && id; ++i) {
      auto job = server_->jobs().Get(*id);
      if (job && (job->state == "done" || job->state == "failed")) return job->ToJson();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return json();
  }
  int64_t DailyTotal(const std::string& day) {
    auto res = Get("op", "/api/v1/stats/daily?from=" + day + "&to=" + day);
    EXPECT_EQ(res->status, 200) << res->body;
    return Body(res)["items"][0]["total"].get<int64_t>();
  }

  static intake::IntakeContext* intake_;
  static domain::RecuperationRules* rules_;
  TestStoreSite site_;
  fs::path dir_;
  std::string db_;  // SQLite file or PostgreSQL conninfo
  std::unique_ptr<FlakyStatsStore> stats_;
  std::unique_ptr<store::AccountStore> accounts_;
  std::unique_ptr<store::AuditStore> audit_store_;
  std::unique_ptr<GeoJurisdictions> jurisdictions_;
  DenyAllFieldPolicy field_policy_;
  CountingRandom random_;
  std::ostringstream log_;
  std::unique_ptr<ApiServer> server_;
  int port_ = 0;
  std::map<std::string, std::string> tokens_;
};
intake::IntakeContext* StatsApiTest::intake_ = nullptr;
domain::RecuperationRules* StatsApiTest::rules_ = nullptr;

INSTANTIATE_TEST_SUITE_P(Stores, StatsApiTest,
                         ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres),
                         StoreKindName);

TEST_P(StatsApiTest, NoFiguresYetIsAPreconditionNotZeros) {
  auto res = Get("op", "/api/v1/stats/daily?from=2022-08-01&to=2022-08-03");
  ASSERT_EQ(res->status, 409) << res->body;
  EXPECT_EQ(Body(res)["error"]["code"], "failed_precondition");
  EXPECT_NE(Body(res)["error"]["message"].get<std::string>().find("recompute"), std::string::npos);
}

TEST_P(StatsApiTest, DailySeriesAsJsonAndCsv) {
  Recompute();
  auto res = Get("op", "/api/v1/stats/daily?from=2022-08-01&to=2022-08-03");
  ASSERT_EQ(res->status, 200) << res->body;
  const json body = Body(res);
  EXPECT_EQ(body["by"], "notified");
  ASSERT_EQ(body["items"].size(), 3u);
  // hersys_day1.csv: two notified on 08-01, two on 08-02, one on 08-03.
  EXPECT_EQ(body["items"][0]["date"], "2022-08-01");
  EXPECT_EQ(body["items"][0]["total"], 2);
  EXPECT_EQ(body["items"][1]["total"], 2);
  EXPECT_EQ(body["items"][2]["total"], 1);
  EXPECT_EQ(body["items"][2]["age_band"]["90歳以上"], 1);
  EXPECT_NEAR(body["items"][2]["average7"].get<double>(), 5.0 / 7.0, 1e-9);
  EXPECT_EQ(body["items"][0]["sex"]["男性"], 1);
  EXPECT_EQ(body["items"][0]["sex"]["女性"], 1);
  // Without from/to: the days that have figures.
  auto all = Get("aud", "/api/v1/stats/daily");
  ASSERT_EQ(all->status, 200) << all->body;
  EXPECT_EQ(Body(all)["from"], "2022-08-01");
  EXPECT_EQ(Body(all)["to"], "2022-08-03");
  // The last N days with figures, as the dashboard asks.
  auto last = Get("op", "/api/v1/stats/daily?last=2");
  ASSERT_EQ(last->status, 200) << last->body;
  EXPECT_EQ(Body(last)["from"], "2022-08-02");
  ASSERT_EQ(Body(last)["items"].size(), 2u);
  EXPECT_EQ(Get("op", "/api/v1/stats/daily?last=0")->status, 400);
  EXPECT_EQ(Get("op", "/api/v1/stats/daily?last=2&from=2022-08-01")->status, 400);

  auto csv = Get("op", "/api/v1/stats/daily?from=2022-08-01&to=2022-08-02&format=csv"
                       "&encoding=utf-8&lg_code=140007&prefecture=%E7%A5%9E%E5%A5%88%E5%B7%9D%E7%9C%8C");
  ASSERT_EQ(csv->status, 200) << csv->body;
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_TRUE(csv->body.starts_with("全国地方公共団体コード,都道府県名,市区町村名,公表_年月日,陽性者数"))
      << csv->body;
  EXPECT_NE(csv->body.find("140007,神奈川県,,2022-08-01,2,"), std::string::npos) << csv->body;
  // The default CSV is CP932 for Excel.
  auto sjis = Get("op", "/api/v1/stats/daily?from=2022-08-01&to=2022-08-01&format=csv");
  ASSERT_EQ(sjis->status, 200);
  EXPECT_EQ(sjis->get_header_value("Content-Type"), "text/csv; charset=Shift_JIS");
  EXPECT_EQ(io::DetectEncoding(sjis->body), io::Encoding::kCp932);
}

TEST_P(StatsApiTest, CensusAndPressSummary) {
  Recompute();
  auto res = Get("hc", "/api/v1/stats/census?from=2022-08-03&to=2022-08-03");
  ASSERT_EQ(res->status, 200) << res->body;
  const json day = Body(res)["items"][0];
  EXPECT_EQ(day["date"], "2022-08-03");
  EXPECT_EQ(day["counted"], 5);
  EXPECT_EQ(day["by_status"]["severe"], 1);
  // 1000002 (重症) and 1000005 (中等症) in hospital.
  EXPECT_EQ(day["by_status"]["hospitalized"], 2);
  EXPECT_EQ(day["by_status"]["home_recuperation"], 1);

  auto press = Get("muni", "/api/v1/stats/press?date=2022-08-01&by=notification");
  ASSERT_EQ(press->status, 200) << press->body;
  const json p = Body(press);
  EXPECT_EQ(p["new_cases"], 2);
  ASSERT_EQ(p["by_municipality"].size(), 1u);
  EXPECT_EQ(p["by_municipality"][0]["name"], "横浜市中区");
  EXPECT_EQ(p["by_municipality"][0]["count"], 2);
  auto text = Get("op", "/api/v1/stats/press?date=2022-08-01&by=notification&format=text");
  ASSERT_EQ(text->status, 200);
  EXPECT_NE(text->body.find("新規陽性者数: 2 人"), std::string::npos) << text->body;
  auto bad = Get("op", "/api/v1/stats/press?date=2022-13-45");
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(Body(bad)["error"]["code"], "invalid_argument");
  EXPECT_EQ(Get("op", "/api/v1/stats/daily?by=weekly")->status, 400);
  EXPECT_EQ(Get("op", "/api/v1/stats/daily?format=xml")->status, 400);
  EXPECT_EQ(Get("op", "/api/v1/stats/daily?from=2022-08-05&to=2022-08-01")->status, 400);
}

TEST_P(StatsApiTest, RolesThatMustNotSeeThemAreRefused) {
  Recompute();
  for (const char* path : {"/api/v1/stats/daily", "/api/v1/stats/census",
                           "/api/v1/stats/press?date=2022-08-01", "/api/v1/stats/opendata"}) {
    EXPECT_EQ(Get("fac", path)->status, 403) << path;
    httplib::Client anonymous("127.0.0.1", port_);
    EXPECT_EQ(anonymous.Get(path)->status, 401) << path;
  }
  // Row-level open data: the publishing roles and the auditor only.
  EXPECT_EQ(Get("muni", "/api/v1/stats/opendata")->status, 403);
  EXPECT_EQ(Get("hc", "/api/v1/stats/opendata")->status, 403);
  auto open = Get("aud", "/api/v1/stats/opendata?encoding=utf-8");
  ASSERT_EQ(open->status, 200) << open->body;
  EXPECT_NE(open->body.find("公表_年月日"), std::string::npos) << open->body.substr(0, 200);
  // One header and one row per counted case.
  EXPECT_EQ(std::count(open->body.begin(), open->body.end(), '\n'), 6) << open->body;
  bool audited = false;
  ASSERT_TRUE(audit_store_->ForEach([&](const store::AuditEntry& entry) {
    audited = audited || (entry.action == "stats.opendata_download" && entry.actor == "aud");
    return core::Ok();
  }));
  EXPECT_TRUE(audited);
}

TEST_P(StatsApiTest, ImportJobsKeepTheFiguresCurrent) {
  Recompute();
  const int64_t before = DailyTotal("2022-08-02");
  ASSERT_EQ(before, 2);
  // updates_late.csv withdraws 1000004 (notified 2022-08-02).
  json job = ImportJob(StatsFixture("updates_late.csv"));
  ASSERT_EQ(job["state"], "done") << job.dump();
  ASSERT_TRUE(job["report"]["stats"].is_object()) << job.dump();
  EXPECT_GT(job["report"]["stats"]["changed"].get<int64_t>(), 0);
  EXPECT_EQ(DailyTotal("2022-08-02"), 1);
  auto verify = stats::VerifyFigures(*stats_, *rules_);
  ASSERT_TRUE(verify.has_value());
  EXPECT_TRUE(verify->differences.empty());
}

TEST_P(StatsApiTest, AFailedUpdateKeepsTheBatchAndIsRepairedByTheNext) {
  Recompute();
  stats_->fail_writes = true;
  json job = ImportJob(StatsFixture("updates_late.csv"));
  // The import stands: the job is done and its batch is in the store.
  ASSERT_EQ(job["state"], "done") << job.dump();
  const int64_t batch = job["batch_id"].get<int64_t>();
  EXPECT_GT(batch, 0);
  EXPECT_EQ(job["report"]["stats_error"]["code"], "unavailable") << job.dump();
  EXPECT_NE(log_.str().find("update after import failed"), std::string::npos);
  // The figures are stale now, and verify says so.
  EXPECT_EQ(DailyTotal("2022-08-02"), 2);
  auto stale = stats::VerifyFigures(*stats_, *rules_);
  ASSERT_TRUE(stale.has_value());
  EXPECT_FALSE(stale->differences.empty());
  // The next import's update applies the missed batch too.
  stats_->fail_writes = false;
  json next = ImportJob(StatsFixture("updates_more.csv"));
  ASSERT_EQ(next["state"], "done") << next.dump();
  ASSERT_TRUE(next["report"]["stats"].is_object()) << next.dump();
  EXPECT_EQ(DailyTotal("2022-08-02"), 1);
  auto verify = stats::VerifyFigures(*stats_, *rules_);
  ASSERT_TRUE(verify.has_value());
  EXPECT_TRUE(verify->differences.empty()) << verify->differences.front().what;
}

// A merge or unmerge through the API reaches the figures at once; when the
// update fails the decision stands, the reply says so, and the next
// import's update takes the decision in.
TEST_P(StatsApiTest, MergeDecisionsReachTheFiguresAtOnce) {
  Recompute();
  ASSERT_EQ(DailyTotal("2022-08-03"), 1);
  // 1000005 (notified 2022-08-03) is found to be 1000003 (2022-08-02).
  auto merged = Post("op", "/api/v1/patients/3/merge", {{"merged_id", 5}, {"reason", "重複届出"}});
  ASSERT_EQ(merged->status, 200) << merged->body;
  const json merge = Body(merged);
  ASSERT_TRUE(merge["stats"].is_object()) << merged->body;
  EXPECT_EQ(merge["stats"]["patients"], 2);
  EXPECT_EQ(DailyTotal("2022-08-03"), 0);
  auto verify = stats::VerifyFigures(*stats_, *rules_);
  ASSERT_TRUE(verify.has_value());
  EXPECT_TRUE(verify->differences.empty()) << verify->differences.front().what;

  stats_->fail_writes = true;
  auto undone = Post("op", "/api/v1/merges/" + std::to_string(merge["id"].get<int64_t>()) +
                               "/unmerge",
                     {{"reason", "別人と判明"}});
  ASSERT_EQ(undone->status, 200) << undone->body;
  const json unmerge = Body(undone);
  EXPECT_EQ(unmerge["action"], "unmerge");
  EXPECT_EQ(unmerge["stats_error"]["code"], "unavailable") << undone->body;
  EXPECT_EQ(DailyTotal("2022-08-03"), 0) << "stale until taken in";
  stats_->fail_writes = false;
  json next = ImportJob(StatsFixture("updates_more.csv"));
  ASSERT_EQ(next["state"], "done") << next.dump();
  EXPECT_EQ(DailyTotal("2022-08-03"), 1);
  auto reverify = stats::VerifyFigures(*stats_, *rules_);
  ASSERT_TRUE(reverify.has_value());
  EXPECT_TRUE(reverify->differences.empty()) << reverify->differences.front().what;
}

TEST_P(StatsApiTest, OpenApiListsTheEndpoints) {
  const json doc = OpenApiDocument(server_->routes());
  for (const char* path : {"/api/v1/stats/daily", "/api/v1/stats/census", "/api/v1/stats/press",
                           "/api/v1/stats/opendata"}) {
    EXPECT_TRUE(doc["paths"].contains(path)) << path;
    EXPECT_TRUE(doc["paths"][path].contains("get")) << path;
  }
}

}  // namespace
}  // namespace ichigen::api
