#include "api/access.h"

#include <algorithm>

namespace ichigen::api {

const std::vector<std::string>& PatientFieldNames() {
  static const std::vector<std::string> kFields = {
      "hersys_id",    "name",          "name_kana",          "sex",
      "birth_date",   "age",           "postal_code",        "address",
      "municipality_code", "phone",    "occupation",         "notified_on",
      "onset_on",     "diagnosed_on",  "reporting_facility", "health_center",
      "severity",     "care_status",   "care_start_on",      "consent_share"};
  return kFields;
}

Agreement DenyAllFieldPolicy::ForMunicipality(const std::string&) const {
  return Agreement{{}, {"自宅療養中"}};
}

FacilityMatcher ReportingFacilityMatcher() {
  return [](const store::PatientRecord& patient, const std::string& facility) {
    return !facility.empty() && patient.reporting_facility == facility;
  };
}

bool PatientScope::Sees(const store::PatientRecord& p) const {
  switch (role_) {
    case Role::kAdmin:
    case Role::kOperator:
      return true;
    case Role::kHealthCenter:
      return !scope_.empty() && p.health_center == scope_;
    case Role::kFacility:
      return facility_matcher_ && facility_matcher_(p, scope_);
    case Role::kMunicipality:
      return std::find(municipalities_.begin(), municipalities_.end(), p.municipality_code) !=
                 municipalities_.end() &&
             (statuses_.empty() || statuses_.contains(p.care_status));
    case Role::kAuditor:
      return false;
  }
  return false;
}

bool PatientScope::FieldAllowed(std::string_view field) const {
  if (field == "id") return true;
  return all_fields_ || fields_.contains(std::string(field));
}

core::Result<bool> PatientScope::Narrow(store::PatientQuery& q) const {
  const std::pair<const std::string*, const char*> filters[] = {
      {&q.name_prefix, "name"},       {&q.kana_prefix, "name_kana"},
      {&q.hersys_id, "hersys_id"},    {&q.phone_key, "phone"},
      {&q.birth_date, "birth_date"},  {&q.care_status, "care_status"}};
  for (const auto& [value, field] : filters) {
    if (!value->empty() && !FieldAllowed(field)) {
      return core::Fail(core::Code::kPermissionDenied,
                        std::string("閲覧を認められていない項目では検索できません: ") + field,
                        std::string("you may not search on a field you may not see: ") + field,
                        field);
    }
  }
  if (!q.municipality_codes.empty() && !FieldAllowed("municipality_code") &&
      role_ != Role::kMunicipality) {
    return core::Fail(core::Code::kPermissionDenied,
                      "閲覧を認められていない項目では検索できません: municipality_code",
                      "you may not search on a field you may not see: municipality_code",
                      "municipality_code");
  }
  if (municipalities_limit_) {
    if (q.municipality_codes.empty()) {
      q.municipality_codes = municipalities_;
    } else {
      std::vector<std::string> kept;
      for (const std::string& code : q.municipality_codes) {
        if (std::find(municipalities_.begin(), municipalities_.end(), code) !=
            municipalities_.end()) {
          kept.push_back(code);
        }
      }
      q.municipality_codes = std::move(kept);
    }
    if (q.municipality_codes.empty()) return false;
  }
  if (statuses_.size() == 1) {
    const std::string& only = *statuses_.begin();
    if (q.care_status.empty()) q.care_status = only;
    if (q.care_status != only) return false;
  }
  return true;
}

AccessPolicy::AccessPolicy(const FieldPolicy& fields, const Jurisdictions& jurisdictions,
                           FacilityMatcher facility_matcher)
    : fields_(fields), jurisdictions_(jurisdictions), facility_matcher_(std::move(facility_matcher)) {}

core::Result<PatientScope> AccessPolicy::PatientScopeFor(const Principal& principal) const {
  PatientScope scope;
  scope.role_ = principal.role;
  scope.scope_ = principal.scope;
  switch (principal.role) {
    case Role::kAdmin:
    case Role::kOperator:
      scope.all_fields_ = true;
      scope.needs_check_ = false;
      return scope;
    case Role::kHealthCenter: {
      scope.all_fields_ = true;
      // Narrow to the area's municipalities when the geography knows them;
      // the check on health_center stays.
      std::vector<std::string> codes = jurisdictions_.HealthCenterCodes(principal.scope);
      if (!codes.empty()) {
        scope.municipalities_ = std::move(codes);
        scope.municipalities_limit_ = true;
      }
      return scope;
    }
    case Role::kFacility:
      scope.all_fields_ = true;
      scope.facility_matcher_ = facility_matcher_;
      return scope;
    case Role::kMunicipality: {
      Agreement agreement = fields_.ForMunicipality(principal.scope);
      scope.fields_ = std::move(agreement.fields);
      scope.statuses_ = std::move(agreement.care_statuses);
      scope.municipalities_ = jurisdictions_.MunicipalityCodes(principal.scope);
      if (std::find(scope.municipalities_.begin(), scope.municipalities_.end(), principal.scope) ==
          scope.municipalities_.end()) {
        scope.municipalities_.push_back(principal.scope);
      }
      scope.municipalities_limit_ = true;
      scope.needs_check_ = scope.statuses_.size() > 1;
      return scope;
    }
    case Role::kAuditor:
      break;
  }
  return core::Fail(core::Code::kPermissionDenied, "この役割は患者情報を閲覧できません",
                    "this role may not see patient data", std::string(RoleName(principal.role)));
}

core::Result<store::PatientPage> ScopedSearch(store::Store& store, const PatientScope& scope,
                                              store::PatientQuery query, int64_t max_scan) {
  const int64_t limit = std::clamp<int64_t>(query.limit, 0, 1000);
  const int64_t offset = std::max<int64_t>(query.offset, 0);
  ASSIGN_OR_RETURN(bool possible, scope.Narrow(query));
  if (!possible) return store::PatientPage{};
  if (!scope.needs_check()) {
    query.limit = limit;
    query.offset = offset;
    return store.SearchPatients(query);
  }
  // Row-by-row check: page through the store's matches in their order. The
  // count stops past kSearchCountCap, as the store's does.
  store::PatientPage page;
  int64_t scanned = 0;
  query.limit = 1000;
  query.offset = 0;
  while (true) {
    ASSIGN_OR_RETURN(store::PatientPage chunk, store.SearchPatients(query));
    for (store::PatientRecord& patient : chunk.patients) {
      if (!scope.Sees(patient)) continue;
      if (page.total >= offset && page.total < offset + limit) {
        page.patients.push_back(std::move(patient));
      }
      if (++page.total > store::kSearchCountCap && page.total > offset + limit) {
        page.total = store::kSearchCountCap;
        page.total_capped = true;
        return page;
      }
    }
    scanned += static_cast<int64_t>(chunk.patients.size());
    if (static_cast<int64_t>(chunk.patients.size()) < query.limit) break;
    if (scanned >= max_scan) {
      return core::Fail(core::Code::kResourceExhausted,
                        "該当が多すぎます。氏名・生年月日などで検索条件を絞ってください",
                        "too many matches to check; narrow the search",
                        "scanned=" + std::to_string(scanned));
    }
    query.offset += query.limit;
  }
  return page;
}

}  // namespace ichigen::api
