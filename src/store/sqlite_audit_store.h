// SqliteAuditStore: AuditStore on its own SQLite connection to the same
// database file as SqliteStore. It applies the audit migration track
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

#include "store/audit_store.h"
#include "store/sqlite_store.h"

namespace ichigen::store {

class SqliteDb;

class SqliteAuditStore final : public AuditStore {
 public:
  static core::Result<std::unique_ptr<SqliteAuditStore>> Open(const std::string& path);
  ~SqliteAuditStore() override;

  core::Status Append(const AuditEntry& entry) override;
  core::Status ForEach(const std::function<core::Status(const AuditEntry&)>& fn) override;
  core::Result<int64_t> Count() override;
  core::Result<std::optional<AuditEntry>> Last() override;

 private:
  explicit SqliteAuditStore(std::unique_ptr<SqliteDb> db);

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;  // guarded by mu_
};

// The audit track (versions 2000–2999); exposed for tests.
std::span<const Migration> SqliteAuditMigrations();

}  // namespace ichigen::store
