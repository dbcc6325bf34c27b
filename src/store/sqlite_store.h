// SqliteStore: the embedded implementation of Store on SQLite, in WAL mode
// with foreign keys on. Versioned migrations (sqlite_migrations.cc) are
// applied on open inside one transaction; SchemaVersion() reads the result.
// The hot read paths (GetPatient, SearchPatients, EventsOf) keep their
// prepared statements for the connection's life: preparing the 36-column
// patient SELECT costs more than running it. A kept statement is always
// reset after use, so it never holds a read transaction open.
// Thread-safety: one SqliteStore per thread (SQLite handles are not shared);
// several processes may open the same file (WAL, busy timeout).
#pragma once

#include <memory>
#include <span>
#include <string>

#include "store/store.h"

namespace ichigen::store {

class SqliteDb;
class SqliteStatementCache;

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) and migrates the database at `path`.
  static core::Result<std::unique_ptr<SqliteStore>> Open(const std::string& path);
  ~SqliteStore() override;

  core::Result<int> SchemaVersion() override;
  core::Result<std::unique_ptr<BatchWriter>> BeginBatch(const BatchInfo& info) override;
  core::Result<std::optional<BatchInfo>> FindBatchBySha256(const std::string& sha256) override;
  core::Result<BatchInfo> GetBatch(int64_t batch_id) override;
  core::Result<std::vector<BatchInfo>> ListBatches() override;
  core::Status ForEachRow(int64_t batch_id, std::optional<Outcome> outcome,
                          const std::function<core::Status(const RowRecord&)>& fn) override;
  core::Result<std::optional<PatientRecord>> GetPatient(int64_t id) override;
  core::Result<std::vector<PatientRecord>> GetPatients(std::span<const int64_t> ids) override;
  core::Result<std::optional<PatientRecord>> FindPatientByHersysId(
      const std::string& hersys_id) override;
  core::Result<int64_t> CountPatients() override;
  core::Result<PatientPage> SearchPatients(const PatientQuery& query) override;
  core::Status ForEachPatient(const std::function<core::Status(const PatientRecord&)>& fn) override;
  core::Result<std::vector<ReviewItem>> ListReviewItems(const std::string& status) override;
  core::Result<std::vector<domain::Event>> EventsOf(int64_t patient_id) override;
  core::Result<ReviewItem> GetReviewItem(int64_t id) override;
  core::Result<std::vector<ReviewDecision>> DecisionsOf(int64_t item_id) override;
  core::Result<std::unique_ptr<BatchWriter>> BeginDecision(int64_t batch_id) override;
  core::Result<CandidateSet> FindCandidates(const CandidateQuery& query) override;
  core::Result<int64_t> CountNamePrefix(std::string_view prefix) override;
  core::Status ForEachPatientEvents(
      const std::function<core::Status(int64_t, std::span<const domain::Event>)>& fn) override;
  core::Status ForEachPatientEventsIn(
      PatientIdRange range,
      const std::function<core::Status(int64_t, std::span<const domain::Event>)>& fn) override;
  core::Result<int64_t> MaxPatientId() override;
  core::Result<std::vector<MergeDecision>> MergeDecisionsOf(int64_t patient_id) override;
  core::Result<MergeDecision> GetMergeDecision(int64_t id) override;

 private:
  explicit SqliteStore(std::unique_ptr<SqliteDb> db);
  std::unique_ptr<SqliteDb> db_;
  // Declared after db_: its statements are finalized before the connection closes.
  std::unique_ptr<SqliteStatementCache> statements_;
};

// The migrations, in order; exposed for tests.
struct Migration {
  int version;
  const char* description;
  const char* sql;
};
// The core track: versions 1..999. Other tracks (accounts, audit, …) use
// their own ranges from 1000 and are applied with the same function.
std::span<const Migration> SqliteMigrations();

// Applies every migration not yet recorded in schema_migrations, in order,
// in one transaction.
core::Status ApplySqliteMigrations(SqliteDb& db, std::span<const Migration> migrations);

}  // namespace ichigen::store
