// CaseCurve: a prefecture's real daily count of new COVID-19 cases (MHLW
// open data, data/ref/mhlw_newly_confirmed_cases_daily.csv) over a date
// range, as a distribution to draw notification dates from: a day's share
// of synthetic patients is its share of real cases. A range with no cases
// at all (before 2020-01-16, after 2023-05-08, or a quiet stretch) falls
// back to every day equally likely. Thread-safety: immutable after Load.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/result.h"

namespace ichigen::synth {

class CaseCurve {
 public:
  // `prefecture_en` names the column (Kanagawa). Without from/to the whole
  // series is used. kInvalidArgument if from > to; kNotFound if no column.
  static core::Result<CaseCurve> Load(std::string_view prefecture_en,
                                      std::optional<core::Date> from,
                                      std::optional<core::Date> to);
  // Parses the series text itself (tests pass their own).
  static core::Result<CaseCurve> Parse(std::string_view csv_text, std::string_view prefecture_en,
                                       std::optional<core::Date> from,
                                       std::optional<core::Date> to);

  // The day at quantile u in [0, 1): nondecreasing in u.
  core::Date Quantile(double u) const;

  core::Date from() const { return from_; }
  core::Date to() const { return to_; }
  int64_t total_cases() const { return total_; }

 private:
  core::Date from_;
  core::Date to_;
  std::vector<int64_t> cumulative_;  // cumulative_[d] = cases on days <= from_ + d
  int64_t total_ = 0;
};

}  // namespace ichigen::synth
