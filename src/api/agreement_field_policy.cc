#include "api/agreement_field_policy.h"

#include <vector>

#include "distribution/cutoff.h"
#include "domain/events.h"

namespace ichigen::api {

std::set<std::string> ApiFieldsOf(const distribution::Agreement& agreement) {
  using distribution::Field;
  std::set<std::string> out;
  for (Field field : agreement.fields) {
    switch (field) {
      case Field::kName: out.insert("name"); break;
      case Field::kNameKana: out.insert("name_kana"); break;
      case Field::kSex: out.insert("sex"); break;
      case Field::kBirthDate: out.insert("birth_date"); break;
      case Field::kAge: out.insert("age"); break;
      case Field::kPostalCode: out.insert("postal_code"); break;
      case Field::kAddress: out.insert("address"); break;
      case Field::kPhone: out.insert("phone"); break;
      case Field::kCarePeriod:
      case Field::kCareEnd: out.insert("care_start_on"); break;
      case Field::kCareStatus: out.insert("care_status"); break;
      case Field::kHealthCenter: out.insert("health_center"); break;
      case Field::kHealthCenterFindings:
      case Field::kNotes: break;  // package-only
    }
  }
  return out;
}

AgreementFieldPolicy::AgreementFieldPolicy(store::DistributionStore& store, NowFn now,
                                           int cutoff_minute_of_day)
    : store_(store), now_(std::move(now)), cutoff_minute_(cutoff_minute_of_day) {}

Agreement AgreementFieldPolicy::ForMunicipality(const std::string& code6) const {
  const Agreement deny{{}, {std::string(domain::CareStatusNameJa(domain::CareStatus::kHomeRecuperation))}};
  auto all = store_.ListAgreements();
  if (!all) return deny;
  std::vector<distribution::Agreement> versions;
  for (auto& a : *all) {
    if (a.municipality_code6 == code6) versions.push_back(std::move(a));
  }
  if (versions.empty()) return deny;
  auto history = distribution::AgreementHistory::Create(std::move(versions));
  if (!history) return deny;
  const distribution::Cutoff now = distribution::CutoffFromUnixSeconds(now_());
  // The version governing today's package (or yesterday's, before the cutoff).
  distribution::Cutoff governing{now.date, cutoff_minute_};
  if (now.minute_of_day < cutoff_minute_) governing.date = now.date.AddDays(-1);
  const distribution::Agreement* in_force = history->InForceAt(governing);
  if (in_force == nullptr || !in_force->receives_data) return deny;
  Agreement out;
  out.fields = ApiFieldsOf(*in_force);
  out.care_statuses.insert(std::string(domain::CareStatusNameJa(domain::CareStatus::kHomeRecuperation)));
  if (in_force->include_arranging_at_home) {
    out.care_statuses.insert(std::string(domain::CareStatusNameJa(domain::CareStatus::kArranging)));
  }
  return out;
}

}  // namespace ichigen::api
