#include "distribution/package.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <random>
#include <regex>
#include <vector>

#include "distribution/test_support.h"

namespace ichigen::distribution {
namespace {

using domain::CareStatus;
using testing::At;
using testing::Build;
using testing::kFujisawa;
using testing::kKamakura;
using testing::MakeAgreement;
using testing::Resident;
using testing::RowOf;

constexpr std::string_view kKanagawaFields = "name,address,phone,care_period";

TEST(BuildPackage, FirstPackageIsAllNewThenUnchangedThenChangedNamesTheFields) {
  const Agreement agreement = MakeAgreement(kKamakura, kKanagawaFields);
  std::vector<ResidentRow> residents = {Resident(1, kKamakura), Resident(2, kKamakura)};
  const Package day1 = Build(agreement, At("2022-08-01"), residents);
  EXPECT_EQ(day1.id, kKamakura + "-20220801T0900");
  EXPECT_EQ(day1.municipality_name, "鎌倉市");
  ASSERT_EQ(day1.rows.size(), 2u);
  EXPECT_EQ(day1.change_counts[static_cast<int>(ChangeKind::kNew)], 2);
  EXPECT_EQ(day1.snapshot.entries.size(), 2u);

  const Package day2 = Build(agreement, At("2022-08-02"), residents, day1.snapshot);
  EXPECT_EQ(day2.change_counts[static_cast<int>(ChangeKind::kUnchanged)], 2);

  residents[1].Set(Column::kAddress, std::string("神奈川県鎌倉市御成町1-1"));
  residents[1].Set(Column::kCareEnd, testing::D("2022-08-10"));
  residents[1].Set(Column::kNotes, std::string("not shared, so not a change"));
  const Package day3 = Build(agreement, At("2022-08-03"), residents, day2.snapshot);
  const PackageRow* changed = RowOf(day3, 2);
  ASSERT_NE(changed, nullptr);
  EXPECT_EQ(changed->change, ChangeKind::kChanged);
  EXPECT_EQ(changed->changed, (std::vector<Column>{Column::kAddress, Column::kCareEnd}));
  EXPECT_EQ(RowOf(day3, 1)->change, ChangeKind::kUnchanged);
  // 変更 comes before 継続.
  EXPECT_EQ(day3.rows.front().patient_id, 2);
  // The ref is stable from package to package.
  EXPECT_EQ(RowOf(day1, 2)->ref, changed->ref);
}

TEST(BuildPackage, RowsHoldOnlyTheAgreedColumns) {
  const Agreement agreement = MakeAgreement(kKamakura, "phone,care_end");
  const std::vector<ResidentRow> residents = {Resident(1, kKamakura)};
  const Package package = Build(agreement, At("2022-08-01"), residents);
  EXPECT_EQ(package.columns, (std::vector<Column>{Column::kRef, Column::kPhone, Column::kCareEnd}));
  ASSERT_EQ(package.rows.size(), 1u);
  ASSERT_EQ(package.rows[0].values.size(), 3u);
  EXPECT_EQ(std::get<std::string>(package.rows[0].values[1]), "045-000-1001");
  EXPECT_EQ(std::get<core::Date>(package.rows[0].values[2]), testing::D("2022-08-07"));
  ASSERT_EQ(package.snapshot.entries.size(), 1u);
  EXPECT_EQ(package.snapshot.entries[0].hashes.size(), 2u);
}

// One previous member, and what became of it by the next cutoff.
struct EndCase {
  std::string name;
  std::function<void(std::vector<ResidentRow>&, std::vector<Departure>&)> then;
  EndReason expected;
};

class EndReasons : public ::testing::TestWithParam<EndCase> {};

Departure Left(CareStatus status, Consent consent = Consent::kGiven) {
  return Departure{.patient_id = 7, .status = status, .residence_code6 = kKamakura,
                   .consent = consent};
}

TEST_P(EndReasons, EndedRowCarriesOnlyRefAndReasonAndThenDisappears) {
  Agreement agreement = MakeAgreement(kKamakura, kKanagawaFields);
  const std::vector<ResidentRow> before = {Resident(7, kKamakura)};
  const Package day1 = Build(agreement, At("2022-08-01"), before);
  std::vector<ResidentRow> residents = before;
  std::vector<Departure> departures;
  GetParam().then(residents, departures);

  const Package day2 = Build(agreement, At("2022-08-02"), residents, day1.snapshot, departures);
  ASSERT_EQ(day2.rows.size(), 1u);
  const PackageRow& row = day2.rows[0];
  EXPECT_EQ(row.change, ChangeKind::kEnded);
  EXPECT_EQ(row.reason, GetParam().expected) << EndReasonNameJa(row.reason);
  EXPECT_EQ(row.ref, day1.rows[0].ref);
  EXPECT_TRUE(row.values.empty());
  EXPECT_TRUE(row.changed.empty());
  EXPECT_TRUE(day2.snapshot.entries.empty());
  EXPECT_EQ(day2.end_counts[static_cast<int>(GetParam().expected)], 1);

  const Package day3 = Build(agreement, At("2022-08-03"), residents, day2.snapshot, departures);
  EXPECT_TRUE(day3.rows.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Cases, EndReasons,
    ::testing::Values(
        EndCase{"released",
                [](auto& r, auto& d) {
                  r.clear();
                  d.push_back(Left(CareStatus::kReleased));
                },
                EndReason::kReleased},
        EndCase{"hospitalized",
                [](auto& r, auto& d) {
                  r.clear();
                  d.push_back(Left(CareStatus::kHospitalized));
                },
                EndReason::kHospitalized},
        EndCase{"lodging",
                [](auto& r, auto& d) {
                  r.clear();
                  d.push_back(Left(CareStatus::kLodging));
                },
                EndReason::kLodging},
        EndCase{"died",
                [](auto& r, auto& d) {
                  r.clear();
                  d.push_back(Left(CareStatus::kDead));
                },
                EndReason::kDied},
        EndCase{"moved_out", [](auto& r, auto&) { r[0].residence_code6 = kFujisawa; },
                EndReason::kMovedOut},
        EndCase{"notification_withdrawn",
                [](auto& r, auto&) { r[0].notification_withdrawn = true; },
                EndReason::kNotificationWithdrawn},
        EndCase{"consent_withdrawn", [](auto& r, auto&) { r[0].consent = Consent::kWithdrawn; },
                EndReason::kConsentWithdrawn},
        // Once consent is withdrawn nothing more is told, not even admission.
        EndCase{"consent_withdrawn_then_admitted",
                [](auto& r, auto& d) {
                  r.clear();
                  d.push_back(Left(CareStatus::kHospitalized, Consent::kWithdrawn));
                },
                EndReason::kConsentWithdrawn},
        EndCase{"withdrawn_notification_outranks_death",
                [](auto& r, auto& d) {
                  r.clear();
                  Departure gone = Left(CareStatus::kDead);
                  gone.notification_withdrawn = true;
                  d.push_back(gone);
                },
                EndReason::kNotificationWithdrawn},
        EndCase{"died_after_moving",
                [](auto& r, auto& d) {
                  r.clear();
                  Departure gone = Left(CareStatus::kDead);
                  gone.residence_code6 = kFujisawa;
                  d.push_back(gone);
                },
                EndReason::kDied},
        EndCase{"arranging_not_shared",
                [](auto& r, auto&) { r[0].status = CareStatus::kArranging; },
                EndReason::kArranging},
        EndCase{"consent_unknown_where_required",
                [](auto& r, auto&) { r[0].consent = Consent::kUnknown; },
                EndReason::kNotEligible},
        EndCase{"no_information", [](auto& r, auto&) { r.clear(); }, EndReason::kNotEligible}),
    [](const auto& info) { return info.param.name; });

TEST(BuildPackage, MoveBetweenMunicipalitiesEndsOneAndStartsTheOther) {
  const Agreement kamakura = MakeAgreement(kKamakura, kKanagawaFields);
  const Agreement fujisawa = MakeAgreement(kFujisawa, kKanagawaFields);
  std::vector<ResidentRow> residents = {Resident(1, kKamakura), Resident(2, kKamakura)};
  const Package kamakura1 = Build(kamakura, At("2022-08-01"), residents);
  const Package fujisawa1 = Build(fujisawa, At("2022-08-01"), residents);
  EXPECT_EQ(kamakura1.rows.size(), 2u);
  EXPECT_TRUE(fujisawa1.rows.empty());

  residents[0].residence_code6 = kFujisawa;
  residents[0].Set(Column::kAddress, std::string("神奈川県藤沢市朝日町1-1"));
  const Package kamakura2 = Build(kamakura, At("2022-08-02"), residents, kamakura1.snapshot);
  const Package fujisawa2 = Build(fujisawa, At("2022-08-02"), residents, fujisawa1.snapshot);
  ASSERT_NE(RowOf(kamakura2, 1), nullptr);
  EXPECT_EQ(RowOf(kamakura2, 1)->change, ChangeKind::kEnded);
  EXPECT_EQ(RowOf(kamakura2, 1)->reason, EndReason::kMovedOut);
  EXPECT_EQ(RowOf(kamakura2, 2)->change, ChangeKind::kUnchanged);
  ASSERT_EQ(fujisawa2.rows.size(), 1u);
  EXPECT_EQ(fujisawa2.rows[0].change, ChangeKind::kNew);
  EXPECT_EQ(std::get<std::string>(fujisawa2.rows[0].values[2]), "神奈川県藤沢市朝日町1-1");
  // Refs are per municipality: the two cannot link the patient by ref.
  EXPECT_NE(fujisawa2.rows[0].ref, RowOf(kamakura2, 1)->ref);
}

TEST(BuildPackage, WardsRollUpOnlyWhenTheCityAgreementSaysSo) {
  const std::vector<ResidentRow> residents = {
      Resident(1, testing::kYokohamaTsurumi), Resident(2, testing::kYokohamaNaka),
      Resident(3, testing::kKawasakiKawasaki), Resident(4, testing::kKawasakiSaiwai),
      Resident(5, kKamakura)};
  const Package yokohama =
      Build(MakeAgreement(testing::kYokohama, "name", /*roll_up=*/true), At("2022-08-01"), residents);
  std::vector<int64_t> ids;
  for (const PackageRow& row : yokohama.rows) ids.push_back(row.patient_id);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(yokohama.municipality_name, "横浜市");

  // Kawasaki's wards have their own agreements; the city's covers no ward.
  const Package kawasaki =
      Build(MakeAgreement(testing::kKawasaki, "name"), At("2022-08-01"), residents);
  EXPECT_TRUE(kawasaki.rows.empty());
  const Package ward =
      Build(MakeAgreement(testing::kKawasakiKawasaki, "name"), At("2022-08-01"), residents);
  ASSERT_EQ(ward.rows.size(), 1u);
  EXPECT_EQ(ward.rows[0].patient_id, 3);
  EXPECT_EQ(ward.municipality_name, "川崎市川崎区");
}

TEST(BuildPackage, ConsentPolicyAndArrangingFollowTheAgreement) {
  std::vector<ResidentRow> residents = {Resident(1, kKamakura), Resident(2, kKamakura),
                                        Resident(3, kKamakura), Resident(4, kKamakura)};
  residents[1].consent = Consent::kUnknown;
  residents[2].consent = Consent::kWithdrawn;
  residents[3].status = CareStatus::kArranging;
  Agreement agreement = MakeAgreement(kKamakura, "name");
  auto members = [&](const Agreement& a) {
    std::vector<int64_t> ids;
    for (const PackageRow& row : Build(a, At("2022-08-01"), residents).rows) ids.push_back(row.patient_id);
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  EXPECT_EQ(members(agreement), (std::vector<int64_t>{1}));
  agreement.consent_required = false;
  EXPECT_EQ(members(agreement), (std::vector<int64_t>{1, 2}));
  agreement.include_arranging_at_home = true;
  EXPECT_EQ(members(agreement), (std::vector<int64_t>{1, 2, 4}));
}

TEST(BuildPackage, SameInputsInAnyOrderGiveTheSamePackage) {
  const Agreement agreement = MakeAgreement(kKamakura, kKanagawaFields);
  std::vector<ResidentRow> residents;
  for (int64_t id = 1; id <= 200; ++id) residents.push_back(Resident(id, id % 3 ? kKamakura : kFujisawa));
  const Package day1 = Build(agreement, At("2022-08-01"), residents);
  residents.erase(residents.begin(), residents.begin() + 20);
  residents[5].Set(Column::kPhone, std::string("0467-00-0000"));
  const Package a = Build(agreement, At("2022-08-02"), residents, day1.snapshot);
  std::shuffle(residents.begin(), residents.end(), std::mt19937(42));
  const Package b = Build(agreement, At("2022-08-02"), residents, day1.snapshot);
  ASSERT_EQ(a.rows.size(), b.rows.size());
  for (size_t i = 0; i < a.rows.size(); ++i) {
    EXPECT_EQ(a.rows[i].ref, b.rows[i].ref);
    EXPECT_EQ(a.rows[i].change, b.rows[i].change);
    EXPECT_EQ(a.rows[i].values, b.rows[i].values);
  }
  EXPECT_EQ(a.snapshot, b.snapshot);
  EXPECT_GT(a.change_counts[static_cast<int>(ChangeKind::kEnded)], 0);
  EXPECT_EQ(a.change_counts[static_cast<int>(ChangeKind::kChanged)], 1);
}

TEST(BuildPackage, RejectsBadInputsWithTheRightCode) {
  const Agreement agreement = MakeAgreement(kKamakura, "name");
  const std::vector<ResidentRow> twice = {Resident(1, kKamakura), Resident(1, kKamakura)};
  const Snapshot empty;
  EXPECT_EQ(ResidentIndex::Create(twice).error().code, core::Code::kInvalidArgument);
  auto build = [&](const Agreement& a, std::span<const ResidentRow> residents,
                   const Snapshot& previous) -> core::Result<Package> {
    ASSIGN_OR_RETURN(const ResidentIndex index, ResidentIndex::Create(residents));
    return BuildPackage(PackageInputs{.registry = testing::TestRegistry(),
                                      .agreement = a,
                                      .cutoff = At("2022-08-01"),
                                      .residents = index,
                                      .previous = previous,
                                      .departures = {},
                                      .ref_key = testing::kRefKey});
  };
  Snapshot unsorted;
  unsorted.entries = {SnapshotEntry{.patient_id = 2}, SnapshotEntry{.patient_id = 1}};
  EXPECT_EQ(build(agreement, {}, unsorted).error().code, core::Code::kInvalidArgument);

  std::vector<ResidentRow> wrong_type = {Resident(1, kKamakura)};
  wrong_type[0].Set(Column::kName, testing::D("2022-08-01"));
  EXPECT_EQ(build(agreement, wrong_type, empty).error().code, core::Code::kInvalidArgument);
  // A wrong type in a column that is not shared is never looked at.
  wrong_type[0].Set(Column::kName, std::string("ok"));
  wrong_type[0].Set(Column::kNotes, int64_t{5});
  EXPECT_TRUE(build(agreement, wrong_type, empty).has_value());

  Snapshot other;
  other.municipality_code6 = kFujisawa;
  EXPECT_EQ(build(agreement, {}, other).error().code, core::Code::kInvalidArgument);

  Agreement stopped = agreement;
  stopped.receives_data = false;
  EXPECT_EQ(build(stopped, {}, empty).error().code, core::Code::kFailedPrecondition);
  Agreement later = agreement;
  later.valid_from = testing::D("2022-09-01");
  EXPECT_EQ(build(later, {}, empty).error().code, core::Code::kFailedPrecondition);
}

TEST(DeriveRef, ReadableStablePerMunicipalityAndKeyed) {
  const std::string ref = DeriveRef("k", kKamakura, 12345);
  EXPECT_TRUE(std::regex_match(ref, std::regex("[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")))
      << ref;
  EXPECT_EQ(ref, DeriveRef("k", kKamakura, 12345));
  EXPECT_NE(ref, DeriveRef("k", kFujisawa, 12345));
  EXPECT_NE(ref, DeriveRef("other key", kKamakura, 12345));
  EXPECT_NE(ref, DeriveRef("k", kKamakura, 12346));
}

TEST(Snapshot, JsonRoundTripAndDamageIsDataLoss) {
  const Agreement agreement = MakeAgreement(kKamakura, kKanagawaFields);
  const std::vector<ResidentRow> residents = {Resident(3, kKamakura), Resident(1, kKamakura)};
  const Package package = Build(agreement, At("2022-08-01"), residents);
  const std::string json = SnapshotToJson(package.snapshot);
  const auto parsed = ParseSnapshot(json);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
  EXPECT_EQ(*parsed, package.snapshot);
  EXPECT_EQ(parsed->Find(3)->ref, RowOf(package, 3)->ref);
  EXPECT_EQ(parsed->Find(2), nullptr);
  for (const std::string& bad : {std::string("{"), json.substr(0, json.size() / 2),
                                 std::string(R"({"municipality_code":"","package_id":"","entries":[{"patient_id":1,"ref":"x","hashes":{"name":"zz"}}]})")}) {
    EXPECT_EQ(ParseSnapshot(bad).error().code, core::Code::kDataLoss) << bad;
  }
}

TEST(HashValue, TellsTypesAndEmptinessApart) {
  EXPECT_NE(HashValue(std::string()), HashValue(FieldValue{}));
  EXPECT_NE(HashValue(std::string("19205")), HashValue(testing::D("2022-08-01")));
  EXPECT_EQ(HashValue(std::string("髙橋")), HashValue(std::string("髙橋")));
  EXPECT_NE(HashValue(std::string("髙橋")), HashValue(std::string("高橋")));
}

}  // namespace
}  // namespace ichigen::distribution
