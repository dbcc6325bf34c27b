// How the SQLite stores read care-history events: the column list and the
// decoder, shared by the core store and the statistics store so that a
// change to the events table is made in one place.
// Thread-safety: pure functions over a statement the caller owns.
#pragma once

#include "core/result.h"
#include "domain/events.h"
#include "store/sqlite_handle.h"

namespace ichigen::store {

// Select these columns, in this order, and decode each row with ReadSqliteEvent.
inline constexpr const char* kSqliteEventColumns =
    "id, patient_id, type, effective_on, received_at, source, batch_id, line, facility, "
    "residence_code, onset_on, diagnosed_on, extended_until, care_status, symptomatic, "
    "supersedes, cancels";

core::Result<domain::Event> ReadSqliteEvent(const SqliteStmt& stmt);
// The same into an event read before, every field assigned: a pass that
// reuses its events keeps their strings' buffers instead of allocating anew.
core::Status ReadSqliteEventInto(const SqliteStmt& stmt, domain::Event& event);

}  // namespace ichigen::store
