#include "core/resources.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ichigen::core {

namespace {

std::filesystem::path OverrideDir() {
  const char* dir = std::getenv("ICHIGEN_DATA_DIR");
  if (dir == nullptr || *dir == '\0') return {};
  return std::filesystem::path(dir);
}

}  // namespace

Result<std::string> LoadDataFile(std::string_view name) {
  const std::filesystem::path dir = OverrideDir();
  if (!dir.empty()) {
    const std::filesystem::path path = dir / std::string(name);
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) {
      std::ifstream in(path, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      if (!in.good() && !in.eof()) {
        return Fail(Code::kUnavailable, "データファイルを読めません",
                    "cannot read data file", path.string());
      }
      return text.str();
    }
  }
  for (unsigned long i = 0; i < ichigen_embedded_file_count; ++i) {
    const EmbeddedFile& file = ichigen_embedded_files[i];
    if (name == file.name) return std::string(file.begin, file.end);
  }
  return Fail(Code::kNotFound, "データファイルがありません", "no such data file",
              std::string(name));
}

std::vector<std::string> ListDataFiles(std::string_view dir) {
  std::vector<std::string> names;
  const std::string prefix = std::string(dir) + "/";
  for (unsigned long i = 0; i < ichigen_embedded_file_count; ++i) {
    const std::string_view name = ichigen_embedded_files[i].name;
    if (name.starts_with(prefix) &&
        name.find('/', prefix.size()) == std::string_view::npos) {
      names.emplace_back(name);
    }
  }
  const std::filesystem::path override_dir = OverrideDir();
  if (!override_dir.empty()) {
    std::error_code ec;
    for (const auto& entry :
         std::filesystem::directory_iterator(override_dir / std::string(dir), ec)) {
      if (entry.is_regular_file()) {
        names.push_back(prefix + entry.path().filename().string());
      }
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace ichigen::core
