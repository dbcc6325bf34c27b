// PostgresAuditStore: AuditStore in the PostgreSQL database of the main store
// (migration track 2000–2999, the same versions as SqliteAuditStore's). On a
// server there is no single-writer file to keep accounts apart from, so the
// audit log lives beside the patients.
//
// The chain stays one chain with several servers appending at once: seq is
// the primary key, so two servers that both read seq n as the last entry
// cannot both append n+1 — the second gets kAlreadyExists (after the first
// commits), and audit::AuditLog re-reads Last() and re-chains. Triggers refuse
// any UPDATE or DELETE of an audit row.
// Thread-safety: thread-safe; every call holds mu_, which guards the connection.
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "store/audit_store.h"
#include "store/sqlite_store.h"  // struct Migration

namespace ichigen::store {

class PgConn;

class PostgresAuditStore final : public AuditStore {
 public:
  static core::Result<std::unique_ptr<PostgresAuditStore>> Open(const std::string& conninfo);
  ~PostgresAuditStore() override;

  core::Status Append(const AuditEntry& entry) override;
  core::Status AppendBatch(std::span<const AuditEntry> entries) override;
  core::Status ForEach(const std::function<core::Status(const AuditEntry&)>& fn) override;
  core::Result<int64_t> Count() override;
  core::Result<std::optional<AuditEntry>> Last() override;

 private:
  explicit PostgresAuditStore(std::unique_ptr<PgConn> conn);
  core::Status InsertLocked(const AuditEntry& entry);  // requires mu_

  std::mutex mu_;
  std::unique_ptr<PgConn> conn_;  // guarded by mu_
};

// The audit track in PostgreSQL's dialect; exposed for tests.
std::span<const Migration> PostgresAuditMigrations();

}  // namespace ichigen::store
