#include "store/sqlite_handle.h"

#include <chrono>
#include <mutex>
#include <thread>

namespace ichigen::store {

namespace {

// Before the first connection: SQLite's memory statistics take one global
// mutex around every allocation, which a server's hundreds of threads on
// their own connections then queue on (a profile of the search benchmark:
// ~10 % of its CPU in that lock's futex wait and wake). Nothing here reads
// those statistics. A no-op if SQLite was initialized before.
void ConfigureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

core::Code CodeForSqlite(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return core::Code::kUnavailable;
    case SQLITE_CONSTRAINT:
      return core::Code::kAlreadyExists;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return core::Code::kDataLoss;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
      return core::Code::kUnavailable;
    default:
      return core::Code::kInternal;
  }
}

}  // namespace

SqliteStmt& SqliteStmt::Bind(int index, std::string_view text) {
  if (text.empty()) return BindNull(index);
  return BindText(index, text);
}

SqliteStmt& SqliteStmt::BindText(int index, std::string_view text) {
  sqlite3_bind_text(stmt_.get(), index, text.data(), static_cast<int>(text.size()),
                    SQLITE_TRANSIENT);
  return *this;
}

SqliteStmt& SqliteStmt::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_.get(), index, value);
  return *this;
}

SqliteStmt& SqliteStmt::Bind(int index, double value) {
  sqlite3_bind_double(stmt_.get(), index, value);
  return *this;
}

SqliteStmt& SqliteStmt::BindNull(int index) {
  sqlite3_bind_null(stmt_.get(), index);
  return *this;
}

SqliteStmt& SqliteStmt::Bind(int index, const std::optional<int>& value) {
  if (!value) return BindNull(index);
  return Bind(index, static_cast<int64_t>(*value));
}

SqliteStmt& SqliteStmt::Bind(int index, const std::optional<bool>& value) {
  if (!value) return BindNull(index);
  return Bind(index, static_cast<int64_t>(*value ? 1 : 0));
}

core::Result<bool> SqliteStmt::Step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(stmt_.get());
  return core::Fail(CodeForSqlite(rc), "データベースの操作に失敗しました",
                    "database operation failed", sqlite3_errmsg(db));
}

core::Status SqliteStmt::Run() {
  auto stepped = Step();
  Reset();
  if (!stepped) return std::unexpected(std::move(stepped).error());
  return core::Ok();
}

void SqliteStmt::Reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::string SqliteStmt::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_.get(), column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), column)));
}

int64_t SqliteStmt::Int(int column) const { return sqlite3_column_int64(stmt_.get(), column); }
double SqliteStmt::Real(int column) const { return sqlite3_column_double(stmt_.get(), column); }
bool SqliteStmt::IsNull(int column) const {
  return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}
std::optional<int> SqliteStmt::OptInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return static_cast<int>(Int(column));
}

core::Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path) {
  ConfigureSqliteOnce();
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                     SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw));
  if (rc != SQLITE_OK) {
    return core::Fail(core::Code::kUnavailable, "データベースを開けません",
                      "cannot open database",
                      path + ": " + (raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(raw, 10000);
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

core::Status SqliteDb::EnterWalMode(const std::string& path) {
  constexpr int kAttempts = 200;  // 25 ms apart
  for (int attempt = 1;; ++attempt) {
    const int rc = sqlite3_exec(db_, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) return core::Ok();
    const int primary = rc & 0xff;
    if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) {
      return core::Fail(core::Code::kDataLoss, "データベースファイルではないか、壊れています",
                        "not a database file, or damaged", path);
    }
    if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) || attempt == kAttempts) {
      return std::unexpected(ErrorFromDb("PRAGMA journal_mode = WAL").WithContext(path));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
}

core::Result<std::unique_ptr<SqliteDb>> SqliteDb::OpenReadOnly(const std::string& path) {
  ConfigureSqliteOnce();
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw));
  if (rc != SQLITE_OK) {
    return core::Fail(rc == SQLITE_CANTOPEN ? core::Code::kNotFound : core::Code::kUnavailable,
                      "データベースを開けません", "cannot open database",
                      path + ": " + (raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(raw, 10000);
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

SqliteDb::~SqliteDb() { sqlite3_close_v2(db_); }

core::Status SqliteDb::Exec(const std::string& sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return core::Fail(CodeForSqlite(rc), "データベースの操作に失敗しました",
                      "database operation failed", text);
  }
  return core::Ok();
}

core::Result<SqliteStmt> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return std::unexpected(ErrorFromDb(sql));
  return SqliteStmt(stmt);
}

int64_t SqliteDb::LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }

core::Error SqliteDb::ErrorFromDb(std::string_view what) const {
  return core::Error{CodeForSqlite(sqlite3_errcode(db_)), "データベースの操作に失敗しました",
                     "database operation failed",
                     std::string(sqlite3_errmsg(db_)) + " (" + std::string(what.substr(0, 80)) + ")"};
}

}  // namespace ichigen::store
