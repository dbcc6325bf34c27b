#include "store/pg_events.h"

namespace ichigen::store {

namespace {

std::optional<core::Date> OptDate(const PgResult& r, int row, int column) {
  if (r.IsNull(row, column)) return std::nullopt;
  return core::Date::FromDays(static_cast<int32_t>(r.Int(row, column)));
}

}  // namespace

core::Result<domain::Event> ReadPgEvent(const PgResult& r, int row) {
  domain::Event e;
  e.id = r.Int(row, 0);
  ASSIGN_OR_RETURN(e.type, domain::ParseEventType(r.View(row, 2)));
  e.effective_on = core::Date::FromDays(static_cast<int32_t>(r.Int(row, 3)));
  e.received_at = r.Int(row, 4);
  e.source = r.View(row, 5);
  e.batch_id = r.Int(row, 6);
  e.line = static_cast<int32_t>(r.Int(row, 7));
  e.facility = r.View(row, 8);
  e.residence_code = r.View(row, 9);
  e.onset_on = OptDate(r, row, 10);
  e.diagnosed_on = OptDate(r, row, 11);
  e.extended_until = OptDate(r, row, 12);
  if (!r.IsNull(row, 13)) {
    ASSIGN_OR_RETURN(e.care_status, domain::ParseCareStatus(r.View(row, 13)));
  }
  if (!r.IsNull(row, 14)) e.symptomatic = r.Int(row, 14) != 0;
  e.supersedes = r.Int(row, 15);
  e.cancels = r.Int(row, 16) != 0;
  return e;
}

}  // namespace ichigen::store
