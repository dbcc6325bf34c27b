#include "store/sqlite_events.h"

namespace ichigen::store {

namespace {

std::optional<core::Date> OptDate(const SqliteStmt& s, int column) {
  if (s.IsNull(column)) return std::nullopt;
  return core::Date::FromDays(static_cast<int32_t>(s.Int(column)));
}

std::string_view ColumnView(const SqliteStmt& s, int column) {
  const unsigned char* text = sqlite3_column_text(s.get(), column);
  if (text == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(text),
                          static_cast<size_t>(sqlite3_column_bytes(s.get(), column)));
}


}  // namespace

core::Result<domain::Event> ReadSqliteEvent(const SqliteStmt& s) {
  domain::Event e;
  RETURN_IF_ERROR(ReadSqliteEventInto(s, e));
  return e;
}

core::Status ReadSqliteEventInto(const SqliteStmt& s, domain::Event& e) {
  e.id = s.Int(0);
  ASSIGN_OR_RETURN(e.type, domain::ParseEventType(ColumnView(s, 2)));
  e.effective_on = core::Date::FromDays(static_cast<int32_t>(s.Int(3)));
  e.received_at = s.Int(4);
  e.source = ColumnView(s, 5);
  e.batch_id = s.Int(6);
  e.line = static_cast<int32_t>(s.Int(7));
  e.facility = ColumnView(s, 8);
  e.residence_code = ColumnView(s, 9);
  e.onset_on = OptDate(s, 10);
  e.diagnosed_on = OptDate(s, 11);
  e.extended_until = OptDate(s, 12);
  e.care_status.reset();
  if (!s.IsNull(13)) {
    ASSIGN_OR_RETURN(e.care_status, domain::ParseCareStatus(ColumnView(s, 13)));
  }
  e.symptomatic.reset();
  if (!s.IsNull(14)) e.symptomatic = s.Int(14) != 0;
  e.supersedes = s.Int(15);
  e.cancels = s.Int(16) != 0;
  return core::Ok();
}

}  // namespace ichigen::store
