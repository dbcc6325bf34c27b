#include "core/resources.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace ichigen::core {
namespace {

TEST(ResourcesTest, EmbeddedReferenceDataIsThere) {
  auto prefectures = LoadDataFile("ref/code4fukui_prefjp-utf8.csv");
  ASSERT_TRUE(prefectures.has_value());
  EXPECT_NE(prefectures->find("北海道"), std::string::npos);
  EXPECT_EQ(LoadDataFile("ref/no-such-file.csv").error().code, Code::kNotFound);
}

TEST(ResourcesTest, OverrideDirectoryWinsAndExtendsListings) {
  const auto dir = std::filesystem::temp_directory_path() / "ichigen_resources_test";
  std::filesystem::create_directories(dir / "profiles");
  std::ofstream(dir / "profiles" / "zz_local.json") << "{}";
  std::ofstream(dir / "ref" / "x") << "";
  setenv("ICHIGEN_DATA_DIR", dir.c_str(), 1);
  EXPECT_EQ(*LoadDataFile("profiles/zz_local.json"), "{}");
  const auto names = ListDataFiles("profiles");
  EXPECT_NE(std::find(names.begin(), names.end(), "profiles/zz_local.json"), names.end());
  unsetenv("ICHIGEN_DATA_DIR");
  EXPECT_FALSE(LoadDataFile("profiles/zz_local.json").has_value());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ichigen::core
