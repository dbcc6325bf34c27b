// Agreements (覚書): which municipality receives which fields of which
// residents, from when, for what purpose; and the prefecture's defaults.
//
// Agreement is one version of one municipality's memorandum. Versions are
// never edited: a change is a new version with a higher number, recorded at
// a time. AgreementHistory answers "which version governs the package cut
// at X": the highest-numbered version recorded at or before X whose
// valid_from is on or before X's day. So a change made after today's cutoff
// applies from the next package, and rebuilding an old package uses the
// version that governed it then (the same bytes).
//
// DistributionPolicy holds the prefecture's defaults (consent required or
// not, 調整中 at home included or not, the cutoff time, the CSV encoding),
// read from data/distribution/policy.json so an operator can change them
// without rebuilding.
//
// Thread-safety: value types; AgreementHistory is immutable after Create and
// its const methods are safe from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "distribution/cutoff.h"
#include "distribution/fields.h"
#include "io/encoding.h"

namespace ichigen::geo {
class Registry;
}

namespace ichigen::distribution {

struct DistributionPolicy {
  bool consent_required = true;
  bool include_arranging_at_home = false;
  int cutoff_minute_of_day = kDefaultCutoffMinuteOfDay;
  io::Encoding csv_encoding = io::Encoding::kCp932;
};

// Parses the JSON text of a policy file; missing keys keep their defaults.
core::Result<DistributionPolicy> ParsePolicy(std::string_view json_text);
// The policy from data/distribution/policy.json (embedded or overridden).
core::Result<DistributionPolicy> LoadPolicy();

struct Agreement {
  std::string municipality_code6;  // the recipient (a city, a town, or a ward)
  int version = 1;                 // 1, 2, … per municipality
  int64_t recorded_at = 0;         // unix seconds the version was recorded
  bool receives_data = true;       // false: no packages (sharing stopped)
  core::Date valid_from;           // first day a package may use it
  std::string purposes;            // 利用目的, e.g. 食料品・日用品の支援
  std::vector<Field> fields;       // in catalogue order, no duplicates
  bool include_arranging_at_home = false;  // also 調整中 residents
  bool consent_required = true;    // share only with consent given
  bool roll_up_to_city = false;    // designated city: its wards' residents too
};

// A new version-1 agreement with the policy's defaults.
Agreement DefaultAgreement(const DistributionPolicy& policy, std::string municipality_code6,
                           core::Date valid_from, std::vector<Field> fields);

// Checks one agreement against the registry: a known, current 6-digit code
// with a valid check digit; roll-up only for a designated city; fields and
// purposes present when it receives data. kInvalidArgument naming the
// problem otherwise.
core::Status ValidateAgreement(const Agreement& agreement, const geo::Registry& registry);

// Checks the agreements in force together: one per municipality, and no
// ward with its own agreement while its city's agreement rolls the wards up
// (a resident would go to two recipients). kFailedPrecondition otherwise.
core::Status ValidateAgreementSet(std::span<const Agreement* const> in_force,
                                  const geo::Registry& registry);

class AgreementHistory {
 public:
  // All versions of one municipality's agreement, any order. Versions must
  // be distinct and positive and share the municipality code.
  static core::Result<AgreementHistory> Create(std::vector<Agreement> versions);

  // The version governing a package cut at `cutoff`, or nullptr when none
  // was in force (no package for this municipality then).
  const Agreement* InForceAt(const Cutoff& cutoff) const;
  const std::string& municipality_code6() const { return municipality_code6_; }
  // In version order.
  const std::vector<Agreement>& versions() const { return versions_; }
  int NextVersion() const { return versions_.empty() ? 1 : versions_.back().version + 1; }

 private:
  AgreementHistory() = default;
  std::string municipality_code6_;
  std::vector<Agreement> versions_;
};

}  // namespace ichigen::distribution
