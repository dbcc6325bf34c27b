// Date: a calendar date in the proleptic Gregorian calendar, held as days
// since 1970-01-01, plus the few conversions every layer needs (ISO text,
// year/month/day, Excel serials). Parsing of the many Japanese written forms
// lives in text/date_parser.h; this is the value type. Thread-safety: value.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ichigen::core {

struct Ymd {
  int year = 0;
  int month = 0;  // 1..12
  int day = 0;    // 1..31
};

class Date {
 public:
  constexpr Date() = default;
  static constexpr Date FromDays(int32_t days) { return Date(days); }
  // Returns nullopt when the triple is not a real calendar date.
  static std::optional<Date> FromYmd(int year, int month, int day);
  // Strict YYYY-MM-DD.
  static std::optional<Date> ParseIso(std::string_view text);
  // Excel 1900 date system serial (1 = 1900-01-01, with Excel's phantom
  // 1900-02-29, so serials >= 61 are shifted by one day).
  static std::optional<Date> FromExcelSerial(double serial);

  constexpr int32_t days() const { return days_; }
  Ymd ToYmd() const;
  std::string ToIso() const;  // YYYY-MM-DD
  double ToExcelSerial() const;
  int Weekday() const;  // 0 = Sunday

  constexpr Date AddDays(int32_t n) const { return Date(days_ + n); }
  friend constexpr int32_t operator-(Date a, Date b) { return a.days_ - b.days_; }
  friend constexpr auto operator<=>(Date a, Date b) = default;

 private:
  constexpr explicit Date(int32_t days) : days_(days) {}
  int32_t days_ = 0;
};

bool IsLeapYear(int year);
int DaysInMonth(int year, int month);

// Whole years between birth and on (age on that date); negative if birth > on.
int AgeOn(Date birth, Date on);

}  // namespace ichigen::core
