// Identity candidate blocks and merge visibility on PostgreSQL, shared by
// PostgresStore and its batch writer (internal to src/store).
//
// QueryPgCandidates applies the blocking rules of store.h CandidateQuery
// (identity/blocking.h) exactly as SqliteStore does: the birth-date block
// narrowed to those who also share a reading, the phone or the
// municipality; the phone block whole; the folded-name and phonetic-kana
// blocks whole when they have at most small_block patients, else narrowed
// to those who also share the birth year, the municipality or the phone; a
// block of more than max_block patients skipped and counted. Merged-away
// patients are never candidates (they still count in block sizes, as on
// SQLite). Two round trips: the ids of every block in one statement, then
// the candidate columns of the chosen ids (raw_json and the other columns
// scoring does not read are left empty).
//
// Thread-safety: as the PgConn it is given (one thread at a time).
#pragma once

#include "core/result.h"
#include "store/pg_handle.h"
#include "store/store.h"

namespace ichigen::store {

// True for a row of `patients` (unaliased) unless a merge that no unmerge
// undid merged it away: a merged-away patient is shown through its survivor.
inline constexpr const char* kPgNotMergedAway =
    "NOT EXISTS (SELECT 1 FROM patient_merges m WHERE m.merged_id = patients.id AND "
    "m.action = 'merge' AND NOT EXISTS (SELECT 1 FROM patient_merges u WHERE u.undoes = m.id))";

// The candidates for `query` as the database holds them now (a writer sends
// its buffered patients first).
core::Result<CandidateSet> QueryPgCandidates(PgConn& conn, const CandidateQuery& query);

// store.h CountNamePrefix: a range of patients_name_block (the cluster's
// C.UTF-8 collation compares code points, so the names beginning with
// `prefix` are one range); every patient when `prefix` is empty.
core::Result<int64_t> CountPgNamePrefix(PgConn& conn, std::string_view prefix);

}  // namespace ichigen::store
