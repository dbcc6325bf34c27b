#include "api/router.h"

#include <charconv>

#include "api/services.h"

namespace ichigen::api {

std::string_view MethodName(Method method) {
  switch (method) {
    case Method::kGet: return "GET";
    case Method::kPost: return "POST";
    case Method::kDelete: return "DELETE";
  }
  return "GET";
}

Access Public() { return Access{true, 0}; }

Access AnyRole() {
  Access access;
  for (Role role : kAllRoles) access.roles |= 1u << static_cast<int>(role);
  return access;
}

Access Roles(std::initializer_list<Role> roles) {
  Access access;
  for (Role role : roles) access.roles |= 1u << static_cast<int>(role);
  return access;
}

std::vector<std::string> PathParamNames(const std::string& path) {
  std::vector<std::string> names;
  size_t pos = 0;
  while ((pos = path.find('{', pos)) != std::string::npos) {
    const size_t end = path.find('}', pos);
    if (end == std::string::npos) break;
    names.push_back(path.substr(pos + 1, end - pos - 1));
    pos = end + 1;
  }
  return names;
}

std::string PathRegex(const std::string& path) {
  std::string out;
  size_t pos = 0;
  while (pos < path.size()) {
    const size_t open = path.find('{', pos);
    const std::string literal = path.substr(pos, open == std::string::npos ? std::string::npos : open - pos);
    for (char c : literal) {
      if (std::string_view(".+*?^$()[]{}|\\").find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
    if (open == std::string::npos) break;
    out += "([^/]+)";
    pos = path.find('}', open) + 1;
  }
  return out;
}

std::string Exchange::PathParam(const std::string& name) const {
  const std::vector<std::string> names = PathParamNames(route_.path);
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name && i + 1 < request_.matches.size()) return request_.matches[i + 1].str();
  }
  return {};
}

core::Result<int64_t> Exchange::PathId(const std::string& name) const {
  const std::string text = PathParam(name);
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value <= 0) {
    return core::Fail(core::Code::kInvalidArgument, "番号が正しくありません", "invalid id",
                      name + "=" + text.substr(0, 40));
  }
  return value;
}

std::string Exchange::Query(const std::string& name) const {
  return request_.has_param(name) ? request_.get_param_value(name) : std::string();
}

core::Result<int64_t> Exchange::QueryInt(const std::string& name, int64_t fallback, int64_t min,
                                         int64_t max) const {
  const std::string text = Query(name);
  if (text.empty()) return fallback;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < min || value > max) {
    return core::Fail(core::Code::kInvalidArgument,
                      name + " は " + std::to_string(min) + "〜" + std::to_string(max) +
                          " の整数で指定してください",
                      name + " must be an integer from " + std::to_string(min) + " to " +
                          std::to_string(max),
                      name + "=" + text.substr(0, 40));
  }
  return value;
}

core::Result<std::pair<int64_t, int64_t>> Exchange::Page(int64_t max_limit) const {
  ASSIGN_OR_RETURN(int64_t limit, QueryInt("limit", 50, 1, max_limit));
  ASSIGN_OR_RETURN(int64_t offset, QueryInt("offset", 0, 0, int64_t{1} << 40));
  return std::pair{limit, offset};
}

core::Result<std::string> Exchange::JsonString(const std::string& key, bool required) const {
  auto it = json_.find(key);
  if (it == json_.end() || it->is_null()) {
    if (!required) return std::string();
    return core::Fail(core::Code::kInvalidArgument, "項目 " + key + " がありません",
                      "missing field " + key, key);
  }
  if (!it->is_string()) {
    return core::Fail(core::Code::kInvalidArgument, "項目 " + key + " は文字列で指定してください",
                      "field " + key + " must be a string", key);
  }
  return it->get<std::string>();
}

std::string Exchange::Purpose() const {
  std::string purpose = Query("purpose");
  if (purpose.empty()) purpose = request_.get_header_value("X-Purpose");
  if (purpose.empty() && principal_) purpose = std::string(DefaultPurpose(principal_->role));
  if (purpose.size() > 200) purpose.resize(200);
  return purpose;
}

void Exchange::Reply(int status, const nlohmann::json& body) {
  response_.status = status;
  response_.set_content(DumpJson(body), "application/json; charset=utf-8");
}

void Exchange::ReplyJsonText(int status, std::string body) {
  response_.status = status;
  response_.body = std::move(body);
  response_.set_header("Content-Type", "application/json; charset=utf-8");
}

void Exchange::ReplyPage(const nlohmann::json& items, int64_t total, int64_t limit,
                         int64_t offset) {
  Reply(200, {{"items", items}, {"total", total}, {"limit", limit}, {"offset", offset}});
}

core::Status Exchange::Audit(const std::string& action, const std::vector<std::string>& targets,
                             const nlohmann::json& details) {
  audit::AuditEvent event;
  if (principal_) {
    event.actor = principal_->login;
    event.role = std::string(RoleName(principal_->role));
  } else {
    event.actor = "anonymous";
    event.role = "";
  }
  event.action = action;
  event.targets = targets;
  event.remote = Remote();
  event.purpose = Purpose();
  nlohmann::json all = details.is_object() ? details : nlohmann::json::object();
  if (principal_ && principal_->via_token) all["token_id"] = principal_->token_id;
  event.details = DumpJson(all);
  auto appended = services_.audit_log.Append(event);
  if (!appended) {
    // No audit entry, no personal data: the caller fails the request.
    return core::Fail(core::Code::kUnavailable, "監査記録を書き込めないため処理を中止しました",
                      "the audit trail could not be written; request refused",
                      appended.error().context);
  }
  return core::Ok();
}

nlohmann::json ErrorBody(const core::Error& error) {
  return {{"error",
           {{"code", core::CodeName(error.code)},
            {"message", error.message},
            {"message_en", error.message_en.empty() ? error.message : error.message_en},
            {"context", error.context}}}};
}

std::string DumpJson(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace ichigen::api
