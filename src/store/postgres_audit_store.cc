#include "store/postgres_audit_store.h"

#include "store/pg_handle.h"
#include "store/postgres_store.h"

namespace ichigen::store {

namespace {

constexpr Migration kAuditMigrations[] = {
    {2000, "append-only audit log", R"sql(
CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
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
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
)sql"},
};

constexpr const char* kColumns =
    "seq, at, actor, role, action, target_ids, remote, purpose, details, prev_hash, hash";

AuditEntry ReadEntry(const PgResult& r, int row) {
  AuditEntry e;
  e.seq = r.Int(row, 0);
  e.at = r.Text(row, 1);
  e.actor = r.Text(row, 2);
  e.role = r.Text(row, 3);
  e.action = r.Text(row, 4);
  e.target_ids = r.Text(row, 5);
  e.remote = r.Text(row, 6);
  e.purpose = r.Text(row, 7);
  e.details = r.Text(row, 8);
  e.prev_hash = r.Text(row, 9);
  e.hash = r.Text(row, 10);
  return e;
}

}  // namespace

std::span<const Migration> PostgresAuditMigrations() { return kAuditMigrations; }

PostgresAuditStore::PostgresAuditStore(std::unique_ptr<PgConn> conn) : conn_(std::move(conn)) {}
PostgresAuditStore::~PostgresAuditStore() = default;

core::Result<std::unique_ptr<PostgresAuditStore>> PostgresAuditStore::Open(
    const std::string& conninfo) {
  ASSIGN_OR_RETURN(std::unique_ptr<PgConn> conn, PgConn::Connect(conninfo));
  RETURN_IF_ERROR(ApplyPostgresMigrations(*conn, PostgresAuditMigrations()));
  return std::unique_ptr<PostgresAuditStore>(new PostgresAuditStore(std::move(conn)));
}

core::Status PostgresAuditStore::InsertLocked(const AuditEntry& e) {
  PgParams params;
  params.Add(e.seq)
      .AddText(e.at)
      .AddText(e.actor)
      .AddText(e.role)
      .AddText(e.action)
      .AddText(e.target_ids)
      .AddText(e.remote)
      .AddText(e.purpose)
      .AddText(e.details)
      .AddText(e.prev_hash)
      .AddText(e.hash);
  ASSIGN_OR_RETURN(PgResult inserted,
                   conn_->Execute(std::string("INSERT INTO audit_log (") + kColumns +
                                      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                                  params));
  (void)inserted;
  return core::Ok();
}

core::Status PostgresAuditStore::Append(const AuditEntry& e) {
  std::lock_guard lock(mu_);
  return InsertLocked(e);
}

core::Status PostgresAuditStore::AppendBatch(std::span<const AuditEntry> entries) {
  std::lock_guard lock(mu_);
  if (entries.empty()) return core::Ok();
  if (entries.size() == 1) return InsertLocked(entries.front());
  RETURN_IF_ERROR(conn_->Exec("BEGIN"));
  for (const AuditEntry& e : entries) {
    if (auto inserted = InsertLocked(e); !inserted) {
      (void)conn_->Exec("ROLLBACK");
      return inserted;
    }
  }
  if (auto committed = conn_->Exec("COMMIT"); !committed) {
    (void)conn_->Exec("ROLLBACK");
    return committed;
  }
  return core::Ok();
}

core::Status PostgresAuditStore::ForEach(
    const std::function<core::Status(const AuditEntry&)>& fn) {
  // Page by page under the lock, fn without it (as SqliteAuditStore does).
  int64_t after = -1;
  constexpr int64_t kPage = 2000;
  while (true) {
    std::vector<AuditEntry> page;
    {
      std::lock_guard lock(mu_);
      PgParams params;
      params.Add(after).Add(kPage);
      ASSIGN_OR_RETURN(PgResult result,
                       conn_->Execute(std::string("SELECT ") + kColumns +
                                          " FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
                                      params));
      for (int r = 0; r < result.rows(); ++r) page.push_back(ReadEntry(result, r));
    }
    if (page.empty()) return core::Ok();
    for (const AuditEntry& entry : page) RETURN_IF_ERROR(fn(entry));
    after = page.back().seq;
  }
}

core::Result<int64_t> PostgresAuditStore::Count() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(PgResult result, conn_->Execute("SELECT COUNT(*) FROM audit_log"));
  return result.Int(0, 0);
}

core::Result<std::optional<AuditEntry>> PostgresAuditStore::Last() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(PgResult result,
                   conn_->Execute(std::string("SELECT ") + kColumns +
                                  " FROM audit_log ORDER BY seq DESC LIMIT 1"));
  if (result.rows() == 0) return std::optional<AuditEntry>();
  return std::optional<AuditEntry>(ReadEntry(result, 0));
}

}  // namespace ichigen::store
