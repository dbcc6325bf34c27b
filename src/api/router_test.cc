#include "api/router.h"

#include <gtest/gtest.h>

#include <regex>

#include "api/handlers.h"

namespace ichigen::api {
namespace {

TEST(RouterTest, PathTemplatesBecomeAnchoredRegexes) {
  EXPECT_EQ(PathParamNames("/api/v1/users/{login}/tokens/{id}"),
            (std::vector<std::string>{"login", "id"}));
  const std::regex re(PathRegex("/api/v1/batches/{id}/rejects.csv"));
  EXPECT_TRUE(std::regex_match("/api/v1/batches/12/rejects.csv", re));
  EXPECT_FALSE(std::regex_match("/api/v1/batches/12/rejectsXcsv", re));  // the dot is literal
  EXPECT_FALSE(std::regex_match("/api/v1/batches/1/2/rejects.csv", re));
}

TEST(RouterTest, AccessIsDefaultDeny) {
  Access nobody;
  for (Role role : kAllRoles) EXPECT_FALSE(nobody.Allows(role));
  Access some = Roles({Role::kAuditor});
  EXPECT_TRUE(some.Allows(Role::kAuditor));
  EXPECT_FALSE(some.Allows(Role::kAdmin));
  for (Role role : kAllRoles) EXPECT_TRUE(AnyRole().Allows(role));
}

TEST(RouterTest, EveryRouteHasAnExplicitRuleAndIsUnique) {
  const RouteTable table = AllRoutes();
  std::set<std::string> seen;
  for (const Route& route : table.routes()) {
    EXPECT_TRUE(route.access.is_public || route.access.roles != 0) << route.path;
    EXPECT_TRUE(static_cast<bool>(route.handler)) << route.path;
    EXPECT_TRUE(seen.insert(std::string(MethodName(route.method)) + route.path).second) << route.path;
    // Personal-data routes are never public and never open to the auditor.
    if (route.personal_data) {
      EXPECT_FALSE(route.access.is_public) << route.path;
      EXPECT_FALSE(route.access.Allows(Role::kAuditor)) << route.path;
    }
  }
  const nlohmann::json doc = OpenApiDocument(table);
  EXPECT_EQ(doc["paths"]["/api/v1/patients/{id}"]["get"]["parameters"][0]["name"], "id");
  EXPECT_EQ(doc["paths"]["/healthz"]["get"]["security"], nlohmann::json::array());
}

}  // namespace
}  // namespace ichigen::api
