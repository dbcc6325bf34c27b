#include "synth/case_curve.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <string>

#include "core/resources.h"

namespace ichigen::synth {
namespace {

constexpr std::string_view kSeriesFile = "ref/mhlw_newly_confirmed_cases_daily.csv";

std::vector<std::string_view> SplitComma(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    fields.push_back(line.substr(start, comma - start));
    if (comma == std::string_view::npos) return fields;
    start = comma + 1;
  }
}

std::optional<int> ToInt(std::string_view text) {
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

// The series writes dates as YYYY/M/D.
std::optional<core::Date> ParseSlashDate(std::string_view text) {
  const std::vector<std::string_view> parts = [&] {
    std::vector<std::string_view> out;
    size_t start = 0;
    for (size_t slash; (slash = text.find('/', start)) != std::string_view::npos; start = slash + 1) {
      out.push_back(text.substr(start, slash - start));
    }
    out.push_back(text.substr(start));
    return out;
  }();
  if (parts.size() != 3) return std::nullopt;
  const auto y = ToInt(parts[0]), m = ToInt(parts[1]), d = ToInt(parts[2]);
  if (!y || !m || !d) return std::nullopt;
  return core::Date::FromYmd(*y, *m, *d);
}

}  // namespace

core::Result<CaseCurve> CaseCurve::Load(std::string_view prefecture_en,
                                        std::optional<core::Date> from,
                                        std::optional<core::Date> to) {
  ASSIGN_OR_RETURN(const std::string text, core::LoadDataFile(kSeriesFile));
  return Parse(text, prefecture_en, from, to);
}

core::Result<CaseCurve> CaseCurve::Parse(std::string_view text, std::string_view prefecture_en,
                                         std::optional<core::Date> from,
                                         std::optional<core::Date> to) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::map<int32_t, int64_t> counts;  // days since epoch → cases
  int column = -1;
  int line_number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++line_number;
    if (line.empty()) continue;
    const std::vector<std::string_view> fields = SplitComma(line);
    if (column < 0) {
      const auto it = std::find(fields.begin(), fields.end(), prefecture_en);
      if (it == fields.end()) {
        return core::Fail(core::Code::kNotFound, "日別陽性者数に都道府県の列がありません",
                          "no column for the prefecture in the daily series",
                          std::string(kSeriesFile) + ": " + std::string(prefecture_en));
      }
      column = static_cast<int>(it - fields.begin());
      continue;
    }
    const std::optional<core::Date> date =
        fields.empty() ? std::nullopt : ParseSlashDate(fields[0]);
    const std::optional<int> count = static_cast<int>(fields.size()) > column
                                         ? ToInt(fields[static_cast<size_t>(column)])
                                         : std::nullopt;
    if (!date || !count || *count < 0) {
      return core::Fail(core::Code::kDataLoss, "日別陽性者数の行が不正です",
                        "malformed row in the daily series",
                        std::string(kSeriesFile) + ":" + std::to_string(line_number));
    }
    counts[date->days()] = *count;
  }
  if (counts.empty()) {
    return core::Fail(core::Code::kDataLoss, "日別陽性者数が空です", "the daily series is empty",
                      std::string(kSeriesFile));
  }
  CaseCurve curve;
  curve.from_ = from.value_or(core::Date::FromDays(counts.begin()->first));
  curve.to_ = to.value_or(core::Date::FromDays(counts.rbegin()->first));
  if (curve.from_ > curve.to_) {
    return core::Fail(core::Code::kInvalidArgument, "開始日が終了日より後です",
                      "--from is after --to", curve.from_.ToIso() + " > " + curve.to_.ToIso());
  }
  const int32_t days = (curve.to_ - curve.from_) + 1;
  curve.cumulative_.resize(static_cast<size_t>(days));
  int64_t running = 0;
  for (int32_t d = 0; d < days; ++d) {
    const auto it = counts.find(curve.from_.days() + d);
    if (it != counts.end()) running += it->second;
    curve.cumulative_[static_cast<size_t>(d)] = running;
  }
  curve.total_ = running;
  if (running == 0) {
    // No real cases in range: every day equally likely.
    for (int32_t d = 0; d < days; ++d) curve.cumulative_[static_cast<size_t>(d)] = d + 1;
  }
  return curve;
}

core::Date CaseCurve::Quantile(double u) const {
  const int64_t total = cumulative_.back();
  const auto target = static_cast<int64_t>(u * static_cast<double>(total));
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(),
                                   std::min(target, total - 1));
  return from_.AddDays(static_cast<int32_t>(it - cumulative_.begin()));
}

}  // namespace ichigen::synth
