#include "core/date.h"

#include <cmath>
#include <cstdio>

namespace ichigen::core {

namespace {

// Howard Hinnant's days_from_civil / civil_from_days.
int32_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

constexpr int32_t kExcelEpochDays = -25569;  // 1899-12-30 as days since 1970

}  // namespace

bool IsLeapYear(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

std::optional<Date> Date::FromYmd(int year, int month, int day) {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, month)) {
    return std::nullopt;
  }
  return Date(DaysFromCivil(year, month, day));
}

std::optional<Date> Date::ParseIso(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  const int starts[3] = {0, 5, 8};
  const int lengths[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (int i = 0; i < lengths[p]; ++i) {
      const char c = text[starts[p] + i];
      if (c < '0' || c > '9') return std::nullopt;
      parts[p] = parts[p] * 10 + (c - '0');
    }
  }
  return FromYmd(parts[0], parts[1], parts[2]);
}

std::optional<Date> Date::FromExcelSerial(double serial) {
  if (!std::isfinite(serial) || serial < 1 || serial > 2958465) return std::nullopt;
  int32_t whole = static_cast<int32_t>(std::floor(serial));
  if (whole == 60) return std::nullopt;  // Excel's 1900-02-29 does not exist
  if (whole < 60) whole += 1;  // before the phantom day the epoch is 1899-12-31
  return Date(kExcelEpochDays + whole);
}

double Date::ToExcelSerial() const {
  int32_t serial = days_ - kExcelEpochDays;
  if (serial <= 60) serial -= 1;
  return serial;
}

Ymd Date::ToYmd() const {
  int32_t z = days_ + 719468;
  const int32_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int32_t doe = z - era * 146097;
  const int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int32_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int y = static_cast<int>(yoe + era * 400 + (m <= 2));
  return Ymd{y, m, d};
}

std::string Date::ToIso() const {
  const Ymd ymd = ToYmd();
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", ymd.year, ymd.month, ymd.day);
  return buffer;
}

int Date::Weekday() const {
  // 1970-01-01 was a Thursday (4).
  const int32_t w = (days_ + 4) % 7;
  return static_cast<int>(w < 0 ? w + 7 : w);
}

int AgeOn(Date birth, Date on) {
  const Ymd b = birth.ToYmd();
  const Ymd o = on.ToYmd();
  int age = o.year - b.year;
  if (o.month < b.month || (o.month == b.month && o.day < b.day)) --age;
  return age;
}

}  // namespace ichigen::core
