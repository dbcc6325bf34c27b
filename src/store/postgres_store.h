// PostgresStore: Store on a PostgreSQL server (15 or later), for a prefecture
// that runs several Ichigen servers on one database its IT department
// operates. Selected by `--db postgresql://…` in main.cc; the same contract
// suite as SqliteStore runs against it (store_test).
//
// Invariants, the same as SqliteStore's:
//  1. The schema is the numbered migrations of pg_migrations.cc, recorded in
//     schema_migrations; they are applied on open in one transaction under an
//     advisory lock, so servers starting together apply each one once.
//  2. A BatchWriter is one transaction. Batch writers (imports and review
//     decisions) are serialized across every server by a transaction-scoped
//     advisory lock, as SQLite's BEGIN IMMEDIATE serializes them across
//     processes: the ledger of batches, the patient links and the review
//     decisions see no interleaving. Readers never wait for a writer.
//  3. A file's SHA-256 is stored once (UNIQUE): a second BeginBatch with it
//     is kAlreadyExists.
//  4. Events are never updated (a trigger refuses it); an event whose
//     (patient, dedupe key) is stored adds nothing (ON CONFLICT DO NOTHING).
//  5. Merge decisions are never updated either (a trigger); a merge is undone
//     by an unmerge naming it, at most once (UNIQUE undoes). A patient merged
//     away by a merge that stands is left out of SearchPatients and
//     FindCandidates.
//
// Thread-safety: one PostgresStore (one connection) per thread, like a
// SqliteStore; any number of processes may open the same database.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "store/sqlite_store.h"  // struct Migration, shared by both dialects
#include "store/store.h"

namespace ichigen::store {

class PgConn;
class PgPendingWrites;

class PostgresStore final : public Store {
 public:
  // Connects (conninfo or postgresql:// URL) and migrates the database.
  static core::Result<std::unique_ptr<PostgresStore>> Open(const std::string& conninfo);
  ~PostgresStore() override;

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
  explicit PostgresStore(std::unique_ptr<PgConn> conn);
  // A read on this connection while a writer is open sees what the writer
  // wrote, as on SQLite: the writer's buffered rows are sent first.
  core::Status FlushOpenWriter();

  std::unique_ptr<PgConn> conn_;
  PgPendingWrites* open_writer_ = nullptr;  // the open BatchWriter, if any
};

// The core track (versions 1..999) in PostgreSQL's dialect; exposed for tests.
std::span<const Migration> PostgresMigrations();

// Applies every migration not yet recorded in schema_migrations, in order, in
// one transaction, under the migrations' advisory lock.
core::Status ApplyPostgresMigrations(PgConn& conn, std::span<const Migration> migrations);

}  // namespace ichigen::store
