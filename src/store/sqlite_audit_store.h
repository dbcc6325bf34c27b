// SqliteAuditStore: AuditStore on its own SQLite connection, opened by the
// composition root on the companion file AccountsDbPath(db) beside the main
// database (see sqlite_account_store.h for why). It applies the audit migration track
// (versions 2000–2999) on open; that track installs triggers that abort any
// UPDATE or DELETE of an audit row, so the table is append-only to anyone
// who does not first drop the triggers.
// Thread-safety: thread-safe; every call holds mu_, which guards the
// connection.
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "store/audit_store.h"
#include "store/sqlite_handle.h"
#include "store/sqlite_store.h"

namespace ichigen::store {

class SqliteDb;

class SqliteAuditStore final : public AuditStore {
 public:
  static core::Result<std::unique_ptr<SqliteAuditStore>> Open(const std::string& path);
  ~SqliteAuditStore() override;

  core::Status Append(const AuditEntry& entry) override;
  core::Status AppendBatch(std::span<const AuditEntry> entries) override;
  core::Status ForEach(const std::function<core::Status(const AuditEntry&)>& fn) override;
  core::Result<int64_t> Count() override;
  core::Result<std::optional<AuditEntry>> Last() override;

 private:
  explicit SqliteAuditStore(std::unique_ptr<SqliteDb> db);
  core::Status InsertLocked(const AuditEntry& entry);  // requires mu_

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;  // guarded by mu_
  SqliteStmt insert_;             // guarded by mu_; prepared on first use
};

// The audit track (versions 2000–2999); exposed for tests.
std::span<const Migration> SqliteAuditMigrations();

}  // namespace ichigen::store
