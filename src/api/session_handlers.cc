// Log-in, log-out, who am I, and password change.
#include "api/handlers.h"
#include "api/server.h"
#include "api/services.h"

namespace ichigen::api {

namespace {

nlohmann::json PrincipalJson(const Principal& p) {
  return {{"id", p.user_id},
          {"login", p.login},
          {"display_name", p.display_name},
          {"role", RoleName(p.role)},
          {"role_ja", RoleNameJa(p.role)},
          {"scope", p.scope},
          {"must_change_password", p.must_change_password},
          {"via_token", p.via_token}};
}

core::Status Login(Exchange& ex) {
  ASSIGN_OR_RETURN(std::string login, ex.JsonString("login"));
  ASSIGN_OR_RETURN(std::string password, ex.JsonString("password"));
  ApiServices& s = ex.services();
  auto result = s.accounts.Login(login, password, ex.Remote());
  if (!result) {
    audit::AuditEvent event{login.substr(0, 64), "", "session.login_failed", {}, ex.Remote(), "",
                            DumpJson({{"reason", core::CodeName(result.error().code)}})};
    if (auto appended = s.audit_log.Append(event); !appended) {
      s.log.Write("error", "audit append failed", {{"error", appended.error().ToString()}});
    }
    return std::unexpected(result.error());
  }
  ex.set_principal(result->principal);
  RETURN_IF_ERROR(ex.Audit("session.login", {"user:" + std::to_string(result->principal.user_id)}));
  const int64_t max_age = s.accounts.policy().session_lifetime.count();
  std::string cookie = std::string(kSessionCookie) + "=" + result->session_token +
                       "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
  if (s.tls) cookie += "; Secure";
  ex.response().set_header("Set-Cookie", cookie);
  ex.Reply(200, {{"user", PrincipalJson(result->principal)},
                 {"csrf_token", result->csrf_token},
                 {"expires_at", result->expires_at}});
  return core::Ok();
}

core::Status Logout(Exchange& ex) {
  RETURN_IF_ERROR(ex.services().accounts.Logout(ex.principal()));
  RETURN_IF_ERROR(ex.Audit("session.logout", {"user:" + std::to_string(ex.principal().user_id)}));
  std::string cookie = std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
  if (ex.services().tls) cookie += "; Secure";
  ex.response().set_header("Set-Cookie", cookie);
  ex.Reply(200, {{"logged_out", true}});
  return core::Ok();
}

core::Status Me(Exchange& ex) {
  ex.Reply(200, PrincipalJson(ex.principal()));
  return core::Ok();
}

core::Status ChangePassword(Exchange& ex) {
  ASSIGN_OR_RETURN(std::string current, ex.JsonString("current_password"));
  ASSIGN_OR_RETURN(std::string next, ex.JsonString("new_password"));
  auto changed = ex.services().accounts.ChangePassword(ex.principal(), current, next);
  if (!changed) {
    RETURN_IF_ERROR(ex.Audit("user.password_change_failed",
                             {"user:" + std::to_string(ex.principal().user_id)},
                             {{"reason", core::CodeName(changed.error().code)}}));
    return changed;
  }
  RETURN_IF_ERROR(ex.Audit("user.password_change", {"user:" + std::to_string(ex.principal().user_id)}));
  ex.Reply(200, {{"changed", true}});
  return core::Ok();
}

}  // namespace

void AddSessionRoutes(RouteTable& table) {
  table.Add({.method = Method::kPost,
             .path = "/api/v1/login",
             .summary = "ログイン: sets the HttpOnly session cookie; returns the CSRF token "
                        "(body: login, password)",
             .tag = "session",
             .access = Public(),
             .body = Body::kJson,
             .handler = Login});
  table.Add({.method = Method::kPost,
             .path = "/api/v1/logout",
             .summary = "ログアウト",
             .tag = "session",
             .access = AnyRole(),
             .body = Body::kJson,
             .handler = Logout});
  table.Add({.method = Method::kGet,
             .path = "/api/v1/me",
             .summary = "ログイン中の利用者 (the caller: role and scope)",
             .tag = "session",
             .access = AnyRole(),
             .handler = Me});
  table.Add({.method = Method::kPost,
             .path = "/api/v1/me/password",
             .summary = "パスワード変更 (body: current_password, new_password)",
             .tag = "session",
             .access = AnyRole(),
             .body = Body::kJson,
             .handler = ChangePassword});
}

}  // namespace ichigen::api
