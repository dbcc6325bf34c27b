// The route table: every endpoint of the server is one Route — method, path
// template (OpenAPI form, "/api/v1/patients/{id}"), who may call it, its
// parameters for the OpenAPI document, and its handler. The server registers
// exactly these routes and /api/v1/openapi.json is generated from the same
// table, so the document cannot drift from the server. To add an endpoint,
// write a handler file with an AddXxxRoutes(RouteTable&) function and call
// it from AllRoutes() (routes.cc).
//
// A handler gets an Exchange: the request, the response, the authenticated
// principal, and the services. It returns a Status; an error becomes the
// standard error body {"error": {"code", "message", "message_en",
// "context"}} with the HTTP status from core::HttpStatusFor, written by the
// server in one place.
// Thread-safety: the table is built once before the server starts and is
// read-only afterwards; an Exchange belongs to one request's thread.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/roles.h"
#include "core/result.h"

namespace ichigen::api {

struct ApiServices;

enum class Method { kGet, kPost, kDelete };
std::string_view MethodName(Method method);  // "GET", ...

// Who may call a route. Default-constructed: nobody.
struct Access {
  bool is_public = false;  // no log-in needed
  uint32_t roles = 0;      // bit (1 << Role) per role allowed
  bool Allows(Role role) const { return (roles >> static_cast<int>(role)) & 1u; }
};
Access Public();
Access AnyRole();
Access Roles(std::initializer_list<Role> roles);

enum class Body { kNone, kJson, kMultipart };

struct Param {
  std::string name;
  std::string in;  // "path" | "query" | "header"
  std::string type = "string";  // "string" | "integer"
  std::string description;
  bool required = false;
};

class Exchange;
using Handler = std::function<core::Status(Exchange&)>;

struct Route {
  Method method = Method::kGet;
  std::string path;
  std::string summary;
  std::string tag;
  Access access;
  Body body = Body::kNone;
  std::vector<Param> params;  // query and header parameters (path ones are derived)
  std::string produces = "application/json";
  bool personal_data = false;  // reads or writes personal data (audited)
  Handler handler;
};

class RouteTable {
 public:
  void Add(Route route) { routes_.push_back(std::move(route)); }
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// Names of the {placeholders} in a path template, in order.
std::vector<std::string> PathParamNames(const std::string& path);
// The regex the server registers for a path template.
std::string PathRegex(const std::string& path);

// One request as a handler sees it.
class Exchange {
 public:
  Exchange(const Route& route, const httplib::Request& request, httplib::Response& response,
           const httplib::ContentReader* reader, ApiServices& services)
      : route_(route), request_(request), response_(response), reader_(reader),
        services_(services) {}

  const Route& route() const { return route_; }
  const httplib::Request& request() const { return request_; }
  httplib::Response& response() { return response_; }
  const httplib::ContentReader* reader() const { return reader_; }
  ApiServices& services() { return services_; }

  // The caller; public routes have none.
  const Principal& principal() const { return *principal_; }
  bool authenticated() const { return principal_.has_value(); }
  void set_principal(Principal principal) { principal_ = std::move(principal); }

  std::string PathParam(const std::string& name) const;
  core::Result<int64_t> PathId(const std::string& name) const;
  std::string Query(const std::string& name) const;
  core::Result<int64_t> QueryInt(const std::string& name, int64_t fallback, int64_t min,
                                 int64_t max) const;
  // Limit and offset of a paginated list (limit 1..max, default 50).
  core::Result<std::pair<int64_t, int64_t>> Page(int64_t max_limit = 200) const;

  // The JSON object body (read by the server before the handler runs).
  const nlohmann::json& json() const { return json_; }
  void set_json(nlohmann::json json) { json_ = std::move(json); }
  // A string member of the body; kInvalidArgument if absent or not a string.
  core::Result<std::string> JsonString(const std::string& key, bool required = true) const;

  std::string Remote() const { return request_.remote_addr; }
  // Why the caller reads: ?purpose= or X-Purpose, else the role's default.
  std::string Purpose() const;

  void Reply(int status, const nlohmann::json& body);
  // A body already written as JSON text (api/json_text.h).
  void ReplyJsonText(int status, std::string body);
  void ReplyPage(const nlohmann::json& items, int64_t total, int64_t limit, int64_t offset);

  // Appends to the audit trail as this caller.
  core::Status Audit(const std::string& action, const std::vector<std::string>& targets,
                     const nlohmann::json& details = nlohmann::json::object());

 private:
  const Route& route_;
  const httplib::Request& request_;
  httplib::Response& response_;
  const httplib::ContentReader* reader_;
  ApiServices& services_;
  std::optional<Principal> principal_;
  nlohmann::json json_ = nlohmann::json::object();
};

// The standard error body.
nlohmann::json ErrorBody(const core::Error& error);
// JSON text that never throws on invalid UTF-8 (replaced by U+FFFD).
std::string DumpJson(const nlohmann::json& value);

}  // namespace ichigen::api
