// Conflicts: the patients whose care history has impossible sequences (an
// admission after a death, a check-out before any check-in …) as of a date,
// with each conflict's kind and message in Japanese and English, for an
// operator to resolve. Within the caller's PatientScope: the prefecture's
// operators and administrators see every patient, a health center the
// patients of its jurisdiction. Every patient listed is audited.
//
// The list is derived on each request by one pass over every patient's
// events (stats::FindConflicts) on the leased store: about a second for a
// million patients, so it is a page for operators, not a hot path.
#include <chrono>
#include <limits>
#include <nlohmann/json.hpp>

#include "api/handlers.h"
#include "api/services.h"
#include "domain/care_status.h"
#include "domain/recuperation_rules.h"
#include "stats/census_service.h"
#include "text/date_parser.h"

namespace ichigen::api {

namespace {

// ?as_of= (any written date form; default today in Japan).
core::Result<core::Date> AsOfDate(Exchange& ex) {
  const std::string text = ex.Query("as_of");
  if (text.empty()) {
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            ex.services().clock().time_since_epoch())
                            .count();
    return domain::JstDateOf(now);
  }
  if (text.size() > 40) {
    return core::Fail(core::Code::kInvalidArgument, "as_of の日付が長すぎます",
                      "as_of is too long", "as_of");
  }
  auto parsed = text::ParseDate(text, {.allow_excel_serial = false});
  if (!parsed) return std::unexpected(std::move(parsed.error()).WithContext("as_of"));
  return parsed->date;
}

nlohmann::json OptionalDate(const std::optional<core::Date>& date) {
  return date ? nlohmann::json(date->ToIso()) : nlohmann::json(nullptr);
}

core::Status ListConflicts(Exchange& ex) {
  ApiServices& s = ex.services();
  ASSIGN_OR_RETURN(PatientScope scope, s.access.PatientScopeFor(ex.principal()));
  ASSIGN_OR_RETURN(auto page, ex.Page());
  ASSIGN_OR_RETURN(core::Date as_of, AsOfDate(ex));
  ASSIGN_OR_RETURN(domain::RecuperationRules rules, domain::RecuperationRules::LoadDefault());
  ASSIGN_OR_RETURN(StorePool::Lease store, s.stores.Acquire());
  ASSIGN_OR_RETURN(std::vector<stats::PatientConflicts> found,
                   stats::FindConflicts(*store, rules,
                                        stats::AsOf{as_of, std::numeric_limits<int64_t>::max()}));
  std::vector<int64_t> ids;
  ids.reserve(found.size());
  for (const stats::PatientConflicts& item : found) ids.push_back(item.patient_id);
  ASSIGN_OR_RETURN(std::vector<store::PatientRecord> patients, store->GetPatients(ids));

  // Both lists are in id order. Patients out of scope are left out of the
  // list and of the total alike (no probing for who has conflicts).
  nlohmann::json items = nlohmann::json::array();
  std::vector<std::string> targets;
  int64_t total = 0;
  size_t next = 0;
  for (const stats::PatientConflicts& item : found) {
    while (next < patients.size() && patients[next].id < item.patient_id) ++next;
    if (next == patients.size() || patients[next].id != item.patient_id) continue;
    const store::PatientRecord& patient = patients[next];
    if (!scope.Sees(patient)) continue;
    const int64_t index = total++;
    if (index < page.second || index >= page.second + page.first) continue;
    nlohmann::json conflicts = nlohmann::json::array();
    for (const domain::Conflict& conflict : item.state.conflicts) {
      conflicts.push_back({{"kind", domain::ConflictKindName(conflict.kind)},
                           {"event_id", conflict.event_id},
                           {"other_event_id", conflict.other_event_id == 0
                                                  ? nlohmann::json(nullptr)
                                                  : nlohmann::json(conflict.other_event_id)},
                           {"on", conflict.on.ToIso()},
                           {"message", conflict.MessageJa()},
                           {"message_en", conflict.MessageEn()}});
    }
    nlohmann::json row = {{"patient_id", patient.id},
                          {"status", domain::CareStatusNameJa(item.state.status)},
                          {"status_en", domain::CareStatusNameEn(item.state.status)},
                          {"status_since", OptionalDate(item.state.status_since)},
                          {"conflicts", std::move(conflicts)}};
    // Who the patient is, as far as the caller's scope allows.
    const std::pair<const char*, const std::string*> fields[] = {
        {"hersys_id", &patient.hersys_id},
        {"name", &patient.name},
        {"health_center", &patient.health_center}};
    for (const auto& [field, value] : fields) {
      if (scope.FieldAllowed(field)) {
        row[field] = value->empty() ? nlohmann::json(nullptr) : nlohmann::json(*value);
      }
    }
    items.push_back(std::move(row));
    targets.push_back("patient:" + std::to_string(patient.id));
  }
  RETURN_IF_ERROR(ex.Audit("conflicts.list", targets,
                           {{"as_of", as_of.ToIso()}, {"total", total}, {"offset", page.second}}));
  ex.ReplyPage(items, total, page.first, page.second);
  return core::Ok();
}

}  // namespace

void AddConflictRoutes(RouteTable& table) {
  table.Add({.method = Method::kGet,
             .path = "/api/v1/conflicts",
             .summary = "矛盾のある療養記録の一覧 (patients whose care history has conflicts as of a "
                        "date; paginated)",
             .tag = "care",
             .access = Roles({Role::kAdmin, Role::kOperator, Role::kHealthCenter}),
             .params = {{"as_of", "query", "string", "基準日 (any written form; default today JST)"},
                        {"limit", "query", "integer", "1..200, default 50"},
                        {"offset", "query", "integer", "default 0"},
                        {"purpose", "query", "string", "audit purpose"}},
             .personal_data = true,
             .handler = ListConflicts});
}

}  // namespace ichigen::api
