#include "distribution/cutoff.h"

#include <charconv>
#include <cstdio>

namespace ichigen::distribution {
namespace {

constexpr int64_t kJstOffsetSeconds = 9 * 3600;
constexpr int64_t kSecondsPerDay = 86400;

bool ParseDigits(std::string_view text, int& out) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return std::from_chars(text.data(), text.data() + text.size(), out).ec == std::errc();
}

core::Error BadCutoff(std::string_view text) {
  return core::Error{core::Code::kInvalidArgument,
                     "締め時刻の形式が正しくありません: " + std::string(text) +
                         " (例: 2022-08-01T09:00)",
                     "invalid cutoff: " + std::string(text) + " (e.g. 2022-08-01T09:00)",
                     "cutoff"};
}

}  // namespace

std::string Cutoff::Compact() const {
  const core::Ymd ymd = date.ToYmd();
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d%02d%02dT%02d%02d", ymd.year, ymd.month, ymd.day,
                hour(), minute());
  return buffer;
}

std::string Cutoff::Iso() const {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "T%02d:%02d:00+09:00", hour(), minute());
  return date.ToIso() + buffer;
}

int64_t Cutoff::UnixSeconds() const {
  return static_cast<int64_t>(date.days()) * kSecondsPerDay + minute_of_day * 60 -
         kJstOffsetSeconds;
}

Cutoff CutoffFromUnixSeconds(int64_t unix_seconds) {
  const int64_t local = unix_seconds + kJstOffsetSeconds;
  int64_t days = local / kSecondsPerDay;
  int64_t rest = local % kSecondsPerDay;
  if (rest < 0) {
    rest += kSecondsPerDay;
    --days;
  }
  return Cutoff{core::Date::FromDays(static_cast<int32_t>(days)),
                static_cast<int>(rest / 60)};
}

core::Result<Cutoff> ParseCutoff(std::string_view text) {
  if (text.size() < 10) return std::unexpected(BadCutoff(text));
  const std::optional<core::Date> date = core::Date::ParseIso(text.substr(0, 10));
  if (!date) return std::unexpected(BadCutoff(text));
  std::string_view rest = text.substr(10);
  if (rest.empty()) return Cutoff{*date, kDefaultCutoffMinuteOfDay};
  if (rest.front() != 'T' && rest.front() != ' ') return std::unexpected(BadCutoff(text));
  rest.remove_prefix(1);
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (rest.size() < 5 || rest[2] != ':' || !ParseDigits(rest.substr(0, 2), hour) ||
      !ParseDigits(rest.substr(3, 2), minute)) {
    return std::unexpected(BadCutoff(text));
  }
  rest.remove_prefix(5);
  if (rest.size() >= 3 && rest.front() == ':') {
    if (!ParseDigits(rest.substr(1, 2), second)) return std::unexpected(BadCutoff(text));
    rest.remove_prefix(3);
  }
  if (hour > 23 || minute > 59 || second != 0) return std::unexpected(BadCutoff(text));
  // Offset: none or +09:00 means JST; Z or another offset is converted.
  int offset_minutes = 9 * 60;
  if (rest == "Z") {
    offset_minutes = 0;
  } else if (!rest.empty()) {
    int oh = 0;
    int om = 0;
    if (rest.size() != 6 || (rest[0] != '+' && rest[0] != '-') || rest[3] != ':' ||
        !ParseDigits(rest.substr(1, 2), oh) || !ParseDigits(rest.substr(4, 2), om) || oh > 23 ||
        om > 59) {
      return std::unexpected(BadCutoff(text));
    }
    offset_minutes = (rest[0] == '-' ? -1 : 1) * (oh * 60 + om);
  }
  const int64_t unix_seconds = static_cast<int64_t>(date->days()) * kSecondsPerDay +
                               (hour * 60 + minute - offset_minutes) * 60;
  return CutoffFromUnixSeconds(unix_seconds);
}

}  // namespace ichigen::distribution
