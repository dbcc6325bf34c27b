#include "domain/census.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "domain/test_events.h"

namespace ichigen::domain {
namespace {

using testing::At;
using testing::D;
using testing::Ev;
using testing::Notified;
using T = EventType;
using S = CareStatus;

const RecuperationRules& Rules() {
  static const RecuperationRules kRules = *RecuperationRules::LoadDefault();
  return kRules;
}

// One patient whose timeline is built to end in `intended` on 2022-08-10.
struct Patient {
  std::vector<Event> events;
  CareStatus intended;
  std::string residence;
};

Patient Make(int64_t base, CareStatus intended, std::string residence) {
  Patient p{{Notified(base, "2022-08-01", "2022-07-31", residence)}, intended, residence};
  switch (intended) {
    case S::kArranging:
      break;
    case S::kHospitalized:
      p.events.push_back(Ev(base + 1, T::kAdmitted, "2022-08-03", "A病院"));
      break;
    case S::kLodging:
      p.events.push_back(Ev(base + 1, T::kCheckedIn, "2022-08-03", "Hホテル"));
      break;
    case S::kHomeRecuperation:
      p.events.push_back(Ev(base + 1, T::kHomeStarted, "2022-08-01"));
      break;
    case S::kReleased:
      p.events.push_back(Ev(base + 1, T::kAdmitted, "2022-08-03", "A病院"));
      p.events.push_back(Ev(base + 2, T::kDischarged, "2022-08-08", "A病院"));
      break;
    case S::kDead:
      p.events.push_back(Ev(base + 1, T::kDied, "2022-08-05"));
      break;
    case S::kUnknown:
      p.events[0].care_status = S::kUnknown;
      break;
  }
  return p;
}

std::vector<Patient> Population() {
  std::vector<Patient> out;
  const std::string residences[] = {"141003", "141305", "131016"};
  int64_t id = 1;
  for (int i = 0; i < 60; ++i) {
    out.push_back(Make(id, static_cast<CareStatus>(i % 7 == 6 ? i % 5 : i % 7),
                       residences[i % 3]));
    id += 10;
  }
  out.push_back(Make(id, S::kUnknown, "131016"));
  return out;
}

TEST(CensusTest, CountsEachPatientOnceByStatus) {
  const std::vector<Patient> patients = Population();
  CensusAccumulator census;
  StatusCounts want{};
  for (const Patient& p : patients) {
    census.AddEvents(p.events, D("2022-08-10"), INT64_MAX, Rules());
    ++want[static_cast<size_t>(p.intended)];
  }
  EXPECT_EQ(census.counts(), want);
  EXPECT_EQ(census.counted(), static_cast<int64_t>(patients.size()));
  EXPECT_EQ(census.Count(S::kUnknown), want[static_cast<size_t>(S::kUnknown)]);
  EXPECT_EQ(census.withdrawn(), 0);
  EXPECT_EQ(census.with_conflicts(), 0);
}

TEST(CensusTest, CountsPerResidence) {
  const std::vector<Patient> patients = Population();
  CensusAccumulator census;
  std::map<std::string, StatusCounts> want;
  for (const Patient& p : patients) {
    census.AddEvents(p.events, D("2022-08-10"), INT64_MAX, Rules());
    ++want[p.residence][static_cast<size_t>(p.intended)];
  }
  const auto by = census.ByResidence();
  ASSERT_EQ(by.size(), want.size());
  for (const auto& [code, counts] : by) {
    EXPECT_EQ(counts, want[code]) << code;
    EXPECT_EQ(census.ForResidence(code), counts);
  }
  EXPECT_EQ(census.ForResidence("999999"), StatusCounts{});
}

TEST(CensusTest, WithdrawnAndNotYetNotifiedAreTalliedApart) {
  CensusAccumulator census;
  const Patient home = Make(1, S::kHomeRecuperation, "141003");
  census.AddEvents(home.events, D("2022-08-10"), INT64_MAX, Rules());
  std::vector<Event> withdrawn = home.events;
  withdrawn.push_back(Ev(9, T::kWithdrawn, "2022-08-09"));
  census.AddEvents(withdrawn, D("2022-08-10"), INT64_MAX, Rules());
  census.AddEvents(home.events, D("2022-07-31"), INT64_MAX, Rules());
  EXPECT_EQ(census.counted(), 1);
  EXPECT_EQ(census.withdrawn(), 1);
  EXPECT_EQ(census.not_yet_notified(), 1);
  EXPECT_EQ(census.Count(S::kHomeRecuperation), 1);
}

TEST(CensusTest, HonoursExpiryAndCutoff) {
  const Patient home = Make(1, S::kHomeRecuperation, "141003");  // onset 07-31: to 08-10
  CensusAccumulator on_last_day;
  on_last_day.AddEvents(home.events, D("2022-08-10"), INT64_MAX, Rules());
  CensusAccumulator after;
  after.AddEvents(home.events, D("2022-08-11"), INT64_MAX, Rules());
  EXPECT_EQ(on_last_day.Count(S::kHomeRecuperation), 1);
  EXPECT_EQ(after.Count(S::kHomeRecuperation), 0);
  EXPECT_EQ(after.Count(S::kReleased), 1);

  const Patient admitted = Make(1, S::kHospitalized, "141003");
  CensusAccumulator early;
  early.AddEvents(admitted.events, D("2022-08-10"), At("2022-08-02"), Rules());
  EXPECT_EQ(early.Count(S::kArranging), 1);
  EXPECT_EQ(early.Count(S::kHospitalized), 0);
}

TEST(CensusTest, MergeEqualsOneAccumulator) {
  const std::vector<Patient> patients = Population();
  CensusAccumulator whole, a, b;
  for (size_t i = 0; i < patients.size(); ++i) {
    whole.AddEvents(patients[i].events, D("2022-08-10"), INT64_MAX, Rules());
    (i % 2 == 0 ? a : b).AddEvents(patients[i].events, D("2022-08-10"), INT64_MAX, Rules());
  }
  a.Merge(b);
  EXPECT_EQ(a.counts(), whole.counts());
  EXPECT_EQ(a.counted(), whole.counted());
  EXPECT_EQ(a.ByResidence(), whole.ByResidence());
}

TEST(CensusTest, PressCategories) {
  EXPECT_EQ(PressCategoryJa(S::kReleased), "退院等");
  EXPECT_EQ(PressCategoryJa(S::kLodging), "宿泊療養");
  EXPECT_EQ(PressCategoryJa(S::kHomeRecuperation), "自宅療養");
  EXPECT_EQ(PressCategoryJa(S::kArranging), "調整中");
}

}  // namespace
}  // namespace ichigen::domain
