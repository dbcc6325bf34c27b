#include "io/number_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/date.h"

namespace ichigen::io {
namespace {

constexpr int kDate1904Offset = 1462;  // days from 1900-based to 1904-based serials

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

void AppendTwo(std::string& out, int64_t n) {
  out.push_back(static_cast<char>('0' + (n / 10) % 10));
  out.push_back(static_cast<char>('0' + n % 10));
}

std::string FormatTimeOfDay(int64_t seconds, bool wrap) {
  if (wrap) seconds %= 86400;
  std::string out;
  const int64_t hours = seconds / 3600;
  if (hours >= 100) {
    out = std::to_string(hours);
  } else {
    AppendTwo(out, hours);
  }
  out.push_back(':');
  AppendTwo(out, (seconds / 60) % 60);
  out.push_back(':');
  AppendTwo(out, seconds % 60);
  return out;
}

}  // namespace

CellFormat ClassifyBuiltinFormat(int id) {
  if ((id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 31) || (id >= 34 && id <= 36) ||
      (id >= 50 && id <= 54) || (id >= 57 && id <= 58)) {
    return {NumberKind::kDate};
  }
  // 18–21 h:mm[:ss] [AM/PM]; 32, 33, 55, 56 h"時"mm"分"[ss"秒"] in Japanese
  // Excel; 45 mm:ss; 47 mmss.0. 46 is [h]:mm:ss, an elapsed time.
  if ((id >= 18 && id <= 21) || id == 32 || id == 33 || id == 45 || id == 47 || id == 55 ||
      id == 56) {
    return {NumberKind::kTime};
  }
  if (id == 1) return {NumberKind::kZeroPadded, 1};
  return {};
}

CellFormat ClassifyFormatCode(std::string_view code) {
  // Only the first section (positive numbers) decides.
  std::string letters;  // format letters, lower-cased, others dropped
  std::vector<std::string> runs;
  bool only_zeros = !code.empty();
  bool elapsed = false;
  size_t i = 0;
  while (i < code.size()) {
    const char c = code[i];
    if (c == ';') break;
    if (c != '0') only_zeros = false;
    if (c == '"') {  // literal text
      const size_t end = code.find('"', i + 1);
      i = end == std::string_view::npos ? code.size() : end + 1;
      continue;
    }
    if (c == '[') {  // colour, locale [$-411] or elapsed [h] [mm] [ss]
      const size_t end = code.find(']', i + 1);
      const std::string_view inside =
          code.substr(i + 1, (end == std::string_view::npos ? code.size() : end) - i - 1);
      if (!inside.empty() && (Lower(inside[0]) == 'h' || Lower(inside[0]) == 'm' ||
                              Lower(inside[0]) == 's')) {
        elapsed = true;
      }
      i = end == std::string_view::npos ? code.size() : end + 1;
      continue;
    }
    if (c == '\\' || c == '_' || c == '*') {  // escaped, padding, fill: skip the next char
      i += 2;
      continue;
    }
    const char l = Lower(c);
    if (l == 'g' && code.size() - i >= 7) {
      std::string word;
      for (size_t k = 0; k < 7; ++k) word.push_back(Lower(code[i + k]));
      if (word == "general") return {};
    }
    if (l == 'e' && i + 1 < code.size() && (code[i + 1] == '+' || code[i + 1] == '-')) {
      i += 2;  // scientific notation, not an era
      continue;
    }
    if (code.substr(i).size() >= 5 && Lower(code[i]) == 'a' && Lower(code[i + 1]) == 'm' &&
        code[i + 2] == '/' && Lower(code[i + 3]) == 'p' && Lower(code[i + 4]) == 'm') {
      runs.push_back("h");  // AM/PM implies a clock time
      i += 5;
      continue;
    }
    if (l >= 'a' && l <= 'z') {
      if (runs.empty() || runs.back().back() != l || i == 0 || Lower(code[i - 1]) != l) {
        runs.emplace_back(1, l);
      } else {
        runs.back().push_back(l);
      }
    }
    ++i;
  }
  if (only_zeros) return {NumberKind::kZeroPadded, static_cast<int>(code.size())};
  if (elapsed) return {};
  bool date = false;
  bool time = false;
  for (size_t k = 0; k < runs.size(); ++k) {
    const std::string& run = runs[k];
    switch (run[0]) {
      case 'y':
      case 'd':
      case 'e':
      case 'g':
        date = true;
        break;
      case 'h':
      case 's':
        time = true;
        break;
      case 'm': {
        const bool after_hour = k > 0 && runs[k - 1][0] == 'h';
        const bool before_second = k + 1 < runs.size() && runs[k + 1][0] == 's';
        if (after_hour || before_second) {
          time = true;
        } else {
          date = true;
        }
        break;
      }
      default:
        break;
    }
  }
  if (date) return {NumberKind::kDate};
  if (time) return {NumberKind::kTime};
  return {};
}

std::string FormatGeneral(double value) {
  if (!std::isfinite(value)) return value != value ? "NaN" : (value > 0 ? "INF" : "-INF");
  if (value == 0) return "0";  // also -0
  if (std::fabs(value) < 1e15 && value == std::trunc(value)) {
    return std::to_string(static_cast<int64_t>(value));
  }
  // Excel keeps 15 significant digits: 0.1+0.2 shows as 0.3.
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.15g", value);
  const double rounded = std::strtod(buffer, nullptr);
  if (std::fabs(rounded) < 1e15 && rounded == std::trunc(rounded)) {
    return std::to_string(static_cast<int64_t>(rounded));
  }
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, rounded);
  return std::string(buffer, result.ptr);
}

std::string FormatCellNumber(double value, const CellFormat& format, bool date1904) {
  switch (format.kind) {
    case NumberKind::kGeneral:
      return FormatGeneral(value);
    case NumberKind::kZeroPadded: {
      if (!std::isfinite(value) || value < 0 || value >= 1e15) return FormatGeneral(value);
      std::string digits = std::to_string(static_cast<int64_t>(std::llround(value)));
      if (static_cast<int>(digits.size()) < format.width) {
        digits.insert(0, static_cast<size_t>(format.width) - digits.size(), '0');
      }
      return digits;
    }
    case NumberKind::kTime: {
      if (!std::isfinite(value) || value < 0) return FormatGeneral(value);
      const double fraction = value - std::floor(value);
      return FormatTimeOfDay(std::llround(fraction * 86400.0), /*wrap=*/true);
    }
    case NumberKind::kDate: {
      if (!std::isfinite(value) || value < 0) return FormatGeneral(value);
      int64_t day = static_cast<int64_t>(std::floor(value));
      int64_t seconds = std::llround((value - std::floor(value)) * 86400.0);
      if (seconds >= 86400) {
        ++day;
        seconds -= 86400;
      }
      if (date1904) day += kDate1904Offset;
      if (day == 0 && seconds > 0) return FormatTimeOfDay(seconds, true);  // a bare time
      const auto date = core::Date::FromExcelSerial(static_cast<double>(day));
      if (!date.has_value()) return FormatGeneral(value);
      std::string out = date->ToIso();
      if (seconds > 0) {
        out.push_back(' ');
        out += FormatTimeOfDay(seconds, true);
      }
      return out;
    }
  }
  return FormatGeneral(value);
}

}  // namespace ichigen::io
