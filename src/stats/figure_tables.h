// Figure tables: the shapes the daily figures are published in, shared by
// the CLI (`ichigen stats daily|census|press`) and the API
// (/api/v1/stats/...), so a number reads the same wherever it is fetched.
//  - DailyRows / CensusRows: Tokyo's daily count and census CSV shapes
//    (header row first), the daily file with the age bands and sexes beside.
//  - DailyJson / CensusJson: one object per day.
//  - PressSummary: one day's numbers for a press release (新規陽性者数,
//    7-day average, by age band, residence and sex, deaths, the census).
// Thread-safety: pure functions; PressSummary uses the StatsStore it is
// given from one thread.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "geo/registry.h"
#include "stats/figure_service.h"
#include "store/stats_store.h"

namespace ichigen::stats {

// The age bands in publication order (不明 last).
const std::vector<std::string>& AgeBands();

struct Publisher {
  std::string lg_code;     // 全国地方公共団体コード
  std::string prefecture;  // 都道府県名
};

using CsvRows = std::vector<std::vector<std::string>>;
CsvRows DailyRows(std::span<const DailyCount> days, const Publisher& publisher);
CsvRows CensusRows(std::span<const CensusDay> days, const Publisher& publisher);

// [{date, total, average7, municipality: {code: n}, age_band: {…}, sex: {…}}]
nlohmann::json DailyJson(std::span<const DailyCount> days);
// [{date, counted, by_status: {hospitalized, …, severe}}]
nlohmann::json CensusJson(std::span<const CensusDay> days);

// An update's summary as every caller reports it (the import's note, the
// server's job report and decision replies, `ichigen stats update`):
// {patients, changed, written, records_read, histories_read, flow_deltas,
// census_deltas, seconds, read_seconds, write_seconds, cpu_seconds,
// first_day, last_day (when a day changed)}; callers add what is theirs.
nlohmann::json UpdateSummaryJson(const UpdateSummary& update);

// One day's press numbers as JSON: {date, by, new_cases, average7,
// by_age_band, by_sex, by_municipality: [{code, name, count}], deaths,
// census: {counted, by_status}}. Municipality names from `registry`.
core::Result<nlohmann::json> PressSummary(store::StatsStore& stats, core::Date day, Series series,
                                          const geo::Registry& registry);
// The same summary as the text of a press release (Japanese).
std::string PressSummaryText(const nlohmann::json& summary);

}  // namespace ichigen::stats
