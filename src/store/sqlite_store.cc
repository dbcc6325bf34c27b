#include "store/sqlite_store.h"

#include <algorithm>
#include <array>
#include <unordered_map>
#include <tuple>
#include <cstdlib>
#include <unordered_set>

#include "store/event_pack.h"
#include "store/sqlite_events.h"
#include "store/sqlite_handle.h"

namespace ichigen::store {

namespace {

// Patient columns in one order, shared by INSERT, UPDATE and SELECT.
constexpr std::array<const char*, 37> kPatientColumns = {
    "hersys_id",     "name",          "name_key",         "name_folded",
    "name_kana",     "kana_key",      "sex",              "birth_date",
    "age",           "postal_code",   "address",          "municipality_code",
    "residence_confidence", "phone",  "phone_key",        "occupation",
    "notified_on",   "onset_on",      "diagnosed_on",     "reporting_facility",
    "health_center", "severity",      "care_status",      "care_start_on",
    "consent_share", "flags",         "raw_json",         "extra_json",
    "content_hash",  "created_batch", "updated_batch",    "published_on",
    "age_band",      "press_json",    "external_id",      "id",
    "rowid"};
constexpr size_t kPatientDataColumns = 35;  // all but id and rowid

std::string PatientSelectList() {
  std::string list = "id";
  for (size_t i = 0; i < kPatientDataColumns; ++i) {
    list += ", ";
    list += kPatientColumns[i];
  }
  return list;
}

// Binds the data columns starting at parameter 1.
void BindPatient(SqliteStmt& stmt, const PatientRecord& p) {
  int i = 1;
  stmt.Bind(i++, p.hersys_id);
  stmt.BindText(i++, p.name);
  stmt.BindText(i++, p.name_key);
  stmt.BindText(i++, p.name_folded);
  stmt.Bind(i++, p.name_kana);
  stmt.Bind(i++, p.kana_key);
  stmt.Bind(i++, p.sex);
  stmt.Bind(i++, p.birth_date);
  stmt.Bind(i++, p.age);
  stmt.Bind(i++, p.postal_code);
  stmt.Bind(i++, p.address);
  stmt.Bind(i++, p.municipality_code);
  stmt.Bind(i++, p.residence_confidence);
  stmt.Bind(i++, p.phone);
  stmt.Bind(i++, p.phone_key);
  stmt.Bind(i++, p.occupation);
  stmt.Bind(i++, p.notified_on);
  stmt.Bind(i++, p.onset_on);
  stmt.Bind(i++, p.diagnosed_on);
  stmt.Bind(i++, p.reporting_facility);
  stmt.Bind(i++, p.health_center);
  stmt.Bind(i++, p.severity);
  stmt.Bind(i++, p.care_status);
  stmt.Bind(i++, p.care_start_on);
  stmt.Bind(i++, p.consent_share);
  stmt.Bind(i++, p.flags);
  stmt.BindText(i++, p.raw_json);
  stmt.Bind(i++, p.extra_json);
  stmt.BindText(i++, p.content_hash);
  stmt.Bind(i++, p.created_batch);
  stmt.Bind(i++, p.updated_batch);
  stmt.Bind(i++, p.published_on);
  stmt.Bind(i++, p.age_band);
  stmt.Bind(i++, p.press_json);
  stmt.Bind(i++, p.external_id);
}

PatientRecord ReadPatient(const SqliteStmt& s) {
  PatientRecord p;
  int i = 0;
  p.id = s.Int(i++);
  p.hersys_id = s.Text(i++);
  p.name = s.Text(i++);
  p.name_key = s.Text(i++);
  p.name_folded = s.Text(i++);
  p.name_kana = s.Text(i++);
  p.kana_key = s.Text(i++);
  p.sex = s.Text(i++);
  p.birth_date = s.Text(i++);
  p.age = s.OptInt(i++);
  p.postal_code = s.Text(i++);
  p.address = s.Text(i++);
  p.municipality_code = s.Text(i++);
  p.residence_confidence = s.Text(i++);
  p.phone = s.Text(i++);
  p.phone_key = s.Text(i++);
  p.occupation = s.Text(i++);
  p.notified_on = s.Text(i++);
  p.onset_on = s.Text(i++);
  p.diagnosed_on = s.Text(i++);
  p.reporting_facility = s.Text(i++);
  p.health_center = s.Text(i++);
  p.severity = s.Text(i++);
  p.care_status = s.Text(i++);
  p.care_start_on = s.Text(i++);
  if (!s.IsNull(i)) p.consent_share = s.Int(i) != 0;
  ++i;
  p.flags = s.Text(i++);
  p.raw_json = s.Text(i++);
  p.extra_json = s.Text(i++);
  p.content_hash = s.Text(i++);
  p.created_batch = s.Int(i++);
  p.updated_batch = s.Int(i++);
  p.published_on = s.Text(i++);
  p.age_band = s.Text(i++);
  p.press_json = s.Text(i++);
  p.external_id = s.Text(i++);
  return p;
}

constexpr const char* kBatchColumns =
    "id, sha256, file_name, source, profile, encoding, format, bytes, rows, accepted, "
    "merged, review, rejected, started_at, finished_at, seconds";

BatchInfo ReadBatch(const SqliteStmt& s) {
  BatchInfo b;
  b.id = s.Int(0);
  b.sha256 = s.Text(1);
  b.file_name = s.Text(2);
  b.source = s.Text(3);
  b.profile = s.Text(4);
  b.encoding = s.Text(5);
  b.format = s.Text(6);
  b.bytes = s.Int(7);
  b.rows = s.Int(8);
  b.accepted = s.Int(9);
  b.merged = s.Int(10);
  b.review = s.Int(11);
  b.rejected = s.Int(12);
  b.started_at = s.Text(13);
  b.finished_at = s.Text(14);
  b.seconds = s.Real(15);
  return b;
}

void BindOptDate(SqliteStmt& stmt, int index, const std::optional<core::Date>& date) {
  if (date) {
    stmt.Bind(index, static_cast<int64_t>(date->days()));
  } else {
    stmt.BindNull(index);
  }
}

core::Result<std::vector<domain::Event>> QueryEvents(SqliteStmt& stmt) {
  std::vector<domain::Event> events;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ASSIGN_OR_RETURN(domain::Event event, ReadSqliteEvent(stmt));
    events.push_back(std::move(event));
  }
  stmt.Reset();
  return events;
}

core::Result<std::optional<PatientRecord>> QueryOnePatient(SqliteStmt& stmt) {
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  std::optional<PatientRecord> out;
  if (row) out = ReadPatient(stmt);
  stmt.Reset();
  return out;
}

constexpr const char* kReviewColumns =
    "id, batch_id, line, kind, reason_ja, reason_en, row_json, candidate_patient_id, status, "
    "candidates_json, decided_by, decided_at, decision_reason, linked_patient_id";

ReviewItem ReadReviewItem(const SqliteStmt& stmt) {
  ReviewItem item;
  item.id = stmt.Int(0);
  item.batch_id = stmt.Int(1);
  item.line = stmt.Int(2);
  item.kind = stmt.Text(3);
  item.reason_ja = stmt.Text(4);
  item.reason_en = stmt.Text(5);
  item.row_json = stmt.Text(6);
  item.candidate_patient_id = stmt.Int(7);
  item.status = stmt.Text(8);
  item.candidates_json = stmt.Text(9);
  item.decided_by = stmt.Text(10);
  item.decided_at = stmt.Text(11);
  item.decision_reason = stmt.Text(12);
  item.linked_patient_id = stmt.Int(13);
  return item;
}

// The patients merged into another by a merge that no unmerge undid.
constexpr const char* kMergedAwayIds =
    "SELECT m.merged_id FROM patient_merges m WHERE m.action = 'merge' AND NOT EXISTS "
    "(SELECT 1 FROM patient_merges u WHERE u.undoes = m.id)";

std::string JoinIds(const std::vector<int64_t>& ids) {
  std::string out;
  for (int64_t id : ids) {
    if (!out.empty()) out += ',';
    out += std::to_string(id);
  }
  return out;
}

std::vector<int64_t> SplitIds(const std::string& text) {
  std::vector<int64_t> ids;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) ids.push_back(std::strtoll(text.c_str() + start, nullptr, 10));
    start = end + 1;
  }
  return ids;
}

constexpr const char* kMergeColumns =
    "m.id, m.action, m.survivor_id, m.merged_id, COALESCE(m.undoes, 0), m.decided_by, m.reason, "
    "m.decided_at, m.survivor_event_ids, m.merged_event_ids, "
    "EXISTS (SELECT 1 FROM patient_merges u WHERE u.undoes = m.id)";

MergeDecision ReadMerge(const SqliteStmt& s) {
  MergeDecision d;
  d.id = s.Int(0);
  d.action = s.Text(1);
  d.survivor_id = s.Int(2);
  d.merged_id = s.Int(3);
  d.undoes = s.Int(4);
  d.decided_by = s.Text(5);
  d.reason = s.Text(6);
  d.decided_at = s.Text(7);
  d.survivor_event_ids = SplitIds(s.Text(8));
  d.merged_event_ids = SplitIds(s.Text(9));
  d.undone = s.Int(10) != 0;
  return d;
}

// Candidate blocks (store.h CandidateQuery), looked up through the patients'
// own indexes (no key table). Only the columns identity matching reads are
// selected: a row without a HER-SYS ID meets dozens of patients, and
// reading each whole (raw JSON and all) was most of an import's time. The
// statements are prepared once per finder and reused for every row of a
// batch; merged-away patients (read once) are never candidates.
// Thread-safety: one finder per connection, used by its thread.
// store.h CountNamePrefix: a range of the name block's index (folded names
// compare byte-wise, so every name beginning with `prefix` sorts from it to
// it followed by the last code point).
core::Result<int64_t> CountPatientsByNamePrefix(SqliteDb& db, std::string_view prefix) {
  if (prefix.empty()) {
    ASSIGN_OR_RETURN(SqliteStmt all, db.Prepare("SELECT count(*) FROM patients"));
    ASSIGN_OR_RETURN(bool row, all.Step());
    return row ? all.Int(0) : 0;
  }
  ASSIGN_OR_RETURN(SqliteStmt range,
                   db.Prepare("SELECT count(*) FROM patients WHERE name_folded >= ?1 AND "
                              "name_folded < ?2"));
  range.BindText(1, prefix).BindText(2, std::string(prefix).append(kLastCodePointUtf8));
  ASSIGN_OR_RETURN(bool row, range.Step());
  return row ? range.Int(0) : 0;
}

class CandidateFinder {
 public:
  explicit CandidateFinder(SqliteDb& db) : db_(db) {}

  core::Result<CandidateSet> Find(const CandidateQuery& query) {
    CandidateSet set;
    if (!prepared_) RETURN_IF_ERROR(PrepareAll());
    seen_ = merged_away_;
    const std::string year = query.birth_date.size() >= 4 ? query.birth_date.substr(0, 4) : "";
    if (!query.birth_date.empty()) {
      SqliteStmt& birth = statements_[kBirthNarrow];
      birth.BindText(1, query.birth_date)
          .BindText(2, query.kana_family)
          .BindText(3, query.kana_given)
          .BindText(4, query.phone_key)
          .BindText(5, query.municipality_code)
          .Bind(6, query.max_block + 1);
      RETURN_IF_ERROR(Collect(birth, query, set));
    }
    for (const auto& [value, count, whole, narrow] :
         {std::tuple{&query.name_folded, kNameCount, kNameWhole, kNameNarrow},
          std::tuple{&query.kana_key, kKanaCount, kKanaWhole, kKanaNarrow}}) {
      if (value->empty()) continue;
      SqliteStmt& counting = statements_[count];
      counting.BindText(1, *value).Bind(2, query.small_block + 1);
      ASSIGN_OR_RETURN(bool row, counting.Step());
      const int64_t size = row ? counting.Int(0) : 0;
      counting.Reset();
      if (size <= query.small_block) {
        SqliteStmt& all = statements_[whole];
        all.BindText(1, *value).Bind(2, query.max_block + 1);
        RETURN_IF_ERROR(Collect(all, query, set));
      } else {
        SqliteStmt& some = statements_[narrow];
        some.BindText(1, *value)
            .BindText(2, year)
            .BindText(3, query.municipality_code)
            .BindText(4, query.phone_key)
            .Bind(5, query.max_block + 1);
        RETURN_IF_ERROR(Collect(some, query, set));
      }
    }
    if (!query.phone_key.empty()) {
      SqliteStmt& phone = statements_[kPhoneWhole];
      phone.BindText(1, query.phone_key).Bind(2, query.max_block + 1);
      RETURN_IF_ERROR(Collect(phone, query, set, &set.phone_block_size));
    }
    std::sort(set.patients.begin(), set.patients.end(),
              [](const PatientRecord& a, const PatientRecord& b) { return a.id < b.id; });
    return set;
  }

 private:
  enum Statement {
    kBirthNarrow,
    kNameCount,
    kNameWhole,
    kNameNarrow,
    kKanaCount,
    kKanaWhole,
    kKanaNarrow,
    kPhoneWhole,
    kStatements
  };
  // What identity matching and the review queue read of a candidate.
  static constexpr const char* kCandidateColumns =
      "id, hersys_id, name, name_key, name_folded, name_kana, kana_key, sex, birth_date, "
      "address, municipality_code, phone, phone_key, content_hash, updated_batch";

  core::Status PrepareAll() {
    // Candidates are read at random places all over a large store: mapped
    // pages are read without a copy into SQLite's page cache (bounded by the
    // address space, not memory; the OS shares the pages with its cache).
    RETURN_IF_ERROR(db_.Exec("PRAGMA mmap_size = 8589934592"));
    // Block statements select ids only, from the covering indexes of
    // migration 8; the candidate columns are then read by id.
    const std::string select = "SELECT id FROM patients WHERE ";
    // An empty parameter matches nothing (the row does not have that key).
    const std::string birth =
        select +
        "birth_date = ?1 AND ((?2 <> '' AND substr(kana_key, 1, length(?2)) = ?2) OR "
        "(?3 <> '' AND substr(kana_key, -length(?3)) = ?3) OR (?4 <> '' AND phone_key = ?4) OR "
        "(?5 <> '' AND municipality_code = ?5)) LIMIT ?6";
    auto narrow = [&](const char* column) {
      return select + column +
             " = ?1 AND ((?2 <> '' AND substr(birth_date, 1, 4) = ?2) OR "
             "(?3 <> '' AND municipality_code = ?3) OR (?4 <> '' AND phone_key = ?4)) LIMIT ?5";
    };
    auto count = [](const char* column) {
      return std::string("SELECT COUNT(*) FROM (SELECT 1 FROM patients WHERE ") + column +
             " = ? LIMIT ?)";
    };
    const std::array<std::string, kStatements> sql = {
        birth,
        count("name_folded"),
        select + "name_folded = ? LIMIT ?",
        narrow("name_folded"),
        count("kana_key"),
        select + "kana_key = ? LIMIT ?",
        narrow("kana_key"),
        select + "phone_key = ? LIMIT ?",
    };
    for (size_t i = 0; i < kStatements; ++i) {
      ASSIGN_OR_RETURN(statements_[i], db_.Prepare(sql[i]));
    }
    ASSIGN_OR_RETURN(fetch_, db_.Prepare(std::string("SELECT ") + kCandidateColumns +
                                         " FROM patients WHERE id = ?"));
    // Read once: merges are decided in their own transactions, not during
    // the batch that uses this finder.
    ASSIGN_OR_RETURN(SqliteStmt merged, db_.Prepare(kMergedAwayIds));
    while (true) {
      ASSIGN_OR_RETURN(bool row, merged.Step());
      if (!row) break;
      merged_away_.insert(merged.Int(0));
    }
    prepared_ = true;
    return core::Ok();
  }

  static PatientRecord Read(const SqliteStmt& s) {
    PatientRecord p;
    p.id = s.Int(0);
    p.hersys_id = s.Text(1);
    p.name = s.Text(2);
    p.name_key = s.Text(3);
    p.name_folded = s.Text(4);
    p.name_kana = s.Text(5);
    p.kana_key = s.Text(6);
    p.sex = s.Text(7);
    p.birth_date = s.Text(8);
    p.address = s.Text(9);
    p.municipality_code = s.Text(10);
    p.phone = s.Text(11);
    p.phone_key = s.Text(12);
    p.content_hash = s.Text(13);
    p.updated_batch = s.Int(14);
    return p;
  }

  // Runs a bound block statement (it yields ids) and adds its patients,
  // unless it returned more than max_block (then counted as oversized).
  // `size`: the block's size.
  core::Status Collect(SqliteStmt& stmt, const CandidateQuery& query, CandidateSet& set,
                       int64_t* size = nullptr) {
    found_.clear();
    while (true) {
      auto row = stmt.Step();
      if (!row) {
        stmt.Reset();
        return std::unexpected(row.error());
      }
      if (!*row) break;
      found_.push_back(stmt.Int(0));
    }
    stmt.Reset();
    if (size != nullptr) *size = static_cast<int64_t>(found_.size());
    if (static_cast<int64_t>(found_.size()) > query.max_block) {
      ++set.oversized_blocks;
      return core::Ok();
    }
    for (int64_t id : found_) {
      if (!seen_.insert(id).second) continue;
      fetch_.Bind(1, id);
      auto row = fetch_.Step();
      if (!row) {
        fetch_.Reset();
        return std::unexpected(row.error());
      }
      if (*row) set.patients.push_back(Read(fetch_));
      fetch_.Reset();
    }
    return core::Ok();
  }

  SqliteDb& db_;
  bool prepared_ = false;
  std::array<SqliteStmt, kStatements> statements_;
  SqliteStmt fetch_;           // the candidate columns of one patient
  std::vector<int64_t> found_;
  std::unordered_set<int64_t> seen_;  // patients already in the set, and the merged-away
  std::unordered_set<int64_t> merged_away_;
};

class SqliteBatchWriter final : public BatchWriter {
 public:
  static core::Result<std::unique_ptr<SqliteBatchWriter>> Begin(SqliteDb& db,
                                                                const BatchInfo& info) {
    // A batch touches every index at random places; a larger page cache for
    // its duration keeps those pages in memory (bounded: 256 MiB).
    RETURN_IF_ERROR(db.Exec("PRAGMA cache_size = -262144"));
    RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    std::unique_ptr<SqliteBatchWriter> writer(new SqliteBatchWriter(db));
    auto insert = db.Prepare(
        "INSERT INTO batches (sha256, file_name, source, profile, encoding, format, bytes, "
        "started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!insert) return std::unexpected(insert.error());
    insert->BindText(1, info.sha256)
        .BindText(2, info.file_name)
        .BindText(3, info.source)
        .BindText(4, info.profile)
        .BindText(5, info.encoding)
        .BindText(6, info.format)
        .Bind(7, info.bytes)
        .BindText(8, info.started_at);
    auto inserted = insert->Run();
    if (!inserted) {
      if (inserted.error().code == core::Code::kAlreadyExists) {
        return core::Fail(core::Code::kAlreadyExists, "同じファイルは取込済みです",
                          "this file was imported already", info.sha256);
      }
      return std::unexpected(inserted.error());
    }
    writer->batch_id_ = db.LastInsertRowid();
    RETURN_IF_ERROR(writer->MaybeEnterBulkMode(info));
    RETURN_IF_ERROR(writer->PrepareAll());
    return writer;
  }

  // A decision on rows of an existing batch: no batch row of its own.
  static core::Result<std::unique_ptr<SqliteBatchWriter>> BeginForDecision(SqliteDb& db,
                                                                           int64_t batch_id) {
    RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    std::unique_ptr<SqliteBatchWriter> writer(new SqliteBatchWriter(db));
    writer->batch_id_ = batch_id;
    writer->decision_only_ = true;
    RETURN_IF_ERROR(writer->PrepareAll());
    return writer;
  }

  ~SqliteBatchWriter() override {
    if (!committed_) (void)db_.Exec("ROLLBACK");
  }

  int64_t batch_id() const override { return batch_id_; }

  core::Result<std::optional<PatientRecord>> FindPatientByHersysId(
      const std::string& hersys_id) override {
    find_.BindText(1, hersys_id);
    return QueryOnePatient(find_);
  }

  core::Result<std::optional<PatientRecord>> FindPatientByExternalId(
      const std::string& external_id) override {
    find_external_.BindText(1, external_id);
    return QueryOnePatient(find_external_);
  }

  core::Result<std::optional<PatientRecord>> FindPatientIdentityByHersysId(
      const std::string& hersys_id) override {
    find_identity_.BindText(1, hersys_id);
    ASSIGN_OR_RETURN(bool row, find_identity_.Step());
    std::optional<PatientRecord> out;
    if (row) {
      out.emplace();
      out->id = find_identity_.Int(0);
      out->hersys_id = find_identity_.Text(1);
      out->name = find_identity_.Text(2);
      out->name_folded = find_identity_.Text(3);
      out->name_kana = find_identity_.Text(4);
      out->kana_key = find_identity_.Text(5);
      out->birth_date = find_identity_.Text(6);
    }
    find_identity_.Reset();
    return out;
  }

  core::Result<int64_t> InsertPatient(PatientRecord& patient) override {
    BindPatient(insert_patient_, patient);
    RETURN_IF_ERROR(insert_patient_.Run());
    patient.id = db_.LastInsertRowid();
    if (decision_only_) RETURN_IF_ERROR(MarkDecisionPatient(patient.id));
    return patient.id;
  }

  core::Status UpdatePatient(const PatientRecord& patient) override {
    BindPatient(update_patient_, patient);
    update_patient_.Bind(static_cast<int>(kPatientDataColumns) + 1, patient.id);
    RETURN_IF_ERROR(update_patient_.Run());
    if (decision_only_) RETURN_IF_ERROR(MarkDecisionPatient(patient.id));
    return core::Ok();
  }

  core::Status AddRow(const RowRecord& row) override {
    insert_row_.Bind(1, batch_id_)
        .Bind(2, row.line)
        .BindText(3, OutcomeName(row.outcome));
    if (row.patient_id != 0) {
      insert_row_.Bind(4, row.patient_id);
    } else {
      insert_row_.BindNull(4);
    }
    insert_row_.Bind(5, row.hersys_id)
        .Bind(6, row.reason_code)
        .Bind(7, row.reason_ja)
        .Bind(8, row.reason_en)
        .Bind(9, row.raw_text);
    return insert_row_.Run();
  }

  core::Result<int64_t> AddReviewItem(const ReviewItem& item) override {
    insert_review_.Bind(1, batch_id_)
        .Bind(2, item.line)
        .BindText(3, item.kind)
        .BindText(4, item.reason_ja)
        .BindText(5, item.reason_en)
        .BindText(6, item.row_json);
    if (item.candidate_patient_id != 0) {
      insert_review_.Bind(7, item.candidate_patient_id);
    } else {
      insert_review_.BindNull(7);
    }
    insert_review_.Bind(8, item.candidates_json);
    RETURN_IF_ERROR(insert_review_.Run());
    return db_.LastInsertRowid();
  }

  core::Result<bool> AddEvent(int64_t patient_id, domain::Event& event,
                              const std::string& dedupe_key) override {
    event.id = next_event_id_;
    event.batch_id = batch_id_;
    SqliteStmt& s = insert_event_;
    s.Bind(1, event.id)
        .Bind(2, patient_id)
        .BindText(3, domain::EventTypeNameEn(event.type))
        .Bind(4, static_cast<int64_t>(event.effective_on.days()))
        .Bind(5, event.received_at)
        .BindText(6, event.source)
        .Bind(7, event.batch_id)
        .Bind(8, static_cast<int64_t>(event.line))
        .Bind(9, event.facility)
        .Bind(10, event.residence_code);
    BindOptDate(s, 11, event.onset_on);
    BindOptDate(s, 12, event.diagnosed_on);
    BindOptDate(s, 13, event.extended_until);
    if (event.care_status) {
      s.BindText(14, domain::CareStatusNameEn(*event.care_status));
    } else {
      s.BindNull(14);
    }
    s.Bind(15, event.symptomatic);
    if (event.supersedes != 0) {
      s.Bind(16, event.supersedes);
    } else {
      s.BindNull(16);
    }
    s.Bind(17, static_cast<int64_t>(event.cancels ? 1 : 0)).BindText(18, dedupe_key);
    RETURN_IF_ERROR(s.Run());
    if (sqlite3_changes(db_.get()) == 0) {
      event.id = 0;
      return false;
    }
    ++next_event_id_;
    if (decision_only_) {
      RETURN_IF_ERROR(MarkDecisionPatient(patient_id));
    } else if (dropped_indexes_.empty()) {
      // Not in a bulk load (a first load is followed by a full recomputation;
      // without a log the update reads the events table).
      added_events_.emplace_back(patient_id, event);
    }
    return true;
  }

  core::Result<std::vector<domain::Event>> EventsOf(int64_t patient_id) override {
    events_of_.Bind(1, patient_id);
    return QueryEvents(events_of_);
  }

  core::Result<CandidateSet> FindCandidates(const CandidateQuery& query) override {
    if (!candidates_) candidates_ = std::make_unique<CandidateFinder>(db_);
    return candidates_->Find(query);
  }

  core::Result<int64_t> CountNamePrefix(std::string_view prefix) override {
    return CountPatientsByNamePrefix(db_, prefix);
  }

  core::Result<std::optional<PatientRecord>> SurvivorOf(int64_t patient_id) override {
    if (!survivors_) {
      survivors_.emplace();
      ASSIGN_OR_RETURN(SqliteStmt standing, db_.Prepare(kStandingMergesSql));
      for (;;) {
        ASSIGN_OR_RETURN(bool row, standing.Step());
        if (!row) break;
        PatientRecord& survivor = (*survivors_)[standing.Int(0)];
        survivor.id = standing.Int(1);
        survivor.hersys_id = standing.Text(2);
      }
    }
    auto it = survivors_->find(patient_id);
    if (it == survivors_->end()) return std::nullopt;
    return it->second;
  }

  core::Status RecordDecision(const ReviewDecision& decision) override {
    std::string ids;
    for (int64_t id : decision.event_ids) {
      if (!ids.empty()) ids += ',';
      ids += std::to_string(id);
    }
    ASSIGN_OR_RETURN(SqliteStmt record,
                     db_.Prepare("INSERT INTO review_decisions (item_id, status, patient_id, "
                                 "decided_by, reason, event_ids) VALUES (?, ?, ?, ?, ?, ?)"));
    record.Bind(1, decision.item_id).BindText(2, decision.status);
    if (decision.patient_id != 0) {
      record.Bind(3, decision.patient_id);
    } else {
      record.BindNull(3);
    }
    record.BindText(4, decision.decided_by).BindText(5, decision.reason).BindText(6, ids);
    RETURN_IF_ERROR(record.Run());
    ASSIGN_OR_RETURN(SqliteStmt update,
                     db_.Prepare("UPDATE review_items SET status = ?, decided_by = ?, "
                                 "decided_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), "
                                 "decision_reason = ?, linked_patient_id = ? WHERE id = ?"));
    update.BindText(1, decision.status).BindText(2, decision.decided_by).BindText(3, decision.reason);
    if (decision.status == "linked" && decision.patient_id != 0) {
      update.Bind(4, decision.patient_id);
    } else {
      update.BindNull(4);
    }
    update.Bind(5, decision.item_id);
    RETURN_IF_ERROR(update.Run());
    if (sqlite3_changes(db_.get()) == 0) {
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
    ASSIGN_OR_RETURN(SqliteStmt record,
                     db_.Prepare("INSERT INTO patient_merges (action, survivor_id, merged_id, "
                                 "undoes, decided_by, reason, survivor_event_ids, "
                                 "merged_event_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    record.BindText(1, decision.action).Bind(2, decision.survivor_id).Bind(3, decision.merged_id);
    if (decision.undoes != 0) {
      record.Bind(4, decision.undoes);
    } else {
      record.BindNull(4);
    }
    record.BindText(5, decision.decided_by)
        .BindText(6, decision.reason)
        .BindText(7, JoinIds(decision.survivor_event_ids))
        .BindText(8, JoinIds(decision.merged_event_ids));
    auto stored = record.Run();
    if (!stored) {
      if (stored.error().code == core::Code::kAlreadyExists) {
        return core::Fail(core::Code::kFailedPrecondition, "この統合は取り消し済みです",
                          "this merge was undone already", std::to_string(decision.undoes));
      }
      return std::unexpected(stored.error());
    }
    return db_.LastInsertRowid();
  }

  core::Status Commit(const BatchInfo& info) override {
    if (decision_only_) {
      RETURN_IF_ERROR(db_.Exec("COMMIT"));
      committed_ = true;
      return core::Ok();
    }
    // Rebuilding a dropped index sorts once instead of inserting at random.
    for (const std::string& sql : dropped_indexes_) RETURN_IF_ERROR(db_.Exec(sql));
    RETURN_IF_ERROR(LogAddedEvents());
    ASSIGN_OR_RETURN(SqliteStmt finish,
                     db_.Prepare("UPDATE batches SET rows = ?, accepted = ?, merged = ?, "
                                 "review = ?, rejected = ?, finished_at = ?, seconds = ?, "
                                 "encoding = ?, profile = ? WHERE id = ?"));
    finish.Bind(1, info.rows)
        .Bind(2, info.accepted)
        .Bind(3, info.merged)
        .Bind(4, info.review)
        .Bind(5, info.rejected)
        .BindText(6, info.finished_at)
        .Bind(7, info.seconds)
        .BindText(8, info.encoding)
        .BindText(9, info.profile)
        .Bind(10, batch_id_);
    RETURN_IF_ERROR(finish.Run());
    RETURN_IF_ERROR(db_.Exec("COMMIT"));
    committed_ = true;
    return core::Ok();
  }

 private:
  explicit SqliteBatchWriter(SqliteDb& db) : db_(db) {}

  // A batch larger than the store it goes into (the first load, a
  // migration) drops the patients' non-unique indexes inside its transaction
  // and rebuilds them at commit: far cheaper than a million random index
  // inserts, and still all-or-nothing (DDL is transactional in SQLite).
  // Unique indexes stay, because the batch looks patients up by them.
  core::Status MaybeEnterBulkMode(const BatchInfo& info) {
    constexpr int64_t kBytesPerRowEstimate = 150;
    constexpr int64_t kMinBulkRows = 50000;
    const int64_t incoming = info.bytes / kBytesPerRowEstimate;
    if (incoming < kMinBulkRows) return core::Ok();
    ASSIGN_OR_RETURN(SqliteStmt count, db_.Prepare("SELECT COALESCE(MAX(id), 0) FROM patients"));
    ASSIGN_OR_RETURN(bool row, count.Step());
    const int64_t existing = row ? count.Int(0) : 0;
    count.Reset();
    if (incoming <= existing) return core::Ok();
    ASSIGN_OR_RETURN(SqliteStmt indexes,
                     db_.Prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                                 "tbl_name = 'patients' AND sql IS NOT NULL AND "
                                 "sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name"));
    std::vector<std::pair<std::string, std::string>> found;
    while (true) {
      ASSIGN_OR_RETURN(bool has, indexes.Step());
      if (!has) break;
      found.emplace_back(indexes.Text(0), indexes.Text(1));
    }
    indexes.Reset();
    for (const auto& [name, sql] : found) {
      RETURN_IF_ERROR(db_.Exec("DROP INDEX \"" + name + "\""));
      dropped_indexes_.push_back(sql);
    }
    return core::Ok();
  }

  core::Status PrepareAll() {
    ASSIGN_OR_RETURN(find_, db_.Prepare("SELECT " + PatientSelectList() +
                                        " FROM patients WHERE hersys_id = ?"));
    ASSIGN_OR_RETURN(find_external_, db_.Prepare("SELECT " + PatientSelectList() +
                                                 " FROM patients WHERE external_id = ?"));
    ASSIGN_OR_RETURN(find_identity_,
                     db_.Prepare("SELECT id, hersys_id, name, name_folded, name_kana, kana_key, "
                                 "birth_date FROM patients WHERE hersys_id = ?"));
    std::string columns;
    std::string params;
    std::string assignments;
    for (size_t i = 0; i < kPatientDataColumns; ++i) {
      if (i > 0) {
        columns += ", ";
        params += ", ";
        assignments += ", ";
      }
      columns += kPatientColumns[i];
      params += "?";
      assignments += std::string(kPatientColumns[i]) + " = ?";
    }
    ASSIGN_OR_RETURN(insert_patient_,
                     db_.Prepare("INSERT INTO patients (" + columns + ") VALUES (" + params + ")"));
    ASSIGN_OR_RETURN(update_patient_,
                     db_.Prepare("UPDATE patients SET " + assignments + " WHERE id = ?"));
    ASSIGN_OR_RETURN(insert_row_,
                     db_.Prepare("INSERT INTO batch_rows (batch_id, line, outcome, patient_id, "
                                 "hersys_id, reason_code, reason_ja, reason_en, raw_text) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    ASSIGN_OR_RETURN(insert_event_,
                     db_.Prepare(std::string("INSERT OR IGNORE INTO events (") + kSqliteEventColumns +
                                 ", dedupe_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                 "?, ?, ?, ?, ?)"));
    ASSIGN_OR_RETURN(events_of_, db_.Prepare(std::string("SELECT ") + kSqliteEventColumns +
                                             " FROM events WHERE patient_id = ? ORDER BY id"));
    ASSIGN_OR_RETURN(SqliteStmt max_event, db_.Prepare("SELECT COALESCE(MAX(id), 0) FROM events"));
    ASSIGN_OR_RETURN(bool has_max, max_event.Step());
    next_event_id_ = (has_max ? max_event.Int(0) : 0) + 1;
    ASSIGN_OR_RETURN(insert_review_,
                     db_.Prepare("INSERT INTO review_items (batch_id, line, kind, reason_ja, "
                                 "reason_en, row_json, candidate_patient_id, candidates_json) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    return core::Ok();
  }

  // The figures' update learns which patients a decision wrote to from
  // decision_patients (a decision adds events under an old batch).
  core::Status MarkDecisionPatient(int64_t patient_id) {
    if (!mark_decision_) {
      ASSIGN_OR_RETURN(mark_decision_,
                       db_.Prepare("INSERT INTO decision_patients (patient_id) VALUES (?)"));
    }
    mark_decision_->Bind(1, patient_id);
    return mark_decision_->Run();
  }

  // The events this batch added, packed by patient (store/event_pack.h), for
  // the figures' update after it.
  core::Status LogAddedEvents() {
    if (!dropped_indexes_.empty()) return core::Ok();
    ASSIGN_OR_RETURN(SqliteStmt insert, db_.Prepare("INSERT INTO batch_events (batch_id, part, "
                                                    "data) VALUES (?, ?, ?)"));
    const std::vector<std::string> parts = PackBatchEvents(added_events_);
    added_events_ = {};
    for (size_t i = 0; i < parts.size(); ++i) {
      insert.Bind(1, batch_id_).Bind(2, static_cast<int64_t>(i));
      sqlite3_bind_blob(insert.get(), 3, parts[i].data(), static_cast<int>(parts[i].size()),
                        SQLITE_STATIC);
      RETURN_IF_ERROR(insert.Run());
    }
    return core::Ok();
  }

  SqliteDb& db_;
  int64_t batch_id_ = 0;
  bool committed_ = false;
  std::vector<std::pair<int64_t, domain::Event>> added_events_;  // by a batch, not a decision
  std::optional<SqliteStmt> mark_decision_;
  SqliteStmt find_;
  SqliteStmt find_external_;
  SqliteStmt find_identity_;
  SqliteStmt insert_patient_;
  SqliteStmt update_patient_;
  SqliteStmt insert_row_;
  SqliteStmt insert_review_;
  SqliteStmt insert_event_;
  SqliteStmt events_of_;
  std::unique_ptr<CandidateFinder> candidates_;  // prepared on the first search
  // Merged-away patient id → survivor, read on the first SurvivorOf.
  std::optional<std::unordered_map<int64_t, PatientRecord>> survivors_;
  int64_t next_event_id_ = 1;
  std::vector<std::string> dropped_indexes_;  // CREATE INDEX statements to rerun
  bool decision_only_ = false;
};

}  // namespace

core::Status ApplySqliteMigrations(SqliteDb& db, std::span<const Migration> migrations) {
  RETURN_IF_ERROR(db.Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
      "description TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT "
      "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))"));
  // Nothing to do is found out without a write lock, so opening a store
  // while an import holds the database does not wait for the import.
  {
    ASSIGN_OR_RETURN(SqliteStmt applied,
                     db.Prepare("SELECT 1 FROM schema_migrations WHERE version = ?"));
    bool all_applied = true;
    for (const Migration& migration : migrations) {
      applied.Bind(1, static_cast<int64_t>(migration.version));
      ASSIGN_OR_RETURN(bool done, applied.Step());
      applied.Reset();
      if (!done) {
        all_applied = false;
        break;
      }
    }
    if (all_applied) return core::Ok();
  }
  RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  // Each migration is applied once, by version: several tracks (core,
  // accounts, audit …) share one schema_migrations table.
  auto apply = [&]() -> core::Status {
    ASSIGN_OR_RETURN(SqliteStmt applied,
                     db.Prepare("SELECT 1 FROM schema_migrations WHERE version = ?"));
    ASSIGN_OR_RETURN(SqliteStmt record,
                     db.Prepare("INSERT INTO schema_migrations (version, description) "
                                "VALUES (?, ?)"));
    for (const Migration& migration : migrations) {
      applied.Bind(1, static_cast<int64_t>(migration.version));
      ASSIGN_OR_RETURN(bool done, applied.Step());
      applied.Reset();
      if (done) continue;
      RETURN_IF_ERROR(db.Exec(migration.sql));
      record.Bind(1, static_cast<int64_t>(migration.version)).BindText(2, migration.description);
      RETURN_IF_ERROR(record.Run());
    }
    return core::Ok();
  };
  auto result = apply();
  if (!result) {
    (void)db.Exec("ROLLBACK");
    return result;
  }
  return db.Exec("COMMIT");
}

core::Result<std::optional<PatientRecord>> BatchWriter::FindPatientIdentityByHersysId(
    const std::string& hersys_id) {
  return FindPatientByHersysId(hersys_id);
}

core::Result<std::vector<PatientRecord>> Store::GetPatients(std::span<const int64_t> ids) {
  std::vector<PatientRecord> found;
  for (const int64_t id : ids) {
    ASSIGN_OR_RETURN(std::optional<PatientRecord> patient, GetPatient(id));
    if (patient) found.push_back(std::move(*patient));
  }
  return found;
}

PatientOrder OrderOf(const PatientQuery& query) {
  if (!query.name_prefix.empty()) return PatientOrder::kName;
  if (!query.kana_prefix.empty()) return PatientOrder::kKana;
  return PatientOrder::kId;
}

std::string_view OrderBySql(PatientOrder order) {
  switch (order) {
    case PatientOrder::kName: return "name_folded, id";
    case PatientOrder::kKana: return "kana_key, id";
    case PatientOrder::kId: break;
  }
  return "id";
}

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kAccepted: return "accepted";
    case Outcome::kMerged: return "merged";
    case Outcome::kReview: return "review";
    case Outcome::kRejected: return "rejected";
  }
  return "rejected";
}

core::Result<Outcome> ParseOutcome(std::string_view name) {
  for (Outcome outcome : {Outcome::kAccepted, Outcome::kMerged, Outcome::kReview,
                          Outcome::kRejected}) {
    if (OutcomeName(outcome) == name) return outcome;
  }
  return core::Fail(core::Code::kInvalidArgument, "不明な結果区分です", "unknown outcome",
                    std::string(name));
}

// Prepared statements kept across calls, by SQL text (see sqlite_store.h).
// Statements from Get stay valid until the next Trim, so a call takes all
// it needs first and Trim runs only at the start of a call.
class SqliteStatementCache {
 public:
  core::Result<SqliteStmt*> Get(SqliteDb& db, const std::string& sql) {
    auto it = by_sql_.find(sql);
    if (it != by_sql_.end()) return &it->second;
    ASSIGN_OR_RETURN(SqliteStmt stmt, db.Prepare(sql));
    return &by_sql_.emplace(sql, std::move(stmt)).first->second;
  }
  // Bounds the cache: search filters combine into many SQL shapes.
  void Trim() {
    if (by_sql_.size() > kMaxStatements) by_sql_.clear();
  }

 private:
  static constexpr size_t kMaxStatements = 64;
  std::unordered_map<std::string, SqliteStmt> by_sql_;
};

namespace {

// Resets a kept statement when the call ends, on every path, so that it
// never holds a read transaction (and an old snapshot) open between calls.
class ResetOnExit {
 public:
  explicit ResetOnExit(SqliteStmt& stmt) : stmt_(stmt) {}
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;
  ~ResetOnExit() { stmt_.Reset(); }

 private:
  SqliteStmt& stmt_;
};

const std::string& PatientByIdSql() {
  static const std::string sql = "SELECT " + PatientSelectList() + " FROM patients WHERE id = ?";
  return sql;
}

}  // namespace

SqliteStore::SqliteStore(std::unique_ptr<SqliteDb> db)
    : db_(std::move(db)), statements_(std::make_unique<SqliteStatementCache>()) {}
SqliteStore::~SqliteStore() = default;

core::Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(path));
  // The first statement fails on a file that is not a database.
  RETURN_IF_ERROR(db->EnterWalMode(path));
  RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; "
                           "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY"));
  // Pages are read through a memory map instead of a pread copy each: an
  // import seeks at random over the whole file, a census scans it. Reads
  // only; writes still go through the WAL. (SQLite caps it at its maximum.)
  RETURN_IF_ERROR(db->Exec("PRAGMA mmap_size = 4294967296"));
  RETURN_IF_ERROR(ApplySqliteMigrations(*db, SqliteMigrations()));
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db)));
}

core::Result<int> SqliteStore::SchemaVersion() {
  // The core track's version (other tracks number from 1000).
  ASSIGN_OR_RETURN(SqliteStmt stmt,
                   db_->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations "
                                "WHERE version < 1000"));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? static_cast<int>(stmt.Int(0)) : 0;
}

core::Result<std::unique_ptr<BatchWriter>> SqliteStore::BeginBatch(const BatchInfo& info) {
  ASSIGN_OR_RETURN(auto writer, SqliteBatchWriter::Begin(*db_, info));
  return std::unique_ptr<BatchWriter>(std::move(writer));
}

core::Result<std::optional<BatchInfo>> SqliteStore::FindBatchBySha256(const std::string& sha256) {
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare(std::string("SELECT ") + kBatchColumns +
                                                 " FROM batches WHERE sha256 = ?"));
  stmt.BindText(1, sha256);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<BatchInfo>();
  return std::optional<BatchInfo>(ReadBatch(stmt));
}

core::Result<BatchInfo> SqliteStore::GetBatch(int64_t batch_id) {
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare(std::string("SELECT ") + kBatchColumns +
                                                 " FROM batches WHERE id = ?"));
  stmt.Bind(1, batch_id);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) {
    return core::Fail(core::Code::kNotFound, "その取込バッチはありません", "no such batch",
                      std::to_string(batch_id));
  }
  return ReadBatch(stmt);
}

core::Result<std::vector<BatchInfo>> SqliteStore::ListBatches() {
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare(std::string("SELECT ") + kBatchColumns +
                                                 " FROM batches ORDER BY id"));
  std::vector<BatchInfo> batches;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    batches.push_back(ReadBatch(stmt));
  }
  return batches;
}

core::Status SqliteStore::ForEachRow(int64_t batch_id, std::optional<Outcome> outcome,
                                     const std::function<core::Status(const RowRecord&)>& fn) {
  std::string sql =
      "SELECT line, outcome, patient_id, hersys_id, reason_code, reason_ja, reason_en, "
      "raw_text FROM batch_rows WHERE batch_id = ?";
  if (outcome) sql += " AND outcome = ?";
  sql += " ORDER BY line";
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare(sql));
  stmt.Bind(1, batch_id);
  if (outcome) stmt.BindText(2, OutcomeName(*outcome));
  while (true) {
    ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    RowRecord row;
    row.batch_id = batch_id;
    row.line = stmt.Int(0);
    ASSIGN_OR_RETURN(row.outcome, ParseOutcome(stmt.Text(1)));
    row.patient_id = stmt.Int(2);
    row.hersys_id = stmt.Text(3);
    row.reason_code = stmt.Text(4);
    row.reason_ja = stmt.Text(5);
    row.reason_en = stmt.Text(6);
    row.raw_text = stmt.Text(7);
    RETURN_IF_ERROR(fn(row));
  }
  return core::Ok();
}

core::Result<std::optional<PatientRecord>> SqliteStore::GetPatient(int64_t id) {
  statements_->Trim();
  ASSIGN_OR_RETURN(SqliteStmt * stmt, statements_->Get(*db_, PatientByIdSql()));
  ResetOnExit reset(*stmt);
  stmt->Bind(1, id);
  return QueryOnePatient(*stmt);
}

core::Result<std::vector<PatientRecord>> SqliteStore::GetPatients(std::span<const int64_t> ids) {
  // One statement stepped once per id: preparing a 37-column SELECT costs
  // more than the lookup itself.
  ASSIGN_OR_RETURN(SqliteStmt stmt,
                   db_->Prepare("SELECT " + PatientSelectList() + " FROM patients WHERE id = ?"));
  std::vector<PatientRecord> found;
  found.reserve(ids.size());
  for (const int64_t id : ids) {
    stmt.Bind(1, id);
    ASSIGN_OR_RETURN(std::optional<PatientRecord> patient, QueryOnePatient(stmt));
    if (patient) found.push_back(std::move(*patient));
  }
  return found;
}

core::Result<std::optional<PatientRecord>> SqliteStore::FindPatientByHersysId(
    const std::string& hersys_id) {
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare("SELECT " + PatientSelectList() +
                                                 " FROM patients WHERE hersys_id = ?"));
  stmt.BindText(1, hersys_id);
  return QueryOnePatient(stmt);
}

core::Result<int64_t> SqliteStore::CountPatients() {
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare("SELECT COUNT(*) FROM patients"));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int(0) : 0;
}

core::Result<PatientPage> SqliteStore::SearchPatients(const PatientQuery& query) {
  // Prefix matches become index range scans: [prefix, prefix + U+10FFFF).
  static constexpr std::string_view kMaxCodePoint = "\xF4\x8F\xBF\xBF";
  // A merged-away patient is shown through its survivor only.
  std::string where = std::string(" WHERE id NOT IN (") + kMergedAwayIds + ")";
  std::vector<std::string> params;
  auto prefix = [&](const char* column, const std::string& value) {
    if (value.empty()) return;
    where += std::string(" AND ") + column + " >= ? AND " + column + " < ?";
    params.push_back(value);
    params.push_back(value + std::string(kMaxCodePoint));
  };
  auto equal = [&](const char* column, const std::string& value) {
    if (value.empty()) return;
    where += std::string(" AND ") + column + " = ?";
    params.push_back(value);
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
      where += i == 0 ? "?" : ", ?";
      params.push_back(query.municipality_codes[i]);
    }
    where += ")";
  }
  auto bind_all = [&](SqliteStmt& stmt) {
    for (size_t i = 0; i < params.size(); ++i) stmt.BindText(static_cast<int>(i + 1), params[i]);
  };
  PatientPage page;
  statements_->Trim();
  // The count stops at kSearchCountCap: a clerk narrows a search of
  // thousands rather than pages through it, and counting them all is slow.
  ASSIGN_OR_RETURN(SqliteStmt * count,
                   statements_->Get(*db_, "SELECT COUNT(*) FROM (SELECT 1 FROM patients" + where +
                                              " LIMIT " + std::to_string(kSearchCountCap + 1) +
                                              ")"));
  // The page's ids come from the index alone; only those rows are read whole.
  ASSIGN_OR_RETURN(SqliteStmt * ids,
                   statements_->Get(*db_, "SELECT id FROM patients" + where + " ORDER BY " +
                                              std::string(OrderBySql(OrderOf(query))) +
                                              " LIMIT ? OFFSET ?"));
  ASSIGN_OR_RETURN(SqliteStmt * row_by_id, statements_->Get(*db_, PatientByIdSql()));
  // Kept too: sqlite3_exec would parse them on every search, and the
  // parser's allocation made malloc consolidate its free lists each time.
  ASSIGN_OR_RETURN(SqliteStmt * begin, statements_->Get(*db_, "BEGIN"));
  ASSIGN_OR_RETURN(SqliteStmt * commit, statements_->Get(*db_, "COMMIT"));
  ASSIGN_OR_RETURN(SqliteStmt * rollback, statements_->Get(*db_, "ROLLBACK"));
  ResetOnExit reset_count(*count);
  ResetOnExit reset_ids(*ids);
  ResetOnExit reset_row(*row_by_id);
  // One read transaction for the three statements, so the count and the
  // page come from the same snapshot (an import may commit in between);
  // inside a caller's transaction, that one already does it.
  const bool own_transaction = sqlite3_get_autocommit(db_->get()) != 0;
  if (own_transaction) RETURN_IF_ERROR(begin->Run());
  auto search = [&]() -> core::Status {
    bind_all(*count);
    ASSIGN_OR_RETURN(bool counted, count->Step());
    page.total = counted ? count->Int(0) : 0;
    count->Reset();
    page.total_capped = page.total > kSearchCountCap;
    if (page.total_capped) page.total = kSearchCountCap;
    bind_all(*ids);
    ids->Bind(static_cast<int>(params.size() + 1), std::clamp<int64_t>(query.limit, 0, 1000));
    ids->Bind(static_cast<int>(params.size() + 2), std::max<int64_t>(query.offset, 0));
    while (true) {
      ASSIGN_OR_RETURN(bool has, ids->Step());
      if (!has) break;
      row_by_id->Bind(1, ids->Int(0));
      ASSIGN_OR_RETURN(std::optional<PatientRecord> patient, QueryOnePatient(*row_by_id));
      if (patient) page.patients.push_back(std::move(*patient));
    }
    ids->Reset();
    return core::Ok();
  };
  core::Status searched = search();
  if (own_transaction) {
    // A read-only transaction: COMMIT only ends it.
    core::Status ended = (searched ? commit : rollback)->Run();
    RETURN_IF_ERROR(searched);
    RETURN_IF_ERROR(ended);
  }
  RETURN_IF_ERROR(searched);
  return page;
}

core::Status SqliteStore::ForEachPatient(
    const std::function<core::Status(const PatientRecord&)>& fn) {
  ASSIGN_OR_RETURN(SqliteStmt stmt,
                   db_->Prepare("SELECT " + PatientSelectList() + " FROM patients ORDER BY id"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    RETURN_IF_ERROR(fn(ReadPatient(stmt)));
  }
  return core::Ok();
}

core::Result<std::vector<ReviewItem>> SqliteStore::ListReviewItems(const std::string& status) {
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare(std::string("SELECT ") + kReviewColumns +
                                                 " FROM review_items WHERE status = ? ORDER BY id"));
  stmt.BindText(1, status);
  std::vector<ReviewItem> items;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    items.push_back(ReadReviewItem(stmt));
  }
  return items;
}

core::Result<ReviewItem> SqliteStore::GetReviewItem(int64_t id) {
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare(std::string("SELECT ") + kReviewColumns +
                                                 " FROM review_items WHERE id = ?"));
  stmt.Bind(1, id);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) {
    return core::Fail(core::Code::kNotFound, "その確認項目はありません", "no such review item",
                      std::to_string(id));
  }
  return ReadReviewItem(stmt);
}

core::Result<std::vector<ReviewDecision>> SqliteStore::DecisionsOf(int64_t item_id) {
  ASSIGN_OR_RETURN(SqliteStmt stmt,
                   db_->Prepare("SELECT status, patient_id, decided_by, reason, event_ids "
                                "FROM review_decisions WHERE item_id = ? ORDER BY id"));
  stmt.Bind(1, item_id);
  std::vector<ReviewDecision> decisions;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ReviewDecision d;
    d.item_id = item_id;
    d.status = stmt.Text(0);
    d.patient_id = stmt.Int(1);
    d.decided_by = stmt.Text(2);
    d.reason = stmt.Text(3);
    const std::string ids = stmt.Text(4);
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

core::Result<std::unique_ptr<BatchWriter>> SqliteStore::BeginDecision(int64_t batch_id) {
  ASSIGN_OR_RETURN(auto writer, SqliteBatchWriter::BeginForDecision(*db_, batch_id));
  return std::unique_ptr<BatchWriter>(std::move(writer));
}

core::Result<std::vector<MergeDecision>> SqliteStore::MergeDecisionsOf(int64_t patient_id) {
  ASSIGN_OR_RETURN(SqliteStmt stmt,
                   db_->Prepare(std::string("SELECT ") + kMergeColumns +
                                " FROM patient_merges m WHERE m.survivor_id = ? OR "
                                "m.merged_id = ? ORDER BY m.id"));
  stmt.Bind(1, patient_id).Bind(2, patient_id);
  std::vector<MergeDecision> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    out.push_back(ReadMerge(stmt));
  }
  return out;
}

core::Result<MergeDecision> SqliteStore::GetMergeDecision(int64_t id) {
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare(std::string("SELECT ") + kMergeColumns +
                                                 " FROM patient_merges m WHERE m.id = ?"));
  stmt.Bind(1, id);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) {
    return core::Fail(core::Code::kNotFound, "その統合の記録はありません", "no such merge decision",
                      std::to_string(id));
  }
  return ReadMerge(stmt);
}

core::Result<CandidateSet> SqliteStore::FindCandidates(const CandidateQuery& query) {
  CandidateFinder finder(*db_);
  return finder.Find(query);
}

core::Result<int64_t> SqliteStore::CountNamePrefix(std::string_view prefix) {
  return CountPatientsByNamePrefix(*db_, prefix);
}

core::Result<std::vector<domain::Event>> SqliteStore::EventsOf(int64_t patient_id) {
  static const std::string sql = std::string("SELECT ") + kSqliteEventColumns +
                                 " FROM events WHERE patient_id = ? ORDER BY id";
  statements_->Trim();
  ASSIGN_OR_RETURN(SqliteStmt * stmt, statements_->Get(*db_, sql));
  ResetOnExit reset(*stmt);
  stmt->Bind(1, patient_id);
  return QueryEvents(*stmt);
}

core::Status SqliteStore::ForEachPatientEvents(
    const std::function<core::Status(int64_t, std::span<const domain::Event>)>& fn) {
  return ForEachPatientEventsIn(PatientIdRange{}, fn);
}

core::Status SqliteStore::ForEachPatientEventsIn(
    PatientIdRange range,
    const std::function<core::Status(int64_t, std::span<const domain::Event>)>& fn) {
  // The table is clustered by (patient_id, id): one sequential scan.
  ASSIGN_OR_RETURN(SqliteStmt stmt,
                   db_->Prepare(std::string("SELECT ") + kSqliteEventColumns +
                                " FROM events WHERE patient_id >= ?1 AND patient_id < ?2"
                                " ORDER BY patient_id, id"));
  stmt.Bind(1, range.first).Bind(2, range.end);
  std::vector<domain::Event> events;
  int64_t current = 0;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    const int64_t patient = row ? stmt.Int(1) : 0;
    if (!row || patient != current) {
      if (!events.empty()) RETURN_IF_ERROR(fn(current, events));
      events.clear();
      current = patient;
    }
    if (!row) break;
    ASSIGN_OR_RETURN(domain::Event event, ReadSqliteEvent(stmt));
    events.push_back(std::move(event));
  }
  return core::Ok();
}

core::Result<int64_t> SqliteStore::MaxPatientId() {
  ASSIGN_OR_RETURN(SqliteStmt stmt, db_->Prepare("SELECT COALESCE(MAX(id), 0) FROM patients"));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int(0) : 0;
}

}  // namespace ichigen::store
