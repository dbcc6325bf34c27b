// Population: the synthetic patients of one run. Patient i (0-based) is a
// pure function of (seed, i) and the run's shape (prefecture, date range,
// patient count, first HER-SYS ID), so a later `updates` run with the same
// seed regenerates exactly the patients an earlier `hersys` run wrote, and
// a resend row regenerates its patient alone. Notification dates follow the
// prefecture's real curve as stratified quantiles ((i + u) / patients), so
// HER-SYS IDs rise with notification date as they do in a real export.
// About 15% of patients join the household of the patient before them
// (same address, usually the same surname, often a shared phone).
// Thread-safety: immutable; Make may be called from several threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/date.h"
#include "synth/case_curve.h"
#include "synth/name_bank.h"
#include "synth/places.h"
#include "synth/text_forms.h"

namespace ichigen::synth {

enum class Severity { kAsymptomatic, kMild, kModerate, kSevere };  // 無症状 軽症 中等症 重症
enum class CareStatus {
  kAdjusting,     // 入院・療養等調整中
  kHospitalized,  // 入院中
  kLodging,       // 宿泊療養中
  kHome,          // 自宅療養中
};

std::string_view SeverityName(Severity severity);
std::string_view CareStatusName(CareStatus status);

struct Person {
  int64_t index = 0;      // 0-based patient number; person_id is index + 1
  int64_t hersys_id = 0;
  int64_t household = 0;  // index of the household's first member
  const NameEntry* surname = nullptr;
  const NameEntry* given = nullptr;
  Sex sex = Sex::kMale;
  int age = 0;            // on the notification date
  core::Date birth;
  core::Date notified;
  core::Date diagnosed;
  std::optional<core::Date> onset;
  Address address;
  PhoneNumber phone;      // the contact number (a family's, for children)
  Severity severity = Severity::kMild;
  CareStatus care_status = CareStatus::kHome;
  core::Date care_start;
  std::string_view occupation;  // empty when not reported
  uint32_t facility_key = 0;    // picks the reporting facility's name
  bool consent = true;          // 市町村への情報提供同意
};

class Population {
 public:
  Population(const NameBank& names, const Places& places, const CaseCurve& curve,
             uint64_t seed, int64_t patients, int64_t id_start);

  // Fills `person` (its strings keep their capacity: no allocation per row).
  void Make(int64_t index, Person& person) const;
  // A facility name in the patient's municipality ("本町クリニック", "中区内科医院").
  void AppendReportingFacility(const Person& person, std::string& out) const;
  // A new mobile number drawn from `rng` (used when a resend changes the phone).
  static PhoneNumber MobileNumber(Rng& rng);

  int64_t patients() const { return patients_; }
  int64_t id_start() const { return id_start_; }
  const Places& places() const { return places_; }
  const NameBank& names() const { return names_; }
  const CaseCurve& curve() const { return curve_; }

 private:
  int64_t HouseholdOf(int64_t index) const;
  PhoneNumber FixedNumber(Rng& rng) const;

  const NameBank& names_;
  const Places& places_;
  const CaseCurve& curve_;
  uint64_t seed_;
  int64_t patients_;
  int64_t id_start_;
};

}  // namespace ichigen::synth
