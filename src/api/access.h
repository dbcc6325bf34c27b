// Access: who may call what, and which patients and fields they may see —
// decided here and only here, on the server, for every endpoint.
//
//  1. Every route carries an Access rule (router.h). A route with no role
//     listed and not marked public is refused to everyone (default deny).
//  2. Patient data goes through a PatientScope made by AccessPolicy for the
//     caller: admin and operator see every patient and field; a health
//     center the patients whose health_center is its scope; a facility the
//     patients whose reporting_facility is its scope (replaced later by the
//     care history through the same hook, FacilityMatcher); a municipality
//     its residents (municipality_code = its code6, or a ward of its
//     designated city) in the care statuses and with only the fields its
//     agreement allows (FieldPolicy, default: no personal field); the
//     auditor no patient at all.
//  3. A search may filter only on fields the caller may see (a filter on a
//     withheld field would reveal it).
// Thread-safety: AccessPolicy and PatientScope are immutable after
// construction; the hooks must be thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/roles.h"
#include "core/result.h"
#include "store/store.h"

namespace ichigen::api {

// The canonical personal fields of a patient, as named in the API and in
// data-sharing agreements. "id" is the one non-personal field.
const std::vector<std::string>& PatientFieldNames();

// What one municipality's data-sharing agreement (覚書) allows.
struct Agreement {
  std::set<std::string> fields;         // canonical field names
  std::set<std::string> care_statuses;  // patients in these statuses only
};

// The hook the distribution layer will implement from stored agreements.
class FieldPolicy {
 public:
  virtual ~FieldPolicy() = default;
  virtual Agreement ForMunicipality(const std::string& code6) const = 0;
};

// Until agreements are wired: every personal field denied (a municipality
// sees only patient ids), home recuperation (自宅療養中) only.
class DenyAllFieldPolicy final : public FieldPolicy {
 public:
  Agreement ForMunicipality(const std::string& code6) const override;
};

// Geography the scopes need: the codes a municipality covers (itself and
// the wards of a designated city) and the municipalities of a health
// center's area (used only to narrow searches; the check is on the
// patient's health_center).
class Jurisdictions {
 public:
  virtual ~Jurisdictions() = default;
  virtual std::vector<std::string> MunicipalityCodes(const std::string& code6) const = 0;
  virtual std::vector<std::string> HealthCenterCodes(const std::string& health_center) const = 0;
};

// Whether a patient is "its own" for a facility scope.
using FacilityMatcher =
    std::function<bool(const store::PatientRecord& patient, const std::string& facility)>;
FacilityMatcher ReportingFacilityMatcher();

// What one caller may see of patients.
class PatientScope {
 public:
  bool Sees(const store::PatientRecord& patient) const;
  bool FieldAllowed(std::string_view field) const;
  // Raw values, flags and unknown columns: only for roles that see all fields.
  bool RawAllowed() const { return all_fields_; }
  // Adds the scope's own filters to a query; kPermissionDenied when the
  // query filters on a field the caller may not see. Returns false when the
  // scope makes the result empty whatever the store holds.
  core::Result<bool> Narrow(store::PatientQuery& query) const;
  // Whether store results must still be checked one by one with Sees().
  bool needs_check() const { return needs_check_; }

 private:
  friend class AccessPolicy;
  Role role_ = Role::kAuditor;
  std::string scope_;
  bool all_fields_ = false;
  bool needs_check_ = true;
  std::set<std::string> fields_;
  std::set<std::string> statuses_;          // empty: any
  std::vector<std::string> municipalities_;  // empty: any
  bool municipalities_limit_ = false;        // municipalities_ is a limit even if empty
  FacilityMatcher facility_matcher_;
};

class AccessPolicy {
 public:
  AccessPolicy(const FieldPolicy& fields, const Jurisdictions& jurisdictions,
               FacilityMatcher facility_matcher = ReportingFacilityMatcher());
  // kPermissionDenied for roles that see no patient (the auditor).
  core::Result<PatientScope> PatientScopeFor(const Principal& principal) const;

 private:
  const FieldPolicy& fields_;
  const Jurisdictions& jurisdictions_;
  FacilityMatcher facility_matcher_;
};

// Runs a search within a scope: narrowed in the store where it can be, and
// checked row by row where it cannot (scanning at most max_scan rows, then
// kResourceExhausted asking for a narrower search).
core::Result<store::PatientPage> ScopedSearch(store::Store& store, const PatientScope& scope,
                                              store::PatientQuery query,
                                              int64_t max_scan = 200000);

}  // namespace ichigen::api
