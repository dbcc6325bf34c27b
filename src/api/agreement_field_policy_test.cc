// The agreement FieldPolicy through the one access place (AccessPolicy),
// on a real DistributionStore: a municipality sees only its agreed fields.
#include "api/agreement_field_policy.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "distribution/cutoff.h"
#include "store/sqlite_distribution_store.h"
#include "store/sqlite_store.h"

namespace ichigen::api {
namespace {

class NoGeo final : public Jurisdictions {
 public:
  std::vector<std::string> MunicipalityCodes(const std::string& code6) const override {
    return {code6};
  }
  std::vector<std::string> HealthCenterCodes(const std::string&) const override { return {}; }
};

class AgreementFieldPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ichigen_agreement_policy_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    const std::string path = (dir_ / "ichigen.db").string();
    auto opened = store::SqliteDistributionStore::Open(path);
    ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
    store_ = std::move(*opened);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  static int64_t Jst(std::string_view iso) { return distribution::ParseCutoff(iso)->UnixSeconds(); }

  void Agree(const std::string& code6, std::string_view fields, std::string_view from,
             int64_t recorded_at, bool arranging = false) {
    distribution::Agreement a;
    a.municipality_code6 = code6;
    a.valid_from = *core::Date::ParseIso(from);
    a.purposes = "支援";
    a.fields = *distribution::ParseFieldList(fields);
    a.recorded_at = recorded_at;
    a.include_arranging_at_home = arranging;
    ASSERT_TRUE(store_->AddAgreementVersion(a).has_value());
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteDistributionStore> store_;
  int64_t now_ = 0;
};

TEST_F(AgreementFieldPolicyTest, MunicipalitySeesOnlyItsAgreedFields) {
  Agree("142042", "name,phone,care_period", "2022-04-01", Jst("2022-04-01T08:00"));
  now_ = Jst("2022-08-01T12:00");
  AgreementFieldPolicy fields(*store_, [this] { return now_; }, 9 * 60);
  NoGeo geo;
  AccessPolicy access(fields, geo);
  Principal kamakura;
  kamakura.role = Role::kMunicipality;
  kamakura.scope = "142042";
  auto scope = access.PatientScopeFor(kamakura);
  ASSERT_TRUE(scope.has_value());
  EXPECT_TRUE(scope->FieldAllowed("name"));
  EXPECT_TRUE(scope->FieldAllowed("phone"));
  EXPECT_TRUE(scope->FieldAllowed("care_start_on"));
  for (const char* field : {"address", "name_kana", "birth_date", "hersys_id", "health_center"}) {
    EXPECT_FALSE(scope->FieldAllowed(field)) << field;
  }
  // Another municipality without an agreement sees no personal field.
  Principal fujisawa = kamakura;
  fujisawa.scope = "142051";
  auto other = access.PatientScopeFor(fujisawa);
  ASSERT_TRUE(other.has_value());
  EXPECT_FALSE(other->FieldAllowed("name"));
}

TEST_F(AgreementFieldPolicyTest, NewVersionAppliesFromTheNextCutoff) {
  Agree("142042", "name", "2022-04-01", Jst("2022-04-01T08:00"));
  Agree("142042", "name,address", "2022-04-01", Jst("2022-08-01T10:00"), /*arranging=*/true);
  AgreementFieldPolicy fields(*store_, [this] { return now_; }, 9 * 60);
  now_ = Jst("2022-08-01T11:00");  // recorded after today's cutoff: not yet
  EXPECT_EQ(fields.ForMunicipality("142042").fields, (std::set<std::string>{"name"}));
  now_ = Jst("2022-08-02T09:00");
  const Agreement next = fields.ForMunicipality("142042");
  EXPECT_EQ(next.fields, (std::set<std::string>{"address", "name"}));
  EXPECT_TRUE(next.care_statuses.contains("調整中"));
}

}  // namespace
}  // namespace ichigen::api
