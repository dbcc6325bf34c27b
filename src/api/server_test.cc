// End-to-end tests of the server: started in-process on port 0 over a
// temporary SQLite store and over a fresh PostgreSQL database (StoreKind;
// see api/test_stores.h), exercised with an HTTP client. The tests that look
// at SQLite's files and locks run on SQLite only (SqliteServerTest).
#include "api/server.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <atomic>
#include <chrono>
#include <set>
#include <sstream>
#include <thread>

#include "api/geo_jurisdictions.h"
#include "api/handlers.h"
#include "api/inbox.h"
#include "api/test_random.h"
#include "api/test_stores.h"
#include "store/sqlite_handle.h"
#include "synth/synth.h"

namespace ichigen::api {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Deterministic randomness: tests are hermetic.
const std::string kYokohama = "141003";  // 横浜市 (designated city)

class ServerTest : public ::testing::TestWithParam<StoreKind> {
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
           ("ichigen_server_" + std::to_string(::getpid()) + "_" + TestLabel());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto prepared = site_.Prepare(GetParam(), dir_);
    ASSERT_TRUE(prepared.has_value()) << prepared.error().ToString();
    db_ = site_.location();
    SeedPatients();
    // As the composition root does: on SQLite, accounts and the audit trail
    // in the companion file, apart from the patient data; on PostgreSQL, in
    // the same database.
    auto accounts = site_.OpenAccounts();
    ASSERT_TRUE(accounts.has_value()) << accounts.error().ToString();
    accounts_ = std::move(*accounts);
    auto audit_store = site_.OpenAudit();
    ASSERT_TRUE(audit_store.has_value()) << audit_store.error().ToString();
    audit_store_ = std::move(*audit_store);
    jurisdictions_ = std::make_unique<GeoJurisdictions>(*intake_->registry);

    ServerOptions options;
    options.port = 0;
    options.threads = 8;
    options.store_connections = 4;
    options.max_upload_bytes = 256 * 1024;
    options.max_json_bytes = 64 * 1024;
    options.upload_dir = (dir_ / "uploads").string();
    options.inbox_dir = (dir_ / "inbox").string();
    options.inbox_poll = std::chrono::milliseconds(40);
    ServerDeps deps;
    deps.open_store = [this]() { return site_.OpenStore(); };
    deps.account_store = accounts_.get();
    deps.audit_store = audit_store_.get();
    deps.intake = intake_;
    deps.field_policy = &field_policy_;
    deps.jurisdictions = jurisdictions_.get();
    deps.random = &random_;
    deps.password_params = PasswordParams::Minimum();
    deps.account_policy.max_failures = 4;
    deps.account_policy.throttle_per_login = 6;
    deps.account_policy.throttle_per_address = 1000;
    deps.log_stream = &log_;
    auto server = ApiServer::Create(options, std::move(deps));
    ASSERT_TRUE(server.has_value()) << server.error().ToString();
    server_ = std::move(*server);
    auto port = server_->Start();
    ASSERT_TRUE(port.has_value()) << port.error().ToString();
    port_ = *port;

    AddUser("admin", Role::kAdmin, "");
    AddUser("op", Role::kOperator, "");
    AddUser("hc", Role::kHealthCenter, "鶴見");
    AddUser("fac", Role::kFacility, "A病院");
    AddUser("muni", Role::kMunicipality, kYokohama);
    AddUser("muni2", Role::kMunicipality, geo::WithCheckDigit("14130"));  // 川崎市
    AddUser("aud", Role::kAuditor, "");
    for (const char* login : {"admin", "op", "hc", "fac", "muni", "muni2", "aud"}) {
      auto user = server_->accounts().GetUserByLogin(login);
      ASSERT_TRUE(user.has_value());
      tokens_[login] = server_->accounts().IssueToken(user->id, "test", "full")->token;
    }
  }

  void TearDown() override {
    server_.reset();
    audit_store_.reset();
    accounts_.reset();
    site_.Drop();
    fs::remove_all(dir_);
  }

  void AddUser(const std::string& login, Role role, const std::string& scope) {
    auto added = server_->accounts().AddUser(login, role, scope, "", Password(login));
    ASSERT_TRUE(added.has_value()) << added.error().ToString();
  }
  static std::string Password(const std::string& login) { return login + "-password-1"; }

  // Patients with known residence, health center, facility and status.
  void SeedPatients() {
    auto store = site_.OpenStore();
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    store::BatchInfo info{.sha256 = "seed", .file_name = "seed.csv", .source = "test",
                          .profile = "hersys", .encoding = "utf-8", .format = "csv",
                          .started_at = "2024-05-01T00:00:00Z"};
    auto writer = (*store)->BeginBatch(info);
    ASSERT_TRUE(writer.has_value());
    auto add = [&](const std::string& hersys, const std::string& name, const std::string& code5,
                   const std::string& hc, const std::string& facility, const std::string& status) {
      store::PatientRecord p;
      p.hersys_id = hersys;
      p.name = name;
      p.name_key = name;
      p.name_folded = text_key_ = name;
      p.kana_key = "ヤマダ";
      p.birth_date = "1980-01-02";
      p.municipality_code = geo::WithCheckDigit(code5);
      p.health_center = hc;
      p.reporting_facility = facility;
      p.care_status = status;
      p.phone = "090-1111-2222";
      p.phone_key = "09011112222";
      p.raw_json = "{}";
      p.content_hash = hersys;
      p.created_batch = (*writer)->batch_id();
      p.updated_batch = p.created_batch;
      ASSERT_TRUE((*writer)->InsertPatient(p).has_value());
    };
    add("1000001", "山田太郎", "14101", "鶴見", "A病院", "自宅療養中");  // id 1: 横浜市鶴見区
    add("1000002", "山田花子", "14131", "川崎", "B病院", "自宅療養中");  // id 2: 川崎市川崎区
    add("1000003", "山田次郎", "14101", "鶴見", "A病院", "入院中");      // id 3: 横浜市鶴見区
    info.rows = 3;
    info.accepted = 3;
    info.finished_at = "2024-05-01T00:00:01Z";
    ASSERT_TRUE((*writer)->Commit(info).has_value());
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
  static json Body(const httplib::Result& res) {
    return json::parse(res->body, nullptr, false);
  }
  static std::string ErrorCode(const httplib::Result& res) {
    json body = Body(res);
    if (!body.is_object() || !body.contains("error")) return "";
    return body["error"]["code"].get<std::string>();
  }
  // Logs in; returns the cookie header value and the CSRF token.
  std::pair<std::string, std::string> Login(const std::string& login) {
    auto res = Client().Post("/api/v1/login",
                             json{{"login", login}, {"password", Password(login)}}.dump(),
                             "application/json");
    EXPECT_EQ(res->status, 200) << res->body;
    std::string cookie = res->get_header_value("Set-Cookie");
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
    return {cookie.substr(0, cookie.find(';')), Body(res)["csrf_token"].get<std::string>()};
  }
  std::vector<audit::VerifyProblem> VerifyProblems() {
    return audit::Verify(*audit_store_)->problems;
  }

  static intake::IntakeContext* intake_;
  TestStoreSite site_;
  fs::path dir_;
  std::string db_;  // SQLite file or PostgreSQL conninfo
  std::string text_key_;
  CountingRandom random_;
  DenyAllFieldPolicy field_policy_;
  std::unique_ptr<GeoJurisdictions> jurisdictions_;
  std::unique_ptr<store::AccountStore> accounts_;
  std::unique_ptr<store::AuditStore> audit_store_;
  std::ostringstream log_;
  std::unique_ptr<ApiServer> server_;
  int port_ = 0;
  std::map<std::string, std::string> tokens_;
};

intake::IntakeContext* ServerTest::intake_ = nullptr;

INSTANTIATE_TEST_SUITE_P(Stores, ServerTest,
                         ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres),
                         StoreKindName);

// Tests that reach past the stores into SQLite's files and locks.
class SqliteServerTest : public ServerTest {};
INSTANTIATE_TEST_SUITE_P(Stores, SqliteServerTest, ::testing::Values(StoreKind::kSqlite),
                         StoreKindName);

TEST_P(ServerTest, HealthzNeedsNoLogInAndApiDoes) {
  auto health = Client().Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto anonymous = Client().Get("/api/v1/patients/1");
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(ErrorCode(anonymous), "unauthenticated");
  auto bad_token = Client().Get("/api/v1/me", {{"Authorization", "Bearer ich_nottoken"}});
  EXPECT_EQ(bad_token->status, 401);
  auto unknown = Get("op", "/api/v1/nothing-here");
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(ErrorCode(unknown), "not_found");
}

// Every route, every role: a role the route does not list gets 403 before
// the handler runs (one enforcement point, default deny).
TEST_P(ServerTest, RoleByEndpointMatrixDeniesEveryUnlistedRole) {
  int denials = 0;
  for (const Route& route : server_->routes().routes()) {
    if (route.access.is_public) continue;
    EXPECT_NE(route.access.roles, 0u) << route.path << " is open to nobody";
    std::string path = route.path;
    for (const std::string& name : PathParamNames(route.path)) {
      path.replace(path.find("{" + name + "}"), name.size() + 2, name == "login" ? "op" : "1");
    }
    const std::map<Role, std::string> logins = {
        {Role::kAdmin, "admin"},       {Role::kOperator, "op"},        {Role::kHealthCenter, "hc"},
        {Role::kFacility, "fac"},      {Role::kMunicipality, "muni"},  {Role::kAuditor, "aud"}};
    for (const auto& [role, login] : logins) {
      // Allowed writes are not sent: they would change the fixture.
      if (route.access.Allows(role) && route.method != Method::kGet) continue;
      httplib::Result res = route.method == Method::kGet
                                ? Client().Get(path, Bearer(login))
                            : route.method == Method::kPost
                                ? Client().Post(path, Bearer(login), "{}", "application/json")
                                : Client().Delete(path, Bearer(login));
      ASSERT_TRUE(res) << path;
      if (!route.access.Allows(role)) {
        EXPECT_EQ(res->status, 403) << MethodName(route.method) << " " << path << " as " << login;
        EXPECT_EQ(ErrorCode(res), "permission_denied");
        ++denials;
      } else if (route.method == Method::kGet) {
        EXPECT_NE(res->status, 401) << path << " as " << login;
        EXPECT_NE(res->status, 403) << path << " as " << login << ": " << res->body;
      }
    }
  }
  EXPECT_GT(denials, 40);
}

TEST_P(ServerTest, MunicipalitySeesOnlyItsHomeResidentsAndNoPersonalField) {
  auto own = Get("muni", "/api/v1/patients/1");  // 鶴見区, a ward of 横浜市
  ASSERT_EQ(own->status, 200) << own->body;
  json body = Body(own);
  EXPECT_EQ(body["id"], 1);
  EXPECT_FALSE(body.contains("name"));
  EXPECT_FALSE(body.contains("address"));
  EXPECT_FALSE(body.contains("raw"));
  EXPECT_TRUE(body.contains("withheld_fields"));
  EXPECT_EQ(Get("muni", "/api/v1/patients/2")->status, 404);  // 川崎市's resident
  EXPECT_EQ(Get("muni", "/api/v1/patients/3")->status, 404);  // 入院中, not home
  auto other = Get("muni2", "/api/v1/patients/2");
  EXPECT_EQ(other->status, 200);
  EXPECT_EQ(Get("muni2", "/api/v1/patients/1")->status, 404);
  // Searching on a withheld field would reveal it.
  auto by_name = Get("muni", "/api/v1/patients?name=%E5%B1%B1%E7%94%B0");
  EXPECT_EQ(by_name->status, 403);
  auto listing = Get("muni", "/api/v1/patients");
  ASSERT_EQ(listing->status, 200);
  json list = Body(listing);
  EXPECT_EQ(list["total"], 1);
  ASSERT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(list["items"][0]["id"], 1);
  EXPECT_FALSE(list["items"][0].contains("name"));
  // Another municipality's code in the filter yields nothing.
  auto foreign = Get("muni", "/api/v1/patients?municipality=" + geo::WithCheckDigit("14131"));
  EXPECT_EQ(Body(foreign)["total"], 0);
}

TEST_P(ServerTest, HealthCenterAndFacilitySeeOnlyTheirOwn) {
  auto own = Get("hc", "/api/v1/patients/1");
  ASSERT_EQ(own->status, 200);
  EXPECT_EQ(Body(own)["name"], "山田太郎");
  EXPECT_EQ(Get("hc", "/api/v1/patients/2")->status, 404);
  auto search = Get("hc", "/api/v1/patients?name=%E5%B1%B1%E7%94%B0");  // 山田
  ASSERT_EQ(search->status, 200) << search->body;
  EXPECT_EQ(Body(search)["total"], 2);  // ids 1 and 3, not 2
  for (const json& item : Body(search)["items"]) EXPECT_NE(item["id"], 2);
  EXPECT_EQ(Get("fac", "/api/v1/patients/1")->status, 200);
  EXPECT_EQ(Get("fac", "/api/v1/patients/2")->status, 404);
  auto op = Get("op", "/api/v1/patients?name=%E5%B1%B1%E7%94%B0");
  EXPECT_EQ(Body(op)["total"], 3);
}

TEST_P(ServerTest, AuditorSeesTheTrailButNoPersonalData) {
  EXPECT_EQ(Get("aud", "/api/v1/patients/1")->status, 403);
  EXPECT_EQ(Get("aud", "/api/v1/patients")->status, 403);
  EXPECT_EQ(Get("aud", "/api/v1/batches/1/rows")->status, 403);
  EXPECT_EQ(Get("aud", "/api/v1/review-items")->status, 403);
  auto verify = Get("aud", "/api/v1/audit/verify");
  ASSERT_EQ(verify->status, 200);
  EXPECT_TRUE(Body(verify)["ok"].get<bool>());
  EXPECT_EQ(Get("op", "/api/v1/audit/verify")->status, 403);
}

TEST_P(ServerTest, ReadsAreAuditedWithWhoWhatWhereAndPurpose) {
  ASSERT_EQ(Client().Get("/api/v1/patients/1?purpose=%E5%81%A5%E5%BA%B7%E8%A6%B3%E5%AF%9F",
                         Bearer("hc"))->status,
            200);
  ASSERT_EQ(Get("op", "/api/v1/patients?kana=%E3%83%A4%E3%83%9E%E3%83%80")->status, 200);
  auto exported = Get("aud", "/api/v1/audit/export");
  ASSERT_EQ(exported->status, 200);
  const std::string& lines = exported->body;
  EXPECT_NE(lines.find("\"action\":\"patient.read\""), std::string::npos);
  EXPECT_NE(lines.find("\"actor\":\"hc\""), std::string::npos);
  EXPECT_NE(lines.find("\"purpose\":\"健康観察\""), std::string::npos);
  EXPECT_NE(lines.find("\"from\":\"127.0.0.1\""), std::string::npos);
  EXPECT_NE(lines.find("\"target_ids\":\"patient:1 patient:2 patient:3\""), std::string::npos);
  EXPECT_NE(lines.find("\"action\":\"audit.export\""), std::string::npos);
  EXPECT_EQ(lines.find("山田"), std::string::npos);  // ids, never names
  auto csv = Get("aud", "/api/v1/audit/export?format=csv");
  EXPECT_EQ(csv->body.rfind("\xEF\xBB\xBFseq,", 0), 0u);
}

TEST_P(SqliteServerTest, TamperedRemovedAndReorderedAuditRowsAreCaughtAndLocated) {
  for (int i = 0; i < 6; ++i) ASSERT_EQ(Get("op", "/api/v1/patients/1")->status, 200);
  auto db = store::OpenSqliteConnection(store::AccountsDbPath(db_));
  ASSERT_TRUE(db.has_value());
  ASSERT_TRUE((*db)->Exec("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete").has_value());
  const int64_t count = *audit_store_->Count();
  ASSERT_GE(count, 6);
  ASSERT_TRUE((*db)->Exec("UPDATE audit_log SET target_ids = 'patient:2' WHERE seq = 3").has_value());
  auto verify = Get("aud", "/api/v1/audit/verify");
  json report = Body(verify);
  EXPECT_FALSE(report["ok"].get<bool>());
  ASSERT_FALSE(report["problems"].empty());
  EXPECT_EQ(report["problems"][0]["seq"], 3);
  EXPECT_EQ(report["problems"][0]["kind"], "altered");

  ASSERT_TRUE((*db)->Exec("DELETE FROM audit_log WHERE seq = 5").has_value());
  bool missing = false;
  for (const auto& p : VerifyProblems()) missing = missing || (p.seq == 5 && p.kind == audit::ProblemKind::kMissing);
  EXPECT_TRUE(missing);

  ASSERT_TRUE((*db)->Exec("UPDATE audit_log SET seq = -1 WHERE seq = 1; UPDATE audit_log SET seq = 1 WHERE seq = 2; "
                          "UPDATE audit_log SET seq = 2 WHERE seq = -1").has_value());
  bool reordered = false;
  for (const auto& p : VerifyProblems()) reordered = reordered || (p.seq == 2 && p.kind == audit::ProblemKind::kReordered);
  EXPECT_TRUE(reordered);
}

TEST_P(ServerTest, CookieRequestsNeedTheCsrfHeaderToChangeAnything) {
  auto [cookie, csrf] = Login("op");
  httplib::Headers with_cookie = {{"Cookie", cookie}};
  auto me = Client().Get("/api/v1/me", with_cookie);
  ASSERT_EQ(me->status, 200);
  EXPECT_EQ(Body(me)["role"], "operator");
  auto no_header = Client().Post("/api/v1/tokens", with_cookie, json{{"name", "x"}}.dump(), "application/json");
  EXPECT_EQ(no_header->status, 403);
  EXPECT_NE(no_header->body.find("CSRF"), std::string::npos);
  httplib::Headers wrong = {{"Cookie", cookie}, {"X-CSRF-Token", "0" + csrf.substr(1)}};
  EXPECT_EQ(Client().Post("/api/v1/tokens", wrong, json{{"name", "x"}}.dump(), "application/json")->status, 403);
  httplib::Headers right = {{"Cookie", cookie}, {"X-CSRF-Token", csrf}};
  auto made = Client().Post("/api/v1/tokens", right, json{{"name", "x"}}.dump(), "application/json");
  EXPECT_EQ(made->status, 201) << made->body;
  EXPECT_EQ(Body(made)["token"].get<std::string>().rfind("ich_", 0), 0u);
  auto out = Client().Post("/api/v1/logout", right, "{}", "application/json");
  EXPECT_EQ(out->status, 200);
  EXPECT_EQ(Client().Get("/api/v1/me", with_cookie)->status, 401);
}

TEST_P(ServerTest, LoginIsThrottledAndAccountsLock) {
  auto attempt = [&](const std::string& login, const std::string& password) {
    return Client().Post("/api/v1/login", json{{"login", login}, {"password", password}}.dump(),
                         "application/json");
  };
  // Lock after 4 consecutive failures; then even the right password is refused.
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(attempt("fac", "wrong-password")->status, 401);
  auto locked = attempt("fac", "wrong-password");
  EXPECT_EQ(locked->status, 403);
  EXPECT_NE(Body(locked)["error"]["context"].get<std::string>().find("locked_until="), std::string::npos);
  EXPECT_EQ(attempt("fac", Password("fac"))->status, 403);
  // An administrator's reset unlocks; the new password must then be changed.
  auto admin = Login("admin");
  httplib::Headers h = {{"Cookie", admin.first}, {"X-CSRF-Token", admin.second}};
  auto reset = Client().Post("/api/v1/users/fac/reset-password", h, json{{"password", "temporary-pass-1"}}.dump(),
                             "application/json");
  ASSERT_EQ(reset->status, 200) << reset->body;
  auto relog = attempt("fac", "temporary-pass-1");
  ASSERT_EQ(relog->status, 200);
  const std::string cookie = relog->get_header_value("Set-Cookie").substr(0, relog->get_header_value("Set-Cookie").find(';'));
  const std::string csrf = Body(relog)["csrf_token"];
  httplib::Headers fac = {{"Cookie", cookie}, {"X-CSRF-Token", csrf}};
  auto blocked = Client().Get("/api/v1/patients/1", fac);
  EXPECT_EQ(blocked->status, 409);
  auto changed = Client().Post("/api/v1/me/password", fac,
                               json{{"current_password", "temporary-pass-1"}, {"new_password", "brand-new-pass-2"}}.dump(),
                               "application/json");
  ASSERT_EQ(changed->status, 200) << changed->body;
  EXPECT_EQ(Client().Get("/api/v1/patients/1", fac)->status, 200);

  // Throttling by login, even for logins that do not exist.
  for (int i = 0; i < 6; ++i) EXPECT_EQ(attempt("ghost", "whatever-pass")->status, 401);
  auto throttled = attempt("ghost", "whatever-pass");
  EXPECT_EQ(throttled->status, 429);
  EXPECT_EQ(throttled->get_header_value("Retry-After"), "60");
  EXPECT_EQ(ErrorCode(throttled), "unavailable");
  EXPECT_NE(Body(throttled)["error"]["message"].get<std::string>().find("待って"), std::string::npos);
  // Further attempts stay refused while the window lasts.
  EXPECT_EQ(attempt("ghost", "whatever-pass")->status, 429);
}

TEST_P(ServerTest, ReadTokensCannotWriteAndTokensCarryTheUsersScope) {
  auto user = server_->accounts().GetUserByLogin("op");
  const std::string read = server_->accounts().IssueToken(user->id, "ro", "read")->token;
  httplib::Headers h = {{"Authorization", "Bearer " + read}};
  EXPECT_EQ(Client().Get("/api/v1/patients/1", h)->status, 200);
  auto write = Client().Post("/api/v1/tokens", h, json{{"name", "escalate"}}.dump(), "application/json");
  EXPECT_EQ(write->status, 403);
  // A municipality's token has the municipality's limits.
  EXPECT_EQ(Get("muni", "/api/v1/patients/2")->status, 404);
  // Revoked tokens stop working.
  auto tokens = Body(Get("op", "/api/v1/tokens"));
  int64_t ro_id = 0;
  for (const json& t : tokens["items"]) if (t["name"] == "ro") ro_id = t["id"];
  ASSERT_NE(ro_id, 0);
  auto revoked = Client().Delete("/api/v1/tokens/" + std::to_string(ro_id), Bearer("op"));
  EXPECT_EQ(revoked->status, 200);
  EXPECT_EQ(Client().Get("/api/v1/me", h)->status, 401);
  // Someone else's token cannot be revoked by a non-admin.
  EXPECT_EQ(Client().Delete("/api/v1/tokens/1", Bearer("hc"))->status, 404);
}

TEST_P(ServerTest, HostileInputGetsClearFourHundreds) {
  // Oversized JSON body.
  auto big = Client().Post("/api/v1/login", std::string(200 * 1024, 'x'), "application/json");
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(ErrorCode(big), "resource_exhausted");
  // Broken JSON, a JSON array, invalid UTF-8 inside JSON.
  EXPECT_EQ(Client().Post("/api/v1/login", "{\"login\": ", "application/json")->status, 400);
  EXPECT_EQ(Client().Post("/api/v1/login", "[1,2]", "application/json")->status, 400);
  EXPECT_EQ(Client().Post("/api/v1/login", "{\"login\": \"\xff\xfe\", \"password\": \"x\"}",
                          "application/json")->status, 400);
  EXPECT_EQ(Client().Post("/api/v1/login", json{{"login", 5}, {"password", "x"}}.dump(),
                          "application/json")->status, 400);
  // SQL in a search string is just text.
  auto sql = Get("op", "/api/v1/patients?name=%27%3B%20DROP%20TABLE%20patients%3B%20--");
  ASSERT_EQ(sql->status, 200) << sql->body;
  EXPECT_EQ(Body(sql)["total"], 0);
  EXPECT_EQ(Get("op", "/api/v1/patients/1")->status, 200);
  // Invalid UTF-8 in the query string, bad ids and numbers.
  EXPECT_EQ(Get("op", "/api/v1/patients?name=%FF%FE")->status, 400);
  EXPECT_EQ(Get("op", "/api/v1/patients/abc")->status, 400);
  EXPECT_EQ(Get("op", "/api/v1/patients/99999999999999999999")->status, 400);
  EXPECT_EQ(Get("op", "/api/v1/patients?limit=-1")->status, 400);
  // A search pages through its first kSearchCountCap matches, no deeper.
  auto deep = Get("op", "/api/v1/patients?kana=%E3%83%A4&offset=1000");
  ASSERT_EQ(deep->status, 400);
  EXPECT_EQ(ErrorCode(deep), "invalid_argument");
  EXPECT_EQ(Body(deep)["error"]["context"], "offset");
  EXPECT_NE(Body(deep)["error"]["message"].get<std::string>().find("1000件"), std::string::npos);
  auto last = Get("op", "/api/v1/patients?kana=%E3%83%A4&offset=999");
  ASSERT_EQ(last->status, 200);
  EXPECT_EQ(Body(last)["total"], 3);
  EXPECT_FALSE(Body(last)["total_capped"].get<bool>());
  EXPECT_TRUE(Body(last)["items"].empty());
  EXPECT_EQ(Get("op", "/api/v1/patients?hersys_id=12")->status, 400);
  EXPECT_EQ(Get("op", "/api/v1/patients?birth_date=2022-02-30")->status, 400);
  // Path traversal in an upload's file name.
  httplib::MultipartFormDataItems traversal = {{"file", "a,b\n1,2\n", "../../etc/passwd", "text/csv"}};
  auto upload = Client().Post("/api/v1/batches", Bearer("op"), traversal);
  EXPECT_EQ(upload->status, 400) << upload->body;
  EXPECT_NE(Body(upload)["error"]["message"].get<std::string>().find("フォルダ"), std::string::npos);
  httplib::MultipartFormDataItems dots = {{"file", "x", "..", "text/csv"}};
  EXPECT_EQ(Client().Post("/api/v1/batches", Bearer("op"), dots)->status, 400);
  // An upload over the size limit.
  httplib::MultipartFormDataItems huge = {{"file", std::string(300 * 1024, 'a'), "big.csv", "text/csv"}};
  EXPECT_EQ(Client().Post("/api/v1/batches", Bearer("op"), huge)->status, 413);
  // The server is still fine.
  EXPECT_EQ(Client().Get("/healthz")->status, 200);
  EXPECT_FALSE(fs::exists(dir_ / "etc"));
}

// The rest of issue 7's hostile-input list: SQL and control bytes in every
// search field, traversal in URL paths, deeply nested and huge JSON, an
// over-long URI and header block. Each gets a clear 4xx (or an empty
// result for text that is merely odd) and the server keeps serving.
TEST_P(ServerTest, MoreHostileInputIsAnsweredAndHarmless) {
  // SQL in each text filter is matched as text, never run.
  for (const char* query : {"kana=%E3%83%A4%27%20OR%20%271%27%3D%271",
                            "phone=090%27%3B%20DELETE%20FROM%20patients%3B--",
                            "status=%27%20OR%201%3D1%20--",
                            "municipality=141003%27%29%20OR%20%281%3D1"}) {
    auto res = Get("op", std::string("/api/v1/patients?") + query);
    ASSERT_TRUE(res) << query;
    EXPECT_TRUE(res->status == 200 || res->status == 400) << query << " " << res->status;
    if (res->status == 200) {
      EXPECT_EQ(Body(res)["total"], 0) << query;
    } else {
      EXPECT_EQ(ErrorCode(res), "invalid_argument") << query;
    }
  }
  auto all = Body(Get("op", "/api/v1/patients"));
  EXPECT_EQ(all["total"], 3);  // nothing was deleted
  // A NUL byte and control characters in a search string.
  auto nul = Get("op", "/api/v1/patients?name=%E5%B1%B1%00%E7%94%B0");
  ASSERT_TRUE(nul);
  EXPECT_LT(nul->status, 500);
  // Invalid UTF-8 in every filter, not only the name.
  for (const char* key : {"kana", "phone", "status", "purpose"}) {
    auto res = Get("op", std::string("/api/v1/patients?") + key + "=%C3%28");
    ASSERT_TRUE(res) << key;
    EXPECT_EQ(res->status, 400) << key;
    EXPECT_NE(Body(res)["error"]["message_en"].get<std::string>().find("UTF-8"), std::string::npos);
  }
  // Traversal in URL paths reaches no file: the web assets are embedded
  // and /api/ paths are routes, not files.
  for (const char* path : {"/assets/..%2F..%2F..%2Fetc%2Fpasswd", "/../../../../etc/passwd",
                           "/assets/%2e%2e/%2e%2e/etc/passwd", "/api/v1/../../../etc/passwd",
                           "/api/v1/patients/..%2F1"}) {
    auto res = Client().Get(path, Bearer("op"));
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->body.find("root:"), std::string::npos) << path;
    EXPECT_TRUE(res->status == 400 || res->status == 404 ||
                (res->status == 200 && res->get_header_value("Content-Type").starts_with("text/html")))
        << path << " " << res->status;
  }
  // JSON nested 30,000 deep (within the size limit): parsed without
  // exhausting the stack, refused as not an object.
  const std::string nested = std::string(30000, '[') + std::string(30000, ']');
  auto deep = Client().Post("/api/v1/login", nested, "application/json");
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->status, 400);
  // A body that claims to be huge is refused before it is read.
  httplib::Headers liar = {{"Content-Length", "99999999999"}};
  auto claimed = Client().Post("/api/v1/login", liar, "{}", "application/json");
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->status, 413);
  // A URI and a header far over the limits.
  auto long_uri = Get("op", "/api/v1/patients?name=" + std::string(20000, 'a'));
  if (long_uri) {
    EXPECT_GE(long_uri->status, 400);
    EXPECT_LT(long_uri->status, 500);
  }
  httplib::Headers huge_header = {{"Authorization", "Bearer " + tokens_.at("op")},
                                  {"X-Purpose", std::string(9000, 'p')}};
  auto header = Client().Get("/api/v1/patients/1", huge_header);
  if (header) {
    EXPECT_LT(header->status, 500);
  }
  // A bearer token that is garbage, binary or enormous.
  for (const std::string& token : {std::string("x"), std::string("\xff\xfe\x01"),
                                   std::string(5000, 'A')}) {
    auto res = Client().Get("/api/v1/me", {{"Authorization", "Bearer " + token}});
    if (res) {
      EXPECT_EQ(res->status, 401);
    }
  }
  // Still serving, and the trail is intact.
  EXPECT_EQ(Client().Get("/healthz")->status, 200);
  EXPECT_EQ(Get("op", "/api/v1/patients/1")->status, 200);
  EXPECT_TRUE(VerifyProblems().empty());
}

std::string SmallHersysCsv() {
  return "HER-SYS ID,届出日,氏名,フリガナ,性別,生年月日,住所,電話番号,療養状況\n"
         "2000001,2022/8/1,鈴木 一郎,スズキ イチロウ,男,1970/1/2,神奈川県横浜市鶴見区鶴見中央1-1-1,"
         "090-1234-5678,自宅療養中\n"
         "2000002,2022/8/1,,,女,1980/1/2,神奈川県川崎市川崎区宮本町1,045-000-0000,入院中\n";
}

json WaitForJob(httplib::Client client, const httplib::Headers& h, int64_t id) {
  for (int i = 0; i < 300; ++i) {
    auto res = client.Get("/api/v1/jobs/" + std::to_string(id), h);
    json job = json::parse(res->body, nullptr, false);
    if (job.is_object() && (job["state"] == "done" || job["state"] == "failed")) return job;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return json();
}

TEST_P(ServerTest, UploadRunsAsAJobAndBecomesABatch) {
  httplib::MultipartFormDataItems items = {{"file", SmallHersysCsv(), "hersys_0801.csv", "text/csv"}};
  auto upload = Client().Post("/api/v1/batches", Bearer("op"), items);
  ASSERT_EQ(upload->status, 202) << upload->body;
  const int64_t job_id = Body(upload)["job_id"];
  json job = WaitForJob(Client(), Bearer("op"), job_id);
  ASSERT_EQ(job["state"], "done") << job.dump();
  EXPECT_EQ(job["rows"], 2);
  EXPECT_EQ(job["report"]["accepted"], 1);
  EXPECT_EQ(job["report"]["rejected"], 1);
  const int64_t batch = job["batch_id"];
  // Another role's user cannot watch this job.
  EXPECT_EQ(Get("hc", "/api/v1/jobs/" + std::to_string(job_id))->status, 404);
  auto batches = Body(Get("op", "/api/v1/batches?limit=1"));
  EXPECT_EQ(batches["total"], 2);
  EXPECT_EQ(batches["items"][0]["id"], batch);
  EXPECT_EQ(batches["items"][0]["file"], "hersys_0801.csv");
  auto rows = Body(Get("op", "/api/v1/batches/" + std::to_string(batch) + "/rows?outcome=rejected"));
  EXPECT_EQ(rows["total"], 1);
  auto rejects = Get("op", "/api/v1/batches/" + std::to_string(batch) + "/rejects.csv");
  ASSERT_EQ(rejects->status, 200);
  EXPECT_NE(rejects->get_header_value("Content-Type").find("Shift_JIS"), std::string::npos);
  EXPECT_NE(rejects->body.find("\x8d\x73\x94\xd4\x8d\x86"), std::string::npos);  // 行番号 in CP932
}

TEST_P(ServerTest, InboxImportsStableFilesAndSortsThemIntoDoneAndFailed) {
  const fs::path hersys = dir_ / "inbox" / "hersys";
  ASSERT_TRUE(fs::is_directory(hersys));
  { std::ofstream(hersys / "partial.csv.part") << SmallHersysCsv(); }
  { std::ofstream(hersys / "daily.csv") << SmallHersysCsv(); }
  fs::create_directories(dir_ / "inbox" / "tsurumi");
  { std::ofstream(dir_ / "inbox" / "tsurumi" / "garbage.csv") << "no header here\n\x01\x02\n"; }
  for (int i = 0; i < 200 && !(fs::exists(hersys / "done" / "daily.csv") &&
                               fs::exists(dir_ / "inbox" / "tsurumi" / "failed" / "garbage.csv"));
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(fs::exists(hersys / "done" / "daily.csv"));
  EXPECT_TRUE(fs::exists(dir_ / "inbox" / "tsurumi" / "failed" / "garbage.csv"));
  EXPECT_TRUE(fs::exists(dir_ / "inbox" / "tsurumi" / "failed" / "garbage.csv.error.txt"));
  EXPECT_TRUE(fs::exists(hersys / "partial.csv.part"));  // never picked up
  auto batches = Body(Get("op", "/api/v1/batches"));
  bool listed = false;
  for (const json& b : batches["items"]) listed = listed || b["file"] == "daily.csv";
  EXPECT_TRUE(listed);
}

// Conflicts: patients 1 (鶴見) and 2 (川崎) were admitted after their death;
// patient 3's history is consistent. Operators see both, the 鶴見 health
// center only its own, a municipality none; the list pages and is audited.
TEST_P(ServerTest, ConflictsListsImpossibleHistoriesWithinTheCallersScope) {
  {
    auto store = site_.OpenStore();
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    store::BatchInfo info{.sha256 = "events", .file_name = "updates.csv", .source = "test",
                          .profile = "updates", .encoding = "utf-8", .format = "csv",
                          .started_at = "2024-05-02T00:00:00Z"};
    auto writer = (*store)->BeginBatch(info);
    ASSERT_TRUE(writer.has_value());
    auto add = [&](int64_t patient, domain::EventType type, const char* day) {
      domain::Event e;
      e.type = type;
      e.effective_on = *core::Date::ParseIso(day);
      e.received_at = 1714521600;  // 2024-05-01
      e.source = "HER-SYS";
      e.facility = type == domain::EventType::kAdmitted ? "A病院" : "";
      if (type == domain::EventType::kNotified) e.onset_on = e.effective_on.AddDays(-1);
      ASSERT_TRUE((*writer)->AddEvent(patient, e, std::string(day) + std::to_string(static_cast<int>(type))));
    };
    for (int64_t patient : {1, 2}) {
      add(patient, domain::EventType::kNotified, "2024-04-01");
      add(patient, domain::EventType::kDied, "2024-04-05");
      add(patient, domain::EventType::kAdmitted, "2024-04-10");
    }
    add(3, domain::EventType::kNotified, "2024-04-01");
    add(3, domain::EventType::kAdmitted, "2024-04-02");
    ASSERT_TRUE((*writer)->Commit(info).has_value());
  }
  auto op = Get("op", "/api/v1/conflicts?as_of=2024-04-30");
  ASSERT_EQ(op->status, 200) << op->body;
  json all = Body(op);
  EXPECT_EQ(all["total"], 2);
  ASSERT_EQ(all["items"].size(), 2u);
  EXPECT_EQ(all["items"][0]["patient_id"], 1);
  EXPECT_EQ(all["items"][1]["patient_id"], 2);
  EXPECT_EQ(all["items"][0]["hersys_id"], "1000001");
  EXPECT_EQ(all["items"][0]["status"], "死亡");
  ASSERT_EQ(all["items"][0]["conflicts"].size(), 1u);
  const json& conflict = all["items"][0]["conflicts"][0];
  EXPECT_EQ(conflict["kind"], "event_after_death");
  EXPECT_EQ(conflict["on"], "2024-04-10");
  EXPECT_NE(conflict["message"].get<std::string>().find("死亡"), std::string::npos);
  EXPECT_NE(conflict["message_en"].get<std::string>().find("death"), std::string::npos);

  // Before the admission was dated there was nothing to flag.
  EXPECT_EQ(Body(Get("op", "/api/v1/conflicts?as_of=2024-04-06"))["total"], 0);
  // Pages.
  json second = Body(Get("admin", "/api/v1/conflicts?as_of=2024-04-30&limit=1&offset=1"));
  EXPECT_EQ(second["total"], 2);
  ASSERT_EQ(second["items"].size(), 1u);
  EXPECT_EQ(second["items"][0]["patient_id"], 2);
  // The health center of 鶴見 sees patient 1 only.
  json hc = Body(Get("hc", "/api/v1/conflicts?as_of=2024-04-30"));
  EXPECT_EQ(hc["total"], 1);
  ASSERT_EQ(hc["items"].size(), 1u);
  EXPECT_EQ(hc["items"][0]["patient_id"], 1);
  // Neither a municipality nor the auditor.
  EXPECT_EQ(Get("muni", "/api/v1/conflicts")->status, 403);
  EXPECT_EQ(Get("aud", "/api/v1/conflicts")->status, 403);
  // A date that is not one is a clear 400.
  auto bad = Get("op", "/api/v1/conflicts?as_of=yesterday");
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(ErrorCode(bad), "invalid_argument");
  // Audited by patient id.
  const std::string trail = Get("aud", "/api/v1/audit/export")->body;
  EXPECT_NE(trail.find("\"action\":\"conflicts.list\""), std::string::npos);
  EXPECT_NE(trail.find("\"target_ids\":\"patient:1 patient:2\""), std::string::npos);
}

TEST_P(ServerTest, OperatorMergesAndUnmergesTwoPatientsWithAReason) {
  auto post = [&](const std::string& path, const json& body) {
    return Client().Post(path, Bearer("op"), body.dump(), "application/json");
  };
  auto no_reason = post("/api/v1/patients/1/merge", json{{"merged_id", 3}});
  ASSERT_EQ(no_reason->status, 400);
  EXPECT_EQ(ErrorCode(no_reason), "invalid_argument");
  EXPECT_EQ(post("/api/v1/patients/1/merge", json{{"merged_id", 1}, {"reason", "x"}})->status, 400);
  EXPECT_EQ(post("/api/v1/patients/1/merge", json{{"merged_id", 99}, {"reason", "x"}})->status, 404);

  auto merged = post("/api/v1/patients/1/merge", json{{"merged_id", 3}, {"reason", "重複届出"}});
  ASSERT_EQ(merged->status, 200) << merged->body;
  EXPECT_EQ(Body(merged)["decided_by"], "op");
  const int64_t merge_id = Body(merged)["id"].get<int64_t>();
  // Searches show one person.
  auto search = Get("op", "/api/v1/patients?name=%E5%B1%B1%E7%94%B0");  // 山田
  EXPECT_EQ(Body(search)["total"], 2);
  EXPECT_EQ(post("/api/v1/patients/2/merge", json{{"merged_id", 3}, {"reason", "x"}})->status, 409)
      << "merged away already";
  auto history = Get("op", "/api/v1/patients/3/merges");
  ASSERT_EQ(history->status, 200);
  ASSERT_EQ(Body(history)["items"].size(), 1u);
  EXPECT_EQ(Body(history)["items"][0]["reason"], "重複届出");

  auto unmerged = post("/api/v1/merges/" + std::to_string(merge_id) + "/unmerge",
                       json{{"reason", "別人"}});
  ASSERT_EQ(unmerged->status, 200) << unmerged->body;
  EXPECT_EQ(Body(unmerged)["undoes"], merge_id);
  EXPECT_EQ(Body(Get("op", "/api/v1/patients?name=%E5%B1%B1%E7%94%B0"))["total"], 3);
}

TEST_P(ServerTest, OpenApiDocumentsExactlyTheRegisteredRoutes) {
  auto res = Client().Get("/api/v1/openapi.json");
  ASSERT_EQ(res->status, 200);
  json doc = Body(res);
  EXPECT_EQ(doc["openapi"], "3.0.3");
  std::set<std::string> documented;
  for (const auto& [path, methods] : doc["paths"].items()) {
    for (const auto& [method, op] : methods.items()) documented.insert(method + " " + path);
  }
  std::set<std::string> registered;
  for (const Route& route : server_->routes().routes()) {
    std::string method(MethodName(route.method));
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    registered.insert(method + " " + route.path);
    // And the server really answers on it (not httplib's 404 for no route).
    std::string path = route.path;
    for (const std::string& name : PathParamNames(route.path)) {
      path.replace(path.find("{" + name + "}"), name.size() + 2, "1");
    }
    if (route.method == Method::kGet) {
      auto answer = Client().Get(path);
      EXPECT_NE(ErrorCode(answer), "not_found") << path;
    }
  }
  EXPECT_EQ(documented, registered);
}

TEST_P(ServerTest, MetricsCountRequestsAndAuditEntries) {
  ASSERT_EQ(Get("op", "/api/v1/patients/1")->status, 200);
  auto metrics = Client().Get("/metrics");
  ASSERT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("ichigen_http_requests_total{method=\"GET\",route=\"/api/v1/patients/{id}\",status=\"200\"} 1"),
            std::string::npos) << metrics->body;
  EXPECT_NE(metrics->body.find("ichigen_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(metrics->body.find("ichigen_audit_entries "), std::string::npos);
  EXPECT_NE(metrics->body.find("ichigen_review_queue_open 0"), std::string::npos);
  EXPECT_NE(log_.str().find("\"msg\":\"server started\""), std::string::npos);
}

TEST_P(ServerTest, AdminManagesUsers) {
  auto admin = Login("admin");
  httplib::Headers h = {{"Cookie", admin.first}, {"X-CSRF-Token", admin.second}};
  auto added = Client().Post("/api/v1/users", h,
                             json{{"login", "kohoku"}, {"role", "municipality"}, {"scope", "123"}}.dump(),
                             "application/json");
  EXPECT_EQ(added->status, 400);  // not a code6
  added = Client().Post("/api/v1/users", h, json{{"login", "new_op"}, {"role", "operator"}}.dump(),
                        "application/json");
  ASSERT_EQ(added->status, 201) << added->body;
  const std::string password = Body(added)["password"];
  EXPECT_EQ(password.size(), 16u);
  auto dup = Client().Post("/api/v1/users", h, json{{"login", "new_op"}, {"role", "operator"}}.dump(),
                           "application/json");
  EXPECT_EQ(dup->status, 409);
  EXPECT_EQ(Client().Post("/api/v1/users/op/disable", h, "{}", "application/json")->status, 200);
  EXPECT_EQ(Get("op", "/api/v1/me")->status, 401);  // its tokens were revoked
  auto users = Body(Client().Get("/api/v1/users", h));
  EXPECT_EQ(users["total"], 8);
}

// An import holds the main file's write lock for its whole batch; log-ins,
// session and token checks and the audit entry every patient read writes go
// to the companion file, so they do not wait behind it.
TEST_P(SqliteServerTest, LongImportBlocksNeitherLogInNorPatientReads) {
  synth::SynthOptions synth_options;
  synth_options.out = (dir_ / "big.csv").string();
  synth_options.rows = 80000;
  synth_options.seed = 11;
  synth_options.id_start = 5000000;  // apart from the seeded patients
  auto synthesized = synth::Synthesize(synth_options, *intake_->registry);
  ASSERT_TRUE(synthesized.has_value()) << synthesized.error().ToString();

  std::atomic<bool> import_done = false;
  core::Result<intake::ImportReport> report = std::unexpected(core::Error{});
  std::thread importer([&] {
    auto store = store::SqliteStore::Open(db_);
    if (store) {
      intake::Importer import(**store, *intake_);
      report = import.ImportFile(synth_options.out, {});
    }
    import_done = true;
  });
  // A probe connection that fails at once, rather than waits, while someone
  // holds the main file's write lock.
  auto probe = store::OpenSqliteConnection(db_);
  ASSERT_TRUE(probe.has_value());
  ASSERT_TRUE((*probe)->Exec("PRAGMA busy_timeout = 0").has_value());
  auto import_holds_lock = [&] {
    if ((*probe)->Exec("BEGIN IMMEDIATE")) {
      (void)(*probe)->Exec("ROLLBACK");
      return false;
    }
    return true;
  };
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!import_done && !import_holds_lock() && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_FALSE(import_done) << "the import ended before the test saw it hold the lock";

  using Clock = std::chrono::steady_clock;
  const auto login_started = Clock::now();
  auto [cookie, csrf] = Login("op");
  const auto login_took = Clock::now() - login_started;
  const auto read_started = Clock::now();
  auto by_cookie = Client().Get("/api/v1/patients/1", {{"Cookie", cookie}});
  auto by_token = Get("hc", "/api/v1/patients/1");
  const auto reads_took = Clock::now() - read_started;
  // Still inside the import's transaction: the requests really overlapped it.
  const bool overlapped = import_holds_lock();
  importer.join();

  EXPECT_TRUE(overlapped);
  EXPECT_LT(login_took, std::chrono::seconds(1));
  EXPECT_LT(reads_took, std::chrono::seconds(1));
  ASSERT_TRUE(by_cookie);
  EXPECT_EQ(by_cookie->status, 200) << by_cookie->body;
  EXPECT_EQ(Body(by_cookie)["hersys_id"], "1000001");
  ASSERT_TRUE(by_token);
  EXPECT_EQ(by_token->status, 200) << by_token->body;
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_GT(report->rows, 70000);
  EXPECT_TRUE(VerifyProblems().empty());
}

}  // namespace
}  // namespace ichigen::api
