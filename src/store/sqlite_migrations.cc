// The SQLite schema, as numbered migrations. A migration is never edited
// once it has shipped; a change is a new migration.
#include "store/sqlite_store.h"

namespace ichigen::store {

namespace {

constexpr Migration kMigrations[] = {
    {1, "batches, rows, patients, review items", R"sql(
CREATE TABLE batches (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  file_name TEXT NOT NULL,
  source TEXT NOT NULL,
  profile TEXT NOT NULL,
  encoding TEXT NOT NULL,
  format TEXT NOT NULL,
  bytes INTEGER NOT NULL DEFAULT 0,
  rows INTEGER NOT NULL DEFAULT 0,
  accepted INTEGER NOT NULL DEFAULT 0,
  merged INTEGER NOT NULL DEFAULT 0,
  review INTEGER NOT NULL DEFAULT 0,
  rejected INTEGER NOT NULL DEFAULT 0,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  seconds REAL
);
CREATE TABLE patients (
  id INTEGER PRIMARY KEY,
  hersys_id TEXT UNIQUE,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  name_folded TEXT NOT NULL,
  name_kana TEXT,
  kana_key TEXT,
  sex TEXT,
  birth_date TEXT,
  age INTEGER,
  postal_code TEXT,
  address TEXT,
  municipality_code TEXT,
  residence_confidence TEXT,
  phone TEXT,
  phone_key TEXT,
  occupation TEXT,
  notified_on TEXT,
  onset_on TEXT,
  diagnosed_on TEXT,
  reporting_facility TEXT,
  health_center TEXT,
  severity TEXT,
  care_status TEXT,
  care_start_on TEXT,
  consent_share INTEGER,
  flags TEXT,
  raw_json TEXT NOT NULL,
  extra_json TEXT,
  content_hash TEXT NOT NULL,
  created_batch INTEGER NOT NULL REFERENCES batches(id),
  updated_batch INTEGER NOT NULL REFERENCES batches(id)
);
CREATE TABLE batch_rows (
  batch_id INTEGER NOT NULL REFERENCES batches(id),
  line INTEGER NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'merged', 'review', 'rejected')),
  patient_id INTEGER REFERENCES patients(id),
  hersys_id TEXT,
  reason_code TEXT,
  reason_ja TEXT,
  reason_en TEXT,
  raw_text TEXT,
  PRIMARY KEY (batch_id, line)
) WITHOUT ROWID;
CREATE TABLE review_items (
  id INTEGER PRIMARY KEY,
  batch_id INTEGER NOT NULL REFERENCES batches(id),
  line INTEGER NOT NULL,
  kind TEXT NOT NULL,
  reason_ja TEXT NOT NULL,
  reason_en TEXT NOT NULL,
  row_json TEXT NOT NULL,
  candidate_patient_id INTEGER REFERENCES patients(id),
  status TEXT NOT NULL DEFAULT 'open'
    CHECK (status IN ('open', 'linked', 'new', 'rejected')),
  decided_by TEXT,
  decided_at TEXT,
  UNIQUE (batch_id, line)
);
CREATE INDEX review_items_status ON review_items(status);
)sql"},
    {2, "patient search indexes", R"sql(
CREATE INDEX patients_name_folded ON patients(name_folded);
CREATE INDEX patients_kana_key ON patients(kana_key);
CREATE INDEX patients_birth_date ON patients(birth_date);
CREATE INDEX patients_phone_key ON patients(phone_key);
CREATE INDEX patients_municipality ON patients(municipality_code);
)sql"},
    // Events are clustered by patient (WITHOUT ROWID, key patient_id, id) so
    // a census reads each patient's history in one sequential scan.
    {3, "care-history events", R"sql(
CREATE TABLE events (
  id INTEGER NOT NULL,
  patient_id INTEGER NOT NULL REFERENCES patients(id),
  type TEXT NOT NULL,
  effective_on INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  source TEXT NOT NULL,
  batch_id INTEGER REFERENCES batches(id),
  line INTEGER NOT NULL DEFAULT 0,
  facility TEXT,
  residence_code TEXT,
  onset_on INTEGER,
  diagnosed_on INTEGER,
  extended_until INTEGER,
  care_status TEXT,
  symptomatic INTEGER,
  supersedes INTEGER REFERENCES events(id),  -- a 訂正 names the event it corrects
  cancels INTEGER NOT NULL DEFAULT 0,
  dedupe_key TEXT NOT NULL,
  PRIMARY KEY (patient_id, id),
  UNIQUE (patient_id, dedupe_key)
) WITHOUT ROWID;
CREATE UNIQUE INDEX events_id ON events(id);
CREATE TRIGGER events_are_never_edited BEFORE UPDATE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are never edited; add a correction');
END;
)sql"},
    {4, "press attributes and open-data case records", R"sql(
ALTER TABLE patients ADD COLUMN published_on TEXT;
ALTER TABLE patients ADD COLUMN age_band TEXT;
ALTER TABLE patients ADD COLUMN press_json TEXT;
ALTER TABLE patients ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX patients_external_id ON patients(external_id);
CREATE INDEX patients_published_on ON patients(published_on);
)sql"},
    {5, "search by health center and reporting facility", R"sql(
CREATE INDEX patients_health_center ON patients(health_center);
CREATE INDEX patients_reporting_facility ON patients(reporting_facility);
)sql"},
    {6, "review candidates and operator decisions", R"sql(
ALTER TABLE review_items ADD COLUMN candidates_json TEXT;
ALTER TABLE review_items ADD COLUMN decision_reason TEXT;
ALTER TABLE review_items ADD COLUMN linked_patient_id INTEGER REFERENCES patients(id);
CREATE TABLE review_decisions (
  id INTEGER PRIMARY KEY,
  item_id INTEGER NOT NULL REFERENCES review_items(id),
  status TEXT NOT NULL CHECK (status IN ('open', 'linked', 'new', 'rejected')),
  patient_id INTEGER REFERENCES patients(id),
  decided_by TEXT NOT NULL,
  reason TEXT NOT NULL,
  event_ids TEXT NOT NULL,
  decided_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX review_decisions_item ON review_decisions(item_id);
CREATE TRIGGER review_decisions_are_kept BEFORE UPDATE ON review_decisions
BEGIN
  SELECT RAISE(ABORT, 'decisions are never edited; record an undo');
END;
)sql"},
    // Merges are decisions like the review queue's: kept, never edited; an
    // unmerge is a row of its own naming the merge it undoes.
    {7, "operator merges of two patients", R"sql(
CREATE TABLE patient_merges (
  id INTEGER PRIMARY KEY,
  action TEXT NOT NULL CHECK (action IN ('merge', 'unmerge')),
  survivor_id INTEGER NOT NULL REFERENCES patients(id),
  merged_id INTEGER NOT NULL REFERENCES patients(id),
  undoes INTEGER UNIQUE REFERENCES patient_merges(id),
  decided_by TEXT NOT NULL,
  reason TEXT NOT NULL,
  survivor_event_ids TEXT NOT NULL,
  merged_event_ids TEXT NOT NULL,
  decided_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  CHECK (survivor_id <> merged_id),
  CHECK ((action = 'unmerge') = (undoes IS NOT NULL))
);
CREATE INDEX patient_merges_survivor ON patient_merges(survivor_id);
CREATE INDEX patient_merges_merged ON patient_merges(merged_id);
CREATE TRIGGER patient_merges_are_kept BEFORE UPDATE ON patient_merges
BEGIN
  SELECT RAISE(ABORT, 'merge decisions are never edited; record an unmerge');
END;
)sql"},
    // Candidate blocks (store.h CandidateQuery) are narrowed by a second key
    // (a reading, the phone, the municipality, the birth year). With these
    // covering indexes the narrowing reads only the index, and a patient
    // row is fetched only for the few who pass: reading every row of a
    // block at random places in a large store was most of an ID-less row's
    // cost. They replace the single-column indexes they start with.
    {8, "covering indexes for identity candidate blocks", R"sql(
CREATE INDEX patients_birth_block ON patients(birth_date, kana_key, phone_key, municipality_code);
CREATE INDEX patients_name_block ON patients(name_folded, birth_date, municipality_code, phone_key);
CREATE INDEX patients_kana_block ON patients(kana_key, birth_date, municipality_code, phone_key);
DROP INDEX patients_birth_date;
DROP INDEX patients_name_folded;
DROP INDEX patients_kana_key;
)sql"},
    // The figures' update after a batch reads the records of only the
    // patients the batch inserted or changed (store/stats_store.h
    // PatientIdsUpdatedIn); every other patient's attributes are in its
    // stored contribution.
    {9, "patients by the batch that last changed them", R"sql(
CREATE INDEX patients_updated_batch ON patients(updated_batch);
)sql"},
    // What the figures' update after a batch learns without reading the
    // events table (store/event_pack.h): the events the batch added, packed
    // by patient at commit, and the patients a review or merge decision
    // wrote to since the figures last took them in.
    {10, "events a batch added, and patients decisions wrote to, for the figures", R"sql(
CREATE TABLE batch_events (
  batch_id INTEGER NOT NULL REFERENCES batches(id),
  part INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (batch_id, part)
);
CREATE TABLE decision_patients (
  seq INTEGER PRIMARY KEY,
  patient_id INTEGER NOT NULL
);
)sql"},
};

}  // namespace

std::span<const Migration> SqliteMigrations() { return kMigrations; }

}  // namespace ichigen::store
