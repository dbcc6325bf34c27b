// Reference data, read-only, for the admin screen and scripts: the
// municipalities (code, name, prefecture, health center), the health
// centers with the municipalities of their area, and the recuperation
// period rules (療養期間の規則表). No personal data.
#include <map>

#include "api/handlers.h"
#include "api/services.h"
#include "domain/recuperation_rules.h"
#include "geo/registry.h"

namespace ichigen::api {

namespace {

// ?prefecture=14 or 神奈川県; 0 (all) when absent.
core::Result<int> PrefectureFilter(Exchange& ex, const geo::Registry& registry) {
  const std::string text = ex.Query("prefecture");
  if (text.empty()) return 0;
  if (const geo::Prefecture* p = registry.FindPrefectureByName(text)) return p->code;
  ASSIGN_OR_RETURN(int64_t code, ex.QueryInt("prefecture", 0, 1, 47));
  return static_cast<int>(code);
}

core::Status Municipalities(Exchange& ex) {
  const geo::Registry& registry = *ex.services().jobs.intake().registry;
  ASSIGN_OR_RETURN(int prefecture, PrefectureFilter(ex, registry));
  const bool include_retired = ex.Query("retired") == "true";
  nlohmann::json items = nlohmann::json::array();
  for (const geo::Municipality& m : registry.municipalities()) {
    if (prefecture != 0 && m.prefecture_code != prefecture) continue;
    if (m.retired() && !include_retired) continue;
    items.push_back({{"code", m.code6},
                     {"name", m.full_name},
                     {"kana", m.full_kana},
                     {"prefecture", m.prefecture_name},
                     {"prefecture_code", m.prefecture_code},
                     {"health_center", m.health_center},
                     {"designated_city", m.is_designated_city},
                     {"ward_of", m.parent_code6},
                     {"retired", m.retired()},
                     {"successor", m.successor_code6}});
  }
  ex.Reply(200, {{"items", items}, {"total", items.size()}});
  return core::Ok();
}

core::Status HealthCenters(Exchange& ex) {
  const geo::Registry& registry = *ex.services().jobs.intake().registry;
  ASSIGN_OR_RETURN(int prefecture, PrefectureFilter(ex, registry));
  struct Area {
    std::string prefecture;
    nlohmann::json municipalities = nlohmann::json::array();
  };
  std::map<std::pair<int, std::string>, Area> areas;  // by prefecture, then name
  for (const geo::Municipality& m : registry.municipalities()) {
    if (m.health_center.empty() || m.retired()) continue;
    if (prefecture != 0 && m.prefecture_code != prefecture) continue;
    Area& area = areas[{m.prefecture_code, m.health_center}];
    area.prefecture = m.prefecture_name;
    area.municipalities.push_back({{"code", m.code6}, {"name", m.full_name}});
  }
  nlohmann::json items = nlohmann::json::array();
  for (auto& [key, area] : areas) {
    items.push_back({{"name", key.second},
                     {"prefecture", area.prefecture},
                     {"municipalities", std::move(area.municipalities)}});
  }
  ex.Reply(200, {{"items", items}, {"total", items.size()}});
  return core::Ok();
}

core::Status RecuperationRules(Exchange& ex) {
  ASSIGN_OR_RETURN(domain::RecuperationRules rules, domain::RecuperationRules::LoadDefault());
  nlohmann::json items = nlohmann::json::array();
  for (const domain::RecuperationRule& r : rules.rules()) {
    const char* symptomatic = r.symptomatic == domain::SymptomMatch::kSymptomatic    ? "yes"
                              : r.symptomatic == domain::SymptomMatch::kAsymptomatic ? "no"
                                                                                     : "any";
    items.push_back({{"valid_from", r.valid_from.ToIso()},
                     {"basis", r.basis == domain::DayZeroBasis::kOnset ? "onset" : "diagnosis"},
                     {"symptomatic", symptomatic},
                     {"days", r.days},
                     {"note", r.note},
                     {"line", r.line}});
  }
  ex.Reply(200, {{"items", items},
                 {"total", items.size()},
                 {"source", std::string(domain::RecuperationRules::kDataFile)}});
  return core::Ok();
}

}  // namespace

void AddReferenceRoutes(RouteTable& table) {
  const Access staff = Roles({Role::kAdmin, Role::kOperator, Role::kHealthCenter, Role::kAuditor});
  table.Add({.method = Method::kGet,
             .path = "/api/v1/reference/municipalities",
             .summary = "市区町村 (municipalities: code, name, prefecture, health center)",
             .tag = "reference",
             .access = staff,
             .params = {{"prefecture", "query", "string", "1..47 or its name (default: all)"},
                        {"retired", "query", "string", "true: include retired codes"}},
             .handler = Municipalities});
  table.Add({.method = Method::kGet,
             .path = "/api/v1/reference/health-centers",
             .summary = "保健所 (health centers and the municipalities of their areas)",
             .tag = "reference",
             .access = staff,
             .params = {{"prefecture", "query", "string", "1..47 or its name (default: all)"}},
             .handler = HealthCenters});
  table.Add({.method = Method::kGet,
             .path = "/api/v1/reference/recuperation-rules",
             .summary = "療養期間の規則表 (the recuperation period rules in force by date)",
             .tag = "reference",
             .access = staff,
             .handler = RecuperationRules});
}

}  // namespace ichigen::api
