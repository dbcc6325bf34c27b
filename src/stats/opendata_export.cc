#include "stats/opendata_export.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "stats/figures.h"

namespace ichigen::stats {

namespace {

// Standard column → the opendata profile's canonical field name.
constexpr std::pair<const char*, const char*> kColumns[] = {
    {"No", "no"},
    {"全国地方公共団体コード", "lg_code"},
    {"都道府県名", "prefecture"},
    {"市区町村名", "municipality"},
    {"公表_年月日", "published_on"},
    {"発症_年月日", "onset_on"},
    {"患者_居住地", "residence"},
    {"患者_年代", "age_band"},
    {"患者_性別", "sex"},
    {"患者_職業", "occupation"},
    {"患者_状態", "condition"},
    {"患者_症状", "symptoms"},
    {"患者_渡航歴の有無フラグ", "travel"},
    {"患者_退院済フラグ", "discharged"},
    {"備考", "note"},
};

struct Row {
  std::string sort_date;
  int64_t id = 0;
  std::vector<std::string> cells;
};

}  // namespace

const std::vector<std::string>& OpenDataColumns() {
  static const std::vector<std::string> columns = [] {
    std::vector<std::string> out;
    for (const auto& [column, field] : kColumns) out.emplace_back(column);
    return out;
  }();
  return columns;
}

core::Result<int64_t> WriteOpenDataPatients(store::Store& store, const OpenDataOptions& options,
                                            io::CsvWriter& out) {
  std::vector<Row> rows;
  RETURN_IF_ERROR(store.ForEachPatient([&](const store::PatientRecord& p) -> core::Status {
    const std::string& date = p.published_on.empty() ? p.notified_on : p.published_on;
    if (date.empty()) return core::Ok();
    Row row;
    row.sort_date = date;
    row.id = p.id;
    if (p.external_id.starts_with("opendata:")) {
      // The original values, exactly as published.
      const nlohmann::json raw = nlohmann::json::parse(p.raw_json, nullptr, false);
      for (const auto& [column, field] : kColumns) {
        std::string cell;
        if (raw.is_object()) {
          auto it = raw.find(field);
          if (it != raw.end() && it->is_string()) cell = it->get<std::string>();
        }
        row.cells.push_back(std::move(cell));
      }
    } else {
      std::string residence = p.municipality_code;
      if (options.municipality_name && !p.municipality_code.empty()) {
        std::string name = options.municipality_name(p.municipality_code);
        if (!name.empty()) residence = std::move(name);
      }
      const std::string sex = SexLabelOf(p.sex);
      std::string condition = p.severity;
      if (p.care_status == "死亡") condition = "死亡";
      std::string discharged;
      if (p.care_status == "療養解除" || p.care_status == "退院") discharged = "1";
      row.cells = {std::string(),  // No, numbered below
                   options.publisher_code,
                   options.prefecture_name,
                   std::string(),
                   date,
                   p.onset_on,
                   residence,
                   AgeBandOf(p.age, p.age_band),
                   sex == "不明" ? std::string() : sex,
                   p.occupation,
                   condition,
                   std::string(),
                   std::string(),
                   discharged,
                   std::string()};
    }
    rows.push_back(std::move(row));
    return core::Ok();
  }));
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(a.sort_date, a.id) < std::tie(b.sort_date, b.id);
  });
  RETURN_IF_ERROR(out.WriteRow(OpenDataColumns()));
  int64_t number = 0;
  for (Row& row : rows) {
    ++number;
    if (row.cells[0].empty()) row.cells[0] = std::to_string(number);
    RETURN_IF_ERROR(out.WriteRow(row.cells));
  }
  return number;
}

}  // namespace ichigen::stats
