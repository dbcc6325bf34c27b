// The web UI's built files (web/, built by vite at build time), embedded in
// the binary by src/web/CMakeLists.txt. Paths are relative to the build's
// root: "index.html", "assets/index-<hash>.js".
// Thread-safety: the table is immutable; functions are safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace ichigen::web {

struct EmbeddedAsset {
  const char* path;
  const char* begin;
  const char* end;
};

// Defined in the generated table.
extern const EmbeddedAsset kEmbeddedAssets[];
extern const size_t kEmbeddedAssetCount;

struct Asset {
  std::string_view path;
  std::string_view bytes;
  std::string_view content_type;
  bool immutable = false;  // content-hashed name (under assets/): cache for a year
};

// The asset at `path` (no leading slash), if embedded.
std::optional<Asset> FindAsset(std::string_view path);

// The Content-Type for a file name, by its extension.
std::string_view ContentTypeFor(std::string_view path);

}  // namespace ichigen::web
