// The web UI: the embedded built assets (src/web) at /, with their content
// types; content-hashed files under /assets/ are cached for a year, and any
// UI route (/review, /patients/12) gets index.html, so it survives a reload. Unknown /api/ paths stay
// JSON 404s. No log-in: the assets hold no data; the UI then calls the API.
#include <string>
#include <string_view>

#include "api/handlers.h"
#include "web/web_assets.h"

namespace ichigen::api {

namespace {

bool IsApiPath(std::string_view path) {
  return path.starts_with("/api/") || path == "/api" || path == "/healthz" || path == "/metrics";
}

core::Status ServeWeb(Exchange& ex) {
  const std::string& path = ex.request().path;
  if (IsApiPath(path)) {
    return core::Fail(core::Code::kNotFound, "そのURLはありません", "no such endpoint",
                      path.substr(0, 200));
  }
  std::string_view name = std::string_view(path).substr(1);
  std::optional<web::Asset> asset = name.empty() ? std::nullopt : web::FindAsset(name);
  if (!asset) {
    // A missing file (it has an extension) is a 404; anything else is a UI route.
    const size_t slash = name.rfind('/');
    const std::string_view last = slash == std::string_view::npos ? name : name.substr(slash + 1);
    if (last.find('.') != std::string_view::npos) {
      return core::Fail(core::Code::kNotFound, "そのファイルはありません", "no such file",
                        path.substr(0, 200));
    }
    asset = web::FindAsset("index.html");
    if (!asset) {
      return core::Fail(core::Code::kNotFound, "画面が組み込まれていません", "the web UI is not built in");
    }
  }
  httplib::Response& res = ex.response();
  res.status = 200;
  res.set_header("Cache-Control", asset->immutable ? "public, max-age=31536000, immutable" : "no-cache");
  if (asset->content_type.starts_with("text/html")) {
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                   "frame-ancestors 'none'");
    res.set_header("Referrer-Policy", "no-referrer");
  }
  res.set_content(std::string(asset->bytes), std::string(asset->content_type));
  return core::Ok();
}

}  // namespace

void AddWebRoutes(RouteTable& table) {
  // Only "/", one-segment paths and literal-prefixed ones, so no pattern can
  // shadow an /api/ route, whichever order the table is in (a route of one
  // segment, like /healthz, must be added before these).
  for (const char* path : {"/", "/{page}", "/assets/{file}", "/patients/{id}"}) {
    table.Add({.method = Method::kGet,
               .path = path,
               .summary = "画面 (web UI: embedded assets; other paths get index.html)",
               .tag = "web",
               .access = Public(),
               .produces = "text/html",
               .handler = ServeWeb});
  }
}

}  // namespace ichigen::api
