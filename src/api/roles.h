// Roles and the authenticated principal. A role says what kind of user this
// is; the scope says which part of the prefecture it covers:
//   admin          prefecture administrator: users, reference data (all patients)
//   operator       prefecture operator: imports, review, packages (all patients)
//   health_center  scope = health-center name: patients of its jurisdiction
//   facility       scope = facility name: its own current patients
//   municipality   scope = municipality code6: its residents, agreed fields only
//   auditor        the audit trail only, no personal data
// What each role may call is decided in one place, api/access.h.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace ichigen::api {

enum class Role { kAdmin, kOperator, kHealthCenter, kFacility, kMunicipality, kAuditor };
inline constexpr Role kAllRoles[] = {Role::kAdmin,    Role::kOperator,     Role::kHealthCenter,
                                     Role::kFacility, Role::kMunicipality, Role::kAuditor};

std::string_view RoleName(Role role);
std::string_view RoleNameJa(Role role);
core::Result<Role> ParseRole(std::string_view name);
// Whether the role needs a scope, and that the scope is well-formed for it
// (a municipality's must be a valid code6).
core::Status CheckScope(Role role, std::string_view scope);
// The purpose recorded in the audit trail when a request gives none.
std::string_view DefaultPurpose(Role role);

struct Principal {
  int64_t user_id = 0;
  std::string login;
  std::string display_name;
  Role role = Role::kAuditor;
  std::string scope;
  bool must_change_password = false;
  // How the request proved who it is.
  bool via_token = false;
  int64_t token_id = 0;
  bool token_read_only = false;   // token scope "read": GET only
  std::string session_hash;       // for a cookie session
  std::string csrf_token;         // for a cookie session
};

}  // namespace ichigen::api
