// API tokens for systems: issued to the caller (or, by an administrator, to
// any user), shown once, stored hashed; scope "full" or "read".
#include "api/handlers.h"
#include "api/services.h"

namespace ichigen::api {

namespace {

nlohmann::json TokenJson(const store::ApiTokenRecord& t) {
  return {{"id", t.id},
          {"user_id", t.user_id},
          {"name", t.name},
          {"scope", t.scope},
          {"created_at", t.created_at},
          {"last_used_at", t.last_used_at.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.last_used_at)},
          {"revoked", t.revoked}};
}

core::Status ListTokens(Exchange& ex) {
  const Principal& p = ex.principal();
  std::optional<int64_t> user = p.user_id;
  if (p.role == Role::kAdmin && ex.Query("all") == "1") user.reset();
  ASSIGN_OR_RETURN(auto tokens, ex.services().accounts.ListTokens(user));
  nlohmann::json items = nlohmann::json::array();
  for (const auto& t : tokens) items.push_back(TokenJson(t));
  ex.ReplyPage(items, static_cast<int64_t>(tokens.size()), static_cast<int64_t>(tokens.size()), 0);
  return core::Ok();
}

core::Status CreateToken(Exchange& ex) {
  const Principal& p = ex.principal();
  ASSIGN_OR_RETURN(std::string name, ex.JsonString("name"));
  ASSIGN_OR_RETURN(std::string scope, ex.JsonString("scope", false));
  if (scope.empty()) scope = "full";
  ASSIGN_OR_RETURN(std::string login, ex.JsonString("login", false));
  int64_t user_id = p.user_id;
  if (!login.empty() && login != p.login) {
    if (p.role != Role::kAdmin) {
      return core::Fail(core::Code::kPermissionDenied, "他の利用者のトークンは管理者だけが発行できます",
                        "only an administrator may issue tokens for another user");
    }
    ASSIGN_OR_RETURN(store::UserRecord user, ex.services().accounts.GetUserByLogin(login));
    user_id = user.id;
  }
  // A read-only token cannot mint a full one (it cannot POST at all).
  ASSIGN_OR_RETURN(IssuedToken issued, ex.services().accounts.IssueToken(user_id, name, scope));
  RETURN_IF_ERROR(ex.Audit("token.issue", {"user:" + std::to_string(user_id),
                                           "token:" + std::to_string(issued.record.id)},
                           {{"scope", scope}, {"name", name}}));
  nlohmann::json out = TokenJson(issued.record);
  out["token"] = issued.token;
  out["notice"] = "このトークンは今回だけ表示されます / shown once; store it safely";
  ex.Reply(201, out);
  return core::Ok();
}

core::Status RevokeToken(Exchange& ex) {
  ASSIGN_OR_RETURN(int64_t id, ex.PathId("id"));
  RETURN_IF_ERROR(ex.services().accounts.RevokeToken(ex.principal(), id));
  RETURN_IF_ERROR(ex.Audit("token.revoke", {"token:" + std::to_string(id)}));
  ex.Reply(200, {{"revoked", true}, {"id", id}});
  return core::Ok();
}

}  // namespace

void AddTokenRoutes(RouteTable& table) {
  table.Add({.method = Method::kGet,
             .path = "/api/v1/tokens",
             .summary = "自分のAPIトークン一覧 (admin: all=1 for everyone's)",
             .tag = "tokens",
             .access = AnyRole(),
             .params = {{"all", "query", "string", "admin only: 1 lists every user's tokens"}},
             .handler = ListTokens});
  table.Add({.method = Method::kPost,
             .path = "/api/v1/tokens",
             .summary = "APIトークン発行 (body: name, scope full|read, login (admin only)); "
                        "the token is shown once",
             .tag = "tokens",
             .access = AnyRole(),
             .body = Body::kJson,
             .handler = CreateToken});
  table.Add({.method = Method::kDelete,
             .path = "/api/v1/tokens/{id}",
             .summary = "APIトークン失効 (own tokens; admin: any)",
             .tag = "tokens",
             .access = AnyRole(),
             .handler = RevokeToken});
}

}  // namespace ichigen::api
