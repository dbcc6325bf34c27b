#include "api/access.h"

#include <gtest/gtest.h>

namespace ichigen::api {
namespace {

class FakeJurisdictions final : public Jurisdictions {
 public:
  std::vector<std::string> MunicipalityCodes(const std::string& code6) const override {
    if (code6 == "141003") return {"141003", "141011", "141020"};
    return {code6};
  }
  std::vector<std::string> HealthCenterCodes(const std::string& hc) const override {
    if (hc == "鶴見") return {"141011"};
    return {};
  }
};

class AgreementPolicy final : public FieldPolicy {
 public:
  Agreement ForMunicipality(const std::string&) const override {
    return {{"name", "address"}, {"自宅療養中", "療養解除"}};
  }
};

store::PatientRecord Patient(const std::string& code, const std::string& hc,
                             const std::string& facility, const std::string& status) {
  store::PatientRecord p;
  p.municipality_code = code;
  p.health_center = hc;
  p.reporting_facility = facility;
  p.care_status = status;
  return p;
}

Principal As(Role role, const std::string& scope) {
  Principal p;
  p.role = role;
  p.scope = scope;
  return p;
}

TEST(AccessTest, MunicipalityDefaultDeniesEveryPersonalField) {
  DenyAllFieldPolicy deny;
  FakeJurisdictions geo;
  AccessPolicy policy(deny, geo);
  auto scope = policy.PatientScopeFor(As(Role::kMunicipality, "141003"));
  ASSERT_TRUE(scope.has_value());
  EXPECT_TRUE(scope->FieldAllowed("id"));
  for (const std::string& field : PatientFieldNames()) EXPECT_FALSE(scope->FieldAllowed(field)) << field;
  EXPECT_FALSE(scope->RawAllowed());
  EXPECT_TRUE(scope->Sees(Patient("141020", "", "", "自宅療養中")));   // a ward
  EXPECT_FALSE(scope->Sees(Patient("141305", "", "", "自宅療養中")));  // another city
  EXPECT_FALSE(scope->Sees(Patient("141011", "", "", "入院中")));      // another status
  store::PatientQuery q;
  q.name_prefix = "山田";
  EXPECT_EQ(scope->Narrow(q).error().code, core::Code::kPermissionDenied);
  store::PatientQuery open;
  ASSERT_TRUE(*scope->Narrow(open));
  EXPECT_EQ(open.municipality_codes.size(), 3u);
  EXPECT_EQ(open.care_status, "自宅療養中");
}

TEST(AccessTest, AgreementsOpenFieldsAndStatuses) {
  AgreementPolicy agreed;
  FakeJurisdictions geo;
  AccessPolicy policy(agreed, geo);
  auto scope = *policy.PatientScopeFor(As(Role::kMunicipality, "141305"));
  EXPECT_TRUE(scope.FieldAllowed("name"));
  EXPECT_FALSE(scope.FieldAllowed("phone"));
  EXPECT_TRUE(scope.Sees(Patient("141305", "", "", "療養解除")));
  EXPECT_TRUE(scope.needs_check());  // two statuses: checked row by row
}

TEST(AccessTest, HealthCenterFacilityAndAuditor) {
  DenyAllFieldPolicy deny;
  FakeJurisdictions geo;
  AccessPolicy policy(deny, geo);
  auto hc = *policy.PatientScopeFor(As(Role::kHealthCenter, "鶴見"));
  EXPECT_TRUE(hc.Sees(Patient("141011", "鶴見", "", "入院中")));
  EXPECT_FALSE(hc.Sees(Patient("141011", "川崎", "", "入院中")));
  store::PatientQuery q;
  q.municipality_codes = {"141305"};
  EXPECT_FALSE(*hc.Narrow(q));  // outside its area: nothing to look for
  auto facility = *policy.PatientScopeFor(As(Role::kFacility, "A病院"));
  EXPECT_TRUE(facility.Sees(Patient("", "", "A病院", "")));
  EXPECT_FALSE(facility.Sees(Patient("", "", "B病院", "")));
  EXPECT_EQ(policy.PatientScopeFor(As(Role::kAuditor, "")).error().code,
            core::Code::kPermissionDenied);
  auto op = *policy.PatientScopeFor(As(Role::kOperator, ""));
  EXPECT_TRUE(op.FieldAllowed("phone"));
  EXPECT_FALSE(op.needs_check());
}

}  // namespace
}  // namespace ichigen::api
