#include "distribution/agreement_request.h"

namespace ichigen::distribution {

core::Result<Agreement> MakeAgreement(const AgreementRequest& request,
                                      const DistributionPolicy& policy,
                                      const geo::Registry& registry, core::Date today) {
  std::vector<Field> fields;
  if (!request.stop) {
    if (request.fields.empty()) {
      return core::Fail(core::Code::kInvalidArgument,
                        "提供項目を指定してください。使える項目: " + ValidFieldNames(),
                        "fields are required (or stop sharing); valid names: " + ValidFieldNames());
    }
    ASSIGN_OR_RETURN(fields, ParseFieldList(request.fields));
  }
  Agreement a = DefaultAgreement(policy, request.municipality_code6,
                                 request.valid_from.value_or(today), std::move(fields));
  a.receives_data = !request.stop;
  a.purposes = request.purposes;
  if (a.purposes.empty() && !request.stop) a.purposes = std::string(kDefaultPurposes);
  a.include_arranging_at_home = request.include_arranging_at_home || policy.include_arranging_at_home;
  a.roll_up_to_city = request.roll_up_to_city;
  if (request.consent_required) a.consent_required = *request.consent_required;
  a.recorded_at = request.recorded_at;
  RETURN_IF_ERROR(ValidateAgreement(a, registry));
  return a;
}

}  // namespace ichigen::distribution
