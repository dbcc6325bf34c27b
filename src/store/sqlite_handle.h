// RAII wrappers for SQLite's C handles: SqliteDb owns a sqlite3*, SqliteStmt
// owns a sqlite3_stmt*. Errors become core::Error with SQLite's message.
// Thread-safety: a handle is used by one thread at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace ichigen::store {

class SqliteStmt {
 public:
  SqliteStmt() = default;
  explicit SqliteStmt(sqlite3_stmt* stmt) : stmt_(stmt) {}

  SqliteStmt& Bind(int index, std::string_view text);  // empty binds NULL
  SqliteStmt& BindText(int index, std::string_view text);  // empty binds ''
  SqliteStmt& Bind(int index, int64_t value);
  SqliteStmt& Bind(int index, double value);
  SqliteStmt& BindNull(int index);
  SqliteStmt& Bind(int index, const std::optional<int>& value);
  SqliteStmt& Bind(int index, const std::optional<bool>& value);

  // Returns true for a row, false when done.
  core::Result<bool> Step();
  // Steps to completion (for statements that return no rows) and resets.
  core::Status Run();
  void Reset();

  std::string Text(int column) const;
  int64_t Int(int column) const;
  double Real(int column) const;
  bool IsNull(int column) const;
  std::optional<int> OptInt(int column) const;

  sqlite3_stmt* get() const { return stmt_.get(); }

 private:
  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
  };
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

class SqliteDb {
 public:
  static core::Result<std::unique_ptr<SqliteDb>> Open(const std::string& path);
  // Opens an existing file for reading only (kNotFound when there is none).
  static core::Result<std::unique_ptr<SqliteDb>> OpenReadOnly(const std::string& path);
  ~SqliteDb();

  core::Status Exec(const std::string& sql);
  // PRAGMA journal_mode = WAL, the first statement on every connection of
  // the stores: kDataLoss ("not a database file, or damaged", naming `path`)
  // for a file that is not a database. Converting a new file needs an
  // exclusive lock and SQLite answers SQLITE_BUSY at once, without the busy
  // handler, to the connections that lose that race when several open one
  // new file together: they retry for up to five seconds (once one has
  // converted it, the others find the file in WAL mode).
  core::Status EnterWalMode(const std::string& path);
  core::Result<SqliteStmt> Prepare(std::string_view sql);
  int64_t LastInsertRowid() const;
  core::Error ErrorFromDb(std::string_view what) const;
  sqlite3* get() const { return db_; }

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

}  // namespace ichigen::store
