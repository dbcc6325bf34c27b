// Tests only: where an API test's server keeps its data, on SQLite (a file,
// with accounts and the audit trail in the companion file, as main.cc does)
// or on PostgreSQL (one fresh database on the server named by
// ICHIGEN_TEST_PG holding everything; see store/pg_test_env.h). A fixture
// parameterized by StoreKind calls Prepare in SetUp and Drop in TearDown, and
// opens every store through this site, so each test runs on both.
// Thread-safety: the Open functions may be called from any thread.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "core/result.h"
#include "store/pg_test_env.h"
#include "store/postgres_account_store.h"
#include "store/postgres_audit_store.h"
#include "store/postgres_store.h"
#include "store/sqlite_account_store.h"
#include "store/sqlite_audit_store.h"
#include "store/sqlite_store.h"

namespace ichigen::api {

enum class StoreKind { kSqlite, kPostgres };

inline std::string StoreKindName(const ::testing::TestParamInfo<StoreKind>& info) {
  return info.param == StoreKind::kSqlite ? "SQLite" : "PostgreSQL";
}

// The current test's name, usable in a file or database name.
inline std::string TestLabel() {
  std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  return name;
}

class TestStoreSite {
 public:
  // Chooses the location: `dir`/ichigen.db, or a fresh database. For
  // PostgreSQL the caller has checked that a server is named
  // (FindPgTestServer) and skipped or failed otherwise.
  core::Status Prepare(StoreKind kind, const std::filesystem::path& dir) {
    kind_ = kind;
    if (kind == StoreKind::kSqlite) {
      location_ = (dir / "ichigen.db").string();
      return core::Ok();
    }
    server_ = store::FindPgTestServer();
    ASSIGN_OR_RETURN(location_, store::FreshPgDatabase(server_.conninfo, "api_" + TestLabel()));
    return core::Ok();
  }
  void Drop() {
    if (kind_ == StoreKind::kPostgres && !location_.empty()) {
      store::DropPgDatabase(server_.conninfo, location_);
    }
  }

  StoreKind kind() const { return kind_; }
  bool postgres() const { return kind_ == StoreKind::kPostgres; }
  // The SQLite file or the PostgreSQL conninfo.
  const std::string& location() const { return location_; }

  core::Result<std::unique_ptr<store::Store>> OpenStore() const {
    if (postgres()) {
      ASSIGN_OR_RETURN(auto opened, store::PostgresStore::Open(location_));
      return std::unique_ptr<store::Store>(std::move(opened));
    }
    ASSIGN_OR_RETURN(auto opened, store::SqliteStore::Open(location_));
    return std::unique_ptr<store::Store>(std::move(opened));
  }
  core::Result<std::unique_ptr<store::AccountStore>> OpenAccounts() const {
    if (postgres()) {
      ASSIGN_OR_RETURN(auto opened, store::PostgresAccountStore::Open(location_));
      return std::unique_ptr<store::AccountStore>(std::move(opened));
    }
    ASSIGN_OR_RETURN(auto opened, store::SqliteAccountStore::Open(store::AccountsDbPath(location_)));
    return std::unique_ptr<store::AccountStore>(std::move(opened));
  }
  core::Result<std::unique_ptr<store::AuditStore>> OpenAudit() const {
    if (postgres()) {
      ASSIGN_OR_RETURN(auto opened, store::PostgresAuditStore::Open(location_));
      return std::unique_ptr<store::AuditStore>(std::move(opened));
    }
    ASSIGN_OR_RETURN(auto opened, store::SqliteAuditStore::Open(store::AccountsDbPath(location_)));
    return std::unique_ptr<store::AuditStore>(std::move(opened));
  }

 private:
  StoreKind kind_ = StoreKind::kSqlite;
  store::PgTestServer server_;
  std::string location_;
};

// In a fixture's SetUp: skips a PostgreSQL case without a server (fails it
// when ICHIGEN_REQUIRE_PG=1).
#define ICHIGEN_SKIP_WITHOUT_PG(kind)                                   \
  do {                                                                  \
    if ((kind) == ::ichigen::api::StoreKind::kPostgres) {               \
      const ::ichigen::store::PgTestServer pg = ::ichigen::store::FindPgTestServer(); \
      if (!pg.available()) {                                            \
        if (pg.required) FAIL() << pg.why;                              \
        GTEST_SKIP() << pg.why;                                         \
      }                                                                 \
    }                                                                   \
  } while (false)

}  // namespace ichigen::api
