// Builders for domain tests: events with readable dates and defaults, so a
// test case reads like the timeline it describes. Test-only; not part of
// ichigen_domain. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/date.h"
#include "domain/care_status.h"
#include "domain/events.h"

namespace ichigen::domain::testing {

inline core::Date D(std::string_view iso) { return *core::Date::ParseIso(iso); }

// Unix seconds for `hour`:00 JST on the given day.
inline int64_t At(std::string_view iso, int hour = 12) {
  return int64_t{D(iso).days()} * 86400 + int64_t{hour} * 3600 - kJstOffsetSeconds;
}

// An event of `type` effective on `on`, received at noon JST that day
// unless `received_at` says otherwise.
inline Event Ev(int64_t id, EventType type, std::string_view on, std::string facility = {},
                int64_t received_at = 0) {
  Event e;
  e.id = id;
  e.type = type;
  e.effective_on = D(on);
  e.received_at = received_at != 0 ? received_at : At(on);
  e.facility = std::move(facility);
  e.source = "test";
  e.batch_id = 1;
  e.line = static_cast<int32_t>(id);
  return e;
}

// 新規届出 with an onset date.
inline Event Notified(int64_t id, std::string_view on, std::string_view onset,
                      std::string residence = "141003") {
  Event e = Ev(id, EventType::kNotified, on);
  e.onset_on = D(onset);
  e.diagnosed_on = D(on);
  e.residence_code = std::move(residence);
  return e;
}

}  // namespace ichigen::domain::testing
