#include "distribution/agreement.h"

#include <gtest/gtest.h>

#include "distribution/test_support.h"

namespace ichigen::distribution {
namespace {

using testing::At;
using testing::D;
using testing::MakeAgreement;
using testing::TestRegistry;

int64_t Jst(std::string_view iso, int hour) { return At(iso, hour).UnixSeconds(); }

struct InForceCase {
  std::string name;
  Cutoff cutoff;
  int expected_version;  // 0: none
};

class AgreementHistoryInForce : public ::testing::TestWithParam<InForceCase> {};

// v1 from 08-01 (recorded 07-25); v2 recorded 08-05 12:00 (after that
// day's 09:00 package) valid from 08-05; v3 recorded 08-06 valid from 08-10.
TEST_P(AgreementHistoryInForce, PicksTheVersionKnownAndValidAtTheCutoff) {
  Agreement v1 = MakeAgreement(testing::kKamakura, "name,address");
  v1.valid_from = D("2022-08-01");
  v1.recorded_at = Jst("2022-07-25", 10);
  Agreement v2 = v1;
  v2.version = 2;
  v2.valid_from = D("2022-08-05");
  v2.recorded_at = Jst("2022-08-05", 12);
  Agreement v3 = v1;
  v3.version = 3;
  v3.valid_from = D("2022-08-10");
  v3.recorded_at = Jst("2022-08-06", 10);
  const auto history = AgreementHistory::Create({v3, v1, v2});
  ASSERT_TRUE(history.has_value());
  const Agreement* in_force = history->InForceAt(GetParam().cutoff);
  if (GetParam().expected_version == 0) {
    EXPECT_EQ(in_force, nullptr);
  } else {
    ASSERT_NE(in_force, nullptr);
    EXPECT_EQ(in_force->version, GetParam().expected_version);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, AgreementHistoryInForce,
    ::testing::Values(InForceCase{"before_any", At("2022-07-31"), 0},
                      InForceCase{"first_day", At("2022-08-01"), 1},
                      InForceCase{"change_after_cutoff_waits", At("2022-08-05"), 1},
                      InForceCase{"next_package", At("2022-08-06"), 2},
                      InForceCase{"recorded_but_not_yet_valid", At("2022-08-09"), 2},
                      InForceCase{"third", At("2022-08-10"), 3}),
    [](const auto& info) { return info.param.name; });

TEST(AgreementHistory, RejectsMixedMunicipalitiesAndDuplicateVersions) {
  const Agreement a = MakeAgreement(testing::kKamakura, "name");
  Agreement other = MakeAgreement(testing::kFujisawa, "name");
  other.version = 2;
  EXPECT_EQ(AgreementHistory::Create({a, other}).error().code, core::Code::kInvalidArgument);
  EXPECT_EQ(AgreementHistory::Create({a, a}).error().code, core::Code::kInvalidArgument);
  EXPECT_EQ(AgreementHistory::Create({a}).value().NextVersion(), 2);
}

struct InvalidCase {
  std::string name;
  Agreement agreement;
  std::string expected_en;  // part of the English message
};

class ValidateAgreementInvalid : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(ValidateAgreementInvalid, NamesTheProblem) {
  const core::Status status = ValidateAgreement(GetParam().agreement, TestRegistry());
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, core::Code::kInvalidArgument);
  EXPECT_NE(status.error().message_en.find(GetParam().expected_en), std::string::npos)
      << status.error().message_en;
}

Agreement With(Agreement a, auto change) {
  change(a);
  return a;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ValidateAgreementInvalid,
    ::testing::Values(
        InvalidCase{"bad_check_digit",
                    With(MakeAgreement(testing::kKamakura, "name"),
                         [](Agreement& a) { a.municipality_code6 = "142040"; }),
                    "check digit"},
        InvalidCase{"roll_up_plain_city", MakeAgreement(testing::kKamakura, "name", true),
                    "not a designated city"},
        InvalidCase{"no_purposes",
                    With(MakeAgreement(testing::kKamakura, "name"),
                         [](Agreement& a) { a.purposes.clear(); }),
                    "purposes"},
        InvalidCase{"no_fields",
                    With(MakeAgreement(testing::kKamakura, "name"),
                         [](Agreement& a) { a.fields.clear(); }),
                    "no fields"},
        InvalidCase{"unsorted_fields",
                    With(MakeAgreement(testing::kKamakura, "name"),
                         [](Agreement& a) { a.fields = {Field::kPhone, Field::kName}; }),
                    "catalogue order"}),
    [](const auto& info) { return info.param.name; });

TEST(ValidateAgreement, AcceptsACityThatRollsUpItsWards) {
  EXPECT_TRUE(ValidateAgreement(MakeAgreement(testing::kYokohama, "name", true), TestRegistry())
                  .has_value());
}

TEST(ValidateAgreementSet, AWardAgreementUnderARollingUpCityOverlaps) {
  const Agreement city = MakeAgreement(testing::kYokohama, "name", true);
  const Agreement ward = MakeAgreement(testing::kYokohamaTsurumi, "name");
  const Agreement kawasaki = MakeAgreement(testing::kKawasaki, "name", false);
  const Agreement kawasaki_ward = MakeAgreement(testing::kKawasakiKawasaki, "name");
  const Agreement* overlapping[] = {&city, &ward};
  EXPECT_EQ(ValidateAgreementSet(overlapping, TestRegistry()).error().code,
            core::Code::kFailedPrecondition);
  const Agreement* fine[] = {&city, &kawasaki, &kawasaki_ward};
  EXPECT_TRUE(ValidateAgreementSet(fine, TestRegistry()).has_value());
  const Agreement* twice[] = {&city, &city};
  EXPECT_FALSE(ValidateAgreementSet(twice, TestRegistry()).has_value());
}

TEST(Policy, EmbeddedDefaultsLoad) {
  const auto policy = LoadPolicy();
  ASSERT_TRUE(policy.has_value()) << policy.error().ToString();
  EXPECT_TRUE(policy->consent_required);
  EXPECT_FALSE(policy->include_arranging_at_home);
  EXPECT_EQ(policy->cutoff_minute_of_day, 9 * 60);
  EXPECT_EQ(policy->csv_encoding, io::Encoding::kCp932);
  const Agreement a = DefaultAgreement(*policy, testing::kKamakura, D("2022-08-01"), {Field::kName});
  EXPECT_EQ(a.consent_required, policy->consent_required);
}

TEST(Policy, ParsesOverridesAndRejectsNonsense) {
  const auto policy = ParsePolicy(
      R"({"consent_required": false, "cutoff": "08:30", "csv_encoding": "utf-8-bom"})");
  ASSERT_TRUE(policy.has_value()) << policy.error().ToString();
  EXPECT_FALSE(policy->consent_required);
  EXPECT_EQ(policy->cutoff_minute_of_day, 8 * 60 + 30);
  EXPECT_EQ(policy->csv_encoding, io::Encoding::kUtf8Bom);
  for (const char* bad : {"[]", R"({"consent_required": "yes"})", R"({"cutoff": "25:00"})",
                          R"({"csv_encoding": "utf-8"})", R"({"colour": 1})"}) {
    EXPECT_EQ(ParsePolicy(bad).error().code, core::Code::kInvalidArgument) << bad;
  }
}

struct CutoffCase {
  std::string text;
  std::string compact;  // empty: invalid
};

class ParseCutoffCases : public ::testing::TestWithParam<CutoffCase> {};

TEST_P(ParseCutoffCases, ParsesToJst) {
  const auto cutoff = ParseCutoff(GetParam().text);
  if (GetParam().compact.empty()) {
    EXPECT_FALSE(cutoff.has_value()) << GetParam().text;
    return;
  }
  ASSERT_TRUE(cutoff.has_value()) << GetParam().text;
  EXPECT_EQ(cutoff->Compact(), GetParam().compact);
  EXPECT_EQ(ParseCutoff(cutoff->Iso()).value(), *cutoff);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseCutoffCases,
    ::testing::Values(CutoffCase{"2022-08-01T09:00", "20220801T0900"},
                      CutoffCase{"2022-08-01 17:45", "20220801T1745"},
                      CutoffCase{"2022-08-01", "20220801T0900"},
                      CutoffCase{"2022-08-01T09:00:00+09:00", "20220801T0900"},
                      CutoffCase{"2022-08-01T00:00:00Z", "20220801T0900"},
                      CutoffCase{"2022-07-31T20:00:00-05:00", "20220801T1000"},
                      CutoffCase{"2022-08-01T09:00:30", ""},
                      CutoffCase{"2022-08-01T24:00", ""},
                      CutoffCase{"2022-02-30T09:00", ""},
                      CutoffCase{"20220801", ""}));

TEST(Cutoff, UnixSecondsIsTheJstInstant) {
  // 2022-08-01T09:00+09:00 = 2022-08-01T00:00Z = 1659312000.
  EXPECT_EQ(At("2022-08-01").UnixSeconds(), 1659312000);
  EXPECT_EQ(CutoffFromUnixSeconds(1659312000 + 59), At("2022-08-01"));
}

}  // namespace
}  // namespace ichigen::distribution
