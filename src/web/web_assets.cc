#include "web/web_assets.h"

namespace ichigen::web {

std::string_view ContentTypeFor(std::string_view path) {
  struct Type {
    std::string_view ext;
    std::string_view type;
  };
  static constexpr Type kTypes[] = {
      {".html", "text/html; charset=utf-8"},   {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},     {".json", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml"},               {".png", "image/png"},
      {".ico", "image/x-icon"},                {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},   {".map", "application/json; charset=utf-8"},
  };
  for (const Type& t : kTypes) {
    if (path.size() >= t.ext.size() && path.substr(path.size() - t.ext.size()) == t.ext) return t.type;
  }
  return "application/octet-stream";
}

std::optional<Asset> FindAsset(std::string_view path) {
  for (size_t i = 0; i < kEmbeddedAssetCount; ++i) {
    const EmbeddedAsset& a = kEmbeddedAssets[i];
    if (path == a.path) {
      return Asset{a.path, std::string_view(a.begin, static_cast<size_t>(a.end - a.begin)),
                   ContentTypeFor(path), path.starts_with("assets/")};
    }
  }
  return std::nullopt;
}

}  // namespace ichigen::web
