// Users administration (prefecture administrator only): list, add, disable,
// enable, reset password. New and reset passwords, when not given, are
// generated and returned once.
#include "api/handlers.h"
#include "api/services.h"

namespace ichigen::api {

namespace {

nlohmann::json UserJson(const store::UserRecord& u) {
  return {{"id", u.id},
          {"login", u.login},
          {"display_name", u.display_name},
          {"role", u.role},
          {"scope", u.scope},
          {"disabled", u.disabled},
          {"failed_attempts", u.failed_attempts},
          {"locked_until", u.locked_until.empty() ? nlohmann::json(nullptr) : nlohmann::json(u.locked_until)},
          {"password_changed_at", u.password_changed_at},
          {"must_change_password", u.must_change_password},
          {"created_at", u.created_at}};
}

core::Status ListUsers(Exchange& ex) {
  ASSIGN_OR_RETURN(auto page, ex.Page());
  ASSIGN_OR_RETURN(auto users, ex.services().accounts.ListUsers());
  nlohmann::json items = nlohmann::json::array();
  const int64_t total = static_cast<int64_t>(users.size());
  for (int64_t i = page.second; i < total && i < page.second + page.first; ++i) {
    items.push_back(UserJson(users[static_cast<size_t>(i)]));
  }
  ex.ReplyPage(items, total, page.first, page.second);
  return core::Ok();
}

core::Status AddUser(Exchange& ex) {
  AccountService& accounts = ex.services().accounts;
  ASSIGN_OR_RETURN(std::string login, ex.JsonString("login"));
  ASSIGN_OR_RETURN(std::string role_name, ex.JsonString("role"));
  ASSIGN_OR_RETURN(std::string scope, ex.JsonString("scope", false));
  ASSIGN_OR_RETURN(std::string display_name, ex.JsonString("display_name", false));
  ASSIGN_OR_RETURN(std::string password, ex.JsonString("password", false));
  ASSIGN_OR_RETURN(Role role, ParseRole(role_name));
  const bool generated = password.empty();
  if (generated) password = accounts.NewPassword();
  ASSIGN_OR_RETURN(store::UserRecord user, accounts.AddUser(login, role, scope, display_name, password));
  RETURN_IF_ERROR(ex.Audit("user.add", {"user:" + std::to_string(user.id)},
                           {{"login", login}, {"role", role_name}, {"scope", scope}}));
  nlohmann::json out = UserJson(user);
  if (generated) out["password"] = password;
  ex.Reply(201, out);
  return core::Ok();
}

core::Status SetDisabled(Exchange& ex, bool disabled) {
  const std::string login = ex.PathParam("login");
  if (login == ex.principal().login && disabled) {
    return core::Fail(core::Code::kFailedPrecondition, "自分自身は無効にできません",
                      "you cannot disable yourself");
  }
  ASSIGN_OR_RETURN(store::UserRecord user, ex.services().accounts.SetDisabled(login, disabled));
  RETURN_IF_ERROR(ex.Audit(disabled ? "user.disable" : "user.enable",
                           {"user:" + std::to_string(user.id)}, {{"login", login}}));
  ex.Reply(200, UserJson(user));
  return core::Ok();
}

core::Status ResetPassword(Exchange& ex) {
  AccountService& accounts = ex.services().accounts;
  const std::string login = ex.PathParam("login");
  ASSIGN_OR_RETURN(std::string password, ex.JsonString("password", false));
  const bool generated = password.empty();
  if (generated) password = accounts.NewPassword();
  ASSIGN_OR_RETURN(store::UserRecord user, accounts.ResetPassword(login, password));
  RETURN_IF_ERROR(ex.Audit("user.reset_password", {"user:" + std::to_string(user.id)},
                           {{"login", login}}));
  nlohmann::json out = UserJson(user);
  if (generated) out["password"] = password;
  ex.Reply(200, out);
  return core::Ok();
}

}  // namespace

void AddUserRoutes(RouteTable& table) {
  const Access admin = Roles({Role::kAdmin});
  table.Add({.method = Method::kGet,
             .path = "/api/v1/users",
             .summary = "利用者一覧",
             .tag = "users",
             .access = admin,
             .params = {{"limit", "query", "integer", "1..200, default 50"},
                        {"offset", "query", "integer", "default 0"}},
             .handler = ListUsers});
  table.Add({.method = Method::kPost,
             .path = "/api/v1/users",
             .summary = "利用者追加 (body: login, role, scope, display_name, password — "
                        "generated and returned once when omitted)",
             .tag = "users",
             .access = admin,
             .body = Body::kJson,
             .handler = AddUser});
  table.Add({.method = Method::kPost,
             .path = "/api/v1/users/{login}/disable",
             .summary = "利用者を無効にする (ends its sessions, revokes its tokens)",
             .tag = "users",
             .access = admin,
             .body = Body::kJson,
             .handler = [](Exchange& ex) { return SetDisabled(ex, true); }});
  table.Add({.method = Method::kPost,
             .path = "/api/v1/users/{login}/enable",
             .summary = "利用者を有効に戻す",
             .tag = "users",
             .access = admin,
             .body = Body::kJson,
             .handler = [](Exchange& ex) { return SetDisabled(ex, false); }});
  table.Add({.method = Method::kPost,
             .path = "/api/v1/users/{login}/reset-password",
             .summary = "パスワード再設定 (must be changed at next log-in; unlocks)",
             .tag = "users",
             .access = admin,
             .body = Body::kJson,
             .handler = ResetPassword});
}

}  // namespace ichigen::api
