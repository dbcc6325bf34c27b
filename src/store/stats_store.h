// StatsStore: where the statistics layer materializes its daily figures and
// reads the narrow slice of the store they are computed from. It keeps
// nonzero daily flow counts (new cases by notification and publication
// date, deaths; in total and by residence, age band and sex), the census as
// a per-day difference array by care status, and one opaque contribution
// fingerprint per patient so an import can subtract what a patient added
// before and add what it adds now. The store knows nothing of how figures
// are computed: values are plain numbers and bytes.
// Thread-safety: see the implementation; SqliteStatsStore is thread-safe
// (one connection each; a parallel pass opens one per slice).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "domain/events.h"
#include "store/store.h"

namespace ichigen::store {

// The patient fields the figures use (a projection of PatientRecord).
// ApplyDelta's expected_version for a write that checks none.
inline constexpr int64_t kAnyStatsVersion = -1;

// ApplyDelta's check, for both stores: kAborted when the stored version is
// not the one the writer read (unless it checks none).
inline core::Status CheckStatsVersion(int64_t stored, int64_t expected) {
  if (expected == kAnyStatsVersion || stored == expected) return core::Ok();
  return core::Fail(core::Code::kAborted, "集計が他の処理で更新されました。読み直して再試行します",
                    "the figures were updated meanwhile; read them again and retry",
                    "version " + std::to_string(stored) + ", read " + std::to_string(expected));
}

// What StatsStore::ForEachPatientInputOf reads of a patient (bits).
inline constexpr uint8_t kInputRecord = 1;
inline constexpr uint8_t kInputNoEvents = 2;

struct StatsPatient {
  int64_t id = 0;
  int64_t created_batch = 0;  // 0: not read
  std::string sex;
  std::optional<int> age;
  std::string age_band;
  std::string municipality_code;
  std::string severity;
  std::string notified_on;
  std::string published_on;
};

struct FlowCount {
  std::string series;  // "notified" | "published" | "deaths"
  std::string key;     // "total" | "municipality:131016" | "age_band:10代" | "sex:女性"
  int32_t day = 0;     // core::Date days
  int64_t count = 0;
  friend bool operator==(const FlowCount&, const FlowCount&) = default;
};

struct CensusDelta {
  int slot = 0;     // a care status, or the severe slot
  int32_t day = 0;  // core::Date days
  int64_t delta = 0;
  friend bool operator==(const CensusDelta&, const CensusDelta&) = default;
};

struct StatsState {
  std::string computed_at;  // ISO-8601 UTC of the last full recomputation
  int64_t last_batch = 0;   // the highest batch applied
  int64_t patients = 0;     // patients with a stored contribution
  // Raised by every write of the figures: an update passes the version it
  // read to ApplyDelta, which refuses (kAborted) if another write came
  // between (ReplaceAll ignores the field and raises the stored one).
  int64_t version = 0;
  // ReplaceAll only: the decision marks (PatientsOfDecisions' seqs) the
  // recomputation read past, removed with it.
  std::vector<int64_t> decision_seqs;
};

// The events one batch added, by patient, as its writer logged them
// (store/event_pack.h): each patient's list stays packed until read.
struct BatchEventLog {
  struct Patient {
    int64_t patient_id = 0;
    uint32_t part = 0;  // where its packed list lies in `parts`
    uint32_t offset = 0;
    uint32_t size = 0;
  };
  std::vector<std::string> parts;
  std::vector<Patient> patients;  // ascending ids
  std::string_view Packed(const Patient& p) const {
    return std::string_view(parts[p.part]).substr(p.offset, p.size);
  }
};

// Patients review and merge decisions wrote to (events, records) since the
// figures last took them in, and the marks that say so (removed by the
// write that takes them in: exactly these, not a range, since on
// PostgreSQL a mark with a lower number may commit later).
struct DecisionPatients {
  std::vector<int64_t> seqs;
  std::vector<int64_t> ids;  // ascending, each once
};

using StatsPatientFn =
    std::function<core::Status(const StatsPatient&, std::span<const domain::Event>)>;

class StatsStore {
 public:
  virtual ~StatsStore() = default;

  // Every patient that has events, in id order, with all its events.
  virtual core::Status ForEachPatientInput(const StatsPatientFn& fn) = 0;
  // The same for the patients with ids in [range.first, range.end), so a
  // full pass can run in slices on several connections. The default filters
  // ForEachPatientInput (right, not fast); implementations should override.
  virtual core::Status ForEachPatientInputIn(PatientIdRange range, const StatsPatientFn& fn) {
    return ForEachPatientInput(
        [&](const StatsPatient& patient, std::span<const domain::Event> events) {
          if (patient.id < range.first || patient.id >= range.end) return core::Ok();
          return fn(patient, events);
        });
  }
  // The highest patient id, to split the id space into slices (0: unknown,
  // the pass then runs in one slice).
  virtual core::Result<int64_t> MaxPatientId() { return int64_t{0}; }
  // The same for the patients the rows of one batch ended on.
  virtual core::Status ForEachPatientInputOfBatch(int64_t batch_id, const StatsPatientFn& fn) = 0;
  // The patients the rows of one batch ended on, ascending, each once. The
  // default collects them from ForEachPatientInputOfBatch (right, not fast).
  virtual core::Result<std::vector<int64_t>> PatientIdsOfBatch(int64_t batch_id) {
    std::vector<int64_t> ids;
    RETURN_IF_ERROR(ForEachPatientInputOfBatch(
        batch_id, [&](const StatsPatient& patient, std::span<const domain::Event>) {
          ids.push_back(patient.id);
          return core::Ok();
        }));
    return ids;
  }
  // The same as ForEachPatientInputOfBatch for the given patients (ascending,
  // each once), so that an update reads a batch's patients in slices on
  // several connections: every id is reported, with no events (and only its
  // id) if it has none. The default filters ForEachPatientInputIn over the
  // ids' span (right, not fast); implementations should override.
  // `want_record` (empty, or one byte of kInput* bits per id): kInputRecord,
  // the patients whose record is read (the others are reported with only
  // their id, for a caller that has their attributes already);
  // kInputNoEvents, those whose events are not read, for a caller that has
  // them already. A store may read either all the same.
  virtual core::Status ForEachPatientInputOf(std::span<const int64_t> patient_ids,
                                             std::span<const uint8_t> want_record,
                                             const StatsPatientFn& fn) {
    (void)want_record;
    if (patient_ids.empty()) return core::Ok();
    size_t next = 0;
    auto report_missing_before = [&](int64_t id) -> core::Status {
      for (; next < patient_ids.size() && patient_ids[next] < id; ++next) {
        StatsPatient missing;
        missing.id = patient_ids[next];
        RETURN_IF_ERROR(fn(missing, {}));
      }
      return core::Ok();
    };
    RETURN_IF_ERROR(ForEachPatientInputIn(
        PatientIdRange{patient_ids.front(), patient_ids.back() + 1},
        [&](const StatsPatient& patient, std::span<const domain::Event> events) -> core::Status {
          RETURN_IF_ERROR(report_missing_before(patient.id));
          if (next == patient_ids.size() || patient_ids[next] != patient.id) return core::Ok();
          ++next;
          return fn(patient, events);
        }));
    return report_missing_before(std::numeric_limits<int64_t>::max());
  }
  // The patients whose record the batch inserted or last changed (their
  // updated_batch), ascending; nullopt when the store cannot say cheaply, and
  // then every record is read.
  virtual core::Result<std::optional<std::vector<int64_t>>> PatientIdsUpdatedIn(
      int64_t batch_id) {
    (void)batch_id;
    return std::optional<std::vector<int64_t>>();
  }
  // The events the batch added, by patient (ascending), as its writer logged
  // them at commit; nullopt when the batch has no such log (a store that
  // keeps none, a bulk load, a batch from before the log): the update then
  // reads the events table.
  virtual core::Result<std::optional<BatchEventLog>> NewEventsOfBatch(int64_t batch_id) {
    (void)batch_id;
    return std::optional<BatchEventLog>();
  }
  // The patients decisions wrote to and the figures have not taken in (a
  // store whose decision writers keep no marks: none).
  virtual core::Result<DecisionPatients> PatientsOfDecisions() { return DecisionPatients{}; }
  // The highest batch id in the store (0 if none).
  virtual core::Result<int64_t> LatestBatch() = 0;

  // The stored contributions of these patients (ascending ids; absent: none
  // stored), in id order.
  virtual core::Result<std::vector<std::pair<int64_t, std::string>>> Contributions(
      std::span<const int64_t> patient_ids) = 0;
  // The same, without a string per patient (an update reads ~100,000).
  struct StoredContributions {
    std::deque<std::string> storage;  // never moved: `entries` point into it
    std::vector<std::pair<int64_t, std::string_view>> entries;  // ascending ids
  };
  virtual core::Result<StoredContributions> ReadStoredContributions(
      std::span<const int64_t> patient_ids) {
    ASSIGN_OR_RETURN(auto pairs, Contributions(patient_ids));
    StoredContributions out;
    out.entries.reserve(pairs.size());
    for (auto& [id, bytes] : pairs) {
      out.entries.emplace_back(id, out.storage.emplace_back(std::move(bytes)));
    }
    return out;
  }

  // Replaces everything in one transaction (a full recomputation).
  virtual core::Status ReplaceAll(std::span<const FlowCount> flows,
                                  std::span<const CensusDelta> census,
                                  std::span<const std::pair<int64_t, std::string>> contributions,
                                  const StatsState& state) = 0;
  // Adds the deltas (counts that reach zero are removed), sets or deletes
  // (empty bytes) the contributions in `log_records` (contribution_log.h's
  // records, appended to the contribution log), adds `patients_added` to the
  // count of patients with a contribution, removes the decision marks
  // `decision_seqs` and raises last_batch to batch_id, in one transaction. Each batch is applied once: with batch_id
  // > 0, if last_batch is already batch_id or later when the transaction
  // holds the write lock (another process applied it after this one read
  // the stored contributions), it fails with kAborted and changes nothing.
  // batch_id 0 adjusts the figures without a batch (decisions, tests,
  // repairs). With `expected_version` (not kAnyStatsVersion), it also fails
  // with kAborted if the figures' version is no longer that one (another
  // write came after this one's reads); every write raises the version.
  virtual core::Status ApplyDelta(std::span<const FlowCount> flow_deltas,
                                  std::span<const CensusDelta> census_deltas,
                                  std::span<const std::string> log_records, int64_t batch_id,
                                  int64_t patients_added,
                                  std::span<const int64_t> decision_seqs,
                                  int64_t expected_version) = 0;
  // Folds the contribution log into the contribution table when it holds
  // kFoldLogEntries or more (`always`: when it holds any), in one
  // transaction; no figure changes. Returns the entries folded (0: none).
  virtual core::Result<int64_t> FoldContributionLog(bool always) = 0;

  // Flow counts of a series on days in [from, to] (all keys), by key and day.
  virtual core::Result<std::vector<FlowCount>> ReadFlows(const std::string& series, int32_t from,
                                                         int32_t to) = 0;
  virtual core::Result<std::vector<FlowCount>> ReadAllFlows() = 0;
  // Census deltas on days up to `to`, by slot and day.
  virtual core::Result<std::vector<CensusDelta>> ReadCensusDeltas(int32_t to) = 0;
  // nullopt until a first full recomputation.
  virtual core::Result<std::optional<StatsState>> State() = 0;
};

}  // namespace ichigen::store
