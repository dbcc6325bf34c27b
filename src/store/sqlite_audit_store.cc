#include "store/sqlite_audit_store.h"

#include "store/sqlite_account_store.h"
#include "store/sqlite_handle.h"

namespace ichigen::store {

namespace {

constexpr Migration kAuditMigrations[] = {
    {2000, "append-only audit log", R"sql(
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  target_ids TEXT NOT NULL,
  remote TEXT NOT NULL,
  purpose TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
)sql"},
};

constexpr const char* kColumns =
    "seq, at, actor, role, action, target_ids, remote, purpose, details, prev_hash, hash";

AuditEntry ReadEntry(const SqliteStmt& s) {
  AuditEntry e;
  e.seq = s.Int(0);
  e.at = s.Text(1);
  e.actor = s.Text(2);
  e.role = s.Text(3);
  e.action = s.Text(4);
  e.target_ids = s.Text(5);
  e.remote = s.Text(6);
  e.purpose = s.Text(7);
  e.details = s.Text(8);
  e.prev_hash = s.Text(9);
  e.hash = s.Text(10);
  return e;
}

}  // namespace

std::span<const Migration> SqliteAuditMigrations() { return kAuditMigrations; }

SqliteAuditStore::SqliteAuditStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
SqliteAuditStore::~SqliteAuditStore() = default;

core::Result<std::unique_ptr<SqliteAuditStore>> SqliteAuditStore::Open(const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, OpenSqliteConnection(path));
  RETURN_IF_ERROR(ApplySqliteMigrations(*db, SqliteAuditMigrations()));
  return std::unique_ptr<SqliteAuditStore>(new SqliteAuditStore(std::move(db)));
}

core::Status SqliteAuditStore::InsertLocked(const AuditEntry& e) {
  if (!insert_.get()) {
    ASSIGN_OR_RETURN(insert_, db_->Prepare(std::string("INSERT INTO audit_log (") + kColumns +
                                           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  }
  insert_.Bind(1, e.seq)
      .BindText(2, e.at)
      .BindText(3, e.actor)
      .BindText(4, e.role)
      .BindText(5, e.action)
      .BindText(6, e.target_ids)
      .BindText(7, e.remote)
      .BindText(8, e.purpose)
      .BindText(9, e.details)
      .BindText(10, e.prev_hash)
      .BindText(11, e.hash);
  return insert_.Run();
}

core::Status SqliteAuditStore::Append(const AuditEntry& e) {
  std::lock_guard lock(mu_);
  return InsertLocked(e);
}

core::Status SqliteAuditStore::AppendBatch(std::span<const AuditEntry> entries) {
  std::lock_guard lock(mu_);
  if (entries.empty()) return core::Ok();
  if (entries.size() == 1) return InsertLocked(entries.front());
  // IMMEDIATE: take the write lock up front, so a concurrent writer makes
  // this wait (busy timeout) rather than fail half-way.
  RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  for (const AuditEntry& e : entries) {
    if (auto inserted = InsertLocked(e); !inserted) {
      (void)db_->Exec("ROLLBACK");
      return inserted;
    }
  }
  if (auto committed = db_->Exec("COMMIT"); !committed) {
    (void)db_->Exec("ROLLBACK");
    return committed;
  }
  return core::Ok();
}

core::Status SqliteAuditStore::ForEach(const std::function<core::Status(const AuditEntry&)>& fn) {
  // Read under the lock into memory page by page, then call fn without it,
  // so a slow consumer (an export) does not hold appends back for long.
  int64_t after = -1;
  constexpr int64_t kPage = 2000;
  while (true) {
    std::vector<AuditEntry> page;
    {
      std::lock_guard lock(mu_);
      ASSIGN_OR_RETURN(SqliteStmt stmt,
                       db_->Prepare(std::string("SELECT ") + kColumns +
                                    " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?"));
      stmt.Bind(1, after).Bind(2, kPage);
      while (true) {
        ASSIGN_OR_RETURN(bool row, stmt.Step());
        if (!row) break;
        page.push_back(ReadEntry(stmt));
      }
    }
    if (page.empty()) return core::Ok();
    for (const AuditEntry& entry : page) RETURN_IF_ERROR(fn(entry));
    after = page.back().seq;
  }
}

core::Result<int64_t> SqliteAuditStore::Count() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare("SELECT COUNT(*) FROM audit_log"));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int(0) : 0;
}

core::Result<std::optional<AuditEntry>> SqliteAuditStore::Last() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare(std::string("SELECT ") + kColumns +
                                                 " FROM audit_log ORDER BY seq DESC LIMIT 1"));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<AuditEntry>();
  return std::optional<AuditEntry>(ReadEntry(stmt));
}

}  // namespace ichigen::store
