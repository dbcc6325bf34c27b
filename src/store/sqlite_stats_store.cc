#include "store/sqlite_stats_store.h"

#include <algorithm>
#include <charconv>
#include <string_view>

#include "store/contribution_log.h"
#include "store/event_pack.h"
#include "store/sqlite_events.h"
#include "store/sqlite_handle.h"

namespace ichigen::store {

namespace {

// Flow counts and census deltas are clustered by what the charts read
// (a series over a day range; every slot up to a day).
constexpr Migration kStatsMigrations[] = {
    {3000, "materialized statistics", R"sql(
CREATE TABLE stats_flows (
  series TEXT NOT NULL,
  key TEXT NOT NULL,
  day INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (series, day, key)
) WITHOUT ROWID;
CREATE TABLE stats_census_deltas (
  day INTEGER NOT NULL,
  slot INTEGER NOT NULL,
  delta INTEGER NOT NULL,
  PRIMARY KEY (day, slot)
) WITHOUT ROWID;
CREATE TABLE stats_contributions (
  patient_id INTEGER PRIMARY KEY,
  data BLOB NOT NULL
);
CREATE TABLE stats_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
)sql"},
    {3001, "contribution log", R"sql(
CREATE TABLE stats_contribution_log (
  seq INTEGER PRIMARY KEY,
  entries INTEGER NOT NULL,
  first_id INTEGER NOT NULL,
  last_id INTEGER NOT NULL,
  data BLOB NOT NULL
);
)sql"},
};

constexpr const char* kPatientColumns =
    "id, sex, age, age_band, municipality_code, severity, notified_on, published_on, "
    "created_batch";

// Reads by id go a chunk of ids per statement (`IN (…)`, which SQLite walks
// in key order): fewer statement steps than one seek each. A shorter chunk
// is padded with id 0, which no patient has, so one prepared statement
// serves every chunk.
constexpr size_t kIdChunk = 512;
std::string WithIdChunk(std::string_view before_list, std::string_view after_list) {
  std::string sql(before_list);
  sql += "(";
  for (size_t i = 0; i < kIdChunk; ++i) sql += i == 0 ? "?" : ",?";
  sql += ") ";
  sql += after_list;
  return sql;
}
// Binds a chunk of ids (at most kIdChunk) from parameter 1 on, then pads.
void BindIdChunk(SqliteStmt& stmt, std::span<const int64_t> ids) {
  int k = 0;
  for (const int64_t id : ids) stmt.Bind(++k, id);
  while (k < static_cast<int>(kIdChunk)) stmt.Bind(++k, int64_t{0});
}

StatsPatient ReadPatient(const SqliteStmt& s) {
  StatsPatient p;
  p.id = s.Int(0);
  p.sex = s.Text(1);
  p.age = s.OptInt(2);
  p.age_band = s.Text(3);
  p.municipality_code = s.Text(4);
  p.severity = s.Text(5);
  p.notified_on = s.Text(6);
  p.published_on = s.Text(7);
  p.created_batch = s.Int(8);
  return p;
}

// Rolls back unless committed.
class Transaction {
 public:
  static core::Result<Transaction> Begin(SqliteDb& db) {
    RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    return Transaction(db);
  }
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction() {
    if (db_ != nullptr) (void)db_->Exec("ROLLBACK");
  }
  core::Status Commit() {
    SqliteDb* db = db_;
    db_ = nullptr;
    return db->Exec("COMMIT");
  }

 private:
  explicit Transaction(SqliteDb& db) : db_(&db) {}
  SqliteDb* db_;
};

// One read transaction for many lookups, not one (and its file locks) each;
// every lookup then reads the same snapshot.
class ReadTransaction {
 public:
  static core::Result<ReadTransaction> Begin(SqliteDb& db) {
    RETURN_IF_ERROR(db.Exec("BEGIN"));
    return ReadTransaction(db);
  }
  ReadTransaction(ReadTransaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;
  ReadTransaction& operator=(ReadTransaction&&) = delete;
  ~ReadTransaction() {
    if (db_ != nullptr) (void)db_->Exec("COMMIT");
  }

 private:
  explicit ReadTransaction(SqliteDb& db) : db_(&db) {}
  SqliteDb* db_;
};

// The first column of every row a statement gives.
core::Result<std::vector<int64_t>> ReadIds(SqliteStmt& stmt) {
  std::vector<int64_t> ids;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ids.push_back(stmt.Int(0));
  }
  return ids;
}

core::Result<std::unique_ptr<SqliteDb>> OpenConnection(const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(path));
  RETURN_IF_ERROR(db->EnterWalMode(path));
  RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL"));
  return db;
}

}  // namespace

std::span<const Migration> SqliteStatsMigrations() { return kStatsMigrations; }

SqliteStatsStore::SqliteStatsStore(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
SqliteStatsStore::~SqliteStatsStore() = default;

core::Result<std::unique_ptr<SqliteStatsStore>> SqliteStatsStore::Open(const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, OpenConnection(path));
  RETURN_IF_ERROR(ApplySqliteMigrations(*db, SqliteStatsMigrations()));
  // Full recomputation reads every patient and event once; mapped pages
  // are read without a copy and a system call each. An update's commit
  // leaves copying the WAL back into the file (a checkpoint, ~45 ms after a
  // wave-peak sheet) to the store's next writer, as every connection's
  // automatic checkpoint would; the full writes below checkpoint themselves.
  RETURN_IF_ERROR(db->Exec("PRAGMA cache_size = -131072; PRAGMA mmap_size = 4294967296; "
                           "PRAGMA wal_autocheckpoint = 0"));
  return std::unique_ptr<SqliteStatsStore>(new SqliteStatsStore(std::move(db)));
}

core::Status SqliteStatsStore::ForEachPatientInput(const StatsPatientFn& fn) {
  return ForEachPatientInputIn(PatientIdRange{}, fn);
}

core::Result<int64_t> SqliteStatsStore::MaxPatientId() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare("SELECT COALESCE(MAX(id), 0) FROM patients"));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int(0) : 0;
}

core::Status SqliteStatsStore::ForEachPatientInputIn(PatientIdRange range,
                                                     const StatsPatientFn& fn) {
  std::lock_guard lock(mu_);
  // Two cursors in id order, merged: events are clustered by patient.
  ASSIGN_OR_RETURN(SqliteStmt events,
                   db_->Prepare(std::string("SELECT ") + kSqliteEventColumns +
                                " FROM events WHERE patient_id >= ?1 AND patient_id < ?2"
                                " ORDER BY patient_id, id"));
  events.Bind(1, range.first).Bind(2, range.end);
  ASSIGN_OR_RETURN(SqliteStmt patients,
                   db_->Prepare(std::string("SELECT ") + kPatientColumns +
                                " FROM patients WHERE id >= ?1 AND id < ?2 ORDER BY id"));
  patients.Bind(1, range.first).Bind(2, range.end);
  std::vector<domain::Event> list;
  int64_t current = 0;
  bool patient_row = false;
  int64_t patient_id = 0;
  ASSIGN_OR_RETURN(patient_row, patients.Step());
  if (patient_row) patient_id = patients.Int(0);
  auto flush = [&]() -> core::Status {
    if (list.empty()) return core::Ok();
    while (patient_row && patient_id < current) {
      ASSIGN_OR_RETURN(patient_row, patients.Step());
      if (patient_row) patient_id = patients.Int(0);
    }
    StatsPatient p;
    if (patient_row && patient_id == current) {
      p = ReadPatient(patients);
    } else {
      p.id = current;  // events of a patient row that is gone: counted without attributes
    }
    RETURN_IF_ERROR(fn(p, list));
    list.clear();
    return core::Ok();
  };
  while (true) {
    ASSIGN_OR_RETURN(bool row, events.Step());
    const int64_t patient = row ? events.Int(1) : 0;
    if (!row || patient != current) {
      RETURN_IF_ERROR(flush());
      current = patient;
    }
    if (!row) break;
    ASSIGN_OR_RETURN(domain::Event event, ReadSqliteEvent(events));
    list.push_back(std::move(event));
  }
  return core::Ok();
}

core::Status SqliteStatsStore::ForEachPatientInputOfBatch(int64_t batch_id,
                                                          const StatsPatientFn& fn) {
  std::lock_guard lock(mu_);
  // Three cursors in patient id order, merged: the batch's patients, their
  // records and their events (one query each, not two per patient). Every
  // id is reported, with no events if it has none left.
  constexpr const char* kIds =
      "SELECT DISTINCT patient_id FROM batch_rows WHERE batch_id = ?1 AND patient_id IS NOT NULL";
  ASSIGN_OR_RETURN(SqliteStmt ids, db_->Prepare(std::string(kIds) + " ORDER BY patient_id"));
  ids.Bind(1, batch_id);
  ASSIGN_OR_RETURN(SqliteStmt patients,
                   db_->Prepare(std::string("SELECT ") + kPatientColumns +
                                " FROM patients WHERE id IN (" + kIds + ") ORDER BY id"));
  patients.Bind(1, batch_id);
  ASSIGN_OR_RETURN(SqliteStmt events,
                   db_->Prepare(std::string("SELECT ") + kSqliteEventColumns +
                                " FROM events WHERE patient_id IN (" + kIds +
                                ") ORDER BY patient_id, id"));
  events.Bind(1, batch_id);
  ASSIGN_OR_RETURN(bool patient_row, patients.Step());
  ASSIGN_OR_RETURN(bool event_row, events.Step());
  std::vector<domain::Event> list;
  while (true) {
    ASSIGN_OR_RETURN(bool row, ids.Step());
    if (!row) break;
    const int64_t id = ids.Int(0);
    StatsPatient p;
    p.id = id;
    while (patient_row && patients.Int(0) < id) {
      ASSIGN_OR_RETURN(patient_row, patients.Step());
    }
    if (patient_row && patients.Int(0) == id) p = ReadPatient(patients);
    list.clear();
    while (event_row && events.Int(1) < id) {
      ASSIGN_OR_RETURN(event_row, events.Step());
    }
    while (event_row && events.Int(1) == id) {
      ASSIGN_OR_RETURN(domain::Event event, ReadSqliteEvent(events));
      list.push_back(std::move(event));
      ASSIGN_OR_RETURN(event_row, events.Step());
    }
    RETURN_IF_ERROR(fn(p, list));
  }
  return core::Ok();
}

core::Result<std::vector<int64_t>> SqliteStatsStore::PatientIdsOfBatch(int64_t batch_id) {
  std::lock_guard lock(mu_);
  // The batch's rows by their key; sorted here rather than by a DISTINCT
  // that SQLite would build a temporary index for.
  ASSIGN_OR_RETURN(SqliteStmt stmt,
                   db_->Prepare("SELECT patient_id FROM batch_rows WHERE batch_id = ?1 "
                                "AND patient_id IS NOT NULL"));
  stmt.Bind(1, batch_id);
  ASSIGN_OR_RETURN(std::vector<int64_t> ids, ReadIds(stmt));
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

core::Result<std::optional<std::vector<int64_t>>> SqliteStatsStore::PatientIdsUpdatedIn(
    int64_t batch_id) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt,
                   db_->Prepare("SELECT id FROM patients WHERE updated_batch = ?1 ORDER BY id"));
  stmt.Bind(1, batch_id);
  ASSIGN_OR_RETURN(std::vector<int64_t> ids, ReadIds(stmt));
  return std::optional<std::vector<int64_t>>(std::move(ids));
}

core::Status SqliteStatsStore::ForEachPatientInputOf(std::span<const int64_t> patient_ids,
                                                     std::span<const uint8_t> want,
                                                     const StatsPatientFn& fn) {
  std::lock_guard lock(mu_);
  // A batch touches a few percent of the patients, so seeking beats a scan
  // of the range: records and events are read a chunk of ids per statement
  // (kIdChunk). The events read are reused from chunk to chunk.
  ASSIGN_OR_RETURN(SqliteStmt records,
                   db_->Prepare(WithIdChunk(std::string("SELECT ") + kPatientColumns +
                                                " FROM patients WHERE id IN ",
                                            "ORDER BY id")));
  // A chunk of wanted records close together (a batch's new patients have
  // consecutive ids) is read as one range, stepping instead of seeking.
  ASSIGN_OR_RETURN(SqliteStmt record_range,
                   db_->Prepare(std::string("SELECT ") + kPatientColumns +
                                " FROM patients WHERE id >= ?1 AND id <= ?2 ORDER BY id"));
  ASSIGN_OR_RETURN(SqliteStmt events,
                   db_->Prepare(WithIdChunk(std::string("SELECT ") + kSqliteEventColumns +
                                                " FROM events WHERE patient_id IN ",
                                            "ORDER BY patient_id, id")));
  auto wants = [&](size_t i, uint8_t bit) {
    return want.empty() ? bit == kInputRecord : (want[i] & bit) != 0;
  };
  ASSIGN_OR_RETURN(ReadTransaction read, ReadTransaction::Begin(*db_));
  std::vector<domain::Event> list;
  std::vector<int64_t> chunk_ids;
  StatsPatient p;
  for (size_t from = 0; from < patient_ids.size(); from += kIdChunk) {
    const size_t to = std::min(patient_ids.size(), from + kIdChunk);
    bool record_row = false;
    bool event_row = false;
    chunk_ids.clear();  // the records wanted
    for (size_t i = from; i < to; ++i) {
      if (wants(i, kInputRecord)) chunk_ids.push_back(patient_ids[i]);
    }
    const int64_t first = chunk_ids.empty() ? 0 : chunk_ids.front();
    const int64_t last = chunk_ids.empty() ? 0 : chunk_ids.back();
    const bool dense = !chunk_ids.empty() &&
                       static_cast<uint64_t>(last - first) < 2 * chunk_ids.size();
    SqliteStmt& record_rows = dense ? record_range : records;
    if (dense) {
      record_range.Bind(1, first).Bind(2, last);
      ASSIGN_OR_RETURN(record_row, record_range.Step());
    } else if (!chunk_ids.empty()) {
      BindIdChunk(records, chunk_ids);
      ASSIGN_OR_RETURN(record_row, records.Step());
    }
    chunk_ids.clear();
    for (size_t i = from; i < to; ++i) {
      if (!wants(i, kInputNoEvents)) chunk_ids.push_back(patient_ids[i]);
    }
    if (!chunk_ids.empty()) {
      BindIdChunk(events, chunk_ids);
      ASSIGN_OR_RETURN(event_row, events.Step());
    }
    for (size_t i = from; i < to; ++i) {
      const int64_t id = patient_ids[i];
      p = StatsPatient{};
      p.id = id;
      while (record_row && record_rows.Int(0) < id) {
        ASSIGN_OR_RETURN(record_row, record_rows.Step());
      }
      if (record_row && record_rows.Int(0) == id && wants(i, kInputRecord)) {
        p = ReadPatient(record_rows);
      }
      while (event_row && events.Int(1) < id) {
        ASSIGN_OR_RETURN(event_row, events.Step());
      }
      size_t used = 0;
      while (event_row && events.Int(1) == id) {
        if (used == list.size()) list.emplace_back();
        RETURN_IF_ERROR(ReadSqliteEventInto(events, list[used]));
        ++used;
        ASSIGN_OR_RETURN(event_row, events.Step());
      }
      RETURN_IF_ERROR(fn(p, std::span<const domain::Event>(list.data(), used)));
    }
    record_rows.Reset();
    events.Reset();
  }
  return core::Ok();
}

core::Result<std::optional<BatchEventLog>> SqliteStatsStore::NewEventsOfBatch(
    int64_t batch_id) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare("SELECT data FROM batch_events "
                                                 "WHERE batch_id = ?1 ORDER BY part"));
  stmt.Bind(1, batch_id);
  BatchEventLog log;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    const void* blob = sqlite3_column_blob(stmt.get(), 0);
    const int bytes = sqlite3_column_bytes(stmt.get(), 0);
    log.parts.emplace_back(static_cast<const char*>(blob), static_cast<size_t>(bytes));
  }
  if (log.parts.empty()) return std::optional<BatchEventLog>();
  for (size_t part = 0; part < log.parts.size(); ++part) {
    const std::string_view whole = log.parts[part];
    RETURN_IF_ERROR(ForEachPatientOfBatchPart(
        whole, [&](int64_t patient, std::string_view packed) -> core::Status {
          if (!log.patients.empty() && log.patients.back().patient_id >= patient) {
            return core::Fail(core::Code::kDataLoss, "集計用のイベント記録が壊れています",
                              "a batch's event log is out of order", std::to_string(batch_id));
          }
          log.patients.push_back(BatchEventLog::Patient{
              patient, static_cast<uint32_t>(part),
              static_cast<uint32_t>(packed.data() - whole.data()),
              static_cast<uint32_t>(packed.size())});
          return core::Ok();
        }));
  }
  return std::optional<BatchEventLog>(std::move(log));
}

core::Result<DecisionPatients> SqliteStatsStore::PatientsOfDecisions() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt,
                   db_->Prepare("SELECT seq, patient_id FROM decision_patients ORDER BY seq"));
  DecisionPatients out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.seqs.push_back(stmt.Int(0));
    out.ids.push_back(stmt.Int(1));
  }
  std::sort(out.ids.begin(), out.ids.end());
  out.ids.erase(std::unique(out.ids.begin(), out.ids.end()), out.ids.end());
  return out;
}

core::Result<int64_t> SqliteStatsStore::LatestBatch() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare("SELECT COALESCE(MAX(id), 0) FROM batches"));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int(0) : 0;
}

core::Result<std::vector<std::pair<int64_t, std::string>>> SqliteStatsStore::Contributions(
    std::span<const int64_t> patient_ids) {
  ASSIGN_OR_RETURN(StoredContributions stored, ReadStoredContributions(patient_ids));
  std::vector<std::pair<int64_t, std::string>> out;
  out.reserve(stored.entries.size());
  for (const auto& [id, bytes] : stored.entries) out.emplace_back(id, std::string(bytes));
  return out;
}

core::Result<StatsStore::StoredContributions> SqliteStatsStore::ReadStoredContributions(
    std::span<const int64_t> patient_ids) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(ReadTransaction read, ReadTransaction::Begin(*db_));
  std::vector<int64_t> sorted_ids;
  if (!std::is_sorted(patient_ids.begin(), patient_ids.end())) {
    sorted_ids.assign(patient_ids.begin(), patient_ids.end());
    std::sort(sorted_ids.begin(), sorted_ids.end());
    patient_ids = sorted_ids;
  }
  // The log first (a patient's latest entry there is its contribution),
  // then the table for the others, copied into one buffer.
  ContributionOverlay overlay(patient_ids);
  {
    ASSIGN_OR_RETURN(SqliteStmt log,
                     db_->Prepare("SELECT data FROM stats_contribution_log "
                                  "WHERE last_id >= ?1 AND first_id <= ?2 ORDER BY seq"));
    if (!patient_ids.empty()) log.Bind(1, patient_ids.front()).Bind(2, patient_ids.back());
    while (!patient_ids.empty()) {
      ASSIGN_OR_RETURN(bool row, log.Step());
      if (!row) break;
      const void* blob = sqlite3_column_blob(log.get(), 0);
      const int bytes = sqlite3_column_bytes(log.get(), 0);
      RETURN_IF_ERROR(overlay.AddRecord(
          std::string(static_cast<const char*>(blob), static_cast<size_t>(bytes))));
    }
  }
  std::string table;
  table.reserve(patient_ids.size() * 96);  // an envelope is ~66 bytes
  // Per patient: in the log (its view), or where in `table` (offset, size).
  struct Found {
    std::optional<std::string_view> logged;
    size_t offset = 0;
    size_t size = 0;
    bool in_table = false;
  };
  std::vector<Found> found(patient_ids.size());
  // The others a chunk of ids per statement (kIdChunk).
  ASSIGN_OR_RETURN(SqliteStmt chunk,
                   db_->Prepare(WithIdChunk("SELECT patient_id, data FROM stats_contributions "
                                            "WHERE patient_id IN ",
                                            "ORDER BY patient_id")));
  // Ids past the table's last (a batch's new patients) are not sought.
  int64_t table_last = 0;
  {
    ASSIGN_OR_RETURN(SqliteStmt last,
                     db_->Prepare("SELECT max(patient_id) FROM stats_contributions"));
    ASSIGN_OR_RETURN(bool row, last.Step());
    if (row) table_last = last.Int(0);
  }
  std::vector<size_t> asked;  // indexes of this chunk's ids
  std::vector<int64_t> asked_ids;
  for (size_t from = 0; from < patient_ids.size();) {
    asked.clear();
    asked_ids.clear();
    for (; from < patient_ids.size() && asked.size() < kIdChunk; ++from) {
      if ((found[from].logged = overlay.Of(from))) continue;
      if (patient_ids[from] > table_last) continue;
      asked.push_back(from);
      asked_ids.push_back(patient_ids[from]);
    }
    if (asked.empty()) continue;
    BindIdChunk(chunk, asked_ids);
    size_t next = 0;
    while (true) {
      ASSIGN_OR_RETURN(bool row, chunk.Step());
      if (!row) break;
      const int64_t id = chunk.Int(0);
      while (next < asked.size() && patient_ids[asked[next]] < id) ++next;
      if (next == asked.size() || patient_ids[asked[next]] != id) continue;
      const void* blob = sqlite3_column_blob(chunk.get(), 1);
      const int bytes = sqlite3_column_bytes(chunk.get(), 1);
      Found& f = found[asked[next]];
      f.offset = table.size();
      f.size = static_cast<size_t>(bytes);
      f.in_table = true;
      table.append(static_cast<const char*>(blob), static_cast<size_t>(bytes));
    }
    chunk.Reset();
  }
  StoredContributions out;
  out.storage = overlay.TakeRecords();
  const std::string& kept = out.storage.emplace_back(std::move(table));
  out.entries.reserve(patient_ids.size());
  for (size_t i = 0; i < patient_ids.size(); ++i) {
    if (found[i].logged) {
      if (!found[i].logged->empty()) out.entries.emplace_back(patient_ids[i], *found[i].logged);
    } else if (found[i].in_table) {
      out.entries.emplace_back(patient_ids[i],
                               std::string_view(kept).substr(found[i].offset, found[i].size));
    }
  }
  return out;
}

core::Status SqliteStatsStore::SetMeta(const std::string& key, const std::string& value) {
  ASSIGN_OR_RETURN(SqliteStmt stmt,
                   db_->Prepare("INSERT INTO stats_meta (key, value) VALUES (?, ?) "
                                "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
  stmt.BindText(1, key).BindText(2, value);
  return stmt.Run();
}

core::Status SqliteStatsStore::ReplaceAll(
    std::span<const FlowCount> flows, std::span<const CensusDelta> census,
    std::span<const std::pair<int64_t, std::string>> contributions, const StatsState& state) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*db_));
  ASSIGN_OR_RETURN(const int64_t version, ReadVersion());  // kept rising across a recomputation
  RETURN_IF_ERROR(db_->Exec(
      "DELETE FROM stats_flows; DELETE FROM stats_census_deltas; "
      "DELETE FROM stats_contributions; DELETE FROM stats_contribution_log; "
      "DELETE FROM stats_meta"));
  ASSIGN_OR_RETURN(SqliteStmt flow, db_->Prepare("INSERT INTO stats_flows (series, key, day, "
                                                 "count) VALUES (?, ?, ?, ?)"));
  for (const FlowCount& f : flows) {
    flow.BindText(1, f.series).BindText(2, f.key).Bind(3, int64_t{f.day}).Bind(4, f.count);
    RETURN_IF_ERROR(flow.Run());
  }
  ASSIGN_OR_RETURN(SqliteStmt delta, db_->Prepare("INSERT INTO stats_census_deltas (day, slot, "
                                                  "delta) VALUES (?, ?, ?)"));
  for (const CensusDelta& d : census) {
    delta.Bind(1, int64_t{d.day}).Bind(2, int64_t{d.slot}).Bind(3, d.delta);
    RETURN_IF_ERROR(delta.Run());
  }
  // Many rows per statement: a million contributions, in id order.
  constexpr size_t kRowsPerInsert = 256;
  auto insert_sql = [](size_t rows) {
    std::string sql = "INSERT INTO stats_contributions (patient_id, data) VALUES ";
    for (size_t i = 0; i < rows; ++i) sql += i == 0 ? "(?, ?)" : ", (?, ?)";
    return sql;
  };
  ASSIGN_OR_RETURN(SqliteStmt many, db_->Prepare(insert_sql(kRowsPerInsert)));
  size_t done = 0;
  while (done < contributions.size()) {
    const size_t n = std::min(kRowsPerInsert, contributions.size() - done);
    SqliteStmt tail;
    if (n < kRowsPerInsert) {
      ASSIGN_OR_RETURN(tail, db_->Prepare(insert_sql(n)));
    }
    SqliteStmt& stmt = n < kRowsPerInsert ? tail : many;
    for (size_t i = 0; i < n; ++i) {
      const auto& [id, bytes] = contributions[done + i];
      const int at = static_cast<int>(2 * i + 1);
      stmt.Bind(at, id);
      sqlite3_bind_blob(stmt.get(), at + 1, bytes.data(), static_cast<int>(bytes.size()),
                        SQLITE_STATIC);
    }
    RETURN_IF_ERROR(stmt.Run());
    done += n;
  }
  RETURN_IF_ERROR(RemoveDecisionMarks(state.decision_seqs));
  RETURN_IF_ERROR(SetMeta("version", std::to_string(version + 1)));
  RETURN_IF_ERROR(SetMeta("computed_at", state.computed_at));
  RETURN_IF_ERROR(SetMeta("last_batch", std::to_string(state.last_batch)));
  RETURN_IF_ERROR(SetMeta("patients", std::to_string(contributions.size())));
  RETURN_IF_ERROR(tx.Commit());
  return db_->Exec("PRAGMA wal_checkpoint(PASSIVE)");
}

core::Status SqliteStatsStore::ApplyDelta(
    std::span<const FlowCount> flow_deltas, std::span<const CensusDelta> census_deltas,
    std::span<const std::string> log_records, int64_t batch_id, int64_t patients_added,
    std::span<const int64_t> decision_seqs, int64_t expected_version) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*db_));
  RETURN_IF_ERROR(RaiseVersion(expected_version));
  if (batch_id > 0) {
    // Under the write lock: has another process applied this batch since
    // this one read the contributions it subtracts?
    ASSIGN_OR_RETURN(SqliteStmt last,
                     db_->Prepare("SELECT CAST(value AS INTEGER) FROM stats_meta "
                                  "WHERE key = 'last_batch'"));
    ASSIGN_OR_RETURN(bool row, last.Step());
    if (row && last.Int(0) >= batch_id) {
      return core::Fail(core::Code::kAborted,
                        "この取込バッチは別の処理が集計に反映済みです",
                        "another process has already applied this batch to the figures",
                        "batch " + std::to_string(batch_id) + ", figures through batch " +
                            std::to_string(last.Int(0)));
    }
  }
  ASSIGN_OR_RETURN(SqliteStmt flow,
                   db_->Prepare("INSERT INTO stats_flows (series, key, day, count) "
                                "VALUES (?, ?, ?, ?) ON CONFLICT (series, day, key) "
                                "DO UPDATE SET count = count + excluded.count"));
  // Counts that reach zero are removed by key, not by a scan of the table.
  ASSIGN_OR_RETURN(SqliteStmt flow_zero,
                   db_->Prepare("DELETE FROM stats_flows WHERE series = ? AND day = ? AND key = ? "
                                "AND count = 0"));
  for (const FlowCount& f : flow_deltas) {
    flow.BindText(1, f.series).BindText(2, f.key).Bind(3, int64_t{f.day}).Bind(4, f.count);
    RETURN_IF_ERROR(flow.Run());
    flow_zero.BindText(1, f.series).Bind(2, int64_t{f.day}).BindText(3, f.key);
    RETURN_IF_ERROR(flow_zero.Run());
  }
  ASSIGN_OR_RETURN(SqliteStmt delta,
                   db_->Prepare("INSERT INTO stats_census_deltas (day, slot, delta) "
                                "VALUES (?, ?, ?) ON CONFLICT (day, slot) "
                                "DO UPDATE SET delta = delta + excluded.delta"));
  ASSIGN_OR_RETURN(SqliteStmt delta_zero,
                   db_->Prepare("DELETE FROM stats_census_deltas WHERE day = ? AND slot = ? "
                                "AND delta = 0"));
  for (const CensusDelta& d : census_deltas) {
    delta.Bind(1, int64_t{d.day}).Bind(2, int64_t{d.slot}).Bind(3, d.delta);
    RETURN_IF_ERROR(delta.Run());
    delta_zero.Bind(1, int64_t{d.day}).Bind(2, int64_t{d.slot});
    RETURN_IF_ERROR(delta_zero.Run());
  }
  // The changed contributions are appended to the log (a few rows), not
  // written into the table row by row; the patient count is kept by
  // difference (counting a million rows after every import would cost more
  // than the update itself).
  if (!log_records.empty()) {
    ASSIGN_OR_RETURN(SqliteStmt append,
                     db_->Prepare("INSERT INTO stats_contribution_log (entries, first_id, "
                                  "last_id, data) VALUES (?1, ?2, ?3, ?4)"));
    for (const std::string& record : log_records) {
      const LogRecordSummary summary = SummarizeLogRecord(record);
      if (summary.entries == 0) {
        return core::Fail(core::Code::kInvalidArgument, "統計の寄与ログが壊れています",
                          "a contribution log record to write is damaged or empty");
      }
      append.Bind(1, summary.entries).Bind(2, summary.first_id).Bind(3, summary.last_id);
      sqlite3_bind_blob(append.get(), 4, record.data(), static_cast<int>(record.size()),
                        SQLITE_STATIC);
      RETURN_IF_ERROR(append.Run());
    }
  }
  if (patients_added != 0) {
    RETURN_IF_ERROR(db_->Exec("UPDATE stats_meta SET value = CAST(value AS INTEGER) + " +
                              std::to_string(patients_added) + " WHERE key = 'patients'"));
  }
  RETURN_IF_ERROR(RemoveDecisionMarks(decision_seqs));
  RETURN_IF_ERROR(db_->Exec("UPDATE stats_meta SET value = MAX(CAST(value AS INTEGER), " +
                            std::to_string(batch_id) + ") WHERE key = 'last_batch'"));
  return tx.Commit();
}

core::Result<int64_t> SqliteStatsStore::ReadVersion() {
  ASSIGN_OR_RETURN(SqliteStmt read, db_->Prepare("SELECT CAST(value AS INTEGER) FROM stats_meta "
                                                 "WHERE key = 'version'"));
  ASSIGN_OR_RETURN(bool row, read.Step());
  return row ? read.Int(0) : int64_t{0};
}

core::Status SqliteStatsStore::RaiseVersion(int64_t expected_version) {
  ASSIGN_OR_RETURN(const int64_t version, ReadVersion());
  RETURN_IF_ERROR(CheckStatsVersion(version, expected_version));
  return SetMeta("version", std::to_string(version + 1));
}

core::Status SqliteStatsStore::RemoveDecisionMarks(std::span<const int64_t> seqs) {
  if (seqs.empty()) return core::Ok();
  ASSIGN_OR_RETURN(SqliteStmt drop, db_->Prepare("DELETE FROM decision_patients WHERE seq = ?1"));
  for (const int64_t seq : seqs) {
    drop.Bind(1, seq);
    RETURN_IF_ERROR(drop.Run());
  }
  return core::Ok();
}

core::Result<std::vector<std::string>> SqliteStatsStore::ReadLog() {
  ASSIGN_OR_RETURN(SqliteStmt stmt,
                   db_->Prepare("SELECT data FROM stats_contribution_log ORDER BY seq"));
  std::vector<std::string> records;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    const void* blob = sqlite3_column_blob(stmt.get(), 0);
    const int bytes = sqlite3_column_bytes(stmt.get(), 0);
    records.emplace_back(static_cast<const char*>(blob), static_cast<size_t>(bytes));
  }
  return records;
}

core::Result<int64_t> SqliteStatsStore::LogEntries() {
  ASSIGN_OR_RETURN(SqliteStmt stmt,
                   db_->Prepare("SELECT COALESCE(SUM(entries), 0) FROM stats_contribution_log"));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int(0) : 0;
}

core::Result<int64_t> SqliteStatsStore::FoldContributionLog(bool always) {
  std::lock_guard lock(mu_);
  {
    ASSIGN_OR_RETURN(ReadTransaction read, ReadTransaction::Begin(*db_));
    ASSIGN_OR_RETURN(int64_t entries, LogEntries());
    if (entries == 0 || (!always && entries < kFoldLogEntries)) return int64_t{0};
  }
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*db_));
  ASSIGN_OR_RETURN(const int64_t entries, LogEntries());  // under the write lock
  ASSIGN_OR_RETURN(const std::vector<std::string> records, ReadLog());
  ASSIGN_OR_RETURN(const auto latest, LatestLogEntries(records));
  ASSIGN_OR_RETURN(SqliteStmt upsert,
                   db_->Prepare("INSERT INTO stats_contributions (patient_id, data) "
                                "VALUES (?1, ?2) ON CONFLICT (patient_id) "
                                "DO UPDATE SET data = excluded.data"));
  ASSIGN_OR_RETURN(SqliteStmt drop,
                   db_->Prepare("DELETE FROM stats_contributions WHERE patient_id = ?1"));
  for (const auto& [id, bytes] : latest) {
    if (bytes.empty()) {
      drop.Bind(1, id);
      RETURN_IF_ERROR(drop.Run());
      continue;
    }
    upsert.Bind(1, id);
    sqlite3_bind_blob(upsert.get(), 2, bytes.data(), static_cast<int>(bytes.size()),
                      SQLITE_STATIC);
    RETURN_IF_ERROR(upsert.Run());
  }
  RETURN_IF_ERROR(db_->Exec("DELETE FROM stats_contribution_log"));
  RETURN_IF_ERROR(tx.Commit());
  RETURN_IF_ERROR(db_->Exec("PRAGMA wal_checkpoint(PASSIVE)"));
  return entries;
}

core::Result<std::vector<FlowCount>> SqliteStatsStore::ReadFlows(const std::string& series,
                                                                 int32_t from, int32_t to) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt,
                   db_->Prepare("SELECT series, key, day, count FROM stats_flows "
                                "WHERE series = ? AND day BETWEEN ? AND ? ORDER BY key, day"));
  stmt.BindText(1, series).Bind(2, int64_t{from}).Bind(3, int64_t{to});
  std::vector<FlowCount> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back({stmt.Text(0), stmt.Text(1), static_cast<int32_t>(stmt.Int(2)), stmt.Int(3)});
  }
  return out;
}

core::Result<std::vector<FlowCount>> SqliteStatsStore::ReadAllFlows() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare("SELECT series, key, day, count FROM "
                                                 "stats_flows ORDER BY series, key, day"));
  std::vector<FlowCount> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back({stmt.Text(0), stmt.Text(1), static_cast<int32_t>(stmt.Int(2)), stmt.Int(3)});
  }
  return out;
}

core::Result<std::vector<CensusDelta>> SqliteStatsStore::ReadCensusDeltas(int32_t to) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt,
                   db_->Prepare("SELECT slot, day, delta FROM stats_census_deltas "
                                "WHERE day <= ? ORDER BY slot, day"));
  stmt.Bind(1, int64_t{to});
  std::vector<CensusDelta> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back({static_cast<int>(stmt.Int(0)), static_cast<int32_t>(stmt.Int(1)), stmt.Int(2)});
  }
  return out;
}

core::Result<std::optional<StatsState>> SqliteStatsStore::State() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare("SELECT key, value FROM stats_meta"));
  std::optional<StatsState> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    if (!out) out.emplace();
    const std::string key = stmt.Text(0);
    const std::string value = stmt.Text(1);
    if (key == "computed_at") out->computed_at = value;
    // Numbers this store wrote itself; anything else reads as 0.
    if (key == "last_batch") std::from_chars(value.data(), value.data() + value.size(), out->last_batch);
    if (key == "patients") std::from_chars(value.data(), value.data() + value.size(), out->patients);
    if (key == "version") std::from_chars(value.data(), value.data() + value.size(), out->version);
  }
  return out;
}

}  // namespace ichigen::store
