// HersysRowMapper: turns one row of a HER-SYS export (values by profile
// field) into a validated, normalized PatientRecord, or the reason it is
// rejected. Raw values are kept beside the normalized ones (raw_json).
// Residence comes from the address; a given municipality code is checked
// against it and a disagreement is flagged, never silently trusted.
// Thread-safety: immutable after construction; Map is safe to call from
// several threads.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "core/date.h"
#include "geo/address.h"
#include "intake/profile.h"
#include "intake/reasons.h"
#include "store/store.h"

namespace ichigen::intake {

// The plausible range of notification and other care dates.
inline constexpr core::Ymd kEarliestCareDate{2019, 12, 1};

class HersysRowMapper {
 public:
  HersysRowMapper(const Profile& profile, const geo::Registry& registry,
                  const geo::AddressResolver& resolver, core::Date today);

  // `values[i]` is the raw text of profile field i ("" when absent).
  std::expected<store::PatientRecord, Reason> Map(const std::vector<std::string>& values) const;

 private:
  const Profile& profile_;
  const geo::Registry& registry_;
  const geo::AddressResolver& resolver_;
  core::Date today_;
  core::Date earliest_;
  // Field indices in the profile (-1 when the profile lacks the field).
  struct Index {
    int hersys_id, notified_on, name, name_kana, sex, birth_date, age, postal_code, address,
        municipality_code, phone, occupation, onset_on, diagnosed_on, reporting_facility,
        health_center, severity, care_status, care_start_on, consent_share;
  } index_;
};

// Canonical JSON object {"field": "raw", ...} of the non-empty values.
std::string RawValuesJson(const Profile& profile, const std::vector<std::string>& values);

// Minimal JSON string escaping for hand-built objects.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace ichigen::intake
