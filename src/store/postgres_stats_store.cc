#include "store/postgres_stats_store.h"

#include <charconv>
#include <string_view>
#include <unordered_map>

#include "store/pg_events.h"
#include "store/pg_handle.h"
#include "store/postgres_store.h"

namespace ichigen::store {

namespace {

// The SQLite track's tables, version for version. Series and keys are
// COLLATE "C" so figures come back in SQLite's (byte) order; contributions
// are bytea (opaque bytes, not text).
constexpr Migration kStatsMigrations[] = {
    {3000, "materialized statistics", R"sql(
CREATE TABLE stats_flows (
  series TEXT COLLATE "C" NOT NULL,
  key TEXT COLLATE "C" NOT NULL,
  day INTEGER NOT NULL,
  count BIGINT NOT NULL,
  PRIMARY KEY (series, day, key)
);
CREATE TABLE stats_census_deltas (
  day INTEGER NOT NULL,
  slot INTEGER NOT NULL,
  delta BIGINT NOT NULL,
  PRIMARY KEY (day, slot)
);
CREATE TABLE stats_contributions (
  patient_id BIGINT PRIMARY KEY,
  data BYTEA NOT NULL
);
CREATE TABLE stats_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql"},
};

// Every statistics write of every server takes this lock (transaction-scoped):
// deltas are added one after the other and a recomputation is never mixed
// with a delta.
constexpr int64_t kStatsWriteLock = 0x1C41'6E00'0003;

// Rows fetched per round trip by the streaming reads.
constexpr int kFetchRows = 20000;

// Event columns first (ReadPgEvent decodes columns 0–16), then the patient's.
constexpr int kPatientColumn = 17;
constexpr const char* kPatientColumns =
    "p.id, p.sex, p.age, p.age_band, p.municipality_code, p.severity, p.notified_on, "
    "p.published_on";

std::string EventColumns(std::string_view alias) {
  std::string out;
  std::string_view columns = kPgEventColumns;
  while (!columns.empty()) {
    const size_t comma = columns.find(',');
    std::string_view column = columns.substr(0, comma);
    while (column.starts_with(' ')) column.remove_prefix(1);
    if (!out.empty()) out += ", ";
    out += std::string(alias) + "." + std::string(column);
    columns = comma == std::string_view::npos ? std::string_view() : columns.substr(comma + 1);
  }
  return out;
}

// The patient at `kPatientColumn` (a patient row that is gone, NULL there,
// reads as just the id: its events count without attributes).
StatsPatient ReadPatient(const PgResult& r, int row, int64_t id) {
  StatsPatient p;
  p.id = id;
  if (r.IsNull(row, kPatientColumn)) return p;
  p.sex = r.Text(row, kPatientColumn + 1);
  p.age = r.OptInt(row, kPatientColumn + 2);
  p.age_band = r.Text(row, kPatientColumn + 3);
  p.municipality_code = r.Text(row, kPatientColumn + 4);
  p.severity = r.Text(row, kPatientColumn + 5);
  p.notified_on = r.Text(row, kPatientColumn + 6);
  p.published_on = r.Text(row, kPatientColumn + 7);
  return p;
}

// Streams `sql` (ordered by patient) and hands each patient with its events
// to `fn`; rows whose event id (column 0) is NULL are a patient without
// events. Column `patient_id_column` holds the patient id of a row.
core::Status ForEachGrouped(PgConn& conn, const std::string& sql, const PgParams& params,
                            int patient_id_column, const StatsPatientFn& fn) {
  std::vector<domain::Event> events;
  StatsPatient patient;
  bool have_patient = false;
  // A patient's rows may straddle two chunks: it is handed on when the next
  // patient starts, or at the end.
  auto on_chunk = [&](const PgResult& chunk) -> core::Status {
    for (int r = 0; r < chunk.rows(); ++r) {
      const int64_t id = chunk.Int(r, patient_id_column);
      if (!have_patient || id != patient.id) {
        if (have_patient) RETURN_IF_ERROR(fn(patient, events));
        events.clear();
        patient = ReadPatient(chunk, r, id);
        have_patient = true;
      }
      if (chunk.IsNull(r, 0)) continue;
      ASSIGN_OR_RETURN(domain::Event event, ReadPgEvent(chunk, r));
      events.push_back(std::move(event));
    }
    return core::Ok();
  };
  RETURN_IF_ERROR(conn.ForEachChunk(sql, params, kFetchRows, on_chunk));
  if (have_patient) RETURN_IF_ERROR(fn(patient, events));
  return core::Ok();
}

// A number this store wrote itself; anything else reads as 0.
int64_t ParseCount(std::string_view text) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return 0;
  return value;
}

// Under the write lock: whether the stored contributions of the patients
// about to be written are still the ones read (see the header); kAborted if
// another server changed one meanwhile.
core::Status CheckUnchanged(
    PgConn& conn, const std::unordered_map<int64_t, std::optional<std::string>>& read,
    std::span<const std::pair<int64_t, std::string>> writes) {
  std::vector<int64_t> ids;
  for (const auto& write : writes) {
    if (read.contains(write.first)) ids.push_back(write.first);
  }
  if (ids.empty()) return core::Ok();
  PgParams params;
  params.AddIdArray(ids);
  ASSIGN_OR_RETURN(PgResult r, conn.Execute("SELECT patient_id, data FROM stats_contributions "
                                            "WHERE patient_id = ANY($1::bigint[])",
                                            params));
  std::unordered_map<int64_t, std::string> now;
  for (int row = 0; row < r.rows(); ++row) {
    auto bytes = r.Bytes(row, 1);
    if (bytes) now.emplace(r.Int(row, 0), std::move(*bytes));
  }
  for (const int64_t id : ids) {
    const std::optional<std::string>& before = read.at(id);
    const auto it = now.find(id);
    const bool same = it == now.end() ? !before.has_value() : before && *before == it->second;
    if (!same) {
      return core::Fail(core::Code::kAborted,
                        "集計が他のサーバーで更新されました。読み直して再試行します",
                        "the figures were updated meanwhile (another server); recompute and retry",
                        "patient " + std::to_string(id));
    }
  }
  return core::Ok();
}

}  // namespace

std::span<const Migration> PostgresStatsMigrations() { return kStatsMigrations; }

PostgresStatsStore::PostgresStatsStore(std::unique_ptr<PgConn> conn) : conn_(std::move(conn)) {}
PostgresStatsStore::~PostgresStatsStore() = default;

core::Result<std::unique_ptr<PostgresStatsStore>> PostgresStatsStore::Open(
    const std::string& conninfo) {
  ASSIGN_OR_RETURN(std::unique_ptr<PgConn> conn, PgConn::Connect(conninfo));
  RETURN_IF_ERROR(ApplyPostgresMigrations(*conn, PostgresStatsMigrations()));
  // Staging tables for ApplyDelta, private to this connection, emptied at
  // every commit.
  RETURN_IF_ERROR(conn->Exec(
      "CREATE TEMP TABLE stats_flow_staging (series TEXT COLLATE \"C\", key TEXT COLLATE \"C\", "
      "day INTEGER, count BIGINT) ON COMMIT DELETE ROWS; "
      "CREATE TEMP TABLE stats_census_staging (day INTEGER, slot INTEGER, delta BIGINT) "
      "ON COMMIT DELETE ROWS; "
      "CREATE TEMP TABLE stats_contribution_staging (patient_id BIGINT, data BYTEA) "
      "ON COMMIT DELETE ROWS"));
  return std::unique_ptr<PostgresStatsStore>(new PostgresStatsStore(std::move(conn)));
}

core::Status PostgresStatsStore::InWriteTransaction(const std::function<core::Status()>& fn) {
  RETURN_IF_ERROR(conn_->Exec("BEGIN"));
  auto run = [&]() -> core::Status {
    PgParams lock;
    lock.Add(kStatsWriteLock);
    ASSIGN_OR_RETURN(PgResult locked, conn_->Query("SELECT pg_advisory_xact_lock($1)", lock));
    (void)locked;
    return fn();
  };
  core::Status status = run();
  if (!status) {
    (void)conn_->Exec("ROLLBACK");
    return status;
  }
  return conn_->Exec("COMMIT");
}

core::Status PostgresStatsStore::ForEachPatientInput(const StatsPatientFn& fn) {
  return ForEachPatientInputIn(PatientIdRange{}, fn);
}

core::Result<int64_t> PostgresStatsStore::MaxPatientId() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(PgResult r, conn_->Execute("SELECT COALESCE(MAX(id), 0) FROM patients"));
  return r.Int(0, 0);
}

core::Status PostgresStatsStore::ForEachPatientInputIn(PatientIdRange range,
                                                       const StatsPatientFn& fn) {
  std::lock_guard lock(mu_);
  PgParams params;
  params.Add(range.first).Add(range.end);
  // Every event with its patient's columns (NULL when the patient row is
  // gone), in (patient, event id) order: one pass, no lookups per patient.
  return ForEachGrouped(*conn_,
                        "SELECT " + EventColumns("e") + ", " + kPatientColumns +
                            " FROM events e LEFT JOIN patients p ON p.id = e.patient_id"
                            " WHERE e.patient_id >= $1 AND e.patient_id < $2"
                            " ORDER BY e.patient_id, e.id",
                        params, 1, fn);
}

core::Status PostgresStatsStore::ForEachPatientInputOfBatch(int64_t batch_id,
                                                            const StatsPatientFn& fn) {
  std::lock_guard lock(mu_);
  PgParams params;
  params.Add(batch_id);
  // The batch's patients, each with its record and events; a patient with no
  // events left comes once with NULL event columns. The id is the last column.
  return ForEachGrouped(
      *conn_,
      "WITH ids AS (SELECT DISTINCT patient_id FROM batch_rows"
      " WHERE batch_id = $1 AND patient_id IS NOT NULL)"
      " SELECT " + EventColumns("e") + ", " + kPatientColumns + ", ids.patient_id"
      " FROM ids LEFT JOIN patients p ON p.id = ids.patient_id"
      " LEFT JOIN events e ON e.patient_id = ids.patient_id"
      " ORDER BY ids.patient_id, e.id",
      params, kPatientColumn + 8, fn);
}

core::Result<int64_t> PostgresStatsStore::LatestBatch() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(PgResult r, conn_->Execute("SELECT COALESCE(MAX(id), 0) FROM batches"));
  return r.Int(0, 0);
}

core::Result<std::vector<std::pair<int64_t, std::string>>> PostgresStatsStore::Contributions(
    std::span<const int64_t> patient_ids) {
  std::lock_guard lock(mu_);
  read_contributions_.clear();
  std::vector<std::pair<int64_t, std::string>> out;
  if (patient_ids.empty()) return out;
  PgParams params;
  params.AddIdArray(patient_ids);
  ASSIGN_OR_RETURN(PgResult r, conn_->Execute("SELECT patient_id, data FROM stats_contributions "
                                              "WHERE patient_id = ANY($1::bigint[])",
                                              params));
  std::unordered_map<int64_t, int> row_of;
  row_of.reserve(static_cast<size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) row_of.emplace(r.Int(row, 0), row);
  out.reserve(row_of.size());
  // In the order asked, as SqliteStatsStore answers.
  for (const int64_t id : patient_ids) {
    const auto it = row_of.find(id);
    if (it == row_of.end()) continue;
    auto bytes = r.Bytes(it->second, 1);
    if (!bytes) {
      return core::Fail(core::Code::kDataLoss, "保存データが壊れています: 統計の寄与",
                        "stored data is damaged: statistics contribution", std::to_string(id));
    }
    out.emplace_back(id, std::move(*bytes));
    row_of.erase(it);
  }
  for (const int64_t id : patient_ids) read_contributions_.emplace(id, std::nullopt);
  for (const auto& [id, bytes] : out) read_contributions_[id] = bytes;
  return out;
}

core::Status PostgresStatsStore::ReplaceAll(
    std::span<const FlowCount> flows, std::span<const CensusDelta> census,
    std::span<const std::pair<int64_t, std::string>> contributions, const StatsState& state) {
  std::lock_guard lock(mu_);
  return InWriteTransaction([&]() -> core::Status {
    // DELETE, not TRUNCATE: readers on other servers keep reading the old
    // figures until the commit instead of waiting for it.
    RETURN_IF_ERROR(conn_->Exec(
        "DELETE FROM stats_flows; DELETE FROM stats_census_deltas; "
        "DELETE FROM stats_contributions; DELETE FROM stats_meta"));
    std::string data;
    PgParams line;
    for (const FlowCount& f : flows) {
      line.Clear();
      line.AddText(f.series).AddText(f.key).Add(int64_t{f.day}).Add(f.count);
      line.AppendCopyLine(data);
    }
    RETURN_IF_ERROR(conn_->CopyIn("COPY stats_flows (series, key, day, count) FROM STDIN", data));
    data.clear();
    for (const CensusDelta& d : census) {
      line.Clear();
      line.Add(int64_t{d.day}).Add(int64_t{d.slot}).Add(d.delta);
      line.AppendCopyLine(data);
    }
    RETURN_IF_ERROR(
        conn_->CopyIn("COPY stats_census_deltas (day, slot, delta) FROM STDIN", data));
    // A million contributions: sent in pieces so the text form of all of them
    // is never in memory at once.
    constexpr size_t kCopyBytes = 16 << 20;
    data.clear();
    for (size_t i = 0; i < contributions.size(); ++i) {
      line.Clear();
      line.Add(contributions[i].first).AddBytes(contributions[i].second);
      line.AppendCopyLine(data);
      if (data.size() >= kCopyBytes || i + 1 == contributions.size()) {
        RETURN_IF_ERROR(
            conn_->CopyIn("COPY stats_contributions (patient_id, data) FROM STDIN", data));
        data.clear();
      }
    }
    PgParams meta;
    meta.AddText(state.computed_at)
        .AddText(std::to_string(state.last_batch))
        .AddText(std::to_string(contributions.size()));
    ASSIGN_OR_RETURN(PgResult inserted,
                     conn_->Execute("INSERT INTO stats_meta (key, value) VALUES "
                                    "('computed_at', $1), ('last_batch', $2), ('patients', $3)",
                                    meta));
    (void)inserted;
    return core::Ok();
  });
}

core::Status PostgresStatsStore::ApplyDelta(
    std::span<const FlowCount> flow_deltas, std::span<const CensusDelta> census_deltas,
    std::span<const std::pair<int64_t, std::string>> contributions, int64_t batch_id) {
  std::lock_guard lock(mu_);
  const auto read = std::move(read_contributions_);
  read_contributions_.clear();
  return InWriteTransaction([&]() -> core::Status {
    if (batch_id > 0) {
      // Under the write lock: has another server applied this batch since
      // this one read the contributions it subtracts?
      ASSIGN_OR_RETURN(PgResult last, conn_->Execute("SELECT value FROM stats_meta "
                                                     "WHERE key = 'last_batch'"));
      const int64_t applied = last.rows() > 0 ? ParseCount(last.View(0, 0)) : 0;
      if (applied >= batch_id) {
        return core::Fail(core::Code::kAborted, "この取込バッチは別の処理が集計に反映済みです",
                          "another process has already applied this batch to the figures",
                          "batch " + std::to_string(batch_id) + ", figures through batch " +
                              std::to_string(applied));
      }
    }
    RETURN_IF_ERROR(CheckUnchanged(*conn_, read, contributions));
    std::string data;
    PgParams line;
    if (!flow_deltas.empty()) {
      for (const FlowCount& f : flow_deltas) {
        line.Clear();
        line.AddText(f.series).AddText(f.key).Add(int64_t{f.day}).Add(f.count);
        line.AppendCopyLine(data);
      }
      RETURN_IF_ERROR(conn_->CopyIn(
          "COPY stats_flow_staging (series, key, day, count) FROM STDIN", data));
      // Summed by key first: one INSERT … ON CONFLICT may touch a row once.
      RETURN_IF_ERROR(conn_->Exec(
          "INSERT INTO stats_flows (series, key, day, count) "
          "SELECT series, key, day, SUM(count) FROM stats_flow_staging GROUP BY series, key, day "
          "ON CONFLICT (series, day, key) DO UPDATE SET count = stats_flows.count + "
          "excluded.count; "
          "DELETE FROM stats_flows f USING stats_flow_staging s WHERE f.series = s.series "
          "AND f.day = s.day AND f.key = s.key AND f.count = 0"));
    }
    if (!census_deltas.empty()) {
      data.clear();
      for (const CensusDelta& d : census_deltas) {
        line.Clear();
        line.Add(int64_t{d.day}).Add(int64_t{d.slot}).Add(d.delta);
        line.AppendCopyLine(data);
      }
      RETURN_IF_ERROR(
          conn_->CopyIn("COPY stats_census_staging (day, slot, delta) FROM STDIN", data));
      RETURN_IF_ERROR(conn_->Exec(
          "INSERT INTO stats_census_deltas (day, slot, delta) "
          "SELECT day, slot, SUM(delta) FROM stats_census_staging GROUP BY day, slot "
          "ON CONFLICT (day, slot) DO UPDATE SET delta = stats_census_deltas.delta + "
          "excluded.delta; "
          "DELETE FROM stats_census_deltas c USING stats_census_staging s WHERE c.day = s.day "
          "AND c.slot = s.slot AND c.delta = 0"));
    }
    int64_t added = 0;
    if (!contributions.empty()) {
      data.clear();
      for (const auto& [id, bytes] : contributions) {
        line.Clear();
        line.Add(id).AddBytes(bytes);
        line.AppendCopyLine(data);
      }
      RETURN_IF_ERROR(conn_->CopyIn(
          "COPY stats_contribution_staging (patient_id, data) FROM STDIN", data));
      // The patient count is kept by difference (counting a million rows
      // after every import would cost more than the update itself): under
      // the write lock, what is new and what goes are counted exactly.
      ASSIGN_OR_RETURN(
          PgResult counted,
          conn_->Execute(
              "SELECT COUNT(*) FILTER (WHERE length(s.data) > 0 AND c.patient_id IS NULL), "
              "COUNT(*) FILTER (WHERE length(s.data) = 0 AND c.patient_id IS NOT NULL) "
              "FROM stats_contribution_staging s "
              "LEFT JOIN stats_contributions c ON c.patient_id = s.patient_id"));
      added = counted.Int(0, 0) - counted.Int(0, 1);
      RETURN_IF_ERROR(conn_->Exec(
          "DELETE FROM stats_contributions c USING stats_contribution_staging s "
          "WHERE c.patient_id = s.patient_id AND length(s.data) = 0; "
          "INSERT INTO stats_contributions (patient_id, data) "
          "SELECT patient_id, data FROM stats_contribution_staging WHERE length(data) > 0 "
          "ON CONFLICT (patient_id) DO UPDATE SET data = excluded.data"));
    }
    PgParams meta;
    meta.Add(added).Add(batch_id);
    ASSIGN_OR_RETURN(
        PgResult updated,
        conn_->Execute("UPDATE stats_meta SET value = CASE key "
                       "WHEN 'patients' THEN (value::bigint + $1::bigint)::text "
                       "ELSE GREATEST(value::bigint, $2::bigint)::text END "
                       "WHERE key IN ('patients', 'last_batch')",
                       meta));
    (void)updated;
    return core::Ok();
  });
}

core::Result<std::vector<FlowCount>> PostgresStatsStore::ReadFlows(const std::string& series,
                                                                   int32_t from, int32_t to) {
  std::lock_guard lock(mu_);
  PgParams params;
  params.AddText(series).Add(int64_t{from}).Add(int64_t{to});
  ASSIGN_OR_RETURN(PgResult r,
                   conn_->Execute("SELECT series, key, day, count FROM stats_flows "
                                  "WHERE series = $1 AND day BETWEEN $2 AND $3 ORDER BY key, day",
                                  params));
  std::vector<FlowCount> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) {
    out.push_back({r.Text(row, 0), r.Text(row, 1), static_cast<int32_t>(r.Int(row, 2)),
                   r.Int(row, 3)});
  }
  return out;
}

core::Result<std::vector<FlowCount>> PostgresStatsStore::ReadAllFlows() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(PgResult r, conn_->Execute("SELECT series, key, day, count FROM stats_flows "
                                              "ORDER BY series, key, day"));
  std::vector<FlowCount> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) {
    out.push_back({r.Text(row, 0), r.Text(row, 1), static_cast<int32_t>(r.Int(row, 2)),
                   r.Int(row, 3)});
  }
  return out;
}

core::Result<std::vector<CensusDelta>> PostgresStatsStore::ReadCensusDeltas(int32_t to) {
  std::lock_guard lock(mu_);
  PgParams params;
  params.Add(int64_t{to});
  ASSIGN_OR_RETURN(PgResult r, conn_->Execute("SELECT slot, day, delta FROM stats_census_deltas "
                                              "WHERE day <= $1 ORDER BY slot, day",
                                              params));
  std::vector<CensusDelta> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) {
    out.push_back({static_cast<int>(r.Int(row, 0)), static_cast<int32_t>(r.Int(row, 1)),
                   r.Int(row, 2)});
  }
  return out;
}

core::Result<std::optional<StatsState>> PostgresStatsStore::State() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(PgResult r, conn_->Execute("SELECT key, value FROM stats_meta"));
  std::optional<StatsState> out;
  for (int row = 0; row < r.rows(); ++row) {
    if (!out) out.emplace();
    const std::string_view key = r.View(row, 0);
    const std::string_view value = r.View(row, 1);
    if (key == "computed_at") out->computed_at = std::string(value);
    if (key == "last_batch") out->last_batch = ParseCount(value);
    if (key == "patients") out->patients = ParseCount(value);
  }
  return out;
}

}  // namespace ichigen::store
