// AgreementRequest: a new agreement (覚書) version as a person asks for it —
// from `ichigen agreements set` or POST /api/v1/agreements — turned into a
// checked Agreement with the prefecture's defaults filled in. One place, so
// the CLI and the API accept and refuse exactly the same requests.
// Thread-safety: value type and a pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/date.h"
#include "core/result.h"
#include "distribution/agreement.h"

namespace ichigen::distribution {

struct AgreementRequest {
  std::string municipality_code6;
  std::string fields;                    // canonical names, comma separated
  std::optional<core::Date> valid_from;  // default: today
  std::string purposes;                  // default: 自宅療養者への生活支援
  bool include_arranging_at_home = false;  // or the policy's default
  bool roll_up_to_city = false;
  bool stop = false;                     // no more data (sharing stopped)
  std::optional<bool> consent_required;  // default: the policy's
  int64_t recorded_at = 0;               // unix seconds
};

inline constexpr std::string_view kDefaultPurposes = "自宅療養者への生活支援";

// kInvalidArgument with a ja/en reason for an unknown field, a missing field
// list, a bad code, roll-up of a non-designated city (ValidateAgreement).
core::Result<Agreement> MakeAgreement(const AgreementRequest& request,
                                      const DistributionPolicy& policy,
                                      const geo::Registry& registry, core::Date today);

}  // namespace ichigen::distribution
