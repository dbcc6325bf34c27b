#include "api/roles.h"

namespace ichigen::api {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin: return "admin";
    case Role::kOperator: return "operator";
    case Role::kHealthCenter: return "health_center";
    case Role::kFacility: return "facility";
    case Role::kMunicipality: return "municipality";
    case Role::kAuditor: return "auditor";
  }
  return "auditor";
}

std::string_view RoleNameJa(Role role) {
  switch (role) {
    case Role::kAdmin: return "広域管理者";
    case Role::kOperator: return "広域担当者";
    case Role::kHealthCenter: return "保健所";
    case Role::kFacility: return "医療機関・宿泊療養施設";
    case Role::kMunicipality: return "市区町村";
    case Role::kAuditor: return "監査担当者";
  }
  return "監査担当者";
}

core::Result<Role> ParseRole(std::string_view name) {
  for (Role role : kAllRoles) {
    if (RoleName(role) == name) return role;
  }
  return core::Fail(core::Code::kInvalidArgument,
                    "役割は admin, operator, health_center, facility, municipality, auditor の"
                    "いずれかです",
                    "role must be admin, operator, health_center, facility, municipality or auditor",
                    std::string(name));
}

core::Status CheckScope(Role role, std::string_view scope) {
  const bool needs = role == Role::kHealthCenter || role == Role::kFacility ||
                     role == Role::kMunicipality;
  if (needs && scope.empty()) {
    return core::Fail(core::Code::kInvalidArgument,
                      "この役割には担当範囲（--scope: 保健所名・施設名・市区町村コード）が必要です",
                      "this role needs a scope (health-center name, facility name or code6)",
                      std::string(RoleName(role)));
  }
  if (!needs && !scope.empty()) {
    return core::Fail(core::Code::kInvalidArgument, "この役割に担当範囲は指定できません",
                      "this role takes no scope", std::string(RoleName(role)));
  }
  if (role == Role::kMunicipality) {
    bool digits = scope.size() == 6;
    for (char c : scope) digits = digits && c >= '0' && c <= '9';
    int sum = 0;
    if (digits) {
      for (int i = 0; i < 5; ++i) sum += (6 - i) * (scope[static_cast<size_t>(i)] - '0');
      digits = (11 - sum % 11) % 10 == scope[5] - '0';
    }
    if (!digits) {
      return core::Fail(core::Code::kInvalidArgument,
                        "市区町村の担当範囲は検査数字つき6桁の団体コードです（例 131016）",
                        "a municipality's scope is its 6-digit code with check digit (e.g. 131016)",
                        std::string(scope));
    }
  }
  return core::Ok();
}

std::string_view DefaultPurpose(Role role) {
  switch (role) {
    case Role::kAdmin: return "システム管理";
    case Role::kOperator: return "患者情報の一元管理";
    case Role::kHealthCenter: return "積極的疫学調査・健康観察";
    case Role::kFacility: return "入院・療養の受入れ";
    case Role::kMunicipality: return "自宅療養者の生活支援";
    case Role::kAuditor: return "監査";
  }
  return "監査";
}

}  // namespace ichigen::api
