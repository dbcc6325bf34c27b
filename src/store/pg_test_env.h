// For tests only: the PostgreSQL server the tests run against, and fresh
// databases on it.
//
// The server is named by ICHIGEN_TEST_PG (a libpq conninfo or URL), which
// `make test` sets from tests/pg/cluster.sh. Without it, PostgreSQL cases are
// skipped on a developer's machine, but FAIL when ICHIGEN_REQUIRE_PG=1 (as
// `make test` sets it), so CI cannot pass by silently skipping them. Use:
//
//   const PgTestServer server = FindPgTestServer();
//   if (!server.available()) {
//     if (server.required) FAIL() << server.why;
//     GTEST_SKIP() << server.why;
//   }
//
// Thread-safety: FreshPgDatabase may be called from any thread.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <string>

#include "core/result.h"
#include "store/pg_handle.h"

namespace ichigen::store {

struct PgTestServer {
  std::string conninfo;  // empty: none
  bool required = false;
  std::string why;
  bool available() const { return !conninfo.empty(); }
};

inline PgTestServer FindPgTestServer() {
  PgTestServer server;
  const char* conninfo = std::getenv("ICHIGEN_TEST_PG");
  const char* require = std::getenv("ICHIGEN_REQUIRE_PG");
  server.required = require != nullptr && std::string(require) == "1";
  if (conninfo != nullptr && *conninfo != '\0') {
    server.conninfo = conninfo;
  } else {
    server.why =
        "ICHIGEN_TEST_PG が設定されていません / ICHIGEN_TEST_PG is not set: start a server with "
        "`tests/pg/cluster.sh start DIR` and export its conninfo (`make test` does both)";
  }
  return server;
}

// Creates an empty database on the server (a copy of `template_name` when
// given: no one may be connected to it) and returns a conninfo for it; the
// name carries the process id and `label` so parallel tests never share one.
inline core::Result<std::string> FreshPgDatabase(const std::string& server_conninfo,
                                                 const std::string& label,
                                                 const std::string& template_name = "template0") {
  static std::atomic<int> serial{0};
  std::string name = "ichigen_t" + std::to_string(::getpid()) + "_" + std::to_string(++serial) + "_";
  for (char c : label) {
    if (name.size() >= 60) break;
    name += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
  }
  ASSIGN_OR_RETURN(auto admin, PgConn::Connect(server_conninfo));
  RETURN_IF_ERROR(admin->Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"));
  RETURN_IF_ERROR(admin->Exec("CREATE DATABASE " + name + " TEMPLATE " + template_name +
                              " ENCODING 'UTF8'"));
  return PgConninfoWithDatabase(server_conninfo, name);
}

// The database a conninfo names ("" if none).
inline std::string PgDatabaseName(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    PQfreemem(error);
    return "";
  }
  std::string name;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (std::string(o->keyword) == "dbname" && o->val != nullptr) name = o->val;
  }
  PQconninfoFree(options);
  return name;
}

// A copy of a database made by FreshPgDatabase, as a test copies a SQLite
// file (close every connection to it first).
inline core::Result<std::string> CopyPgDatabase(const std::string& server_conninfo,
                                                const std::string& conninfo,
                                                const std::string& label) {
  const std::string name = PgDatabaseName(conninfo);
  if (name.rfind("ichigen_t", 0) != 0) {
    return core::Fail(core::Code::kInvalidArgument, "テスト用のデータベースではありません",
                      "not a test database", name);
  }
  return FreshPgDatabase(server_conninfo, label, name);
}

// The same server and database as a postgresql:// URL, as `ichigen --db`
// takes it (a socket directory becomes the host query parameter).
inline std::string PgUrl(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    PQfreemem(error);
    return "";
  }
  std::string dbname;
  std::string query;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || *o->val == '\0') continue;
    const std::string keyword = o->keyword;
    if (keyword == "dbname") {
      dbname = o->val;
      continue;
    }
    query += (query.empty() ? "?" : "&") + keyword + "=";
    for (const char* c = o->val; *c != '\0'; ++c) {
      const auto byte = static_cast<unsigned char>(*c);
      if (std::isalnum(byte) || *c == '-' || *c == '_' || *c == '.' || *c == '~') {
        query += *c;
      } else {
        static constexpr char kHex[] = "0123456789ABCDEF";
        query += '%';
        query += kHex[byte >> 4];
        query += kHex[byte & 0x0F];
      }
    }
  }
  PQconninfoFree(options);
  return "postgresql:///" + dbname + query;
}

// Drops a database made by FreshPgDatabase (best effort: a test's clean-up).
inline void DropPgDatabase(const std::string& server_conninfo, const std::string& conninfo) {
  const std::string name = PgDatabaseName(conninfo);
  if (name.rfind("ichigen_t", 0) != 0) return;
  auto admin = PgConn::Connect(server_conninfo);
  if (admin) (void)(*admin)->Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
}

}  // namespace ichigen::store
