// `ichigen migrate` end to end with the real binary and a real PostgreSQL
// (issue 9): a SQLite store built by importing real files (a synthetic
// HER-SYS export, update sheets with review items, a review decision, a merge,
// user accounts and their audit entries) is moved to PostgreSQL and read back
// through the PostgreSQL stores; the audit chain verifies there, later
// imports get fresh ids, a tampered target is caught by the recomparison, and
// a non-empty target, an older source or an unknown table are refused.
// Skips without ICHIGEN_TEST_PG unless ICHIGEN_REQUIRE_PG=1.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <map>
#include <set>

#include "store/pg_handle.h"
#include "store/pg_test_env.h"
#include "store/postgres_account_store.h"
#include "store/postgres_audit_store.h"
#include "shell.h"
#include "store/postgres_store.h"
#include "store/sqlite_account_store.h"
#include "store/sqlite_audit_store.h"
#include "store/sqlite_handle.h"
#include "store/sqlite_store.h"

namespace ichigen {
namespace {

namespace fs = std::filesystem;

using test::Shell;
using test::ShellResult;

std::string Fixture(const std::string& name) {
  return std::string(ICHIGEN_TEST_DATA_DIR) + "/intake/" + name;
}

// A keyword conninfo as the postgresql:// URL the CLI takes.
std::string AsUrl(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    PQfreemem(error);
    return {};
  }
  auto encode = [](std::string_view value) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : value) {
      if (std::isalnum(c) || c == '_' || c == '-' || c == '.') {
        out += static_cast<char>(c);
      } else {
        out += '%';
        out += kDigits[c >> 4];
        out += kDigits[c & 0xF];
      }
    }
    return out;
  };
  std::string dbname;
  std::string query;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || *o->val == '\0') continue;
    const std::string keyword = o->keyword;
    if (keyword == "dbname") {
      dbname = o->val;
    } else if (keyword == "host" || keyword == "port" || keyword == "user" ||
               keyword == "password") {
      query += (query.empty() ? "?" : "&") + keyword + "=" + encode(o->val);
    }
  }
  PQconninfoFree(options);
  return "postgresql:///" + encode(dbname) + query;
}

std::string Quote(const std::string& arg) { return "'" + arg + "'"; }

class MigrateTest : public ::testing::Test {
 protected:
  // The source store is built once and only ever read by the migrations.
  static void SetUpTestSuite() {
    server_ = new store::PgTestServer(store::FindPgTestServer());
    if (!server_->available()) return;
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("ichigen_migrate_test_" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    fs::create_directories(*dir_);
    source_ = new std::string((*dir_ / "source.db").string());
    build_error_ = new std::string(BuildSource());
  }
  static void TearDownTestSuite() {
    if (dir_ != nullptr) fs::remove_all(*dir_);
    delete dir_;
    delete source_;
    delete build_error_;
    delete server_;
    dir_ = nullptr;
  }

  void SetUp() override {
    if (!server_->available()) {
      if (server_->required) FAIL() << server_->why;
      GTEST_SKIP() << server_->why;
    }
    ASSERT_TRUE(build_error_->empty()) << *build_error_;
    auto fresh = store::FreshPgDatabase(server_->conninfo,
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(fresh.has_value()) << fresh.error().ToString();
    target_ = *fresh;
    url_ = AsUrl(target_);
    ASSERT_FALSE(url_.empty());
  }
  void TearDown() override {
    if (!target_.empty()) store::DropPgDatabase(server_->conninfo, target_);
  }

  static std::string Ichigen(const std::string& db, const std::string& args) {
    return std::string(ICHIGEN_BINARY) + " --db " + Quote(db) + " " + args;
  }

  // Returns an empty string, or what went wrong.
  static std::string BuildSource() {
    const fs::path& dir = *dir_;
    const std::string synth = (dir / "hersys_synth.csv").string();
    ShellResult made = Shell(std::string(ICHIGEN_BINARY) +
                             " synth --kind hersys --rows 400 --seed 11 --id-start 5000001 --out " +
                             synth + " 2>&1");
    if (made.exit != 0) return "synth: " + made.out;
    for (const std::string& file :
         {synth, Fixture("hersys_mixed.cp932.csv"), Fixture("updates_hospital.cp932.csv"),
          Fixture("updates_noid.cp932.csv"), Fixture("press.cp932.csv")}) {
      ShellResult imported = Shell(Ichigen(*source_, "import " + file + " 2>&1"));
      if (imported.exit != 0) return "import " + file + ": " + imported.out;
    }
    auto store = store::SqliteStore::Open(*source_);
    if (!store) return store.error().ToString();
    auto open_items = (*store)->ListReviewItems("open");
    if (!open_items || open_items->empty()) return "no review items to decide";
    // One operator decision: the first item that can be linked to its candidate.
    std::string tried;
    bool decided = false;
    for (const store::ReviewItem& item : *open_items) {
      if (item.candidate_patient_id == 0) continue;
      ShellResult linked = Shell(Ichigen(
          *source_, "review link " + std::to_string(item.id) + " " +
                        std::to_string(item.candidate_patient_id) + " --by 佐藤 --why 電話で確認 2>&1"));
      tried += linked.out;
      if (linked.exit == 0) {
        decided = true;
        break;
      }
    }
    if (!decided) return "no review item could be linked: " + tried;
    auto first = (*store)->FindPatientByHersysId("1000001");
    auto second = (*store)->FindPatientByHersysId("1000002");
    if (!first || !*first || !second || !*second) return "fixture patients missing";
    ShellResult merged = Shell(Ichigen(
        *source_, "review merge " + std::to_string((**first).id) + " " +
                      std::to_string((**second).id) + " --reason '同一人物（電話で確認）' 2>&1"));
    if (merged.exit != 0) return "review merge: " + merged.out;
    // Figures and an agreement: the statistics and distribution tables move too.
    for (const char* command : {"stats recompute", "agreements set 142042 --fields name,phone "
                                                   "--from 2022-04-01"}) {
      ShellResult done = Shell(Ichigen(*source_, std::string(command) + " 2>&1"));
      if (done.exit != 0) return std::string(command) + ": " + done.out;
    }
    for (const char* user : {"tanaka --role operator --name 田中", "admin1 --role admin"}) {
      ShellResult added = Shell(Ichigen(*source_, std::string("user add ") + user + " 2>&1"));
      if (added.exit != 0) return std::string("user add: ") + added.out;
    }
    // A table of every value kind (NULL, integer, real, Japanese text with
    // tabs and newlines, binary with NUL bytes), present on both sides only
    // in this test: the copy is binary-safe.
    auto db = store::SqliteDb::Open(*source_);
    if (!db) return db.error().ToString();
    auto created = (*db)->Exec(
        "CREATE TABLE value_kinds (id INTEGER PRIMARY KEY, data BLOB, note TEXT, ratio REAL);"
        "INSERT INTO value_kinds VALUES (1, x'00FF0A5C09E38182', '髙橋\t一郎\n\\改行', 0.1);"
        "INSERT INTO value_kinds VALUES (2, NULL, NULL, NULL);"
        "INSERT INTO value_kinds VALUES (3, x'', '', -1.5e300);");
    if (!created) return created.error().ToString();
    return {};
  }

  // The target gets the same test-only table (empty) before the migration.
  void CreateValueKindsOnTarget() {
    auto conn = store::PgConn::Connect(target_);
    ASSERT_TRUE(conn.has_value());
    ASSERT_TRUE((*conn)->Exec("CREATE TABLE value_kinds (id BIGINT PRIMARY KEY, data BYTEA, "
                              "note TEXT, ratio DOUBLE PRECISION)")
                    .has_value());
  }

  ShellResult Migrate(const std::string& source, const std::string& extra = "") {
    return Shell(std::string(ICHIGEN_BINARY) + " migrate --from " + Quote(source) + " --to " +
                 Quote(url_) + " --json " + extra);
  }

  static nlohmann::json LastJson(const std::string& out) {
    const size_t start = out.rfind("\n{");
    return nlohmann::json::parse(start == std::string::npos ? out : out.substr(start + 1),
                                 nullptr, false);
  }

  int64_t TargetCount(const std::string& table) {
    auto conn = store::PgConn::Connect(target_);
    EXPECT_TRUE(conn.has_value());
    if (!conn) return -1;
    auto count = (*conn)->Query("SELECT count(*) FROM " + table);
    EXPECT_TRUE(count.has_value()) << count.error().ToString();
    return count ? count->Int(0, 0) : -1;
  }

  // A copy of the source to change (the shared one stays as built).
  std::string CopyOfSource(const std::string& name) {
    const std::string copy = (*dir_ / name).string();
    fs::copy_file(*source_, copy, fs::copy_options::overwrite_existing);
    fs::copy_file(store::AccountsDbPath(*source_), store::AccountsDbPath(copy),
                  fs::copy_options::overwrite_existing);
    return copy;
  }

  static store::PgTestServer* server_;
  static fs::path* dir_;
  static std::string* source_;
  static std::string* build_error_;
  std::string target_;
  std::string url_;
};

store::PgTestServer* MigrateTest::server_ = nullptr;
fs::path* MigrateTest::dir_ = nullptr;
std::string* MigrateTest::source_ = nullptr;
std::string* MigrateTest::build_error_ = nullptr;

TEST_F(MigrateTest, MovesEveryTableAndTheStoresReadTheSame) {
  CreateValueKindsOnTarget();
  // Every store has a PostgreSQL implementation: nothing is left out.
  ShellResult migrated = Migrate(*source_);
  ASSERT_EQ(migrated.exit, 0) << migrated.out;
  const nlohmann::json report = LastJson(migrated.out);
  ASSERT_TRUE(report.is_object()) << migrated.out;
  EXPECT_TRUE(report["ok"].get<bool>());
  EXPECT_TRUE(report["committed"].get<bool>());
  EXPECT_TRUE(report["skipped_tables"].empty()) << report["skipped_tables"];
  std::map<std::string, nlohmann::json> tables;
  for (const auto& t : report["tables"]) tables[t["table"].get<std::string>()] = t;
  for (const char* table : {"batches", "patients", "batch_rows", "events", "review_items",
                            "review_decisions", "patient_merges", "users", "audit_log",
                            "value_kinds", "stats_contributions", "stats_flows", "stats_meta",
                            "distribution_settings", "agreements"}) {
    ASSERT_TRUE(tables.contains(table)) << table;
    EXPECT_TRUE(tables[table]["ok"].get<bool>()) << table;
    EXPECT_GT(tables[table]["source_rows"].get<int64_t>(), 0) << table;
    EXPECT_EQ(tables[table]["source_checksum"], tables[table]["target_checksum"]) << table;
  }
  // Parents are copied before the tables that refer to them.
  std::vector<std::string> order;
  for (const auto& t : report["tables"]) order.push_back(t["table"].get<std::string>());
  auto at = [&](const char* name) { return std::find(order.begin(), order.end(), name) - order.begin(); };
  EXPECT_LT(at("batches"), at("patients"));
  EXPECT_LT(at("patients"), at("events"));
  EXPECT_LT(at("review_items"), at("review_decisions"));
  EXPECT_LT(at("users"), at("sessions"));

  // What the stores read is the same on both sides.
  auto sqlite = store::SqliteStore::Open(*source_);
  auto postgres = store::PostgresStore::Open(target_);
  ASSERT_TRUE(sqlite.has_value() && postgres.has_value());
  ASSERT_EQ(*(*sqlite)->CountPatients(), *(*postgres)->CountPatients());
  EXPECT_GT(*(*sqlite)->CountPatients(), 300);
  int compared = 0;
  ASSERT_TRUE((*sqlite)
                  ->ForEachPatient([&](const store::PatientRecord& p) -> core::Status {
                    auto other = (*postgres)->GetPatient(p.id);
                    EXPECT_TRUE(other.has_value() && other->has_value()) << p.id;
                    if (!other || !*other) return core::Ok();
                    EXPECT_EQ((**other).name, p.name);
                    EXPECT_EQ((**other).hersys_id, p.hersys_id);
                    EXPECT_EQ((**other).address, p.address);
                    EXPECT_EQ((**other).content_hash, p.content_hash);
                    auto mine = (*sqlite)->EventsOf(p.id);
                    auto theirs = (*postgres)->EventsOf(p.id);
                    EXPECT_TRUE(mine.has_value() && theirs.has_value());
                    if (mine && theirs) {
                      EXPECT_EQ(mine->size(), theirs->size()) << p.id;
                      for (size_t i = 0; i < std::min(mine->size(), theirs->size()); ++i) {
                        EXPECT_EQ((*mine)[i].id, (*theirs)[i].id);
                        EXPECT_EQ((*mine)[i].type, (*theirs)[i].type);
                        EXPECT_EQ((*mine)[i].effective_on, (*theirs)[i].effective_on);
                      }
                    }
                    ++compared;
                    return core::Ok();
                  })
                  .has_value());
  EXPECT_GT(compared, 300);
  for (const char* status : {"open", "linked"}) {
    auto items = (*sqlite)->ListReviewItems(status);
    auto items_there = (*postgres)->ListReviewItems(status);
    ASSERT_TRUE(items.has_value() && items_there.has_value());
    ASSERT_EQ(items->size(), items_there->size()) << status;
    ASSERT_FALSE(items->empty()) << status;
    for (size_t i = 0; i < items->size(); ++i) {
      EXPECT_EQ((*items)[i].id, (*items_there)[i].id);
      EXPECT_EQ((*items)[i].row_json, (*items_there)[i].row_json);
      EXPECT_EQ((*items)[i].linked_patient_id, (*items_there)[i].linked_patient_id);
      EXPECT_EQ((*items)[i].decision_reason, (*items_there)[i].decision_reason);
    }
    if (std::string(status) == "linked") {
      auto decisions = (*postgres)->DecisionsOf(items->front().id);
      ASSERT_TRUE(decisions.has_value());
      ASSERT_EQ(decisions->size(), 1u);
      EXPECT_EQ(decisions->front().decided_by, "佐藤");
    }
  }
  auto merged = (*sqlite)->FindPatientByHersysId("1000001");
  ASSERT_TRUE(merged.has_value() && merged->has_value());
  auto merges = (*sqlite)->MergeDecisionsOf((**merged).id);
  auto merges_there = (*postgres)->MergeDecisionsOf((**merged).id);
  ASSERT_TRUE(merges.has_value() && merges_there.has_value());
  ASSERT_EQ(merges->size(), 1u);
  ASSERT_EQ(merges_there->size(), 1u);
  EXPECT_EQ((*merges)[0].reason, (*merges_there)[0].reason);
  EXPECT_EQ((*merges)[0].merged_id, (*merges_there)[0].merged_id);

  auto accounts = store::SqliteAccountStore::Open(store::AccountsDbPath(*source_));
  auto accounts_there = store::PostgresAccountStore::Open(target_);
  ASSERT_TRUE(accounts.has_value() && accounts_there.has_value());
  auto users = (*accounts)->ListUsers();
  auto users_there = (*accounts_there)->ListUsers();
  ASSERT_TRUE(users.has_value() && users_there.has_value());
  ASSERT_EQ(users->size(), 2u);
  ASSERT_EQ(users_there->size(), 2u);
  for (size_t i = 0; i < users->size(); ++i) {
    EXPECT_EQ((*users)[i].login, (*users_there)[i].login);
    EXPECT_EQ((*users)[i].display_name, (*users_there)[i].display_name);
    EXPECT_EQ((*users)[i].password_hash, (*users_there)[i].password_hash);
  }

  // Binary, NULLs and Japanese text with COPY's special characters survive.
  auto conn = store::PgConn::Connect(target_);
  ASSERT_TRUE(conn.has_value());
  auto values = (*conn)->Query(
      "SELECT encode(data, 'hex'), note, ratio::text, data IS NULL, note IS NULL FROM "
      "value_kinds ORDER BY id");
  ASSERT_TRUE(values.has_value()) << values.error().ToString();
  ASSERT_EQ(values->rows(), 3);
  EXPECT_EQ(values->Text(0, 0), "00ff0a5c09e38182");
  EXPECT_EQ(values->Text(0, 1), "髙橋\t一郎\n\\改行");
  EXPECT_EQ(values->Real(0, 2), 0.1);
  EXPECT_EQ(values->Text(1, 3), "t");
  EXPECT_EQ(values->Text(1, 4), "t");
  EXPECT_EQ(values->Text(2, 0), "");
  EXPECT_EQ(values->Text(2, 3), "f");
  EXPECT_EQ(values->Text(2, 4), "f");
  EXPECT_EQ(values->Real(2, 2), -1.5e300);
}

TEST_F(MigrateTest, AuditChainVerifiesAndNewWritesGetFreshIds) {
  ShellResult migrated = Migrate(*source_, "--skip-unknown-tables");
  ASSERT_EQ(migrated.exit, 0) << migrated.out;
  const nlohmann::json report = LastJson(migrated.out);
  const auto& skipped = report["skipped_tables"];
  EXPECT_NE(std::find(skipped.begin(), skipped.end(), "value_kinds"), skipped.end()) << skipped;

  auto source_audit = store::SqliteAuditStore::Open(store::AccountsDbPath(*source_));
  ASSERT_TRUE(source_audit.has_value());
  const int64_t entries = *(*source_audit)->Count();
  ASSERT_GE(entries, 2);
  ShellResult verified = Shell(Ichigen(url_, "audit verify --json"));
  ASSERT_EQ(verified.exit, 0) << verified.out;
  const nlohmann::json verify = LastJson(verified.out);
  EXPECT_TRUE(verify["ok"].get<bool>()) << verified.out;
  EXPECT_EQ(verify["entries"].get<int64_t>(), entries);

  // New patients, events, batches, review items and users after the move get
  // ids past the copied ones (the sequences were reset).
  const int64_t max_patient = TargetCount("patients");
  auto conn = store::PgConn::Connect(target_);
  ASSERT_TRUE(conn.has_value());
  auto before = (*conn)->Query(
      "SELECT (SELECT max(id) FROM patients), (SELECT max(id) FROM events), "
      "(SELECT max(id) FROM batches), (SELECT max(id) FROM users)");
  ASSERT_TRUE(before.has_value());
  const std::string more = (*dir_ / "hersys_more.csv").string();
  ASSERT_EQ(Shell(std::string(ICHIGEN_BINARY) + " synth --kind hersys --rows 50 --seed 12 --bad-rate 0 --duplicate-rate 0 "
                  "--id-start 6000001 --out " + more + " 2>&1").exit, 0);
  for (const std::string& file : {more, Fixture("updates_hospital_week2.cp932.csv")}) {
    ShellResult imported = Shell(Ichigen(url_, "import --json " + file + " 2>&1"));
    ASSERT_EQ(imported.exit, 0) << file << ": " << imported.out;
  }
  ShellResult added = Shell(Ichigen(url_, "user add suzuki --role auditor 2>&1"));
  ASSERT_EQ(added.exit, 0) << added.out;
  auto after = (*conn)->Query(
      "SELECT (SELECT max(id) FROM patients), (SELECT max(id) FROM events), "
      "(SELECT max(id) FROM batches), (SELECT max(id) FROM users), "
      "(SELECT count(*) FROM patients WHERE id <= $1 AND created_batch > $2)",
      store::PgParams().Add(before->Int(0, 0)).Add(before->Int(0, 2)));
  ASSERT_TRUE(after.has_value()) << after.error().ToString();
  EXPECT_GT(after->Int(0, 0), before->Int(0, 0));
  EXPECT_GT(after->Int(0, 1), before->Int(0, 1));
  EXPECT_EQ(after->Int(0, 2), before->Int(0, 2) + 2);
  EXPECT_EQ(after->Int(0, 3), before->Int(0, 3) + 1);
  EXPECT_EQ(after->Int(0, 4), 0);  // no copied patient was overwritten
  EXPECT_EQ(TargetCount("patients"), max_patient + 50);
  // The chain goes on from the copied head.
  ShellResult again = Shell(Ichigen(url_, "audit verify --json"));
  ASSERT_EQ(again.exit, 0) << again.out;
  EXPECT_EQ(LastJson(again.out)["entries"].get<int64_t>(), entries + 1);
}

TEST_F(MigrateTest, RecomparisonFindsATamperedTarget) {
  ASSERT_EQ(Migrate(*source_, "--skip-unknown-tables").exit, 0);
  ShellResult clean = Migrate(*source_, "--skip-unknown-tables --verify-only");
  ASSERT_EQ(clean.exit, 0) << clean.out;
  EXPECT_TRUE(LastJson(clean.out)["ok"].get<bool>());
  EXPECT_FALSE(LastJson(clean.out)["committed"].get<bool>());

  auto conn = store::PgConn::Connect(target_);
  ASSERT_TRUE(conn.has_value());
  ASSERT_TRUE((*conn)->Exec("UPDATE patients SET address = address || '1' WHERE id = "
                            "(SELECT min(id) FROM patients)").has_value());
  ASSERT_TRUE((*conn)->Exec("DELETE FROM batch_rows WHERE line = 2 AND batch_id = "
                            "(SELECT min(id) FROM batches)").has_value());
  ShellResult tampered = Migrate(*source_, "--skip-unknown-tables --verify-only");
  EXPECT_NE(tampered.exit, 0) << tampered.out;
  const nlohmann::json report = LastJson(tampered.out);
  ASSERT_TRUE(report.is_object()) << tampered.out;
  EXPECT_FALSE(report["ok"].get<bool>());
  for (const auto& t : report["tables"]) {
    const std::string name = t["table"].get<std::string>();
    const bool changed = name == "patients" || name == "batch_rows";
    EXPECT_EQ(t["ok"].get<bool>(), !changed) << name;
    if (name == "patients") {
      EXPECT_EQ(t["source_rows"], t["target_rows"]);
      EXPECT_NE(t["source_checksum"], t["target_checksum"]);
    }
    if (name == "batch_rows") {
      EXPECT_EQ(t["source_rows"].get<int64_t>(), t["target_rows"].get<int64_t>() + 1);
    }
  }
  // The text report says which table, in both languages.
  ShellResult text = Shell(std::string(ICHIGEN_BINARY) + " migrate --verify-only "
                           "--skip-unknown-tables --from " + Quote(*source_) + " --to " +
                           Quote(url_));
  EXPECT_NE(text.exit, 0);
  EXPECT_NE(text.out.find("patients"), std::string::npos);
  EXPECT_NE(text.out.find("一致しません"), std::string::npos);
  EXPECT_NE(text.out.find("source and target differ"), std::string::npos);
}

TEST_F(MigrateTest, RefusesATargetThatHoldsData) {
  ASSERT_EQ(Migrate(*source_, "--skip-unknown-tables").exit, 0);
  const int64_t patients = TargetCount("patients");
  ShellResult again = Migrate(*source_, "--skip-unknown-tables 2>&1");
  EXPECT_EQ(again.exit, core::ExitCodeFor(core::Code::kFailedPrecondition)) << again.out;
  EXPECT_NE(again.out.find("すでにデータがあります"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("already holds data"), std::string::npos) << again.out;
  EXPECT_EQ(TargetCount("patients"), patients);
}

TEST_F(MigrateTest, UnknownTablesAreNamedAndNeverDroppedSilently) {
  ShellResult refused = Migrate(*source_, "2>&1");
  EXPECT_EQ(refused.exit, core::ExitCodeFor(core::Code::kFailedPrecondition)) << refused.out;
  EXPECT_NE(refused.out.find("value_kinds"), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("--skip-unknown-tables"), std::string::npos) << refused.out;
  EXPECT_EQ(TargetCount("patients"), 0);  // nothing was copied

  // The human report lists what was left out.
  ShellResult skipped = Shell(std::string(ICHIGEN_BINARY) + " migrate --skip-unknown-tables "
                              "--from " + Quote(*source_) + " --to " + Quote(url_));
  ASSERT_EQ(skipped.exit, 0) << skipped.out;
  const size_t listed = skipped.out.find("not migrated (unknown to the target): ");
  ASSERT_NE(listed, std::string::npos) << skipped.out;
  EXPECT_NE(skipped.out.find("value_kinds", listed), std::string::npos) << skipped.out;
  EXPECT_NE(skipped.out.find("OK: "), std::string::npos) << skipped.out;
}

TEST_F(MigrateTest, RefusesASourceAtAnotherSchemaVersion) {
  const std::string older = CopyOfSource("older.db");
  {
    auto db = store::SqliteDb::Open(older);
    ASSERT_TRUE(db.has_value());
    ASSERT_TRUE((*db)->Exec("DELETE FROM schema_migrations WHERE version = 10").has_value());
  }
  ShellResult refused = Migrate(older, "--skip-unknown-tables 2>&1");
  EXPECT_EQ(refused.exit, core::ExitCodeFor(core::Code::kFailedPrecondition)) << refused.out;
  EXPECT_NE(refused.out.find("schema version is older"), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("core: source 9, target 10"), std::string::npos) << refused.out;
  EXPECT_EQ(TargetCount("patients"), 0);
}

TEST_F(MigrateTest, TextPostgresCannotStoreStopsTheCopyAndLeavesTheTargetEmpty) {
  const std::string damaged = CopyOfSource("damaged.db");
  {
    auto db = store::SqliteDb::Open(damaged);
    ASSERT_TRUE(db.has_value());
    ASSERT_TRUE((*db)->Exec("UPDATE patients SET address = CAST(x'e6a8aaff' AS TEXT) "
                            "WHERE id = (SELECT max(id) FROM patients)")
                    .has_value());
  }
  ShellResult refused = Migrate(damaged, "--skip-unknown-tables 2>&1");
  EXPECT_EQ(refused.exit, core::ExitCodeFor(core::Code::kInvalidArgument)) << refused.out;
  EXPECT_NE(refused.out.find("patients.address"), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("invalid UTF-8"), std::string::npos) << refused.out;
  // The tables copied before it were rolled back with it.
  EXPECT_EQ(TargetCount("batches"), 0);
  EXPECT_EQ(TargetCount("audit_log"), 0);
}

TEST_F(MigrateTest, ARowThatBreaksAForeignKeyFailsTheWholeCopy) {
  // The foreign keys are made again after the copy; they still check it.
  const std::string broken = CopyOfSource("broken.db");
  {
    auto db = store::SqliteDb::Open(broken);  // without PRAGMA foreign_keys
    ASSERT_TRUE(db.has_value());
    ASSERT_TRUE((*db)->Exec("UPDATE batch_rows SET patient_id = 99999999 "
                            "WHERE patient_id = (SELECT min(patient_id) FROM batch_rows)")
                    .has_value());
  }
  ShellResult refused = Migrate(broken, "--skip-unknown-tables 2>&1");
  EXPECT_EQ(refused.exit, core::ExitCodeFor(core::Code::kFailedPrecondition)) << refused.out;
  EXPECT_NE(refused.out.find("23503"), std::string::npos) << refused.out;  // foreign_key_violation
  EXPECT_EQ(TargetCount("patients"), 0);
  EXPECT_EQ(TargetCount("batch_rows"), 0);
  // The target's schema is whole again (the rollback undid the drops too).
  auto conn = store::PgConn::Connect(target_);
  ASSERT_TRUE(conn.has_value());
  auto keys = (*conn)->Query("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND "
                             "conrelid = 'batch_rows'::regclass");
  ASSERT_TRUE(keys.has_value());
  EXPECT_EQ(keys->Int(0, 0), 2);
}

TEST_F(MigrateTest, BadArgumentsAreClearErrors) {
  ShellResult not_a_url = Shell(std::string(ICHIGEN_BINARY) + " migrate --from " +
                                Quote(*source_) + " --to /tmp/x.db 2>&1");
  EXPECT_EQ(not_a_url.exit, core::ExitCodeFor(core::Code::kInvalidArgument));
  EXPECT_NE(not_a_url.out.find("postgresql://"), std::string::npos) << not_a_url.out;
  ShellResult missing = Shell(std::string(ICHIGEN_BINARY) + " migrate --from " +
                              Quote((*dir_ / "none.db").string()) + " --to " + Quote(url_) +
                              " 2>&1");
  EXPECT_EQ(missing.exit, core::ExitCodeFor(core::Code::kNotFound)) << missing.out;
  EXPECT_NE(missing.out.find("does not exist"), std::string::npos) << missing.out;
  EXPECT_FALSE(fs::exists(*dir_ / "none.db"));  // never created
}

}  // namespace
}  // namespace ichigen
