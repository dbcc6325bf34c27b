// The way back from the municipalities through the server (issue 6, API
// side): agreements set by an admin, consent (one record, a CP932 sheet),
// packages issued, then a municipality records contact results on the refs
// of its own packages, one at a time and by an XLSX sheet, and the alerts
// reach GET /api/v1/alerts. Server on port 0 over real SQLite files and a real
// PostgreSQL database (StoreKind, see api/test_stores.h); the
// clock is injected so agreements recorded "before" the cutoff govern it.
#include <gtest/gtest.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "api/geo_jurisdictions.h"
#include "api/server.h"
#include "api/test_random.h"
#include "distribution/cutoff.h"
#include "distribution/snapshot.h"
#include "distribution/xlsx_workbook.h"
#include "io/encoding.h"
#include "api/test_stores.h"
#include "store/postgres_distribution_store.h"
#include "store/sqlite_distribution_store.h"

namespace ichigen::api {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kKamakura = "142042";  // 鎌倉市
const std::string kFujisawa = "142051";  // 藤沢市
const std::string kKamakuraCenter = "鎌倉保健福祉事務所";

audit::TimePoint At(const std::string& iso_utc) { return *audit::ParseIsoUtc(iso_utc); }

class LastmileApiTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  static void SetUpTestSuite() {
    auto intake = intake::IntakeContext::Load();
    ASSERT_TRUE(intake.has_value()) << intake.error().ToString();
    intake_ = new intake::IntakeContext(std::move(*intake));
  }
  static void TearDownTestSuite() {
    delete intake_;
    intake_ = nullptr;
  }

  void SetUp() override {
    ICHIGEN_SKIP_WITHOUT_PG(GetParam());
    dir_ = fs::temp_directory_path() /
           ("ichigen_lastmile_api_" + std::to_string(::getpid()) + "_" + TestLabel());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto prepared = site_.Prepare(GetParam(), dir_);
    ASSERT_TRUE(prepared.has_value()) << prepared.error().ToString();
    db_ = site_.location();
    {
      auto s = site_.OpenStore();
      ASSERT_TRUE(s.has_value()) << s.error().ToString();
      AddHomePatient(**s, "HS1", "鎌倉 花子", kKamakura, kKamakuraCenter);
      AddHomePatient(**s, "HS2", "鎌倉 次郎", kKamakura, kKamakuraCenter);
      AddHomePatient(**s, "HS3", "藤沢 三郎", kFujisawa, "藤沢市保健所");
    }
    auto accounts = site_.OpenAccounts();
    ASSERT_TRUE(accounts.has_value()) << accounts.error().ToString();
    accounts_ = std::move(*accounts);
    auto audit_store = site_.OpenAudit();
    ASSERT_TRUE(audit_store.has_value()) << audit_store.error().ToString();
    audit_store_ = std::move(*audit_store);
    if (site_.postgres()) {
      auto dist = store::PostgresDistributionStore::Open(db_);
      ASSERT_TRUE(dist.has_value()) << dist.error().ToString();
      distribution_ = std::move(*dist);
    } else {
      auto dist = store::SqliteDistributionStore::Open(db_);
      ASSERT_TRUE(dist.has_value()) << dist.error().ToString();
      distribution_ = std::move(*dist);
    }
    jurisdictions_ = std::make_unique<GeoJurisdictions>(*intake_->registry);
    now_ = At("2022-07-30T00:00:00Z");

    ServerOptions options;
    options.port = 0;
    options.threads = 8;
    options.store_connections = 2;
    options.max_upload_bytes = 256 * 1024;
    options.upload_dir = (dir_ / "uploads").string();
    ServerDeps deps;
    deps.open_store = [this]() { return site_.OpenStore(); };
    deps.account_store = accounts_.get();
    deps.audit_store = audit_store_.get();
    deps.distribution_store = distribution_.get();
    deps.intake = intake_;
    deps.field_policy = &field_policy_;
    deps.jurisdictions = jurisdictions_.get();
    deps.random = &random_;
    deps.clock = [this] { return now_.load(); };
    deps.password_params = PasswordParams::Minimum();
    deps.log_stream = &log_;
    auto server = ApiServer::Create(options, std::move(deps));
    ASSERT_TRUE(server.has_value()) << server.error().ToString();
    server_ = std::move(*server);
    auto port = server_->Start();
    ASSERT_TRUE(port.has_value()) << port.error().ToString();
    port_ = *port;
    AddUser("admin", Role::kAdmin, "");
    AddUser("op", Role::kOperator, "");
    AddUser("hc", Role::kHealthCenter, kKamakuraCenter);
    AddUser("kamakura", Role::kMunicipality, kKamakura);
    AddUser("fujisawa", Role::kMunicipality, kFujisawa);
    AddUser("aud", Role::kAuditor, "");
  }

  void TearDown() override {
    server_.reset();
    distribution_.reset();
    audit_store_.reset();
    accounts_.reset();
    site_.Drop();
    fs::remove_all(dir_);
  }

  // A patient notified and at home from 2022-08-01 (received 08:00 JST).
  static void AddHomePatient(store::Store& s, const std::string& hersys, const std::string& name,
                             const std::string& code6, const std::string& health_center) {
    store::BatchInfo info;
    info.sha256 = "sha-" + hersys;
    info.file_name = "t.csv";
    auto writer = s.BeginBatch(info);
    ASSERT_TRUE(writer.has_value());
    store::PatientRecord p;
    p.hersys_id = hersys;
    p.name = name;
    p.municipality_code = code6;
    p.health_center = health_center;
    p.created_batch = p.updated_batch = (*writer)->batch_id();
    auto id = (*writer)->InsertPatient(p);
    ASSERT_TRUE(id.has_value());
    const auto day = *core::Date::ParseIso("2022-08-01");
    domain::Event notified;
    notified.type = domain::EventType::kNotified;
    notified.effective_on = day;
    notified.onset_on = day.AddDays(-1);
    notified.received_at = distribution::Cutoff{day, 8 * 60}.UnixSeconds();
    notified.batch_id = (*writer)->batch_id();
    domain::Event home = notified;
    home.type = domain::EventType::kHomeStarted;
    ASSERT_TRUE((*writer)->AddEvent(*id, notified, hersys + "n").has_value());
    ASSERT_TRUE((*writer)->AddEvent(*id, home, hersys + "h").has_value());
    ASSERT_TRUE((*writer)->Commit(info).has_value());
  }

  void AddUser(const std::string& login, Role role, const std::string& scope) {
    auto added = server_->accounts().AddUser(login, role, scope, "", login + "-password-1");
    ASSERT_TRUE(added.has_value()) << added.error().ToString();
    auto user = server_->accounts().GetUserByLogin(login);
    ASSERT_TRUE(user.has_value());
    tokens_[login] = server_->accounts().IssueToken(user->id, "test", "full")->token;
  }

  httplib::Client Client() {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(30, 0);
    return client;
  }
  httplib::Headers Bearer(const std::string& login) {
    return {{"Authorization", "Bearer " + tokens_.at(login)}};
  }
  httplib::Result Get(const std::string& login, const std::string& path) {
    return Client().Get(path, Bearer(login));
  }
  httplib::Result Post(const std::string& login, const std::string& path, const json& body) {
    return Client().Post(path, Bearer(login), body.dump(), "application/json");
  }
  httplib::Result Upload(const std::string& login, const std::string& path,
                         const std::string& bytes, const std::string& name) {
    httplib::MultipartFormDataItems items = {{"file", bytes, name, "application/octet-stream"}};
    return Client().Post(path, Bearer(login), items);
  }
  static json Body(const httplib::Result& res) { return json::parse(res->body, nullptr, false); }
  static std::string ErrorCode(const httplib::Result& res) {
    json body = Body(res);
    if (!body.is_object() || !body.contains("error")) return "";
    return body["error"]["code"].get<std::string>();
  }
  static std::string ReadFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }

  // Agreements recorded on 2022-07-30 for both cities (no consent needed),
  // then the 2022-08-01 09:00 packages issued at 10:00 JST.
  void IssuePackages() {
    for (const std::string& code : {kKamakura, kFujisawa}) {
      auto res = Post("admin", "/api/v1/agreements",
                      {{"municipality_code", code}, {"fields", {"name", "phone", "care_period"}},
                       {"valid_from", "2022-07-30"}, {"consent_required", false}});
      ASSERT_EQ(res->status, 200) << res->body;
    }
    now_ = At("2022-08-01T01:00:00Z");
    auto res = Post("op", "/api/v1/packages", {{"cutoff", "2022-08-01T09:00+09:00"}});
    ASSERT_EQ(res->status, 200) << res->body;
    ASSERT_EQ(Body(res)["items"].size(), 2u) << res->body;
  }

  // The refs a municipality was sent, as it reads them from its package.
  std::vector<std::string> RefsOf(const std::string& code6,
                                  const std::string& cutoff = "20220801T0900") {
    auto package = distribution_->GetPackage(code6 + "-" + cutoff);
    EXPECT_TRUE(package.has_value() && package->has_value());
    auto snapshot = distribution::ParseSnapshot((*package)->snapshot_json);
    std::vector<std::string> refs;
    for (const auto& e : snapshot->entries) refs.push_back(e.ref);
    return refs;
  }

  size_t AuditCount(const std::string& action) {
    size_t n = 0;
    auto status = audit_store_->ForEach([&](const store::AuditEntry& e) -> core::Status {
      n += e.action == action ? 1 : 0;
      return core::Ok();
    });
    EXPECT_TRUE(status.has_value());
    return n;
  }

  static intake::IntakeContext* intake_;
  TestStoreSite site_;
  fs::path dir_;
  std::string db_;  // SQLite file or PostgreSQL conninfo
  std::atomic<audit::TimePoint> now_;
  CountingRandom random_;
  DenyAllFieldPolicy field_policy_;
  std::unique_ptr<GeoJurisdictions> jurisdictions_;
  std::unique_ptr<store::AccountStore> accounts_;
  std::unique_ptr<store::AuditStore> audit_store_;
  std::unique_ptr<store::DistributionStore> distribution_;
  std::ostringstream log_;
  std::unique_ptr<ApiServer> server_;
  int port_ = 0;
  std::map<std::string, std::string> tokens_;
};

intake::IntakeContext* LastmileApiTest::intake_ = nullptr;

INSTANTIATE_TEST_SUITE_P(Stores, LastmileApiTest,
                         ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres),
                         StoreKindName);

TEST_P(LastmileApiTest, AdminSetsVersionedAgreementsOthersCannot) {
  auto res = Post("admin", "/api/v1/agreements",
                  {{"municipality_code", kKamakura}, {"fields", "name,address"},
                   {"valid_from", "2022-07-30"}, {"purposes", "食料品の支援"}});
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(Body(res)["version"], 1);
  EXPECT_EQ(Body(res)["fields"], json({"name", "address"}));
  now_ = At("2022-07-31T00:00:00Z");
  res = Post("admin", "/api/v1/agreements",
             {{"municipality_code", kKamakura}, {"fields", {"phone", "name"}},
              {"valid_from", "2022-08-10"}});
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(Body(res)["version"], 2);
  EXPECT_EQ(Body(res)["fields"], json({"name", "phone"}));  // catalogue order
  EXPECT_EQ(AuditCount("agreement.set"), 2u);

  res = Get("op", "/api/v1/agreements");
  ASSERT_EQ(res->status, 200) << res->body;
  json list = Body(res);
  ASSERT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(list["items"][0]["municipality_name"], "鎌倉市");
  EXPECT_EQ(list["items"][0]["history"].size(), 2u);
  // Version 2 is valid only from 2022-08-10: version 1 is in force now.
  EXPECT_EQ(list["items"][0]["current"]["version"], 1);
  EXPECT_EQ(list["fields"].size(), 14u);

  // A municipality sees its own agreement only, and sets none.
  res = Get("fujisawa", "/api/v1/agreements");
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(Body(res)["items"].size(), 0u);
  EXPECT_EQ(Body(Get("kamakura", "/api/v1/agreements"))["items"].size(), 1u);
  for (const char* login : {"kamakura", "op", "hc", "aud"}) {
    res = Post(login, "/api/v1/agreements", {{"municipality_code", kKamakura}, {"fields", "name"}});
    EXPECT_EQ(res->status, 403) << login;
  }
  EXPECT_EQ(Get("aud", "/api/v1/agreements")->status, 403);
}

TEST_P(LastmileApiTest, BadAgreementsGetClearErrors) {
  struct Case {
    json body;
    std::string needle;  // in the Japanese message
  };
  const std::vector<Case> cases = {
      {{{"municipality_code", kKamakura}, {"fields", "name,blood_type"}}, "使える項目"},
      {{{"municipality_code", kKamakura}}, "提供項目"},
      {{{"municipality_code", "999999"}, {"fields", "name"}}, "市区町村コード"},
      {{{"municipality_code", kKamakura}, {"fields", "name"}, {"roll_up", true}}, "政令指定都市"},
      {{{"municipality_code", kKamakura}, {"fields", 7}}, "fields"},
      {{{"municipality_code", kKamakura}, {"fields", "name"}, {"valid_from", "8/1"}}, "YYYY-MM-DD"},
      {{{"municipality_code", kKamakura}, {"fields", "name"}, {"stop", "yes"}}, "true か false"},
      {{{"fields", "name"}}, "municipality_code"},
  };
  for (const Case& c : cases) {
    auto res = Post("admin", "/api/v1/agreements", c.body);
    ASSERT_EQ(res->status, 400) << c.body.dump() << " " << res->body;
    EXPECT_EQ(ErrorCode(res), "invalid_argument") << c.body.dump();
    const json error = Body(res)["error"];
    EXPECT_NE(error["message"].get<std::string>().find(c.needle), std::string::npos)
        << res->body;
    EXPECT_FALSE(error["message_en"].get<std::string>().empty());
  }
  // Yokohama rolls its wards up: a ward may not then have its own.
  ASSERT_EQ(Post("admin", "/api/v1/agreements",
                 {{"municipality_code", "141003"}, {"fields", "name"}, {"roll_up", true}})
                ->status,
            200);
  auto res = Post("admin", "/api/v1/agreements",
                  {{"municipality_code", "141011"}, {"fields", "name"}});  // 鶴見区
  EXPECT_EQ(res->status, 409) << res->body;
  EXPECT_EQ(ErrorCode(res), "failed_precondition");
  EXPECT_EQ(distribution_->ListAgreements()->size(), 1u);
}

TEST_P(LastmileApiTest, MunicipalityRecordsOnItsOwnRefsAndAlertsReachTheHealthCenter) {
  IssuePackages();
  const std::vector<std::string> kamakura_refs = RefsOf(kKamakura);
  ASSERT_EQ(kamakura_refs.size(), 2u);
  const std::string ref = kamakura_refs[0];

  auto kinds = Get("kamakura", "/api/v1/lastmile/kinds");
  ASSERT_EQ(kinds->status, 200);
  EXPECT_EQ(Body(kinds)["items"].size(), 6u);

  // The next day's packages hold the same residents under the same refs:
  // a record names the newest package its ref is in.
  now_ = At("2022-08-02T01:00:00Z");
  ASSERT_EQ(Post("op", "/api/v1/packages", {{"cutoff", "2022-08-02T09:00+09:00"}})->status, 200);
  ASSERT_EQ(RefsOf(kKamakura, "20220802T0900"), kamakura_refs);

  auto res = Post("kamakura", "/api/v1/lastmile",
                  {{"ref", ref}, {"kind", "体調悪化"}, {"note", "息苦しいとのこと"}});
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_TRUE(Body(res)["alert_raised"].get<bool>());
  EXPECT_EQ(Body(res)["on"], "2022-08-02");
  EXPECT_EQ(Body(res)["package_id"], kKamakura + "-20220802T0900");
  EXPECT_FALSE(Body(res).contains("patient_id"));

  // The prefecture and the patient's health center see the alert.
  for (const char* login : {"op", "hc"}) {
    auto alerts = Get(login, "/api/v1/alerts");
    ASSERT_EQ(alerts->status, 200) << alerts->body;
    ASSERT_EQ(Body(alerts)["items"].size(), 1u) << login;
    EXPECT_EQ(Body(alerts)["items"][0]["kind"], "condition_worse");
    EXPECT_EQ(Body(alerts)["items"][0]["health_center"], kKamakuraCenter);
    EXPECT_EQ(Body(alerts)["items"][0]["municipality_code6"], kKamakura);
  }

  // Another municipality cannot record on, or learn of, Kamakura's resident.
  res = Post("fujisawa", "/api/v1/lastmile", {{"ref", ref}, {"kind", "連絡済"}});
  EXPECT_EQ(res->status, 404) << res->body;
  EXPECT_EQ(ErrorCode(res), "not_found");
  // Only municipalities record; prefecture staff and others may not.
  for (const char* login : {"admin", "op", "hc", "aud"}) {
    EXPECT_EQ(Post(login, "/api/v1/lastmile", {{"ref", ref}, {"kind", "連絡済"}})->status, 403)
        << login;
  }

  // Two 不通 in a row on the other resident: one more alert.
  const std::string other = kamakura_refs[1];
  ASSERT_EQ(Post("kamakura", "/api/v1/lastmile", {{"ref", other}, {"kind", "不通"}})->status, 200);
  res = Post("kamakura", "/api/v1/lastmile",
             {{"ref", other}, {"kind", "不通"}, {"on", "2022/8/2"}});
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_TRUE(Body(res)["alert_raised"].get<bool>());
  EXPECT_EQ(Body(Get("op", "/api/v1/alerts"))["items"].size(), 2u);

  // Each municipality lists its own records, newest first.
  res = Get("kamakura", "/api/v1/lastmile");
  ASSERT_EQ(res->status, 200);
  json own = Body(res);
  ASSERT_EQ(own["total"], 3);
  EXPECT_EQ(own["items"][0]["on"], "2022-08-02");
  EXPECT_FALSE(own["items"][0].contains("patient_id"));
  EXPECT_EQ(Body(Get("fujisawa", "/api/v1/lastmile"))["total"], 0);
  res = Get("op", "/api/v1/lastmile?municipality=" + kKamakura);
  EXPECT_EQ(Body(res)["total"], 3);
  EXPECT_TRUE(Body(res)["items"][0].contains("patient_id"));
  EXPECT_EQ(Get("hc", "/api/v1/lastmile")->status, 403);
  EXPECT_EQ(AuditCount("lastmile.record"), 3u);
  EXPECT_GE(AuditCount("lastmile.list"), 3u);
}

TEST_P(LastmileApiTest, MunicipalityUploadsAnXlsxSheetUnderATitleRow) {
  IssuePackages();
  const std::vector<std::string> refs = RefsOf(kKamakura);
  const std::string fujisawa_ref = RefsOf(kFujisawa).at(0);
  const fs::path xlsx = dir_ / "連絡記録.xlsx";
  {
    auto book = distribution::XlsxWorkbook::Create(xlsx.string(), false);
    ASSERT_TRUE(book.has_value());
    lxw_worksheet* sheet = workbook_add_worksheet(book->get(), nullptr);
    const std::vector<std::vector<std::string>> rows = {
        {"鎌倉市 自宅療養者 連絡記録"},
        {"整理番号", "市区町村コード", "連絡日", "対応区分", "メモ"},
        {refs[0], kKamakura, "2022/8/2", "配食", "3日分"},
        {refs[1], "", "2022-08-02", "体調悪化", "発熱"},
        {fujisawa_ref, kKamakura, "2022-08-02", "連絡済", ""},  // not Kamakura's ref
        {refs[0], kFujisawa, "2022-08-02", "連絡済", ""},       // another city's row
        {refs[0], kKamakura, "2022-08-02", "訪問", ""},          // unknown kind
    };
    for (size_t r = 0; r < rows.size(); ++r) {
      for (size_t c = 0; c < rows[r].size(); ++c) {
        worksheet_write_string(sheet, static_cast<lxw_row_t>(r), static_cast<lxw_col_t>(c),
                               rows[r][c].c_str(), nullptr);
      }
    }
    ASSERT_TRUE(book->Close().has_value());
  }
  auto res = Upload("kamakura", "/api/v1/lastmile/upload", ReadFile(xlsx), "連絡記録.xlsx");
  ASSERT_EQ(res->status, 200) << res->body;
  json report = Body(res);
  EXPECT_EQ(report["format"], "xlsx");
  EXPECT_EQ(report["recorded"], 2);
  EXPECT_EQ(report["rejected"], 3);
  EXPECT_EQ(report["alerts"], 1);
  ASSERT_EQ(report["errors"].size(), 3u);
  EXPECT_EQ(report["errors"][0]["line"], 5);  // sheet row numbers
  EXPECT_EQ(report["errors"][1]["message_en"], "a row of another municipality cannot be recorded");
  EXPECT_NE(report["errors"][2]["message"].get<std::string>().find("区分"), std::string::npos);
  auto records = distribution_->ListLastmile(0, kKamakura);
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].recorded_by, "kamakura");
  EXPECT_TRUE(distribution_->ListLastmile(0, kFujisawa)->empty());
  EXPECT_EQ(Body(Get("hc", "/api/v1/alerts"))["items"].size(), 1u);

  // The same sheet as CP932 CSV from Excel goes through the same code.
  std::string csv = "整理番号,区分,備考\r\n" + refs[0] + ",連絡済,本人と話した\r\n";
  auto cp932 = io::EncodeCp932(csv);
  ASSERT_TRUE(cp932.has_value());
  res = Upload("kamakura", "/api/v1/lastmile/upload", *cp932, "sheet.csv");
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(Body(res)["encoding"], "cp932");
  EXPECT_EQ(Body(res)["recorded"], 1);
  auto all = distribution_->ListLastmile(0, kKamakura);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ(std::count_if(all->begin(), all->end(),
                          [](const store::LastmileRecord& r) { return r.note == "本人と話した"; }),
            1);
  EXPECT_EQ(Upload("op", "/api/v1/lastmile/upload", csv, "sheet.csv")->status, 403);
}

TEST_P(LastmileApiTest, ConsentIsRecordedWithdrawnAndImportedFromACp932Sheet) {
  auto res = Upload("op", "/api/v1/consent/upload",
                    ReadFile(ICHIGEN_TEST_DATA_DIR "/distribution/consent_cp932.csv"),
                    "consent_cp932.csv");
  ASSERT_EQ(res->status, 200) << res->body;
  json report = Body(res);
  EXPECT_EQ(report["encoding"], "cp932");
  EXPECT_EQ(report["recorded"], 2);
  EXPECT_EQ(report["rejected"], 1);  // HS9: no such patient
  ASSERT_EQ(report["errors"].size(), 1u);
  EXPECT_EQ(report["errors"][0]["line"], 4);
  EXPECT_EQ(AuditCount("consent.import"), 1u);

  // HS1 is patient 1: given by the sheet, then withdrawn by phone.
  res = Get("op", "/api/v1/patients/1/consent");
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(Body(res)["current"], "given");
  EXPECT_EQ(Body(res)["items"][0]["source"], "鎌倉保健福祉事務所");
  res = Post("op", "/api/v1/patients/1/consent",
             {{"consent", "撤回"}, {"source", "本人からの電話"}, {"on", "2022-08-03"}});
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(Body(res)["consent"], "withdrawn");
  res = Get("op", "/api/v1/patients/1/consent");
  EXPECT_EQ(Body(res)["current"], "withdrawn");
  EXPECT_EQ(Body(res)["items"].size(), 2u);
  EXPECT_EQ(AuditCount("consent.read"), 2u);
  EXPECT_EQ(AuditCount("consent.record"), 1u);
  EXPECT_EQ(distribution_->LatestConsents()->at(1), distribution::Consent::kWithdrawn);

  // Bad input: clear 4xx, nothing recorded.
  EXPECT_EQ(Post("op", "/api/v1/patients/1/consent", {{"consent", "maybe"}, {"source", "x"}})->status, 400);
  EXPECT_EQ(Post("op", "/api/v1/patients/1/consent", {{"consent", "given"}})->status, 400);
  EXPECT_EQ(Post("op", "/api/v1/patients/1/consent",
                 {{"consent", "given"}, {"source", "x"}, {"on", "昨日"}})->status, 400);
  res = Post("op", "/api/v1/patients/999/consent", {{"consent", "given"}, {"source", "x"}});
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(ErrorCode(res), "not_found");
  EXPECT_EQ(distribution_->ConsentsOf(1)->size(), 2u);
  // Only prefecture staff touch consent.
  for (const char* login : {"kamakura", "hc", "aud"}) {
    EXPECT_EQ(Get(login, "/api/v1/patients/1/consent")->status, 403) << login;
    EXPECT_EQ(Post(login, "/api/v1/patients/1/consent", {{"consent", "given"}, {"source", "x"}})->status, 403);
    EXPECT_EQ(Upload(login, "/api/v1/consent/upload", "a,b\r\n", "x.csv")->status, 403);
  }
}

TEST_P(LastmileApiTest, HostileSheetsAndBodiesGetClearFourHundreds) {
  IssuePackages();
  const std::string ref = RefsOf(kKamakura).at(0);
  struct Case {
    std::string name;
    std::string bytes;
    int status;
  };
  const std::vector<Case> sheets = {
      {"empty.csv", "", 400},
      {"noheader.csv", "a,b,c\r\n1,2,3\r\n", 400},
      {"old.xls", std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + std::string(600, '\0'), 400},
      {"broken.xlsx", "PK\x03\x04garbage", 400},
      {"big.csv", "整理番号,区分\r\n" + std::string(300 * 1024, 'x'), 413},
  };
  for (const Case& c : sheets) {
    auto res = Upload("kamakura", "/api/v1/lastmile/upload", c.bytes, c.name);
    ASSERT_TRUE(res) << c.name;
    EXPECT_EQ(res->status, c.status) << c.name << " " << res->body;
    EXPECT_FALSE(Body(res)["error"]["message"].get<std::string>().empty()) << c.name;
  }
  // Not multipart at all.
  auto res = Client().Post("/api/v1/lastmile/upload", Bearer("kamakura"), std::string("整理番号,区分"),
                      "text/csv");
  EXPECT_EQ(res->status, 400);
  // A path in the uploaded name is harmless: it never becomes a path.
  res = Upload("kamakura", "/api/v1/lastmile/upload", "整理番号,区分\r\n" + ref + ",連絡済\r\n",
               "../../etc/passwd");
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_FALSE(fs::exists(dir_ / "etc"));

  const std::vector<json> bodies = {
      {{"kind", "連絡済"}},
      {{"ref", ref}},
      {{"ref", ref}, {"kind", 3}},
      {{"ref", ref}, {"kind", "訪問"}},
      {{"ref", ref}, {"kind", "連絡済"}, {"on", "2022-13-40"}},
      {{"ref", ref}, {"kind", "連絡済"}, {"note", std::string(2000, 'a')}},
      {{"ref", std::string(500, 'r')}, {"kind", "連絡済"}},
  };
  for (const json& body : bodies) {
    res = Post("kamakura", "/api/v1/lastmile", body);
    EXPECT_EQ(res->status, 400) << body.dump().substr(0, 80) << " " << res->body;
    EXPECT_EQ(ErrorCode(res), "invalid_argument");
  }
  res = Client().Post("/api/v1/lastmile", Bearer("kamakura"), std::string("{\"ref\": "),
                      "application/json");
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(distribution_->ListLastmile(0, kKamakura)->size(), 1u);  // only the good sheet row
  // The temporary sheets are gone.
  EXPECT_TRUE(!fs::exists(dir_ / "uploads") || fs::is_empty(dir_ / "uploads"));
}

TEST_P(LastmileApiTest, ReferenceDataIsReadOnlyForStaff) {
  auto res = Get("admin", "/api/v1/reference/municipalities?prefecture=14");
  ASSERT_EQ(res->status, 200) << res->body;
  bool found = false;
  const json municipalities = Body(res);  // a named body: range-for over a temporary's member dangles
  for (const json& m : municipalities["items"]) {
    EXPECT_EQ(m["prefecture_code"], 14);
    if (m["code"] == kKamakura) {
      found = true;
      EXPECT_EQ(m["name"], "鎌倉市");
      EXPECT_EQ(m["prefecture"], "神奈川県");
      EXPECT_EQ(m["health_center"], "鎌倉");  // as the MHLW crosswalk names it
    }
  }
  EXPECT_TRUE(found);
  res = Get("op", "/api/v1/reference/municipalities?prefecture=神奈川県");
  EXPECT_EQ(Body(res)["total"], Body(Get("op", "/api/v1/reference/municipalities?prefecture=14"))["total"]);
  EXPECT_EQ(Get("op", "/api/v1/reference/municipalities?prefecture=99")->status, 400);

  res = Get("admin", "/api/v1/reference/health-centers?prefecture=14");
  ASSERT_EQ(res->status, 200);
  found = false;
  const json centers = Body(res);
  for (const json& hc : centers["items"]) {
    if (hc["name"] != "鎌倉") continue;
    found = true;
    std::set<std::string> codes;
    for (const json& m : hc["municipalities"]) codes.insert(m["code"].get<std::string>());
    EXPECT_TRUE(codes.contains(kKamakura));
  }
  EXPECT_TRUE(found);

  res = Get("aud", "/api/v1/reference/recuperation-rules");
  ASSERT_EQ(res->status, 200);
  ASSERT_FALSE(Body(res)["items"].empty());
  EXPECT_GT(Body(res)["items"][0]["days"].get<int>(), 0);
  for (const char* path : {"/api/v1/reference/municipalities", "/api/v1/reference/health-centers",
                           "/api/v1/reference/recuperation-rules"}) {
    EXPECT_EQ(Get("kamakura", path)->status, 403) << path;
  }
}

}  // namespace
}  // namespace ichigen::api
