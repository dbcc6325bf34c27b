// How the PostgreSQL stores read care-history events: the column list and the
// decoder, shared by the core store and the statistics store so that a change
// to the events table is made in one place (as sqlite_events.h for SQLite).
// Thread-safety: pure functions over a result the caller owns.
#pragma once

#include "core/result.h"
#include "domain/events.h"
#include "store/pg_handle.h"

namespace ichigen::store {

// Select these columns, in this order, and decode each row with ReadPgEvent.
inline constexpr const char* kPgEventColumns =
    "id, patient_id, type, effective_on, received_at, source, batch_id, line, facility, "
    "residence_code, onset_on, diagnosed_on, extended_until, care_status, symptomatic, "
    "supersedes, cancels";

core::Result<domain::Event> ReadPgEvent(const PgResult& result, int row);

}  // namespace ichigen::store
