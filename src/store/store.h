// Store: the one interface every service uses to keep and read Ichigen's
// data. SqliteStore (embedded, the default) and PostgresStore (several
// servers, one database) implement it, so nothing outside src/store knows
// the SQL dialect. Only main.cc (the composition root) and tests name an
// implementation.
//
// Writes of one input file happen in one BatchWriter, which is one
// transaction: either the whole batch and all its effects are stored, or
// none of it (a crash or kill -9 mid-import leaves the store as before).
//
// Thread-safety: a Store may be used from one thread at a time; open one
// per thread or per request. A BatchWriter belongs to the thread that began it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "domain/events.h"

namespace ichigen::store {

enum class Outcome { kAccepted, kMerged, kReview, kRejected };
std::string_view OutcomeName(Outcome outcome);  // "accepted", "merged", ...
core::Result<Outcome> ParseOutcome(std::string_view name);

struct BatchInfo {
  int64_t id = 0;
  std::string sha256;
  std::string file_name;
  std::string source;
  std::string profile;
  std::string encoding;
  std::string format;
  int64_t bytes = 0;
  int64_t rows = 0;
  int64_t accepted = 0;
  int64_t merged = 0;
  int64_t review = 0;
  int64_t rejected = 0;
  std::string started_at;   // ISO-8601 UTC
  std::string finished_at;  // ISO-8601 UTC
  double seconds = 0;
};

// One input record and what became of it.
struct RowRecord {
  int64_t batch_id = 0;
  int64_t line = 0;
  Outcome outcome = Outcome::kRejected;
  int64_t patient_id = 0;   // 0: none
  std::string hersys_id;    // of the patient the row ended on, if any
  std::string reason_code;  // e.g. "missing_required"
  std::string reason_ja;
  std::string reason_en;
  std::string raw_text;     // the original record (kept for every outcome but accepted)
};

// A patient as the prefecture knows it: normalized values for matching and
// distribution, and the raw values they came from.
struct PatientRecord {
  int64_t id = 0;
  std::string hersys_id;
  std::string name;         // display form
  std::string name_key;     // exact key (no spaces)
  std::string name_folded;  // key with kanji variants folded
  std::string name_kana;    // katakana display form
  std::string kana_key;     // phonetic key
  std::string sex;          // "男" | "女" | "その他" | "不明" | ""
  std::string birth_date;   // YYYY-MM-DD or ""
  std::optional<int> age;
  std::string postal_code;
  std::string address;      // normalized
  std::string municipality_code;  // 6 digits or ""
  std::string residence_confidence;  // geo::ConfidenceName
  std::string phone;        // as written (normalized text)
  std::string phone_key;    // digits
  std::string occupation;
  std::string notified_on;
  std::string onset_on;
  std::string diagnosed_on;
  std::string reporting_facility;
  std::string health_center;
  std::string severity;
  std::string care_status;
  std::string care_start_on;
  std::optional<bool> consent_share;
  std::string flags;        // comma-separated data-quality flags
  std::string raw_json;     // {"canonical field": "raw text", ...}
  std::string extra_json;   // {"unknown header": "value", ...}
  std::string content_hash; // of the canonical raw values
  std::string published_on; // 公表日 (press or open data)
  std::string age_band;     // 年代 as published (10代 …)
  std::string press_json;   // press / open-data attributes, raw
  std::string external_id;  // key of a record without a HER-SYS ID (open data)
  int64_t created_batch = 0;
  int64_t updated_batch = 0;
};

struct ReviewItem {
  int64_t id = 0;
  int64_t batch_id = 0;
  int64_t line = 0;
  std::string kind;         // e.g. "hersys_id_contradiction"
  std::string reason_ja;
  std::string reason_en;
  std::string row_json;     // the incoming row's canonical raw values
  int64_t candidate_patient_id = 0;
  std::string status;       // "open" | "linked" | "new" | "rejected"
  std::string candidates_json;  // ranked candidates with per-field evidence
  std::string decided_by;
  std::string decided_at;
  std::string decision_reason;
  int64_t linked_patient_id = 0;  // the patient a "linked" item went to
};

// The patients that share a blocking key with a row (the rules of
// identity/blocking.h): the same birth date and also the family or given
// reading, the phone or the municipality; the same phone; the same folded
// kanji name or phonetic kana — the whole block when it has at most
// small_block patients, else only those also sharing the birth year, the
// municipality or the phone (a block of 400 namesakes is read only for the
// few who could be the row). A block larger than max_block (a facility's
// phone) is skipped and counted. Empty fields do not block; a store may
// return more patients than these rules (never fewer).
struct CandidateQuery {
  std::string birth_date;   // YYYY-MM-DD
  std::string name_folded;
  std::string kana_key;     // phonetic
  std::string phone_key;
  std::string kana_family;  // phonetic key of the family reading, if split
  std::string kana_given;   // phonetic key of the given reading, if split
  std::string municipality_code;  // 6 digits
  int64_t max_block = 500;
  int64_t small_block = 50;
};

// U+10FFFF in UTF-8: a prefix followed by it bounds every text beginning
// with the prefix (CountNamePrefix).
// The standing merges (a merge no unmerge undid): merged-away id, survivor
// id and the survivor's HER-SYS ID, in the SQL both stores share.
inline constexpr std::string_view kStandingMergesSql =
    "SELECT m.merged_id, p.id, p.hersys_id FROM patient_merges m JOIN patients p ON p.id = "
    "m.survivor_id WHERE m.action = 'merge' AND NOT EXISTS (SELECT 1 FROM patient_merges u "
    "WHERE u.undoes = m.id)";

inline constexpr std::string_view kLastCodePointUtf8 = "\xF4\x8F\xBF\xBF";

struct CandidateSet {
  std::vector<PatientRecord> patients;  // distinct, in id order
  int64_t oversized_blocks = 0;
  int64_t phone_block_size = 0;         // patients sharing the query's phone
};

// An operator's decision on a review item, as stored.
struct ReviewDecision {
  int64_t item_id = 0;
  std::string status;        // "linked" | "new" | "rejected" | "open" (undo)
  int64_t patient_id = 0;    // for "linked"
  std::string decided_by;
  std::string reason;
  std::vector<int64_t> event_ids;  // events the decision added (undo cancels them)
};

// An operator's merge of two patients, or its undo, as stored (issue 5).
// A merge copies the events in force of the merged-away patient onto the
// survivor and cancels them on the merged-away one (events are never
// edited); an unmerge cancels the copies and restores the originals. The
// merged-away patient is left out of searches and candidate blocks while
// its merge stands. Decisions are never edited: an unmerge is a new one.
struct MergeDecision {
  int64_t id = 0;
  std::string action;        // "merge" | "unmerge"
  int64_t survivor_id = 0;
  int64_t merged_id = 0;
  int64_t undoes = 0;        // an unmerge: the merge it undoes
  std::string decided_by;
  std::string reason;
  std::string decided_at;    // ISO-8601 UTC, set by the store
  std::vector<int64_t> survivor_event_ids;  // events this decision added to the survivor
  std::vector<int64_t> merged_event_ids;    // events it added to the merged-away patient
  bool undone = false;       // a merge: an unmerge names it (set when read)
};

// A patient search. Keys are already normalized by the caller (the store
// knows no Japanese): name_prefix is a folded kanji name key prefix,
// kana_prefix a phonetic kana key prefix. Empty fields do not filter.
struct PatientQuery {
  std::string name_prefix;
  std::string kana_prefix;
  std::string hersys_id;
  std::string phone_key;
  std::string birth_date;         // YYYY-MM-DD
  std::vector<std::string> municipality_codes;  // any of these (6 digits)
  std::string care_status;
  std::string health_center;       // exact
  std::string reporting_facility;  // exact
  int64_t limit = 50;
  int64_t offset = 0;
};

inline constexpr int64_t kSearchCountCap = 1000;

// Patients with first <= id < end.
struct PatientIdRange {
  int64_t first = 0;
  int64_t end = INT64_MAX;
};

// The order of a page: a search by a name prefix is in name order
// (name_folded, then id), one by a kana prefix in reading order (kana_key,
// then id) — 五十音順, as a clerk reads a list of readings — and any other
// in id order. A prefix page is then read off the prefix's index range
// alone, instead of collecting every match (18,000 for サトウ among
// 1,000,000 patients) to pick the smallest ids. Keys compare as bytes.
enum class PatientOrder { kId, kName, kKana };
PatientOrder OrderOf(const PatientQuery& query);
// The ORDER BY of a page, in both stores' column names.
std::string_view OrderBySql(PatientOrder order);

struct PatientPage {
  std::vector<PatientRecord> patients;  // in OrderOf(query)
  int64_t total = 0;                    // matches without limit/offset, at most kSearchCountCap
  bool total_capped = false;            // more than kSearchCountCap matched
};

// Writes of one batch, in one transaction. Destroying it without Commit
// rolls everything back.
class BatchWriter {
 public:
  virtual ~BatchWriter() = default;
  virtual int64_t batch_id() const = 0;
  virtual core::Result<std::optional<PatientRecord>> FindPatientByHersysId(
      const std::string& hersys_id) = 0;
  virtual core::Result<std::optional<PatientRecord>> FindPatientByExternalId(
      const std::string& external_id) = 0;
  // The patient with this HER-SYS ID with only who it is filled in (id,
  // hersys_id, name, name_folded, name_kana, kana_key, birth_date): what an
  // update row needs to check it is the same person, without reading the
  // whole record (120,000 rows on a peak day). The default reads it whole.
  virtual core::Result<std::optional<PatientRecord>> FindPatientIdentityByHersysId(
      const std::string& hersys_id);
  // The HER-SYS IDs the next rows will look up (in the order of the file),
  // so a store whose every lookup is a round trip to a server (PostgreSQL)
  // can read those patients and their events in one query each. A hint:
  // lookups give the same answers with or without it. The default ignores it.
  virtual core::Status Prefetch(std::span<const std::string> /*hersys_ids*/) { return core::Ok(); }
  // The patient a standing merge merged `patient_id` into (only id and
  // hersys_id filled in), or nullopt: an update row naming a merged-away
  // patient's HER-SYS ID belongs on the survivor. The standing merges are
  // read once per writer (an operator's rare act, never made by an import).
  virtual core::Result<std::optional<PatientRecord>> SurvivorOf(int64_t patient_id) = 0;
  // Sets patient.id and returns it.
  virtual core::Result<int64_t> InsertPatient(PatientRecord& patient) = 0;
  virtual core::Status UpdatePatient(const PatientRecord& patient) = 0;
  virtual core::Status AddRow(const RowRecord& row) = 0;
  virtual core::Result<int64_t> AddReviewItem(const ReviewItem& item) = 0;
  // Stores a care-history event of a patient; sets event.id. Returns false
  // (and stores nothing) when the patient already has an event with the same
  // dedupe key: the same stay re-listed in next week's sheet adds nothing.
  virtual core::Result<bool> AddEvent(int64_t patient_id, domain::Event& event,
                                      const std::string& dedupe_key) = 0;
  virtual core::Result<std::vector<domain::Event>> EventsOf(int64_t patient_id) = 0;
  virtual core::Result<CandidateSet> FindCandidates(const CandidateQuery& query) = 0;
  // Term-frequency counts for identity (identity/model.h): how many
  // patients' folded names begin with `prefix` (a folded family name), or
  // how many patients there are when it is empty. Merged-away patients count
  // (a name is no less common for it). Read on the name block's covering
  // index; a PostgreSQL writer counts what the database holds, not the new
  // patients it still buffers.
  virtual core::Result<int64_t> CountNamePrefix(std::string_view prefix) = 0;
  // Records an operator's decision and sets the item's status (decision
  // writers only; see Store::BeginDecision).
  virtual core::Status RecordDecision(const ReviewDecision& decision) = 0;
  // Records a merge decision (decision writers only); returns its id.
  // Not pure so that a store without merges still builds; it refuses.
  virtual core::Result<int64_t> RecordMerge(const MergeDecision& /*decision*/) {
    return core::Fail(core::Code::kFailedPrecondition, "この保存先は患者の統合に対応していません",
                      "this store does not support merging patients");
  }
  // Stores the final counts and timing, and commits.
  virtual core::Status Commit(const BatchInfo& final_info) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual core::Result<int> SchemaVersion() = 0;

  // Starts a batch; kAlreadyExists if a batch with that SHA-256 is stored.
  virtual core::Result<std::unique_ptr<BatchWriter>> BeginBatch(const BatchInfo& info) = 0;
  virtual core::Result<std::optional<BatchInfo>> FindBatchBySha256(const std::string& sha256) = 0;
  virtual core::Result<BatchInfo> GetBatch(int64_t batch_id) = 0;
  virtual core::Result<std::vector<BatchInfo>> ListBatches() = 0;
  // Rows of a batch in line order; only those with `outcome` if given.
  virtual core::Status ForEachRow(int64_t batch_id, std::optional<Outcome> outcome,
                                  const std::function<core::Status(const RowRecord&)>& fn) = 0;

  virtual core::Result<std::optional<PatientRecord>> GetPatient(int64_t id) = 0;
  // The patients with these ids (ascending, distinct), in id order; ids
  // with no patient are skipped. One read for many patients (the package
  // builder reads ~65,000 at once); the default asks GetPatient for each.
  virtual core::Result<std::vector<PatientRecord>> GetPatients(std::span<const int64_t> ids);
  virtual core::Result<std::optional<PatientRecord>> FindPatientByHersysId(
      const std::string& hersys_id) = 0;
  virtual core::Result<int64_t> CountPatients() = 0;
  virtual core::Result<PatientPage> SearchPatients(const PatientQuery& query) = 0;
  // Every patient in id order.
  virtual core::Status ForEachPatient(const std::function<core::Status(const PatientRecord&)>& fn) = 0;

  virtual core::Result<std::vector<ReviewItem>> ListReviewItems(const std::string& status) = 0;
  virtual core::Result<ReviewItem> GetReviewItem(int64_t id) = 0;
  // The decisions on a review item, oldest first.
  virtual core::Result<std::vector<ReviewDecision>> DecisionsOf(int64_t item_id) = 0;
  // A transaction for an operator's decision on rows of an earlier batch:
  // like BeginBatch, but it adds no batch; events it adds cite `batch_id`.
  virtual core::Result<std::unique_ptr<BatchWriter>> BeginDecision(int64_t batch_id) = 0;
  virtual core::Result<CandidateSet> FindCandidates(const CandidateQuery& query) = 0;
  // Term-frequency counts for identity (identity/model.h): how many
  // patients' folded names begin with `prefix` (a folded family name), or
  // how many patients there are when it is empty. Merged-away patients count
  // (a name is no less common for it). Read on the name block's covering
  // index; a PostgreSQL writer counts what the database holds, not the new
  // patients it still buffers.
  virtual core::Result<int64_t> CountNamePrefix(std::string_view prefix) = 0;

  // A patient's care-history events, in id order.
  virtual core::Result<std::vector<domain::Event>> EventsOf(int64_t patient_id) = 0;
  // Every patient that has events, in patient id order, with all its events.
  virtual core::Status ForEachPatientEvents(
      const std::function<core::Status(int64_t patient_id, std::span<const domain::Event>)>& fn) = 0;
  // The same for the patients in `range` only (one slice of a parallel pass,
  // see store/parallel_events.h).
  virtual core::Status ForEachPatientEventsIn(
      PatientIdRange range,
      const std::function<core::Status(int64_t patient_id, std::span<const domain::Event>)>& fn) = 0;
  // The highest patient id (0 when there are none).
  virtual core::Result<int64_t> MaxPatientId() = 0;

  // Merge decisions naming the patient (as survivor or merged-away), oldest
  // first; one by id (kNotFound). Not pure, as RecordMerge.
  virtual core::Result<std::vector<MergeDecision>> MergeDecisionsOf(int64_t /*patient_id*/) {
    return core::Fail(core::Code::kFailedPrecondition, "この保存先は患者の統合に対応していません",
                      "this store does not support merging patients");
  }
  virtual core::Result<MergeDecision> GetMergeDecision(int64_t /*id*/) {
    return core::Fail(core::Code::kFailedPrecondition, "この保存先は患者の統合に対応していません",
                      "this store does not support merging patients");
  }
};

}  // namespace ichigen::store
