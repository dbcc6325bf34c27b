// SqliteStatsStore: StatsStore on its own SQLite connection to the same
// database file as SqliteStore (WAL lets several connections share it). It
// applies the statistics migration track (versions 3000–3999) on open and
// reads the core tables (patients, events, batch_rows) with narrow queries:
// the figures need eight patient columns, not the whole record, and an
// import's update needs its patients in one pass, not one call per patient.
// Contributions an update changes go to the contribution log
// (contribution_log.h), folded into the table once it is long.
// Open it after SqliteStore has created the core schema.
// Thread-safety: thread-safe; every call holds mu_, which guards the
// connection.
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "store/sqlite_store.h"
#include "store/stats_store.h"

namespace ichigen::store {

class SqliteDb;

class SqliteStatsStore final : public StatsStore {
 public:
  static core::Result<std::unique_ptr<SqliteStatsStore>> Open(const std::string& path);
  ~SqliteStatsStore() override;

  core::Status ForEachPatientInput(const StatsPatientFn& fn) override;
  core::Status ForEachPatientInputIn(PatientIdRange range, const StatsPatientFn& fn) override;
  core::Result<int64_t> MaxPatientId() override;
  core::Status ForEachPatientInputOfBatch(int64_t batch_id, const StatsPatientFn& fn) override;
  core::Result<std::vector<int64_t>> PatientIdsOfBatch(int64_t batch_id) override;
  core::Status ForEachPatientInputOf(std::span<const int64_t> patient_ids,
                                     std::span<const uint8_t> want,
                                     const StatsPatientFn& fn) override;
  core::Result<std::optional<std::vector<int64_t>>> PatientIdsUpdatedIn(
      int64_t batch_id) override;
  core::Result<std::optional<BatchEventLog>> NewEventsOfBatch(int64_t batch_id) override;
  core::Result<DecisionPatients> PatientsOfDecisions() override;
  core::Result<int64_t> LatestBatch() override;
  core::Result<std::vector<std::pair<int64_t, std::string>>> Contributions(
      std::span<const int64_t> patient_ids) override;
  core::Result<StoredContributions> ReadStoredContributions(
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
  explicit SqliteStatsStore(std::unique_ptr<SqliteDb> db);
  core::Status SetMeta(const std::string& key, const std::string& value);
  // Deletes these decision marks (in the caller's transaction).
  core::Status RemoveDecisionMarks(std::span<const int64_t> seqs);
  // The figures' version (0 before any write), and ApplyDelta's check and
  // raise of it (StatsState::version); inside a write transaction.
  core::Result<int64_t> ReadVersion();
  core::Status RaiseVersion(int64_t expected_version);
  // The contribution log's records in log order, and its entry count.
  core::Result<std::vector<std::string>> ReadLog();
  core::Result<int64_t> LogEntries();

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;  // guarded by mu_
};

// The statistics track (versions 3000–3999); exposed for tests.
std::span<const Migration> SqliteStatsMigrations();

}  // namespace ichigen::store
