// Cutoff: the moment (Japan Standard Time, to the minute) a package is cut.
// A package at a cutoff on day D shows the state as of D from what was known
// at the cutoff; its id and file names carry the cutoff as YYYYMMDDThhmm.
// Thread-safety: value type and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/date.h"
#include "core/result.h"

namespace ichigen::distribution {

// The default daily cutoff, 09:00 JST (issue 6; configurable by the caller).
inline constexpr int kDefaultCutoffMinuteOfDay = 9 * 60;

struct Cutoff {
  core::Date date;         // the JST calendar day
  int minute_of_day = kDefaultCutoffMinuteOfDay;  // 0..1439, JST

  int hour() const { return minute_of_day / 60; }
  int minute() const { return minute_of_day % 60; }
  std::string Compact() const;  // "20220801T0900"
  std::string Iso() const;      // "2022-08-01T09:00:00+09:00"
  int64_t UnixSeconds() const;  // the instant, for "received at or before"
  friend auto operator<=>(const Cutoff&, const Cutoff&) = default;
};

// "2022-08-01T09:00", "2022-08-01T09:00:00+09:00", "2022-08-01T00:00:00Z"
// (converted to JST), "2022-08-01 09:00" or a bare "2022-08-01" (the
// default minute). Seconds must be zero: packages are cut to the minute.
core::Result<Cutoff> ParseCutoff(std::string_view text);

// The JST cutoff of a unix time, truncated to the minute.
Cutoff CutoffFromUnixSeconds(int64_t unix_seconds);

}  // namespace ichigen::distribution
