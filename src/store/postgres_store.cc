#include "store/postgres_store.h"

#include <algorithm>
#include <set>
#include <array>
#include <charconv>
#include <unordered_map>
#include <unordered_set>

#include "store/pg_events.h"
#include "store/pg_handle.h"
#include "store/postgres_candidates.h"

namespace ichigen::store {

// What a Store read on the connection of an open writer flushes first.
class PgPendingWrites {
 public:
  virtual ~PgPendingWrites() = default;
  virtual core::Status FlushAll() = 0;
};

namespace {

// Batch writers on every server take this lock for their transaction
// (invariant 2 of postgres_store.h).
constexpr int64_t kWriterLock = 0x1C41'6E00'0002;

// Rows of a pass fetched per round trip: large enough to hide the latency,
// small enough to keep memory flat on a million patients.
constexpr int kFetchRows = 20000;

// batch_rows are sent with COPY in chunks of this many rows.
constexpr size_t kRowsPerCopy = 20000;

// Patient columns in one order, shared by INSERT, UPDATE and SELECT.
constexpr std::array<const char*, 35> kPatientColumns = {
    "hersys_id",     "name",          "name_key",         "name_folded",
    "name_kana",     "kana_key",      "sex",              "birth_date",
    "age",           "postal_code",   "address",          "municipality_code",
    "residence_confidence", "phone",  "phone_key",        "occupation",
    "notified_on",   "onset_on",      "diagnosed_on",     "reporting_facility",
    "health_center", "severity",      "care_status",      "care_start_on",
    "consent_share", "flags",         "raw_json",         "extra_json",
    "content_hash",  "created_batch", "updated_batch",    "published_on",
    "age_band",      "press_json",    "external_id"};

const std::string& PatientSelectList() {
  static const std::string list = [] {
    std::string out = "id";
    for (const char* column : kPatientColumns) out += std::string(", ") + column;
    return out;
  }();
  return list;
}

std::string Placeholders(int first, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    if (i > 0) out += ", ";
    out += "$" + std::to_string(first + i);
  }
  return out;
}

// Adds the data columns as parameters, in kPatientColumns order.
void AddPatient(PgParams& params, const PatientRecord& p) {
  params.Add(p.hersys_id)
      .AddText(p.name)
      .AddText(p.name_key)
      .AddText(p.name_folded)
      .Add(p.name_kana)
      .Add(p.kana_key)
      .Add(p.sex)
      .Add(p.birth_date)
      .Add(p.age)
      .Add(p.postal_code)
      .Add(p.address)
      .Add(p.municipality_code)
      .Add(p.residence_confidence)
      .Add(p.phone)
      .Add(p.phone_key)
      .Add(p.occupation)
      .Add(p.notified_on)
      .Add(p.onset_on)
      .Add(p.diagnosed_on)
      .Add(p.reporting_facility)
      .Add(p.health_center)
      .Add(p.severity)
      .Add(p.care_status)
      .Add(p.care_start_on)
      .Add(p.consent_share)
      .Add(p.flags)
      .AddText(p.raw_json)
      .Add(p.extra_json)
      .AddText(p.content_hash)
      .Add(p.created_batch)
      .Add(p.updated_batch)
      .Add(p.published_on)
      .Add(p.age_band)
      .Add(p.press_json)
      .Add(p.external_id);
}

PatientRecord ReadPatient(const PgResult& r, int row) {
  PatientRecord p;
  int i = 0;
  p.id = r.Int(row, i++);
  p.hersys_id = r.Text(row, i++);
  p.name = r.Text(row, i++);
  p.name_key = r.Text(row, i++);
  p.name_folded = r.Text(row, i++);
  p.name_kana = r.Text(row, i++);
  p.kana_key = r.Text(row, i++);
  p.sex = r.Text(row, i++);
  p.birth_date = r.Text(row, i++);
  p.age = r.OptInt(row, i++);
  p.postal_code = r.Text(row, i++);
  p.address = r.Text(row, i++);
  p.municipality_code = r.Text(row, i++);
  p.residence_confidence = r.Text(row, i++);
  p.phone = r.Text(row, i++);
  p.phone_key = r.Text(row, i++);
  p.occupation = r.Text(row, i++);
  p.notified_on = r.Text(row, i++);
  p.onset_on = r.Text(row, i++);
  p.diagnosed_on = r.Text(row, i++);
  p.reporting_facility = r.Text(row, i++);
  p.health_center = r.Text(row, i++);
  p.severity = r.Text(row, i++);
  p.care_status = r.Text(row, i++);
  p.care_start_on = r.Text(row, i++);
  if (!r.IsNull(row, i)) p.consent_share = r.Int(row, i) != 0;
  ++i;
  p.flags = r.Text(row, i++);
  p.raw_json = r.Text(row, i++);
  p.extra_json = r.Text(row, i++);
  p.content_hash = r.Text(row, i++);
  p.created_batch = r.Int(row, i++);
  p.updated_batch = r.Int(row, i++);
  p.published_on = r.Text(row, i++);
  p.age_band = r.Text(row, i++);
  p.press_json = r.Text(row, i++);
  p.external_id = r.Text(row, i++);
  return p;
}

core::Result<std::optional<PatientRecord>> QueryOnePatient(PgConn& conn, const char* where,
                                                           const PgParams& params) {
  ASSIGN_OR_RETURN(PgResult result,
                   conn.Execute("SELECT " + PatientSelectList() + " FROM patients WHERE " + where,
                                params));
  if (result.rows() == 0) return std::optional<PatientRecord>();
  return std::optional<PatientRecord>(ReadPatient(result, 0));
}

constexpr const char* kBatchColumns =
    "id, sha256, file_name, source, profile, encoding, format, bytes, rows, accepted, "
    "merged, review, rejected, started_at, finished_at, seconds";

BatchInfo ReadBatch(const PgResult& r, int row) {
  BatchInfo b;
  b.id = r.Int(row, 0);
  b.sha256 = r.Text(row, 1);
  b.file_name = r.Text(row, 2);
  b.source = r.Text(row, 3);
  b.profile = r.Text(row, 4);
  b.encoding = r.Text(row, 5);
  b.format = r.Text(row, 6);
  b.bytes = r.Int(row, 7);
  b.rows = r.Int(row, 8);
  b.accepted = r.Int(row, 9);
  b.merged = r.Int(row, 10);
  b.review = r.Int(row, 11);
  b.rejected = r.Int(row, 12);
  b.started_at = r.Text(row, 13);
  b.finished_at = r.Text(row, 14);
  b.seconds = r.Real(row, 15);
  return b;
}

core::Result<std::vector<domain::Event>> QueryEventsOf(PgConn& conn, int64_t patient_id) {
  PgParams params;
  params.Add(patient_id);
  ASSIGN_OR_RETURN(PgResult result,
                   conn.Execute(std::string("SELECT ") + kPgEventColumns +
                                    " FROM events WHERE patient_id = $1 ORDER BY id",
                                params));
  std::vector<domain::Event> events;
  events.reserve(static_cast<size_t>(result.rows()));
  for (int r = 0; r < result.rows(); ++r) {
    ASSIGN_OR_RETURN(domain::Event event, ReadPgEvent(result, r));
    events.push_back(std::move(event));
  }
  return events;
}

void AddOptDate(PgParams& params, const std::optional<core::Date>& date) {
  if (date) {
    params.Add(static_cast<int64_t>(date->days()));
  } else {
    params.AddNull();
  }
}

void AddId(PgParams& params, int64_t id) {
  if (id != 0) {
    params.Add(id);
  } else {
    params.AddNull();
  }
}

constexpr const char* kReviewColumns =
    "id, batch_id, line, kind, reason_ja, reason_en, row_json, candidate_patient_id, status, "
    "candidates_json, decided_by, decided_at, decision_reason, linked_patient_id";

ReviewItem ReadReviewItem(const PgResult& r, int row) {
  ReviewItem item;
  item.id = r.Int(row, 0);
  item.batch_id = r.Int(row, 1);
  item.line = r.Int(row, 2);
  item.kind = r.Text(row, 3);
  item.reason_ja = r.Text(row, 4);
  item.reason_en = r.Text(row, 5);
  item.row_json = r.Text(row, 6);
  item.candidate_patient_id = r.Int(row, 7);
  item.status = r.Text(row, 8);
  item.candidates_json = r.Text(row, 9);
  item.decided_by = r.Text(row, 10);
  item.decided_at = r.Text(row, 11);
  item.decision_reason = r.Text(row, 12);
  item.linked_patient_id = r.Int(row, 13);
  return item;
}

std::string JoinIds(const std::vector<int64_t>& ids) {
  std::string out;
  for (int64_t id : ids) {
    if (!out.empty()) out += ',';
    out += std::to_string(id);
  }
  return out;
}

std::vector<int64_t> SplitIds(std::string_view text) {
  std::vector<int64_t> ids;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    int64_t id = 0;
    if (std::from_chars(text.data() + start, text.data() + end, id).ec == std::errc()) {
      ids.push_back(id);
    }
    start = end + 1;
  }
  return ids;
}

constexpr const char* kMergeColumns =
    "m.id, m.action, m.survivor_id, m.merged_id, COALESCE(m.undoes, 0), m.decided_by, m.reason, "
    "m.decided_at, m.survivor_event_ids, m.merged_event_ids, "
    "CASE WHEN EXISTS (SELECT 1 FROM patient_merges u WHERE u.undoes = m.id) THEN 1 ELSE 0 END";

MergeDecision ReadMerge(const PgResult& r, int row) {
  MergeDecision d;
  d.id = r.Int(row, 0);
  d.action = r.Text(row, 1);
  d.survivor_id = r.Int(row, 2);
  d.merged_id = r.Int(row, 3);
  d.undoes = r.Int(row, 4);
  d.decided_by = r.Text(row, 5);
  d.reason = r.Text(row, 6);
  d.decided_at = r.Text(row, 7);
  d.survivor_event_ids = SplitIds(r.View(row, 8));
  d.merged_event_ids = SplitIds(r.View(row, 9));
  d.undone = r.Int(row, 10) != 0;
  return d;
}

// The event columns an insert names, in the order AddEventParams adds them.
constexpr const char* kEventInsertColumns =
    "patient_id, type, effective_on, received_at, source, batch_id, line, facility, "
    "residence_code, onset_on, diagnosed_on, extended_until, care_status, symptomatic, "
    "supersedes, cancels, dedupe_key";

void AddEventParams(PgParams& params, int64_t patient_id, const domain::Event& event,
                    const std::string& dedupe_key) {
  params.Add(patient_id)
      .AddText(domain::EventTypeNameEn(event.type))
      .Add(static_cast<int64_t>(event.effective_on.days()))
      .Add(event.received_at)
      .AddText(event.source)
      .Add(event.batch_id)
      .Add(static_cast<int64_t>(event.line))
      .Add(event.facility)
      .Add(event.residence_code);
  AddOptDate(params, event.onset_on);
  AddOptDate(params, event.diagnosed_on);
  AddOptDate(params, event.extended_until);
  if (event.care_status) {
    params.AddText(domain::CareStatusNameEn(*event.care_status));
  } else {
    params.AddNull();
  }
  params.Add(event.symptomatic);
  AddId(params, event.supersedes);
  params.Add(static_cast<int64_t>(event.cancels ? 1 : 0)).AddText(dedupe_key);
}

// The writer of one batch. Invariant 2 of postgres_store.h, and:
//  - Write-behind. A patient inserted by this batch, and the events of such
//    a patient, are kept in memory with ids drawn ahead from the tables'
//    sequences, and sent with COPY in chunks — together with the batch rows —
//    instead of one round trip each. Everything the batch reads is answered
//    as if they were stored: FindPatientBy… and EventsOf look in the buffer
//    first, dedupe of a buffered patient's events is decided in memory, and
//    anything that reads through SQL (review items, decisions, the Store's
//    own reads on this connection) flushes first; FindCandidates reads only
//    the patients table, so it flushes only when patients are buffered.
//  - Prefetch. The importer names the HER-SYS IDs of each chunk of rows
//    before applying it; the stored patients among them and all their events
//    (with dedupe keys) are read in one query each. Until the next chunk,
//    lookups, EventsOf and the dedupe of AddEvent for those patients are
//    answered from memory, and their new events are buffered like a new
//    patient's (a wave-peak day's 120,000 updates are 120,000 stored
//    patients: one round trip per row and event before). A stored patient
//    the chunk did not name (an ID-less row linked by evidence) has its
//    events read on its first AddEvent and joins the cache (at most
//    kMaxPrefetched patients). UpdatePatient sends the change at once and
//    drops the cached record.
//  - Uniqueness of HER-SYS and external ids is checked before buffering (a
//    key this batch already looked up and found absent needs no round trip:
//    the writer lock keeps other writers out), so InsertPatient still answers
//    kAlreadyExists at once.
class PostgresBatchWriter final : public BatchWriter, public PgPendingWrites {
 public:
  static core::Result<std::unique_ptr<PostgresBatchWriter>> Begin(PgConn& conn,
                                                                  PgPendingWrites** slot,
                                                                  const BatchInfo& info) {
    ASSIGN_OR_RETURN(auto writer, BeginTransaction(conn, slot));
    PgParams params;
    params.AddText(info.sha256)
        .AddText(info.file_name)
        .AddText(info.source)
        .AddText(info.profile)
        .AddText(info.encoding)
        .AddText(info.format)
        .Add(info.bytes)
        .AddText(info.started_at);
    auto inserted = conn.Execute(
        "INSERT INTO batches (sha256, file_name, source, profile, encoding, format, bytes, "
        "started_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        params);
    if (!inserted) {
      if (inserted.error().code == core::Code::kAlreadyExists) {
        return core::Fail(core::Code::kAlreadyExists, "同じファイルは取込済みです",
                          "this file was imported already", info.sha256);
      }
      return std::unexpected(inserted.error());
    }
    writer->batch_id_ = inserted->Int(0, 0);
    RETURN_IF_ERROR(writer->MaybeLoadKnownKeys(info));
    return writer;
  }

  // A decision on rows of an existing batch: no batch row of its own.
  static core::Result<std::unique_ptr<PostgresBatchWriter>> BeginForDecision(
      PgConn& conn, PgPendingWrites** slot, int64_t batch_id) {
    ASSIGN_OR_RETURN(auto writer, BeginTransaction(conn, slot));
    writer->batch_id_ = batch_id;
    writer->decision_only_ = true;
    return writer;
  }

  ~PostgresBatchWriter() override {
    if (slot_ != nullptr && *slot_ == this) *slot_ = nullptr;
    if (!committed_) (void)conn_.Exec("ROLLBACK");
  }

  int64_t batch_id() const override { return batch_id_; }

  core::Result<std::optional<PatientRecord>> FindPatientByHersysId(
      const std::string& hersys_id) override {
    if (auto id = prefetched_ids_.find(hersys_id); id != prefetched_ids_.end()) {
      const std::optional<PatientRecord>& record = prefetched_.at(id->second).record;
      if (record) return record;
    }
    return FindByKey(hersys_id, pending_by_hersys_, absent_hersys_, known_hersys_,
                     "hersys_id = $1");
  }

  core::Result<std::optional<PatientRecord>> FindPatientByExternalId(
      const std::string& external_id) override {
    return FindByKey(external_id, pending_by_external_, absent_external_, known_external_,
                     "external_id = $1");
  }

  // Reads the stored patients of the next rows, and their events, in one
  // query each (see the class comment).
  core::Status Prefetch(std::span<const std::string> hersys_ids) override {
    if (decision_only_) return core::Ok();
    // Buffered events of prefetched patients are stored before the cache is
    // replaced: once a patient leaves it, AddEvent asks the table.
    if (prefetched_pending_events_ > 0) RETURN_IF_ERROR(FlushAll());
    prefetched_ids_.clear();
    prefetched_.clear();
    std::vector<std::string> asked;
    for (const std::string& key : hersys_ids) {
      if (key.empty() || pending_by_hersys_.contains(key) || absent_hersys_.contains(key)) continue;
      if (keys_known_ && !known_hersys_.contains(key)) continue;
      asked.push_back(key);
    }
    if (asked.empty()) return core::Ok();
    PgParams keys;
    keys.AddTextArray(asked);
    ASSIGN_OR_RETURN(PgResult patients,
                     conn_.Execute("SELECT " + PatientSelectList() +
                                       " FROM patients WHERE hersys_id = ANY($1::text[])",
                                   keys));
    std::vector<int64_t> ids;
    for (int r = 0; r < patients.rows(); ++r) {
      PatientRecord record = ReadPatient(patients, r);
      ids.push_back(record.id);
      prefetched_ids_[record.hersys_id] = record.id;
      prefetched_[record.id].record = std::move(record);
    }
    for (const std::string& key : asked) {
      if (!prefetched_ids_.contains(key) && absent_hersys_.size() < kMaxAbsentKeys) {
        absent_hersys_.insert(key);
      }
    }
    if (ids.empty()) return core::Ok();
    return LoadStoredEvents(ids);
  }

  core::Result<int64_t> InsertPatient(PatientRecord& patient) override {
    RETURN_IF_ERROR(CheckKeyIsFree(patient.hersys_id, pending_by_hersys_, absent_hersys_,
                                   known_hersys_, "hersys_id = $1"));
    RETURN_IF_ERROR(CheckKeyIsFree(patient.external_id, pending_by_external_, absent_external_,
                                   known_external_, "external_id = $1"));
    ASSIGN_OR_RETURN(patient.id, NextId(patient_ids_, "patients_id_seq"));
    if (decision_only_) decision_patients_.insert(patient.id);
    if (!patient.hersys_id.empty()) {
      absent_hersys_.erase(patient.hersys_id);
      pending_by_hersys_[patient.hersys_id] = patient.id;
    }
    if (!patient.external_id.empty()) {
      absent_external_.erase(patient.external_id);
      pending_by_external_[patient.external_id] = patient.id;
    }
    pending_patients_.emplace(patient.id, patient);
    pending_patient_order_.push_back(patient.id);
    if (pending_patient_order_.size() >= kRowsPerCopy) RETURN_IF_ERROR(FlushAll());
    return patient.id;
  }

  core::Status UpdatePatient(const PatientRecord& patient) override {
    if (decision_only_) decision_patients_.insert(patient.id);
    auto pending = pending_patients_.find(patient.id);
    if (pending != pending_patients_.end()) {
      if (pending->second.hersys_id == patient.hersys_id &&
          pending->second.external_id == patient.external_id) {
        pending->second = patient;
        return core::Ok();
      }
      // A key changes: let the database check it.
      RETURN_IF_ERROR(FlushAll());
    }
    if (auto cached = prefetched_.find(patient.id); cached != prefetched_.end()) {
      // The record is read from the table from now on; the events stay.
      if (cached->second.record) prefetched_ids_.erase(cached->second.record->hersys_id);
      cached->second.record.reset();
    }
    PgParams params;
    AddPatient(params, patient);
    params.Add(patient.id);
    ASSIGN_OR_RETURN(PgResult updated, conn_.Execute(UpdatePatientSql(), params));
    (void)updated;
    if (!patient.hersys_id.empty()) {
      absent_hersys_.erase(patient.hersys_id);
      if (keys_known_) known_hersys_.insert(patient.hersys_id);
    }
    if (!patient.external_id.empty()) {
      absent_external_.erase(patient.external_id);
      if (keys_known_) known_external_.insert(patient.external_id);
    }
    return core::Ok();
  }

  // Rows are only written, never read back within the batch.
  core::Status AddRow(const RowRecord& row) override {
    PgParams params;
    params.Add(batch_id_).Add(row.line).AddText(OutcomeName(row.outcome));
    AddId(params, row.patient_id);
    params.Add(row.hersys_id).Add(row.reason_code).Add(row.reason_ja).Add(row.reason_en).Add(
        row.raw_text);
    params.AppendCopyLine(rows_copy_);
    if (++rows_buffered_ >= kRowsPerCopy) return FlushAll();
    return core::Ok();
  }

  core::Result<int64_t> AddReviewItem(const ReviewItem& item) override {
    RETURN_IF_ERROR(FlushAll());  // the item may name a buffered patient
    PgParams params;
    params.Add(batch_id_)
        .Add(item.line)
        .AddText(item.kind)
        .AddText(item.reason_ja)
        .AddText(item.reason_en)
        .AddText(item.row_json);
    AddId(params, item.candidate_patient_id);
    params.Add(item.candidates_json);
    ASSIGN_OR_RETURN(PgResult inserted,
                     conn_.Execute("INSERT INTO review_items (batch_id, line, kind, reason_ja, "
                                   "reason_en, row_json, candidate_patient_id, candidates_json) "
                                   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                                   params));
    return inserted.Int(0, 0);
  }

  core::Result<bool> AddEvent(int64_t patient_id, domain::Event& event,
                              const std::string& dedupe_key) override {
    if (decision_only_) decision_patients_.insert(patient_id);
    event.batch_id = batch_id_;
    if (pending_patients_.contains(patient_id)) {
      // A patient new in this batch has no stored events: dedupe in memory.
      std::vector<size_t>& mine = pending_events_of_[patient_id];
      for (size_t index : mine) {
        if (pending_events_[index].dedupe_key == dedupe_key) {
          event.id = 0;
          return false;
        }
      }
      ASSIGN_OR_RETURN(event.id, NextId(event_ids_, "events_id_seq"));
      mine.push_back(pending_events_.size());
      pending_events_.push_back({patient_id, event, dedupe_key});
      return true;
    }
    if (!decision_only_ && !prefetched_.contains(patient_id)) {
      // A stored patient the chunk did not name (an ID-less row linked by
      // evidence): its events are read once, as a prefetch would have.
      if (prefetched_.size() >= kMaxPrefetched) {
        if (prefetched_pending_events_ > 0) RETURN_IF_ERROR(FlushAll());
        prefetched_ids_.clear();
        prefetched_.clear();
      }
      const std::vector<int64_t> one = {patient_id};
      RETURN_IF_ERROR(LoadStoredEvents(one));
    }
    if (auto cached = prefetched_.find(patient_id); cached != prefetched_.end()) {
      // A prefetched patient: its stored dedupe keys are known (the writer
      // lock keeps other writers out), so the event is buffered too.
      if (!cached->second.dedupe_keys.insert(dedupe_key).second) {
        event.id = 0;
        return false;
      }
      ASSIGN_OR_RETURN(event.id, NextId(event_ids_, "events_id_seq"));
      cached->second.events.push_back(event);
      pending_events_.push_back({patient_id, event, dedupe_key});
      ++prefetched_pending_events_;
      return true;
    }
    PgParams params;
    AddEventParams(params, patient_id, event, dedupe_key);
    ASSIGN_OR_RETURN(
        PgResult inserted,
        conn_.Execute("INSERT INTO events (" + std::string(kEventInsertColumns) + ") VALUES (" +
                          Placeholders(1, 17) +
                          ") ON CONFLICT (patient_id, dedupe_key) DO NOTHING RETURNING id",
                      params));
    if (inserted.rows() == 0) {
      event.id = 0;
      return false;
    }
    event.id = inserted.Int(0, 0);
    return true;
  }

  core::Result<std::vector<domain::Event>> EventsOf(int64_t patient_id) override {
    if (pending_patients_.contains(patient_id)) {
      std::vector<domain::Event> events;
      for (size_t index : pending_events_of_[patient_id]) {
        events.push_back(pending_events_[index].event);
      }
      return events;
    }
    if (auto cached = prefetched_.find(patient_id); cached != prefetched_.end()) {
      return cached->second.events;
    }
    return QueryEventsOf(conn_, patient_id);
  }

  // Candidates are read from the patients table only: buffered patients are
  // sent first (with their events, whose dedupe is decided in the buffer);
  // buffered rows and a prefetched patient's events can wait.
  core::Result<CandidateSet> FindCandidates(const CandidateQuery& query) override {
    if (!pending_patient_order_.empty()) RETURN_IF_ERROR(FlushAll());
    return QueryPgCandidates(conn_, query);
  }

  // No flush: a frequency need not wait for the buffered patients.
  core::Result<int64_t> CountNamePrefix(std::string_view prefix) override {
    return CountPgNamePrefix(conn_, prefix);
  }

  // No flush either: merges are never among the buffered writes.
  core::Result<std::optional<PatientRecord>> SurvivorOf(int64_t patient_id) override {
    if (!survivors_) {
      survivors_.emplace();
      ASSIGN_OR_RETURN(PgResult standing, conn_.Execute(std::string(kStandingMergesSql)));
      for (int r = 0; r < standing.rows(); ++r) {
        PatientRecord& survivor = (*survivors_)[standing.Int(r, 0)];
        survivor.id = standing.Int(r, 1);
        survivor.hersys_id = standing.Text(r, 2);
      }
    }
    auto it = survivors_->find(patient_id);
    if (it == survivors_->end()) return std::nullopt;
    return it->second;
  }

  core::Status RecordDecision(const ReviewDecision& decision) override {
    RETURN_IF_ERROR(FlushAll());
    std::string ids;
    for (int64_t id : decision.event_ids) {
      if (!ids.empty()) ids += ',';
      ids += std::to_string(id);
    }
    PgParams record;
    record.Add(decision.item_id).AddText(decision.status);
    AddId(record, decision.patient_id);
    record.AddText(decision.decided_by).AddText(decision.reason).AddText(ids);
    ASSIGN_OR_RETURN(PgResult recorded,
                     conn_.Execute("INSERT INTO review_decisions (item_id, status, patient_id, "
                                   "decided_by, reason, event_ids) VALUES ($1, $2, $3, $4, $5, $6)",
                                   record));
    (void)recorded;
    PgParams update;
    update.AddText(decision.status).AddText(decision.decided_by).AddText(decision.reason);
    AddId(update, decision.status == "linked" ? decision.patient_id : 0);
    update.Add(decision.item_id);
    ASSIGN_OR_RETURN(
        PgResult updated,
        conn_.Execute("UPDATE review_items SET status = $1, decided_by = $2, "
                      "decided_at = to_char(now() AT TIME ZONE 'UTC', "
                      "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), decision_reason = $3, "
                      "linked_patient_id = $4 WHERE id = $5",
                      update));
    if (updated.Affected() == 0) {
      return core::Fail(core::Code::kNotFound, "その確認項目はありません", "no such review item",
                        std::to_string(decision.item_id));
    }
    return core::Ok();
  }

  core::Result<int64_t> RecordMerge(const MergeDecision& decision) override {
    if (!decision_only_) {
      return core::Fail(core::Code::kFailedPrecondition, "統合は取込の中では記録できません",
                        "a merge is recorded in a decision, not in an import");
    }
    RETURN_IF_ERROR(FlushAll());  // the decision names patients and events of this writer
    PgParams params;
    params.AddText(decision.action).Add(decision.survivor_id).Add(decision.merged_id);
    AddId(params, decision.undoes);
    params.AddText(decision.decided_by)
        .AddText(decision.reason)
        .AddText(JoinIds(decision.survivor_event_ids))
        .AddText(JoinIds(decision.merged_event_ids));
    auto stored = conn_.Execute(
        "INSERT INTO patient_merges (action, survivor_id, merged_id, undoes, decided_by, reason, "
        "survivor_event_ids, merged_event_ids) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "RETURNING id",
        params);
    if (!stored) {
      if (stored.error().code == core::Code::kAlreadyExists) {
        return core::Fail(core::Code::kFailedPrecondition, "この統合は取り消し済みです",
                          "this merge was undone already", std::to_string(decision.undoes));
      }
      return std::unexpected(stored.error());
    }
    return stored->Int(0, 0);
  }

  core::Status Commit(const BatchInfo& info) override {
    RETURN_IF_ERROR(FlushAll());
    if (decision_only_ && !decision_patients_.empty()) {
      // The figures' update learns which patients a decision wrote to
      // (stats_store.h PatientsOfDecisions).
      std::vector<int64_t> ids(decision_patients_.begin(), decision_patients_.end());
      PgParams params;
      params.AddIdArray(ids);
      ASSIGN_OR_RETURN(PgResult marked,
                       conn_.Execute("INSERT INTO decision_patients (patient_id) "
                                     "SELECT unnest($1::bigint[])",
                                     params));
      (void)marked;
    }
    if (!decision_only_) {
      PgParams params;
      params.Add(info.rows)
          .Add(info.accepted)
          .Add(info.merged)
          .Add(info.review)
          .Add(info.rejected)
          .AddText(info.finished_at)
          .Add(info.seconds)
          .AddText(info.encoding)
          .AddText(info.profile)
          .Add(batch_id_);
      ASSIGN_OR_RETURN(PgResult finished,
                       conn_.Execute("UPDATE batches SET rows = $1, accepted = $2, merged = $3, "
                                     "review = $4, rejected = $5, finished_at = $6, "
                                     "seconds = $7, encoding = $8, profile = $9 WHERE id = $10",
                                     params));
      (void)finished;
    }
    RETURN_IF_ERROR(conn_.Exec("COMMIT"));
    committed_ = true;
    return core::Ok();
  }

  // Sends every buffered patient, event and row (in that order: the foreign
  // keys point that way).
  core::Status FlushAll() override {
    if (!pending_patient_order_.empty()) {
      std::string copy;
      for (int64_t id : pending_patient_order_) {
        PgParams params;
        params.Add(id);
        AddPatient(params, pending_patients_.at(id));
        params.AppendCopyLine(copy);
      }
      RETURN_IF_ERROR(conn_.CopyIn("COPY patients (id, " + PatientColumnList() + ") FROM STDIN",
                                   copy));
    }
    if (!pending_events_.empty()) {
      std::string copy;
      for (const PendingEvent& pending : pending_events_) {
        PgParams params;
        params.Add(pending.event.id);
        AddEventParams(params, pending.patient_id, pending.event, pending.dedupe_key);
        params.AppendCopyLine(copy);
      }
      RETURN_IF_ERROR(conn_.CopyIn(
          "COPY events (id, " + std::string(kEventInsertColumns) + ") FROM STDIN", copy));
    }
    if (keys_known_) {
      for (const auto& [key, id] : pending_by_hersys_) known_hersys_.insert(key);
      for (const auto& [key, id] : pending_by_external_) known_external_.insert(key);
    }
    pending_patients_.clear();
    pending_patient_order_.clear();
    pending_by_hersys_.clear();
    pending_by_external_.clear();
    pending_events_.clear();
    pending_events_of_.clear();
    prefetched_pending_events_ = 0;
    if (rows_buffered_ > 0) {
      RETURN_IF_ERROR(conn_.CopyIn(
          "COPY batch_rows (batch_id, line, outcome, patient_id, hersys_id, reason_code, "
          "reason_ja, reason_en, raw_text) FROM STDIN",
          rows_copy_));
      rows_copy_.clear();
      rows_buffered_ = 0;
    }
    return core::Ok();
  }

 private:
  struct PendingEvent {
    int64_t patient_id;
    domain::Event event;
    std::string dedupe_key;
  };

  // Ids drawn ahead from a sequence, used in order.
  struct IdBlock {
    std::vector<int64_t> ids;
    size_t next = 0;
  };

  PostgresBatchWriter(PgConn& conn, PgPendingWrites** slot) : conn_(conn), slot_(slot) {}

  static core::Result<std::unique_ptr<PostgresBatchWriter>> BeginTransaction(
      PgConn& conn, PgPendingWrites** slot) {
    if (conn.InTransaction()) {
      return core::Fail(core::Code::kFailedPrecondition, "別の取込が進行中です",
                        "another batch is open on this store", "PostgresStore");
    }
    RETURN_IF_ERROR(conn.Exec("BEGIN"));
    // From here on the destructor rolls back whatever fails.
    std::unique_ptr<PostgresBatchWriter> writer(new PostgresBatchWriter(conn, slot));
    PgParams lock;
    lock.Add(kWriterLock);
    ASSIGN_OR_RETURN(PgResult locked, conn.Execute("SELECT pg_advisory_xact_lock($1)", lock));
    (void)locked;
    *slot = writer.get();
    return writer;
  }

  // A large batch (a first load, a migration, a wave-peak day) looks up
  // mostly keys that are not stored. Reading every stored key once (one
  // query, ~50 MB for a million patients) answers those lookups without a
  // round trip each; the writer lock keeps the set exact until commit.
  core::Status MaybeLoadKnownKeys(const BatchInfo& info) {
    constexpr int64_t kMinBytes = 1 << 20;
    if (info.bytes < kMinBytes) return core::Ok();
    RETURN_IF_ERROR(conn_.ForEachChunk(
        "SELECT hersys_id, external_id FROM patients WHERE hersys_id IS NOT NULL OR "
        "external_id IS NOT NULL",
        {}, kFetchRows, [&](const PgResult& chunk) -> core::Status {
          for (int r = 0; r < chunk.rows(); ++r) {
            if (!chunk.IsNull(r, 0)) known_hersys_.insert(chunk.Text(r, 0));
            if (!chunk.IsNull(r, 1)) known_external_.insert(chunk.Text(r, 1));
          }
          return core::Ok();
        }));
    keys_known_ = true;
    return core::Ok();
  }

  core::Result<int64_t> NextId(IdBlock& block, const char* sequence) {
    if (block.next == block.ids.size()) {
      PgParams params;
      params.Add(static_cast<int64_t>(kIdsPerDraw));
      ASSIGN_OR_RETURN(PgResult drawn,
                       conn_.Execute(std::string("SELECT nextval('") + sequence +
                                         "') FROM generate_series(1, $1)",
                                     params));
      block.ids.clear();
      block.next = 0;
      for (int r = 0; r < drawn.rows(); ++r) block.ids.push_back(drawn.Int(r, 0));
      std::sort(block.ids.begin(), block.ids.end());
    }
    return block.ids[block.next++];
  }

  core::Result<std::optional<PatientRecord>> FindByKey(
      const std::string& key, const std::unordered_map<std::string, int64_t>& pending,
      std::unordered_set<std::string>& absent, const std::unordered_set<std::string>& known,
      const char* where) {
    if (auto found = pending.find(key); found != pending.end()) {
      return std::optional<PatientRecord>(pending_patients_.at(found->second));
    }
    if (absent.contains(key)) return std::optional<PatientRecord>();
    if (keys_known_ && !known.contains(key)) return std::optional<PatientRecord>();
    PgParams params;
    params.AddText(key);
    ASSIGN_OR_RETURN(std::optional<PatientRecord> stored, QueryOnePatient(conn_, where, params));
    if (!stored && absent.size() < kMaxAbsentKeys) absent.insert(key);
    return stored;
  }

  core::Status CheckKeyIsFree(const std::string& key,
                              const std::unordered_map<std::string, int64_t>& pending,
                              std::unordered_set<std::string>& absent,
                              const std::unordered_set<std::string>& known, const char* where) {
    if (key.empty()) return core::Ok();
    ASSIGN_OR_RETURN(std::optional<PatientRecord> existing,
                     FindByKey(key, pending, absent, known, where));
    if (existing) {
      return core::Fail(core::Code::kAlreadyExists, "データベースの操作に失敗しました",
                        "database operation failed",
                        "SQLSTATE 23505: duplicate key value violates unique constraint (" +
                            std::string(where) + ": " + key + ")");
    }
    return core::Ok();
  }

  static const std::string& PatientColumnList() {
    static const std::string list = [] {
      std::string columns;
      for (const char* column : kPatientColumns) {
        if (!columns.empty()) columns += ", ";
        columns += column;
      }
      return columns;
    }();
    return list;
  }

  static const std::string& UpdatePatientSql() {
    static const std::string sql = [] {
      std::string assignments;
      int i = 1;
      for (const char* column : kPatientColumns) {
        if (!assignments.empty()) assignments += ", ";
        assignments += std::string(column) + " = $" + std::to_string(i++);
      }
      return "UPDATE patients SET " + assignments + " WHERE id = $" + std::to_string(i);
    }();
    return sql;
  }

  // Every stored event (with its dedupe key) of these stored patients, into
  // their prefetch entries (made for patients without events too).
  core::Status LoadStoredEvents(const std::vector<int64_t>& ids) {
    PgParams patient_ids;
    patient_ids.AddIdArray(ids);
    ASSIGN_OR_RETURN(PgResult events,
                     conn_.Execute(std::string("SELECT ") + kPgEventColumns +
                                       ", dedupe_key FROM events WHERE patient_id = "
                                       "ANY($1::bigint[]) ORDER BY patient_id, id",
                                   patient_ids));
    for (int64_t id : ids) prefetched_[id];
    for (int r = 0; r < events.rows(); ++r) {
      ASSIGN_OR_RETURN(domain::Event event, ReadPgEvent(events, r));
      Prefetched& entry = prefetched_.at(events.Int(r, 1));
      entry.dedupe_keys.insert(events.Text(r, 17));
      entry.events.push_back(std::move(event));
    }
    return core::Ok();
  }

  // Ids drawn per round trip, and the bound on the remembered absent keys.
  static constexpr int kIdsPerDraw = 1000;
  // The most stored patients kept in the prefetch cache at once.
  static constexpr size_t kMaxPrefetched = 20000;
  static constexpr size_t kMaxAbsentKeys = 1 << 20;

  PgConn& conn_;
  // Merged-away patient id → survivor, read on the first SurvivorOf.
  std::optional<std::unordered_map<int64_t, PatientRecord>> survivors_;
  PgPendingWrites** slot_;  // the store's pointer to its open writer
  int64_t batch_id_ = 0;
  bool committed_ = false;
  bool decision_only_ = false;
  std::set<int64_t> decision_patients_;  // written to by this decision
  IdBlock patient_ids_;
  IdBlock event_ids_;
  std::unordered_map<int64_t, PatientRecord> pending_patients_;  // by id
  std::vector<int64_t> pending_patient_order_;
  std::unordered_map<std::string, int64_t> pending_by_hersys_;
  std::unordered_map<std::string, int64_t> pending_by_external_;
  std::unordered_set<std::string> absent_hersys_;    // looked up in this batch, not stored
  std::unordered_set<std::string> absent_external_;
  // Every stored key, when loaded (MaybeLoadKnownKeys): a key outside them
  // and outside the buffer is not stored.
  bool keys_known_ = false;
  std::unordered_set<std::string> known_hersys_;
  std::unordered_set<std::string> known_external_;
  std::vector<PendingEvent> pending_events_;
  std::unordered_map<int64_t, std::vector<size_t>> pending_events_of_;  // patient → indexes
  // Stored patients of the current chunk of rows (Prefetch): the record
  // (until UpdatePatient changes it) and every event with its dedupe key.
  struct Prefetched {
    std::optional<PatientRecord> record;
    std::vector<domain::Event> events;
    std::unordered_set<std::string> dedupe_keys;
  };
  std::unordered_map<std::string, int64_t> prefetched_ids_;  // HER-SYS ID → patient id
  std::unordered_map<int64_t, Prefetched> prefetched_;
  size_t prefetched_pending_events_ = 0;  // buffered events of prefetched patients
  std::string rows_copy_;  // batch_rows not yet sent, in COPY text format
  size_t rows_buffered_ = 0;
};

}  // namespace

PostgresStore::PostgresStore(std::unique_ptr<PgConn> conn) : conn_(std::move(conn)) {}
PostgresStore::~PostgresStore() = default;

core::Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& conninfo) {
  ASSIGN_OR_RETURN(std::unique_ptr<PgConn> conn, PgConn::Connect(conninfo));
  RETURN_IF_ERROR(ApplyPostgresMigrations(*conn, PostgresMigrations()));
  return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(conn)));
}

core::Status PostgresStore::FlushOpenWriter() {
  return open_writer_ == nullptr ? core::Ok() : open_writer_->FlushAll();
}

core::Result<int> PostgresStore::SchemaVersion() {
  // The core track's version (other tracks number from 1000).
  ASSIGN_OR_RETURN(PgResult result,
                   conn_->Execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations "
                                  "WHERE version < 1000"));
  return result.rows() > 0 ? static_cast<int>(result.Int(0, 0)) : 0;
}

core::Result<std::unique_ptr<BatchWriter>> PostgresStore::BeginBatch(const BatchInfo& info) {
  ASSIGN_OR_RETURN(auto writer, PostgresBatchWriter::Begin(*conn_, &open_writer_, info));
  return std::unique_ptr<BatchWriter>(std::move(writer));
}

core::Result<std::optional<BatchInfo>> PostgresStore::FindBatchBySha256(
    const std::string& sha256) {
  RETURN_IF_ERROR(FlushOpenWriter());
  PgParams params;
  params.AddText(sha256);
  ASSIGN_OR_RETURN(PgResult result, conn_->Execute(std::string("SELECT ") + kBatchColumns +
                                                       " FROM batches WHERE sha256 = $1",
                                                   params));
  if (result.rows() == 0) return std::optional<BatchInfo>();
  return std::optional<BatchInfo>(ReadBatch(result, 0));
}

core::Result<BatchInfo> PostgresStore::GetBatch(int64_t batch_id) {
  RETURN_IF_ERROR(FlushOpenWriter());
  PgParams params;
  params.Add(batch_id);
  ASSIGN_OR_RETURN(PgResult result, conn_->Execute(std::string("SELECT ") + kBatchColumns +
                                                       " FROM batches WHERE id = $1",
                                                   params));
  if (result.rows() == 0) {
    return core::Fail(core::Code::kNotFound, "その取込バッチはありません", "no such batch",
                      std::to_string(batch_id));
  }
  return ReadBatch(result, 0);
}

core::Result<std::vector<BatchInfo>> PostgresStore::ListBatches() {
  RETURN_IF_ERROR(FlushOpenWriter());
  ASSIGN_OR_RETURN(PgResult result, conn_->Execute(std::string("SELECT ") + kBatchColumns +
                                                   " FROM batches ORDER BY id"));
  std::vector<BatchInfo> batches;
  for (int r = 0; r < result.rows(); ++r) batches.push_back(ReadBatch(result, r));
  return batches;
}

core::Status PostgresStore::ForEachRow(int64_t batch_id, std::optional<Outcome> outcome,
                                       const std::function<core::Status(const RowRecord&)>& fn) {
  RETURN_IF_ERROR(FlushOpenWriter());
  std::string sql =
      "SELECT line, outcome, patient_id, hersys_id, reason_code, reason_ja, reason_en, "
      "raw_text FROM batch_rows WHERE batch_id = $1";
  PgParams params;
  params.Add(batch_id);
  if (outcome) {
    sql += " AND outcome = $2";
    params.AddText(OutcomeName(*outcome));
  }
  sql += " ORDER BY line";
  return conn_->ForEachChunk(sql, params, kFetchRows, [&](const PgResult& chunk) -> core::Status {
    for (int r = 0; r < chunk.rows(); ++r) {
      RowRecord row;
      row.batch_id = batch_id;
      row.line = chunk.Int(r, 0);
      ASSIGN_OR_RETURN(row.outcome, ParseOutcome(chunk.View(r, 1)));
      row.patient_id = chunk.Int(r, 2);
      row.hersys_id = chunk.Text(r, 3);
      row.reason_code = chunk.Text(r, 4);
      row.reason_ja = chunk.Text(r, 5);
      row.reason_en = chunk.Text(r, 6);
      row.raw_text = chunk.Text(r, 7);
      RETURN_IF_ERROR(fn(row));
    }
    return core::Ok();
  });
}

core::Result<std::optional<PatientRecord>> PostgresStore::GetPatient(int64_t id) {
  RETURN_IF_ERROR(FlushOpenWriter());
  PgParams params;
  params.Add(id);
  return QueryOnePatient(*conn_, "id = $1", params);
}

core::Result<std::vector<PatientRecord>> PostgresStore::GetPatients(std::span<const int64_t> ids) {
  std::vector<PatientRecord> found;
  if (ids.empty()) return found;
  RETURN_IF_ERROR(FlushOpenWriter());
  // One statement for all of them: the ids travel as one array literal.
  PgParams params;
  params.AddIdArray(ids);
  ASSIGN_OR_RETURN(PgResult result,
                   conn_->Execute("SELECT " + PatientSelectList() +
                                      " FROM patients WHERE id = ANY($1::bigint[]) ORDER BY id",
                                  params));
  found.reserve(static_cast<size_t>(result.rows()));
  for (int r = 0; r < result.rows(); ++r) found.push_back(ReadPatient(result, r));
  return found;
}

core::Result<std::optional<PatientRecord>> PostgresStore::FindPatientByHersysId(
    const std::string& hersys_id) {
  RETURN_IF_ERROR(FlushOpenWriter());
  PgParams params;
  params.AddText(hersys_id);
  return QueryOnePatient(*conn_, "hersys_id = $1", params);
}

core::Result<int64_t> PostgresStore::CountPatients() {
  RETURN_IF_ERROR(FlushOpenWriter());
  ASSIGN_OR_RETURN(PgResult result, conn_->Execute("SELECT COUNT(*) FROM patients"));
  return result.Int(0, 0);
}

core::Result<PatientPage> PostgresStore::SearchPatients(const PatientQuery& query) {
  RETURN_IF_ERROR(FlushOpenWriter());
  // Prefix matches become index range scans: [prefix, prefix + U+10FFFF),
  // on keys collated "C" (byte order, as in SQLite).
  static constexpr std::string_view kMaxCodePoint = "\xF4\x8F\xBF\xBF";
  // A merged-away patient is shown through its survivor only.
  std::string where = std::string(" WHERE ") + kPgNotMergedAway;
  PgParams params;
  int n = 0;
  auto next = [&] { return "$" + std::to_string(++n); };
  auto prefix = [&](const char* column, const std::string& value) {
    if (value.empty()) return;
    where += std::string(" AND ") + column + " >= " + next();
    where += std::string(" AND ") + column + " < " + next();
    params.AddText(value).AddText(value + std::string(kMaxCodePoint));
  };
  auto equal = [&](const char* column, const std::string& value) {
    if (value.empty()) return;
    where += std::string(" AND ") + column + " = " + next();
    params.AddText(value);
  };
  prefix("name_folded", query.name_prefix);
  prefix("kana_key", query.kana_prefix);
  equal("hersys_id", query.hersys_id);
  equal("phone_key", query.phone_key);
  equal("birth_date", query.birth_date);
  equal("care_status", query.care_status);
  equal("health_center", query.health_center);
  equal("reporting_facility", query.reporting_facility);
  if (!query.municipality_codes.empty()) {
    where += " AND municipality_code IN (";
    for (size_t i = 0; i < query.municipality_codes.size(); ++i) {
      where += (i == 0 ? "" : ", ") + next();
      params.AddText(query.municipality_codes[i]);
    }
    where += ")";
  }
  PatientPage page;
  // The count stops at kSearchCountCap, as in SQLite.
  ASSIGN_OR_RETURN(PgResult count,
                   conn_->Query("SELECT COUNT(*) FROM (SELECT 1 FROM patients" + where +
                                    " LIMIT " + std::to_string(kSearchCountCap + 1) + ") AS m",
                                params));
  page.total = count.Int(0, 0);
  page.total_capped = page.total > kSearchCountCap;
  if (page.total_capped) page.total = kSearchCountCap;
  const std::string limit = next();
  const std::string offset = next();
  params.Add(std::clamp<int64_t>(query.limit, 0, 1000)).Add(std::max<int64_t>(query.offset, 0));
  ASSIGN_OR_RETURN(PgResult rows,
                   conn_->Query("SELECT " + PatientSelectList() + " FROM patients" + where +
                                    " ORDER BY " + std::string(OrderBySql(OrderOf(query))) + " LIMIT " +
                                    limit + " OFFSET " + offset,
                                params));
  for (int r = 0; r < rows.rows(); ++r) page.patients.push_back(ReadPatient(rows, r));
  return page;
}

core::Status PostgresStore::ForEachPatient(
    const std::function<core::Status(const PatientRecord&)>& fn) {
  RETURN_IF_ERROR(FlushOpenWriter());
  return conn_->ForEachChunk("SELECT " + PatientSelectList() + " FROM patients ORDER BY id", {},
                             kFetchRows, [&](const PgResult& chunk) -> core::Status {
                               for (int r = 0; r < chunk.rows(); ++r) {
                                 RETURN_IF_ERROR(fn(ReadPatient(chunk, r)));
                               }
                               return core::Ok();
                             });
}

core::Result<std::vector<ReviewItem>> PostgresStore::ListReviewItems(const std::string& status) {
  RETURN_IF_ERROR(FlushOpenWriter());
  PgParams params;
  params.AddText(status);
  ASSIGN_OR_RETURN(PgResult result,
                   conn_->Execute(std::string("SELECT ") + kReviewColumns +
                                      " FROM review_items WHERE status = $1 ORDER BY id",
                                  params));
  std::vector<ReviewItem> items;
  for (int r = 0; r < result.rows(); ++r) items.push_back(ReadReviewItem(result, r));
  return items;
}

core::Result<ReviewItem> PostgresStore::GetReviewItem(int64_t id) {
  RETURN_IF_ERROR(FlushOpenWriter());
  PgParams params;
  params.Add(id);
  ASSIGN_OR_RETURN(PgResult result, conn_->Execute(std::string("SELECT ") + kReviewColumns +
                                                       " FROM review_items WHERE id = $1",
                                                   params));
  if (result.rows() == 0) {
    return core::Fail(core::Code::kNotFound, "その確認項目はありません", "no such review item",
                      std::to_string(id));
  }
  return ReadReviewItem(result, 0);
}

core::Result<std::vector<ReviewDecision>> PostgresStore::DecisionsOf(int64_t item_id) {
  RETURN_IF_ERROR(FlushOpenWriter());
  PgParams params;
  params.Add(item_id);
  ASSIGN_OR_RETURN(PgResult result,
                   conn_->Execute("SELECT status, patient_id, decided_by, reason, event_ids "
                                  "FROM review_decisions WHERE item_id = $1 ORDER BY id",
                                  params));
  std::vector<ReviewDecision> decisions;
  for (int r = 0; r < result.rows(); ++r) {
    ReviewDecision d;
    d.item_id = item_id;
    d.status = result.Text(r, 0);
    d.patient_id = result.Int(r, 1);
    d.decided_by = result.Text(r, 2);
    d.reason = result.Text(r, 3);
    const std::string ids = result.Text(r, 4);
    size_t start = 0;
    while (start < ids.size()) {
      size_t comma = ids.find(',', start);
      if (comma == std::string::npos) comma = ids.size();
      d.event_ids.push_back(std::stoll(ids.substr(start, comma - start)));
      start = comma + 1;
    }
    decisions.push_back(std::move(d));
  }
  return decisions;
}

core::Result<std::unique_ptr<BatchWriter>> PostgresStore::BeginDecision(int64_t batch_id) {
  ASSIGN_OR_RETURN(auto writer, PostgresBatchWriter::BeginForDecision(*conn_, &open_writer_, batch_id));
  return std::unique_ptr<BatchWriter>(std::move(writer));
}

core::Result<CandidateSet> PostgresStore::FindCandidates(const CandidateQuery& query) {
  RETURN_IF_ERROR(FlushOpenWriter());
  return QueryPgCandidates(*conn_, query);
}

core::Result<int64_t> PostgresStore::CountNamePrefix(std::string_view prefix) {
  return CountPgNamePrefix(*conn_, prefix);
}

core::Result<std::vector<domain::Event>> PostgresStore::EventsOf(int64_t patient_id) {
  RETURN_IF_ERROR(FlushOpenWriter());
  return QueryEventsOf(*conn_, patient_id);
}

core::Status PostgresStore::ForEachPatientEvents(
    const std::function<core::Status(int64_t, std::span<const domain::Event>)>& fn) {
  return ForEachPatientEventsIn(PatientIdRange{}, fn);
}

core::Status PostgresStore::ForEachPatientEventsIn(
    PatientIdRange range,
    const std::function<core::Status(int64_t, std::span<const domain::Event>)>& fn) {
  RETURN_IF_ERROR(FlushOpenWriter());
  PgParams params;
  params.Add(range.first).Add(range.end);
  std::vector<domain::Event> events;
  int64_t current = 0;
  // A patient's events may straddle two chunks: they are handed on when the
  // next patient starts, or at the end.
  RETURN_IF_ERROR(conn_->ForEachChunk(
      std::string("SELECT ") + kPgEventColumns +
          " FROM events WHERE patient_id >= $1 AND patient_id < $2 ORDER BY patient_id, id",
      params, kFetchRows, [&](const PgResult& chunk) -> core::Status {
        for (int r = 0; r < chunk.rows(); ++r) {
          const int64_t patient = chunk.Int(r, 1);
          if (patient != current) {
            if (!events.empty()) RETURN_IF_ERROR(fn(current, events));
            events.clear();
            current = patient;
          }
          ASSIGN_OR_RETURN(domain::Event event, ReadPgEvent(chunk, r));
          events.push_back(std::move(event));
        }
        return core::Ok();
      }));
  if (!events.empty()) RETURN_IF_ERROR(fn(current, events));
  return core::Ok();
}

core::Result<std::vector<MergeDecision>> PostgresStore::MergeDecisionsOf(int64_t patient_id) {
  RETURN_IF_ERROR(FlushOpenWriter());
  PgParams params;
  params.Add(patient_id);
  ASSIGN_OR_RETURN(PgResult result,
                   conn_->Execute(std::string("SELECT ") + kMergeColumns +
                                      " FROM patient_merges m WHERE m.survivor_id = $1 OR "
                                      "m.merged_id = $1 ORDER BY m.id",
                                  params));
  std::vector<MergeDecision> decisions;
  for (int r = 0; r < result.rows(); ++r) decisions.push_back(ReadMerge(result, r));
  return decisions;
}

core::Result<MergeDecision> PostgresStore::GetMergeDecision(int64_t id) {
  RETURN_IF_ERROR(FlushOpenWriter());
  PgParams params;
  params.Add(id);
  ASSIGN_OR_RETURN(PgResult result, conn_->Execute(std::string("SELECT ") + kMergeColumns +
                                                       " FROM patient_merges m WHERE m.id = $1",
                                                   params));
  if (result.rows() == 0) {
    return core::Fail(core::Code::kNotFound, "その統合の記録はありません", "no such merge decision",
                      std::to_string(id));
  }
  return ReadMerge(result, 0);
}

core::Result<int64_t> PostgresStore::MaxPatientId() {
  RETURN_IF_ERROR(FlushOpenWriter());
  ASSIGN_OR_RETURN(PgResult result, conn_->Execute("SELECT COALESCE(MAX(id), 0) FROM patients"));
  return result.Int(0, 0);
}

}  // namespace ichigen::store
