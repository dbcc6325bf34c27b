// GeoJurisdictions: Jurisdictions over the reference geography — a
// designated city covers its wards; a health center's area is the
// municipalities whose registry health center it is.
// Thread-safety: immutable after construction; calls are safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "api/access.h"
#include "geo/registry.h"

namespace ichigen::api {

class GeoJurisdictions final : public Jurisdictions {
 public:
  explicit GeoJurisdictions(const geo::Registry& registry);
  std::vector<std::string> MunicipalityCodes(const std::string& code6) const override;
  std::vector<std::string> HealthCenterCodes(const std::string& health_center) const override;

 private:
  const geo::Registry& registry_;
  std::map<std::string, std::vector<std::string>> by_health_center_;
};

}  // namespace ichigen::api
