// The OpenAPI 3 document, generated from the route table the server
// registers, so every registered route is documented and nothing else is.
#include "api/handlers.h"

namespace ichigen::api {

namespace {

nlohmann::json ErrorSchema() {
  return {{"type", "object"},
          {"properties",
           {{"error",
             {{"type", "object"},
              {"properties",
               {{"code", {{"type", "string"}}},
                {"message", {{"type", "string"}, {"description", "日本語"}}},
                {"message_en", {{"type", "string"}}},
                {"context", {{"type", "string"}}}}}}}}}};
}

std::string RolesText(const Access& access) {
  if (access.is_public) return "public (no log-in)";
  std::string out;
  for (Role role : kAllRoles) {
    if (!access.Allows(role)) continue;
    if (!out.empty()) out += ", ";
    out += RoleName(role);
  }
  return out.empty() ? "nobody (default deny)" : out;
}

}  // namespace

nlohmann::json OpenApiDocument(const RouteTable& table) {
  nlohmann::json paths = nlohmann::json::object();
  for (const Route& route : table.routes()) {
    nlohmann::json op = {{"summary", route.summary},
                         {"tags", {route.tag}},
                         {"x-roles", RolesText(route.access)},
                         {"x-personal-data", route.personal_data}};
    std::string lower(MethodName(route.method));
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    op["operationId"] = lower + route.path;
    nlohmann::json params = nlohmann::json::array();
    for (const std::string& name : PathParamNames(route.path)) {
      params.push_back({{"name", name}, {"in", "path"}, {"required", true},
                        {"schema", {{"type", name == "id" ? "integer" : "string"}}}});
    }
    for (const Param& param : route.params) {
      params.push_back({{"name", param.name}, {"in", param.in}, {"required", param.required},
                        {"description", param.description},
                        {"schema", {{"type", param.type}}}});
    }
    if (!params.empty()) op["parameters"] = params;
    if (route.body == Body::kJson) {
      op["requestBody"] = {{"required", true},
                           {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
    } else if (route.body == Body::kMultipart) {
      op["requestBody"] = {
          {"required", true},
          {"content",
           {{"multipart/form-data",
             {{"schema",
               {{"type", "object"},
                {"properties",
                 {{"file", {{"type", "string"}, {"format", "binary"}}},
                  {"source", {{"type", "string"}}},
                  {"profile", {{"type", "string"}}}}}}}}}}}};
    }
    op["responses"] = {
        {"200", {{"description", "OK"}, {"content", {{route.produces, {{"schema", {{"type", route.produces == "application/json" ? "object" : "string"}}}}}}}}},
        {"default", {{"description", "error"},
                     {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}}}};
    if (route.access.is_public) {
      op["security"] = nlohmann::json::array();
    }
    paths[route.path][lower] = op;
  }
  return {{"openapi", "3.0.3"},
          {"info",
           {{"title", "Ichigen (一元) API"},
            {"version", "1"},
            {"description",
             "感染症患者情報の一元管理 API。Errors: {error: {code, message (日本語), message_en, "
             "context}} with the HTTP status of the code. State-changing requests made with the "
             "session cookie need the X-CSRF-Token header returned at login."}}},
          {"paths", paths},
          {"components",
           {{"schemas", {{"Error", ErrorSchema()}}},
            {"securitySchemes",
             {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}},
              {"session", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "ichigen_session"}}}}}}},
          {"security", {{{"bearer", nlohmann::json::array()}}, {{"session", nlohmann::json::array()}}}}};
}

}  // namespace ichigen::api
