// PostgresStatsStore: StatsStore in the PostgreSQL database of the main store
// (migration track 3000–3999, the same versions as SqliteStatsStore's). It
// reads the core tables (patients, events, batch_rows) with narrow queries
// streamed through a cursor, and writes in bulk: a full recomputation COPYs
// its rows, an import's delta is COPYed into temporary tables and merged with
// one statement per table. Writes of every server are serialized by a
// transaction-scoped advisory lock, so two servers updating the figures at
// once add both deltas (never lose one) and a recomputation replaces the
// figures whole. Readers never wait. Open it after PostgresStore has created
// the core schema.
//
// A delta is computed from the contributions its caller read; another server
// may have replaced them since (two imports touching the same patient, their
// updates running at once). So ApplyDelta, under the lock, checks that every
// contribution it writes is still the one Contributions() last returned for
// that patient on this store (absent stays absent; the log and the table
// read together, contribution_log.h), and otherwise changes
// nothing and returns kAborted: the caller recomputes that batch's delta from
// what is stored now (stats::UpdateFiguresThrough retries). Without this
// check both servers would add their delta for the same change.
// Thread-safety: thread-safe; every call holds mu_, which guards the
// connection. A parallel pass opens one store per slice.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <optional>
#include <string>
#include <unordered_map>

#include "store/sqlite_store.h"  // struct Migration
#include "store/stats_store.h"

namespace ichigen::store {

class PgConn;

class PostgresStatsStore final : public StatsStore {
 public:
  // Connects (conninfo or postgresql:// URL) and applies the statistics track.
  static core::Result<std::unique_ptr<PostgresStatsStore>> Open(const std::string& conninfo);
  ~PostgresStatsStore() override;

  core::Status ForEachPatientInput(const StatsPatientFn& fn) override;
  core::Status ForEachPatientInputIn(PatientIdRange range, const StatsPatientFn& fn) override;
  core::Result<int64_t> MaxPatientId() override;
  core::Status ForEachPatientInputOfBatch(int64_t batch_id, const StatsPatientFn& fn) override;
  core::Result<std::optional<std::vector<int64_t>>> PatientIdsUpdatedIn(
      int64_t batch_id) override;
  core::Result<DecisionPatients> PatientsOfDecisions() override;
  core::Result<int64_t> LatestBatch() override;
  core::Result<std::vector<std::pair<int64_t, std::string>>> Contributions(
      std::span<const int64_t> patient_ids) override;
  core::Status ReplaceAll(std::span<const FlowCount> flows, std::span<const CensusDelta> census,
                          std::span<const std::pair<int64_t, std::string>> contributions,
                          const StatsState& state) override;
  core::Status ApplyDelta(std::span<const FlowCount> flow_deltas,
                          std::span<const CensusDelta> census_deltas,
                          std::span<const std::string> log_records, int64_t batch_id,
                          int64_t patients_added,
                          std::span<const int64_t> decision_seqs,
                          int64_t expected_version) override;
  core::Result<int64_t> FoldContributionLog(bool always) override;
  core::Result<std::vector<FlowCount>> ReadFlows(const std::string& series, int32_t from,
                                                 int32_t to) override;
  core::Result<std::vector<FlowCount>> ReadAllFlows() override;
  core::Result<std::vector<CensusDelta>> ReadCensusDeltas(int32_t to) override;
  core::Result<std::optional<StatsState>> State() override;

 private:
  explicit PostgresStatsStore(std::unique_ptr<PgConn> conn);
  // Runs `fn` in one transaction holding the statistics write lock (mu_ held).
  core::Status InWriteTransaction(const std::function<core::Status()>& fn);

  std::mutex mu_;
  std::unique_ptr<PgConn> conn_;  // guarded by mu_
  // What the last Contributions() call read, by patient (nullopt: none
  // stored); ApplyDelta's check. Guarded by mu_.
  std::unordered_map<int64_t, std::optional<std::string>> read_contributions_;
};

// The statistics track in PostgreSQL's dialect; exposed for tests.
std::span<const Migration> PostgresStatsMigrations();

}  // namespace ichigen::store
