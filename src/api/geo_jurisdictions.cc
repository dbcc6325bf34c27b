#include "api/geo_jurisdictions.h"

namespace ichigen::api {

GeoJurisdictions::GeoJurisdictions(const geo::Registry& registry) : registry_(registry) {
  for (const geo::Municipality& m : registry.municipalities()) {
    if (!m.health_center.empty() && !m.retired()) by_health_center_[m.health_center].push_back(m.code6);
  }
}

std::vector<std::string> GeoJurisdictions::MunicipalityCodes(const std::string& code6) const {
  std::vector<std::string> codes = {code6};
  const geo::Municipality* city = registry_.FindByCode(code6);
  if (city == nullptr) return codes;
  for (const geo::Municipality* ward : registry_.WardsOf(*city)) codes.push_back(ward->code6);
  return codes;
}

std::vector<std::string> GeoJurisdictions::HealthCenterCodes(
    const std::string& health_center) const {
  auto it = by_health_center_.find(health_center);
  return it == by_health_center_.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace ichigen::api
