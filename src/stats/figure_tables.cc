#include "stats/figure_tables.h"

#include <cstdio>
#include <sstream>

#include "domain/census.h"

namespace ichigen::stats {

namespace {

constexpr const char* kSexes[] = {"男性", "女性", "その他", "不明"};

std::string OneDecimal(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

int64_t CountOf(const std::map<std::string, int64_t>& counts, const std::string& key) {
  auto it = counts.find(key);
  return it == counts.end() ? 0 : it->second;
}

}  // namespace

const std::vector<std::string>& AgeBands() {
  static const std::vector<std::string> kBands = {"10歳未満", "10代", "20代", "30代",
                                                  "40代",     "50代", "60代", "70代",
                                                  "80代",     "90歳以上", "不明"};
  return kBands;
}

CsvRows DailyRows(std::span<const DailyCount> days, const Publisher& publisher) {
  CsvRows rows;
  std::vector<std::string> header = {"全国地方公共団体コード", "都道府県名", "市区町村名",
                                     "公表_年月日", "陽性者数", "7日間平均"};
  for (const std::string& band : AgeBands()) header.push_back(band);
  for (const char* sex : kSexes) header.emplace_back(sex);
  rows.push_back(std::move(header));
  for (const DailyCount& d : days) {
    std::vector<std::string> row = {publisher.lg_code, publisher.prefecture, "", d.day.ToIso(),
                                    std::to_string(d.total), OneDecimal(d.average7)};
    for (const std::string& band : AgeBands()) row.push_back(std::to_string(CountOf(d.age_band, band)));
    for (const char* sex : kSexes) row.push_back(std::to_string(CountOf(d.sex, sex)));
    rows.push_back(std::move(row));
  }
  return rows;
}

CsvRows CensusRows(std::span<const CensusDay> days, const Publisher& publisher) {
  using domain::CareStatus;
  auto at = [](const CensusDay& d, CareStatus s) { return d.counts[static_cast<size_t>(s)]; };
  // 陽性者数（累計） is everyone counted (notified and not withdrawn) by the
  // day; 調整中 includes 不明.
  CsvRows rows = {{"全国地方公共団体コード", "都道府県名", "市区町村名", "公表_年月日",
                   "陽性者数（累計）", "入院中", "軽症・中等症", "重症", "宿泊療養", "自宅療養",
                   "調整中", "死亡", "退院"}};
  for (const CensusDay& d : days) {
    const int64_t hospitalized = at(d, CareStatus::kHospitalized);
    const int64_t severe = d.counts[kSevereSlot];
    rows.push_back({publisher.lg_code, publisher.prefecture, "", d.day.ToIso(),
                    std::to_string(d.Counted()), std::to_string(hospitalized),
                    std::to_string(hospitalized - severe), std::to_string(severe),
                    std::to_string(at(d, CareStatus::kLodging)),
                    std::to_string(at(d, CareStatus::kHomeRecuperation)),
                    std::to_string(at(d, CareStatus::kArranging) + at(d, CareStatus::kUnknown)),
                    std::to_string(at(d, CareStatus::kDead)),
                    std::to_string(at(d, CareStatus::kReleased))});
  }
  return rows;
}

nlohmann::json DailyJson(std::span<const DailyCount> days) {
  nlohmann::json out = nlohmann::json::array();
  for (const DailyCount& d : days) {
    out.push_back({{"date", d.day.ToIso()},
                   {"total", d.total},
                   {"average7", d.average7},
                   {"municipality", d.municipality},
                   {"age_band", d.age_band},
                   {"sex", d.sex}});
  }
  return out;
}

nlohmann::json CensusJson(std::span<const CensusDay> days) {
  nlohmann::json out = nlohmann::json::array();
  for (const CensusDay& d : days) {
    nlohmann::json counts = nlohmann::json::object();
    for (int s = 0; s < kCensusSlots; ++s) counts[std::string(CensusSlotNameEn(s))] = d.counts[s];
    out.push_back({{"date", d.day.ToIso()}, {"counted", d.Counted()}, {"by_status", counts}});
  }
  return out;
}

core::Result<nlohmann::json> PressSummary(store::StatsStore& stats, core::Date day, Series series,
                                          const geo::Registry& registry) {
  ASSIGN_OR_RETURN(std::vector<DailyCount> cases, ReadDaily(stats, series, day, day));
  ASSIGN_OR_RETURN(std::vector<DailyCount> deaths, ReadDaily(stats, Series::kDeaths, day, day));
  ASSIGN_OR_RETURN(std::vector<CensusDay> census, ReadCensus(stats, day, day));
  const DailyCount& d = cases.front();
  const CensusDay& cd = census.front();
  nlohmann::json by_municipality = nlohmann::json::array();
  for (const auto& [code, n] : d.municipality) {
    const geo::Municipality* m = registry.FindByCode(code);
    const std::string name = m != nullptr ? m->full_name : code.empty() ? "不明" : code;
    by_municipality.push_back({{"code", code}, {"name", name}, {"count", n}});
  }
  nlohmann::json by_status = nlohmann::json::object();
  for (int s = 0; s < kCensusSlots; ++s) {
    by_status[std::string(CensusSlotNameEn(s))] = cd.counts[s];
  }
  return nlohmann::json{{"date", day.ToIso()},
                        {"by", std::string(SeriesName(series))},
                        {"new_cases", d.total},
                        {"average7", d.average7},
                        {"by_age_band", d.age_band},
                        {"by_sex", d.sex},
                        {"by_municipality", by_municipality},
                        {"deaths", deaths.front().total},
                        {"census", {{"counted", cd.Counted()}, {"by_status", by_status}}}};
}

std::string PressSummaryText(const nlohmann::json& s) {
  std::ostringstream out;
  out << s.at("date").get<std::string>() << " 発表\n新規陽性者数: "
      << s.at("new_cases").get<int64_t>() << " 人（7日間平均 "
      << OneDecimal(s.at("average7").get<double>()) << " 人）\n年代別:\n";
  const nlohmann::json& bands = s.at("by_age_band");
  for (const std::string& band : AgeBands()) {
    if (bands.contains(band)) out << "  " << band << "\t" << bands.at(band).get<int64_t>() << "\n";
  }
  out << "居住地別:\n";
  for (const nlohmann::json& m : s.at("by_municipality")) {
    out << "  " << m.at("name").get<std::string>() << "\t" << m.at("count").get<int64_t>() << "\n";
  }
  const nlohmann::json& census = s.at("census");
  const nlohmann::json& by_status = census.at("by_status");
  out << "死亡: " << s.at("deaths").get<int64_t>() << " 人\n療養状況（累計 "
      << census.at("counted").get<int64_t>() << " 人）:\n";
  using domain::CareStatus;
  for (CareStatus status : {CareStatus::kHospitalized, CareStatus::kLodging,
                            CareStatus::kHomeRecuperation, CareStatus::kArranging,
                            CareStatus::kDead, CareStatus::kReleased, CareStatus::kUnknown}) {
    const int slot = static_cast<int>(status);
    out << "  " << domain::PressCategoryJa(status) << "\t"
        << by_status.at(std::string(CensusSlotNameEn(slot))).get<int64_t>();
    if (status == CareStatus::kHospitalized) {
      out << "（うち重症 " << by_status.at(std::string(CensusSlotNameEn(kSevereSlot))).get<int64_t>()
          << "）";
    }
    out << "\n";
  }
  return out.str();
}

nlohmann::json UpdateSummaryJson(const UpdateSummary& update) {
  nlohmann::json out = {{"patients", update.patients},
                        {"changed", update.changed},
                        {"written", update.written},
                        {"records_read", update.records_read},
                        {"histories_read", update.histories_read},
                        {"flow_deltas", update.flow_deltas},
                        {"census_deltas", update.census_deltas},
                        {"seconds", update.seconds},
                        {"read_seconds", update.read_seconds},
                        {"write_seconds", update.write_seconds},
                        {"cpu_seconds", update.cpu_seconds}};
  if (update.first_day != kNoDay) {
    out["first_day"] = core::Date::FromDays(update.first_day).ToIso();
    out["last_day"] = core::Date::FromDays(update.last_day).ToIso();
  }
  return out;
}

}  // namespace ichigen::stats
