// AgreementFieldPolicy: the FieldPolicy hook (access.h) answered from the
// stored agreements (覚書), so a municipality's patient reads through the API
// show exactly the fields its agreement in force names, in the statuses it
// covers (自宅療養中, and 調整中 when the agreement includes it). No
// agreement in force, sharing stopped, or a store error: no personal field
// at all (fail closed, as DenyAllFieldPolicy).
//
// The agreement in force is the one governing today's package cutoff (the
// clock is injected), so a change applies to the API when it applies to the
// packages. Package fields map to API fields by name; care_period and
// care_end map to care_start_on (the API has no end date), and the package-
// only fields (health-center findings, notes) have no API counterpart.
//
// Thread-safety: thread-safe; it keeps no state and DistributionStore is
// thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>

#include "api/access.h"
#include "distribution/agreement.h"
#include "store/distribution_store.h"

namespace ichigen::api {

// The API field names an agreement's fields allow.
std::set<std::string> ApiFieldsOf(const distribution::Agreement& agreement);

class AgreementFieldPolicy final : public FieldPolicy {
 public:
  using NowFn = std::function<int64_t()>;  // unix seconds
  AgreementFieldPolicy(store::DistributionStore& store, NowFn now, int cutoff_minute_of_day);
  Agreement ForMunicipality(const std::string& code6) const override;

 private:
  store::DistributionStore& store_;
  NowFn now_;
  int cutoff_minute_;
};

}  // namespace ichigen::api
