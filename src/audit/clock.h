// Clock: the injectable wall clock of the audit trail and the server, so
// tests are hermetic (they pass a clock they move by hand), and the one
// ISO-8601 UTC text form every stored time uses. Thread-safety: a Clock is
// called from any thread; SystemClock() is safe; the formatters are pure.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ichigen::audit {

using TimePoint = std::chrono::system_clock::time_point;
using Clock = std::function<TimePoint()>;

Clock SystemClock();

// "2024-05-01T09:00:00Z", or with milliseconds "2024-05-01T09:00:00.123Z".
std::string IsoUtc(TimePoint at, bool millis = false);
// Parses the forms IsoUtc writes; nullopt otherwise.
std::optional<TimePoint> ParseIsoUtc(std::string_view text);

}  // namespace ichigen::audit
