// Agreements (覚書): every municipality's versions with the one in force
// now, and a new version set by an admin. A municipality reads only its
// own. The request goes through distribution::MakeAgreement, as the CLI's
// `ichigen agreements set` does, so both accept and refuse the same things;
// a new version applies from the next package (distribution/agreement.h).
#include <chrono>
#include <map>

#include "api/handlers.h"
#include "api/services.h"
#include "api/sheet_upload.h"
#include "distribution/agreement_request.h"
#include "geo/registry.h"

namespace ichigen::api {

namespace {

int64_t NowUnix(Exchange& ex) {
  return std::chrono::duration_cast<std::chrono::seconds>(ex.services().clock().time_since_epoch())
      .count();
}

nlohmann::json AgreementJson(const distribution::Agreement& a) {
  nlohmann::json fields = nlohmann::json::array();
  for (distribution::Field f : a.fields) fields.push_back(std::string(distribution::FieldName(f)));
  return {{"municipality_code", a.municipality_code6},
          {"version", a.version},
          {"recorded_at", a.recorded_at},
          {"receives_data", a.receives_data},
          {"valid_from", a.valid_from.ToIso()},
          {"purposes", a.purposes},
          {"fields", fields},
          {"include_arranging", a.include_arranging_at_home},
          {"consent_required", a.consent_required},
          {"roll_up", a.roll_up_to_city}};
}

nlohmann::json FieldCatalogue() {
  nlohmann::json out = nlohmann::json::array();
  for (int i = 0; i < distribution::kFieldCount; ++i) {
    const auto field = static_cast<distribution::Field>(i);
    out.push_back({{"name", std::string(distribution::FieldName(field))},
                   {"label_ja", std::string(distribution::FieldLabelJa(field))}});
  }
  return out;
}

core::Status ListAgreements(Exchange& ex) {
  ASSIGN_OR_RETURN(store::DistributionStore * d, RequireDistribution(ex));
  ASSIGN_OR_RETURN(std::vector<distribution::Agreement> all, d->ListAgreements());
  const geo::Registry& registry = *ex.services().jobs.intake().registry;
  std::map<std::string, std::vector<distribution::Agreement>> by_code;
  for (distribution::Agreement& a : all) {
    if (ex.principal().role == Role::kMunicipality && a.municipality_code6 != ex.principal().scope) {
      continue;
    }
    by_code[a.municipality_code6].push_back(std::move(a));
  }
  const distribution::Cutoff now = distribution::CutoffFromUnixSeconds(NowUnix(ex));
  nlohmann::json items = nlohmann::json::array();
  for (auto& [code, versions] : by_code) {
    ASSIGN_OR_RETURN(distribution::AgreementHistory history,
                     distribution::AgreementHistory::Create(std::move(versions)));
    const distribution::Agreement* current = history.InForceAt(now);
    nlohmann::json list = nlohmann::json::array();
    for (const distribution::Agreement& a : history.versions()) list.push_back(AgreementJson(a));
    const geo::Municipality* m = registry.FindByCode(code);
    items.push_back({{"municipality_code", code},
                     {"municipality_name", m ? m->full_name : ""},
                     {"current", current ? AgreementJson(*current) : nlohmann::json(nullptr)},
                     {"history", list}});
  }
  ex.Reply(200, {{"items", items},
                 {"total", items.size()},
                 {"fields", FieldCatalogue()}});
  return core::Ok();
}

core::Result<bool> OptionalBool(const nlohmann::json& body, const std::string& key, bool fallback) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) {
    return core::Fail(core::Code::kInvalidArgument, "項目 " + key + " は true か false です",
                      "field " + key + " must be true or false", key);
  }
  return it->get<bool>();
}

// "fields": a list of canonical names, or one comma-separated string.
core::Result<std::string> FieldsText(const nlohmann::json& body) {
  auto it = body.find("fields");
  if (it == body.end() || it->is_null()) return std::string();
  if (it->is_string()) return it->get<std::string>();
  if (!it->is_array()) {
    return core::Fail(core::Code::kInvalidArgument, "fields は項目名の配列で指定してください",
                      "fields must be a list of field names", "fields");
  }
  std::string text;
  for (const nlohmann::json& name : *it) {
    if (!name.is_string()) {
      return core::Fail(core::Code::kInvalidArgument, "fields は項目名の配列で指定してください",
                        "fields must be a list of field names", "fields");
    }
    if (!text.empty()) text += ",";
    text += name.get<std::string>();
  }
  return text;
}

core::Status SetAgreement(Exchange& ex) {
  ASSIGN_OR_RETURN(store::DistributionStore * d, RequireDistribution(ex));
  const nlohmann::json& body = ex.json();
  distribution::AgreementRequest request;
  ASSIGN_OR_RETURN(request.municipality_code6, ex.JsonString("municipality_code"));
  ASSIGN_OR_RETURN(request.fields, FieldsText(body));
  ASSIGN_OR_RETURN(std::string from, ex.JsonString("valid_from", false));
  if (!from.empty()) {
    request.valid_from = core::Date::ParseIso(from);
    if (!request.valid_from) {
      return core::Fail(core::Code::kInvalidArgument, "適用開始日は YYYY-MM-DD で指定してください",
                        "valid_from is YYYY-MM-DD", from.substr(0, 20));
    }
  }
  ASSIGN_OR_RETURN(request.purposes, ex.JsonString("purposes", false));
  if (request.purposes.size() > 1000) {
    return core::Fail(core::Code::kInvalidArgument, "利用目的が長すぎます（1000バイトまで）",
                      "purposes are too long (1000 bytes at most)", "purposes");
  }
  ASSIGN_OR_RETURN(request.include_arranging_at_home, OptionalBool(body, "include_arranging", false));
  ASSIGN_OR_RETURN(request.roll_up_to_city, OptionalBool(body, "roll_up", false));
  ASSIGN_OR_RETURN(request.stop, OptionalBool(body, "stop", false));
  if (body.contains("consent_required") && !body["consent_required"].is_null()) {
    ASSIGN_OR_RETURN(bool required, OptionalBool(body, "consent_required", true));
    request.consent_required = required;
  }
  const int64_t now = NowUnix(ex);
  request.recorded_at = now;
  ASSIGN_OR_RETURN(distribution::DistributionPolicy policy, distribution::LoadPolicy());
  const geo::Registry& registry = *ex.services().jobs.intake().registry;
  ASSIGN_OR_RETURN(distribution::Agreement agreement,
                   distribution::MakeAgreement(request, policy, registry,
                                               distribution::CutoffFromUnixSeconds(now).date));
  // The newest version of every municipality, with this one in place of
  // its municipality's, must still send every resident to one recipient.
  ASSIGN_OR_RETURN(std::vector<distribution::Agreement> all, d->ListAgreements());
  std::map<std::string, const distribution::Agreement*> latest;
  for (const distribution::Agreement& a : all) latest[a.municipality_code6] = &a;
  latest[agreement.municipality_code6] = &agreement;
  std::vector<const distribution::Agreement*> set;
  for (const auto& [code, a] : latest) set.push_back(a);
  RETURN_IF_ERROR(distribution::ValidateAgreementSet(set, registry));

  ASSIGN_OR_RETURN(distribution::Agreement stored, d->AddAgreementVersion(agreement));
  RETURN_IF_ERROR(ex.Audit("agreement.set", {"municipality:" + stored.municipality_code6},
                           AgreementJson(stored)));
  ex.Reply(200, AgreementJson(stored));
  return core::Ok();
}

}  // namespace

void AddAgreementRoutes(RouteTable& table) {
  table.Add({.method = Method::kGet,
             .path = "/api/v1/agreements",
             .summary = "覚書の一覧 (agreements: every version and the one in force; a "
                        "municipality sees its own)",
             .tag = "agreements",
             .access = Roles({Role::kAdmin, Role::kOperator, Role::kMunicipality}),
             .handler = ListAgreements});
  table.Add({.method = Method::kPost,
             .path = "/api/v1/agreements",
             .summary = "覚書の新しい版 (a new agreement version, from the next package; body "
                        "{municipality_code, fields, valid_from, purposes, include_arranging, "
                        "roll_up, stop, consent_required})",
             .tag = "agreements",
             .access = Roles({Role::kAdmin}),
             .body = Body::kJson,
             .handler = SetAgreement});
}

}  // namespace ichigen::api
