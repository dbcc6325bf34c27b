#include "domain/care_status.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
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

constexpr int64_t kEverything = INT64_MAX;

const RecuperationRules& Rules() {
  static const RecuperationRules kRules = *RecuperationRules::LoadDefault();
  return kRules;
}

PatientState Derive(const std::vector<Event>& events, std::string_view as_of,
                    int64_t cutoff = kEverything) {
  return DeriveState(events, D(as_of), cutoff, Rules());
}

bool HasConflict(const PatientState& s, ConflictKind kind) {
  return std::any_of(s.conflicts.begin(), s.conflicts.end(),
                     [kind](const Conflict& c) { return c.kind == kind; });
}

std::string Describe(const PatientState& s) {
  std::string out = std::string(CareStatusNameEn(s.status)) + " @" + s.facility;
  for (const Conflict& c : s.conflicts) out += " [" + c.MessageEn() + "]";
  return out;
}

Event WithStatus(Event e, CareStatus status, std::string facility = {}) {
  e.care_status = status;
  e.facility = std::move(facility);
  return e;
}

struct TransitionCase {
  std::string name;
  std::vector<Event> events;
  std::string as_of;
  CareStatus want;
  std::string want_facility;
};

TEST(DeriveStateTest, EveryTransition) {
  const TransitionCase cases[] = {
      {"新規届出 → 調整中", {Notified(1, "2022-08-01", "2022-07-30")}, "2022-08-01",
       S::kArranging, ""},
      {"新規届出 with HER-SYS 入院中",
       {WithStatus(Notified(1, "2022-08-01", "2022-07-30"), S::kHospitalized, "A病院")},
       "2022-08-01", S::kHospitalized, "A病院"},
      {"新規届出 with HER-SYS 宿泊療養中",
       {WithStatus(Notified(1, "2022-08-01", "2022-07-30"), S::kLodging, "Hホテル")},
       "2022-08-02", S::kLodging, "Hホテル"},
      {"新規届出 with HER-SYS 自宅療養中",
       {WithStatus(Notified(1, "2022-08-01", "2022-07-30"), S::kHomeRecuperation)},
       "2022-08-02", S::kHomeRecuperation, ""},
      {"新規届出 with HER-SYS 死亡",
       {WithStatus(Notified(1, "2022-08-01", "2022-07-30"), S::kDead)}, "2022-08-02",
       S::kDead, ""},
      {"入院 → 入院中",
       {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kAdmitted, "2022-08-02", "A病院")},
       "2022-08-02", S::kHospitalized, "A病院"},
      {"転院 → 入院中 at the new hospital",
       {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kAdmitted, "2022-08-02", "A病院"),
        Ev(3, T::kTransferred, "2022-08-04", "B病院")},
       "2022-08-04", S::kHospitalized, "B病院"},
      {"退院 → 療養解除",
       {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kAdmitted, "2022-08-02", "A病院"),
        Ev(3, T::kDischarged, "2022-08-06", "A病院")},
       "2022-08-06", S::kReleased, ""},
      {"入所 → 宿泊療養中",
       {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kCheckedIn, "2022-08-02", "Hホテル")},
       "2022-08-03", S::kLodging, "Hホテル"},
      {"退所 → 療養解除",
       {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kCheckedIn, "2022-08-02", "Hホテル"),
        Ev(3, T::kCheckedOut, "2022-08-06", "Hホテル")},
       "2022-08-06", S::kReleased, ""},
      {"自宅療養開始 → 自宅療養中",
       {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kHomeStarted, "2022-08-02")},
       "2022-08-02", S::kHomeRecuperation, ""},
      {"療養解除 → 療養解除",
       {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kHomeStarted, "2022-08-02"),
        Ev(3, T::kReleased, "2022-08-05")},
       "2022-08-05", S::kReleased, ""},
      {"死亡 → 死亡, facility kept",
       {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kAdmitted, "2022-08-02", "A病院"),
        Ev(3, T::kDied, "2022-08-05")},
       "2022-08-09", S::kDead, "A病院"},
      {"退院 and 自宅療養開始 the same day → 自宅療養中",
       {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kAdmitted, "2022-08-02", "A病院"),
        Ev(3, T::kHomeStarted, "2022-08-04"), Ev(4, T::kDischarged, "2022-08-04", "A病院")},
       "2022-08-04", S::kHomeRecuperation, ""},
      {"退所 and 入院 the same day → 入院中",
       {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kCheckedIn, "2022-08-02", "Hホテル"),
        Ev(3, T::kAdmitted, "2022-08-04", "A病院"), Ev(4, T::kCheckedOut, "2022-08-04", "Hホテル")},
       "2022-08-04", S::kHospitalized, "A病院"},
      {"入院 without 退所 moves the patient",
       {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kCheckedIn, "2022-08-02", "Hホテル"),
        Ev(3, T::kAdmitted, "2022-08-04", "A病院")},
       "2022-08-05", S::kHospitalized, "A病院"},
      {"a late 退院 from the earlier hospital does not end the current stay",
       {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kAdmitted, "2022-08-02", "A病院"),
        Ev(3, T::kTransferred, "2022-08-04", "B病院"),
        Ev(4, T::kDischarged, "2022-08-05", "A病院")},
       "2022-08-06", S::kHospitalized, "B病院"},
      {"an admission before the notification shapes the notification day",
       {Ev(2, T::kAdmitted, "2022-07-31", "A病院"), Notified(1, "2022-08-01", "2022-07-30")},
       "2022-08-01", S::kHospitalized, "A病院"},
      {"home recuperation ends by itself (期間満了)",
       {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kHomeStarted, "2022-08-01")},
       "2022-08-20", S::kReleased, ""},
  };
  for (const auto& c : cases) {
    const PatientState s = Derive(c.events, c.as_of);
    EXPECT_EQ(s.status, c.want) << c.name << ": " << Describe(s);
    EXPECT_EQ(s.facility, c.want_facility) << c.name;
    EXPECT_TRUE(s.conflicts.empty()) << c.name << ": " << Describe(s);
    EXPECT_TRUE(s.InCensus()) << c.name;
  }
}

TEST(DeriveStateTest, StatusSinceIsTheDayTheStatusBegan) {
  const std::vector<Event> ev = {Notified(1, "2022-08-01", "2022-07-30"),
                                 Ev(2, T::kAdmitted, "2022-08-02", "A病院"),
                                 Ev(3, T::kTransferred, "2022-08-04", "B病院")};
  EXPECT_EQ(Derive(ev, "2022-08-01").status_since, D("2022-08-01"));
  EXPECT_EQ(Derive(ev, "2022-08-05").status_since, D("2022-08-02"));
}

TEST(DeriveStateTest, AsOfBoundaries) {
  const std::vector<Event> ev = {Notified(1, "2022-08-01", "2022-07-30"),
                                 Ev(2, T::kAdmitted, "2022-08-03", "A病院"),
                                 Ev(3, T::kDischarged, "2022-08-08", "A病院"),
                                 Ev(4, T::kCheckedIn, "2022-08-10", "Hホテル"),
                                 Ev(5, T::kCheckedOut, "2022-08-12", "Hホテル")};
  const std::pair<std::string, CareStatus> cases[] = {
      {"2022-08-02", S::kArranging},    {"2022-08-03", S::kHospitalized},
      {"2022-08-07", S::kHospitalized}, {"2022-08-08", S::kReleased},
      {"2022-08-09", S::kReleased},     {"2022-08-10", S::kLodging},
      {"2022-08-11", S::kLodging},      {"2022-08-12", S::kReleased},
  };
  for (const auto& [as_of, want] : cases) {
    EXPECT_EQ(Derive(ev, as_of).status, want) << as_of;
  }
  const PatientState before = Derive(ev, "2022-07-31");
  EXPECT_FALSE(before.notified);
  EXPECT_FALSE(before.InCensus());
  EXPECT_EQ(before.status, S::kUnknown);
}

TEST(DeriveStateTest, HomeRecuperationExpiresOnItsReleaseDay) {
  // Onset 2022-08-01 (before 2022-09-07): last day 08-11, released 08-12.
  const std::vector<Event> ev = {Notified(1, "2022-08-02", "2022-08-01"),
                                 Ev(2, T::kHomeStarted, "2022-08-02")};
  const PatientState last = Derive(ev, "2022-08-11");
  EXPECT_EQ(last.status, S::kHomeRecuperation);
  EXPECT_EQ(last.home_last_day, D("2022-08-11"));
  EXPECT_EQ(last.home_release_on, D("2022-08-12"));
  const PatientState released = Derive(ev, "2022-08-12");
  EXPECT_EQ(released.status, S::kReleased);
  EXPECT_TRUE(released.released_by_expiry);
  EXPECT_EQ(released.status_since, D("2022-08-12"));
}

TEST(DeriveStateTest, HomePeriodRuleChangeAndDiagnosisBasis) {
  struct Case {
    std::string name;
    std::optional<std::string> onset;
    std::string diagnosed;
    std::string home_start;
    std::string want_release;
  };
  const Case cases[] = {
      {"onset 09-06: 10 days", "2022-09-06", "2022-09-07", "2022-09-07", "2022-09-17"},
      {"onset 09-07: 7 days", "2022-09-07", "2022-09-08", "2022-09-08", "2022-09-15"},
      {"no onset: diagnosis basis", std::nullopt, "2022-09-07", "2022-09-07", "2022-09-15"},
      {"no onset, diagnosis 09-06", std::nullopt, "2022-09-06", "2022-09-06", "2022-09-17"},
      {"late home start: the day after", "2022-09-07", "2022-09-08", "2022-09-16",
       "2022-09-17"},
  };
  for (const auto& c : cases) {
    Event n = Ev(1, T::kNotified, c.diagnosed);
    n.diagnosed_on = D(c.diagnosed);
    if (c.onset) n.onset_on = D(*c.onset);
    const std::vector<Event> ev = {n, Ev(2, T::kHomeStarted, c.home_start)};
    const PatientState s = Derive(ev, c.home_start);
    ASSERT_TRUE(s.home_release_on.has_value()) << c.name;
    EXPECT_EQ(s.home_release_on->ToIso(), c.want_release) << c.name;
    EXPECT_EQ(s.home_day_zero, c.onset ? D(*c.onset) : D(c.diagnosed)) << c.name;
    EXPECT_EQ(Derive(ev, s.home_release_on->AddDays(-1).ToIso()).status, S::kHomeRecuperation)
        << c.name;
    EXPECT_EQ(Derive(ev, c.want_release).status, S::kReleased) << c.name;
  }
}

TEST(DeriveStateTest, ExtensionMovesTheEnd) {
  Event ext = Ev(3, T::kExtended, "2022-08-10");
  ext.extended_until = D("2022-08-15");
  const std::vector<Event> ev = {Notified(1, "2022-08-02", "2022-08-01"),
                                 Ev(2, T::kHomeStarted, "2022-08-02"), ext};
  EXPECT_EQ(Derive(ev, "2022-08-12").status, S::kHomeRecuperation);
  const PatientState last = Derive(ev, "2022-08-15");
  EXPECT_EQ(last.status, S::kHomeRecuperation);
  EXPECT_TRUE(last.extended);
  EXPECT_EQ(last.home_last_day, D("2022-08-15"));
  const PatientState after = Derive(ev, "2022-08-16");
  EXPECT_EQ(after.status, S::kReleased);
  EXPECT_TRUE(after.released_by_expiry);
  EXPECT_TRUE(after.conflicts.empty()) << Describe(after);
}

TEST(DeriveStateTest, ExtensionAfterExpiryReopensButNotAfterExplicitRelease) {
  Event ext = Ev(3, T::kExtended, "2022-08-13");  // after the 08-12 expiry
  ext.extended_until = D("2022-08-16");
  const std::vector<Event> expired = {Notified(1, "2022-08-02", "2022-08-01"),
                                      Ev(2, T::kHomeStarted, "2022-08-02"), ext};
  EXPECT_EQ(Derive(expired, "2022-08-12").status, S::kReleased);
  const PatientState reopened = Derive(expired, "2022-08-14");
  EXPECT_EQ(reopened.status, S::kHomeRecuperation);
  EXPECT_EQ(reopened.status_since, D("2022-08-02"));
  EXPECT_EQ(Derive(expired, "2022-08-17").status, S::kReleased);

  std::vector<Event> released = expired;
  released.push_back(Ev(4, T::kReleased, "2022-08-09"));
  const PatientState s = Derive(released, "2022-08-14");
  EXPECT_EQ(s.status, S::kReleased);
  EXPECT_TRUE(HasConflict(s, ConflictKind::kExtensionOutsideHome)) << Describe(s);
}

TEST(DeriveStateTest, CutoffByReceivedAt) {
  const int64_t admitted_received = At("2022-08-05", 8);
  const std::vector<Event> ev = {
      Notified(1, "2022-08-01", "2022-07-30"),
      Ev(2, T::kAdmitted, "2022-08-03", "A病院", admitted_received)};
  // A package at 09:00 on 08-04 did not know of the admission yet.
  EXPECT_EQ(Derive(ev, "2022-08-04", At("2022-08-04", 9)).status, S::kArranging);
  EXPECT_EQ(Derive(ev, "2022-08-04", admitted_received - 1).status, S::kArranging);
  EXPECT_EQ(Derive(ev, "2022-08-04", admitted_received).status, S::kHospitalized);
  // Nothing known at all before the notification was received.
  EXPECT_FALSE(Derive(ev, "2022-08-04", At("2022-08-01", 11)).notified);
}

// The same events in every arrival order give the same state.
TEST(DeriveStateTest, ArrivalOrderDoesNotMatter) {
  Event ext = Ev(6, T::kExtended, "2022-08-09");
  ext.extended_until = D("2022-08-14");
  Event fix = Ev(7, T::kCorrected, "2022-08-03", "B病院", At("2022-08-10"));
  fix.supersedes = 2;
  const std::vector<std::vector<Event>> sequences = {
      {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kAdmitted, "2022-08-02", "A病院"),
       Ev(3, T::kDischarged, "2022-08-05", "A病院"), Ev(4, T::kHomeStarted, "2022-08-05"),
       Ev(5, T::kReleased, "2022-08-12"), ext},
      // Same-day events of one type, tie-broken by received_at then id.
      {Notified(1, "2022-08-01", "2022-07-30"),
       Ev(2, T::kAdmitted, "2022-08-02", "A病院", At("2022-08-02", 10)),
       Ev(3, T::kAdmitted, "2022-08-02", "B病院", At("2022-08-02", 9)),
       Ev(4, T::kAdmitted, "2022-08-02", "C病院", At("2022-08-02", 9)),
       Ev(5, T::kDied, "2022-08-02"), Ev(6, T::kCheckedIn, "2022-08-02", "Hホテル")},
      // Conflicts and a correction.
      {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kAdmitted, "2022-08-04", "A病院"),
       Ev(3, T::kCheckedOut, "2022-08-06"), Ev(4, T::kDied, "2022-08-07"),
       Ev(5, T::kAdmitted, "2022-08-09", "C病院"), fix},
      // Hotel, hospital and home on shared days.
      {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kCheckedIn, "2022-08-02", "Hホテル"),
       Ev(3, T::kAdmitted, "2022-08-03", "A病院"), Ev(4, T::kCheckedOut, "2022-08-03", "Hホテル"),
       Ev(5, T::kDischarged, "2022-08-06", "A病院"), Ev(8, T::kHomeStarted, "2022-08-06")},
  };
  const char* as_ofs[] = {"2022-08-02", "2022-08-05", "2022-08-08", "2022-08-13", "2022-08-20"};
  for (size_t s = 0; s < sequences.size(); ++s) {
    for (const char* as_of : as_ofs) {
      std::vector<Event> events = sequences[s];
      std::vector<size_t> order(events.size());
      std::iota(order.begin(), order.end(), 0);
      const PatientState want = Derive(events, as_of);
      int permutations = 0;
      do {
        std::vector<Event> shuffled;
        for (size_t i : order) shuffled.push_back(events[i]);
        const PatientState got = Derive(shuffled, as_of);
        ASSERT_EQ(got, want) << "sequence " << s << " as of " << as_of << " permutation "
                             << permutations << ": " << Describe(got) << " vs "
                             << Describe(want);
        ++permutations;
      } while (std::next_permutation(order.begin(), order.end()));
      EXPECT_EQ(permutations, 720);
    }
  }
}

TEST(DeriveStateTest, SameDaySameTypeTieBreaksByReceivedThenId) {
  const std::vector<Event> ev = {
      Notified(1, "2022-08-01", "2022-07-30"),
      Ev(3, T::kTransferred, "2022-08-02", "B病院", At("2022-08-02", 9)),
      Ev(2, T::kTransferred, "2022-08-02", "A病院", At("2022-08-02", 10)),
      Ev(5, T::kTransferred, "2022-08-03", "D病院", At("2022-08-03", 9)),
      Ev(4, T::kTransferred, "2022-08-03", "C病院", At("2022-08-03", 9))};
  EXPECT_EQ(Derive(ev, "2022-08-02").facility, "A病院");  // received later
  EXPECT_EQ(Derive(ev, "2022-08-03").facility, "D病院");  // same time, higher id
}

struct ConflictCase {
  std::string name;
  std::vector<Event> events;
  std::string as_of;
  ConflictKind want;
  int64_t want_event_id;
  CareStatus want_status;
};

std::vector<ConflictCase> ConflictCases() {
  Event future = Ev(2, T::kAdmitted, "2022-08-10", "A病院", At("2022-08-05"));
  Event orphan_fix = Ev(3, T::kCorrected, "2022-08-02");
  orphan_fix.supersedes = 99;
  Event no_dates = Ev(1, T::kNotified, "2022-08-01");
  Event ext_no_date = Ev(3, T::kExtended, "2022-08-04");
  Event ext_hospital = Ev(3, T::kExtended, "2022-08-04");
  ext_hospital.extended_until = D("2022-08-20");
  return {
      {"admission after death",
       {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kDied, "2022-08-05"),
        Ev(3, T::kAdmitted, "2022-08-07", "A病院")},
       "2022-08-08", ConflictKind::kEventAfterDeath, 3, S::kDead},
      {"discharge without admission",
       {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kDischarged, "2022-08-05", "A病院")},
       "2022-08-06", ConflictKind::kDischargeWithoutAdmission, 2, S::kReleased},
      {"check-out before any check-in",
       {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kCheckedOut, "2022-08-03", "Hホテル"),
        Ev(3, T::kCheckedIn, "2022-08-05", "Hホテル")},
       "2022-08-06", ConflictKind::kCheckOutWithoutCheckIn, 2, S::kLodging},
      {"two hospitals the same day",
       {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kAdmitted, "2022-08-03", "A病院"),
        Ev(3, T::kAdmitted, "2022-08-03", "B病院")},
       "2022-08-04", ConflictKind::kTwoFacilitiesSameDay, 3, S::kHospitalized},
      {"hospital and hotel the same day: the hospital wins",
       {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kAdmitted, "2022-08-03", "A病院"),
        Ev(3, T::kCheckedIn, "2022-08-03", "Hホテル")},
       "2022-08-04", ConflictKind::kTwoFacilitiesSameDay, 2, S::kHospitalized},
      {"long before the notification",
       {Notified(1, "2022-08-20", "2022-08-18"), Ev(2, T::kAdmitted, "2022-08-05", "A病院")},
       "2022-08-21", ConflictKind::kBeforeNotification, 2, S::kHospitalized},
      {"dated after the day it was received",
       {Notified(1, "2022-08-01", "2022-07-30"), future}, "2022-08-11",
       ConflictKind::kFutureDated, 2, S::kHospitalized},
      {"correction of an unknown event",
       {Notified(1, "2022-08-01", "2022-07-30"), orphan_fix}, "2022-08-03",
       ConflictKind::kUnknownSupersedes, 3, S::kArranging},
      {"no notification", {Ev(2, T::kAdmitted, "2022-08-03", "A病院")}, "2022-08-04",
       ConflictKind::kNoNotification, 2, S::kHospitalized},
      {"no onset or diagnosis date", {no_dates, Ev(2, T::kHomeStarted, "2022-08-01")},
       "2022-08-02", ConflictKind::kNoDayZero, 2, S::kHomeRecuperation},
      {"day 0 before every rule",
       {Notified(1, "2019-12-20", "2019-12-18"), Ev(2, T::kHomeStarted, "2019-12-20")},
       "2020-03-01", ConflictKind::kNoRecuperationRule, 2, S::kHomeRecuperation},
      {"extension without a date",
       {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kHomeStarted, "2022-08-01"),
        ext_no_date},
       "2022-08-05", ConflictKind::kExtensionWithoutDate, 3, S::kHomeRecuperation},
      {"extension in hospital",
       {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kAdmitted, "2022-08-01", "A病院"),
        ext_hospital},
       "2022-08-05", ConflictKind::kExtensionOutsideHome, 3, S::kHospitalized},
  };
}

TEST(DeriveStateTest, EveryConflictKind) {
  std::vector<bool> covered(kConflictKindCount, false);
  for (const auto& c : ConflictCases()) {
    const PatientState s = Derive(c.events, c.as_of);
    const auto it = std::find_if(s.conflicts.begin(), s.conflicts.end(),
                                 [&](const Conflict& k) { return k.kind == c.want; });
    ASSERT_NE(it, s.conflicts.end()) << c.name << ": " << Describe(s);
    covered[static_cast<size_t>(c.want)] = true;
    EXPECT_EQ(it->event_id, c.want_event_id) << c.name;
    EXPECT_EQ(s.status, c.want_status) << c.name << ": " << Describe(s);
    EXPECT_EQ(s.conflicts.size(), 1u) << c.name << ": " << Describe(s);
    const std::string ja = it->MessageJa();
    const std::string en = it->MessageEn();
    EXPECT_FALSE(ja.empty()) << c.name;
    EXPECT_FALSE(en.empty()) << c.name;
    EXPECT_NE(ja, en) << c.name;
    EXPECT_FALSE(ConflictKindName(c.want).empty());
  }
  for (int k = 0; k < kConflictKindCount; ++k) {
    EXPECT_TRUE(covered[k]) << ConflictKindName(static_cast<ConflictKind>(k));
  }
}

TEST(DeriveStateTest, ConflictMessagesNameTheDates) {
  const PatientState s = Derive({Notified(1, "2022-08-01", "2022-07-30"),
                                 Ev(2, T::kDied, "2022-08-05"),
                                 Ev(3, T::kAdmitted, "2022-08-07", "A病院")},
                                "2022-08-08");
  ASSERT_EQ(s.conflicts.size(), 1u);
  EXPECT_EQ(s.conflicts[0].other_event_id, 2);
  EXPECT_EQ(s.conflicts[0].MessageJa(),
            "死亡 (2022-08-05) より後の日付の入院 (2022-08-07) があります。死亡を優先しています");
  EXPECT_NE(s.conflicts[0].MessageEn().find("2022-08-05"), std::string::npos);
}

TEST(DeriveStateTest, PlausibleSequencesAreNotConflicts) {
  const std::vector<std::vector<Event>> cases = {
      // Hotel check-out and admission the same day: a move.
      {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kCheckedIn, "2022-08-02", "Hホテル"),
       Ev(3, T::kCheckedOut, "2022-08-04", "Hホテル"), Ev(4, T::kAdmitted, "2022-08-04", "A病院")},
      // Discharge and admission elsewhere the same day.
      {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kAdmitted, "2022-08-01", "A病院"),
       Ev(3, T::kAdmitted, "2022-08-04", "B病院"), Ev(4, T::kDischarged, "2022-08-04", "A病院")},
      // Admitted 10 days before the notification (within 14 days).
      {Notified(1, "2022-08-11", "2022-08-09"), Ev(2, T::kAdmitted, "2022-08-01", "A病院")},
      // Posthumous notification.
      {Ev(2, T::kDied, "2022-08-01"), Notified(1, "2022-08-02", "2022-07-30")},
      // The same hospital sent twice the same day.
      {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kAdmitted, "2022-08-02", "A病院"),
       Ev(3, T::kAdmitted, "2022-08-02", "A病院")},
      // Death in hospital the day of admission.
      {Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kDied, "2022-08-02"),
       Ev(3, T::kAdmitted, "2022-08-02", "A病院")},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const PatientState s = Derive(cases[i], "2022-08-20");
    EXPECT_TRUE(s.conflicts.empty()) << i << ": " << Describe(s);
  }
  EXPECT_EQ(Derive(cases[3], "2022-08-20").status, S::kDead);
  EXPECT_EQ(Derive(cases[5], "2022-08-20").status, S::kDead);
  EXPECT_EQ(Derive(cases[5], "2022-08-20").facility, "A病院");
}

TEST(DeriveStateTest, CorrectionOfAWrongAdmissionDate) {
  // The hospital sent 08-10; the true admission date was 08-05.
  Event fix = Ev(3, T::kCorrected, "2022-08-05", "A病院", At("2022-08-12"));
  fix.supersedes = 2;
  const std::vector<Event> ev = {Notified(1, "2022-08-01", "2022-07-30"),
                                 Ev(2, T::kAdmitted, "2022-08-10", "A病院", At("2022-08-10")),
                                 fix};
  // Before the correction was received: admitted on 08-10.
  EXPECT_EQ(Derive(ev, "2022-08-06", At("2022-08-11")).status, S::kArranging);
  EXPECT_EQ(Derive(ev, "2022-08-10", At("2022-08-11")).status, S::kHospitalized);
  // After: admitted on 08-05, and the restated history says so.
  const PatientState s = Derive(ev, "2022-08-06");
  EXPECT_EQ(s.status, S::kHospitalized);
  EXPECT_EQ(s.status_since, D("2022-08-05"));
  EXPECT_EQ(Derive(ev, "2022-08-04").status, S::kArranging);
  EXPECT_TRUE(s.conflicts.empty()) << Describe(s);
}

TEST(DeriveStateTest, CorrectionsChainCancelAndLatestWins) {
  Event fix1 = Ev(3, T::kCorrected, "2022-08-05", "B病院", At("2022-08-12", 9));
  fix1.supersedes = 2;
  Event fix2 = Ev(4, T::kCorrected, "2022-08-06", "C病院", At("2022-08-12", 10));
  fix2.supersedes = 3;  // corrects the correction: applies to event 2
  std::vector<Event> ev = {Notified(1, "2022-08-01", "2022-07-30"),
                           Ev(2, T::kAdmitted, "2022-08-04", "A病院"), fix2, fix1};
  const PatientState s = Derive(ev, "2022-08-07");
  EXPECT_EQ(s.facility, "C病院");
  EXPECT_EQ(s.status_since, D("2022-08-06"));
  EXPECT_EQ(Derive(ev, "2022-08-07", At("2022-08-12", 9)).facility, "B病院");

  Event cancel = Ev(5, T::kCorrected, "2022-08-13", "", At("2022-08-13"));
  cancel.supersedes = 2;
  cancel.cancels = true;
  ev.push_back(cancel);
  EXPECT_EQ(Derive(ev, "2022-08-14").status, S::kArranging);
  EXPECT_EQ(Derive(ev, "2022-08-14", At("2022-08-12", 23)).status, S::kHospitalized);
}

TEST(DeriveStateTest, CorrectionOfOnsetRecomputesThePeriod) {
  Event notified = Notified(1, "2022-09-08", "2022-09-06");  // 10-day rule
  Event fix = notified;
  fix.id = 3;
  fix.type = T::kCorrected;
  fix.supersedes = 1;
  fix.onset_on = D("2022-09-07");  // 7-day rule
  fix.received_at = At("2022-09-10");
  const std::vector<Event> ev = {notified, Ev(2, T::kHomeStarted, "2022-09-08"), fix};
  EXPECT_EQ(Derive(ev, "2022-09-09", At("2022-09-09")).home_release_on, D("2022-09-17"));
  EXPECT_EQ(Derive(ev, "2022-09-09").home_release_on, D("2022-09-15"));
}

TEST(DeriveStateTest, WithdrawalRemovesThePatientFromEveryCensus) {
  const int64_t withdrawn_received = At("2022-08-20");
  const std::vector<Event> ev = {
      Notified(1, "2022-08-01", "2022-07-30"), Ev(2, T::kHomeStarted, "2022-08-01"),
      Ev(3, T::kWithdrawn, "2022-08-20", "", withdrawn_received)};
  for (const char* as_of : {"2022-08-01", "2022-08-05", "2022-08-20", "2022-09-01"}) {
    const PatientState s = Derive(ev, as_of);
    EXPECT_TRUE(s.withdrawn) << as_of;
    EXPECT_FALSE(s.InCensus()) << as_of;
  }
  // What a cutoff before the withdrawal knew.
  const PatientState known = Derive(ev, "2022-08-05", withdrawn_received - 1);
  EXPECT_FALSE(known.withdrawn);
  EXPECT_TRUE(known.InCensus());
  EXPECT_EQ(known.status, S::kHomeRecuperation);

  // Cancelling the withdrawal reinstates the notification.
  std::vector<Event> reinstated = ev;
  Event cancel = Ev(4, T::kCorrected, "2022-08-21", "", At("2022-08-21"));
  cancel.supersedes = 3;
  cancel.cancels = true;
  reinstated.push_back(cancel);
  EXPECT_TRUE(Derive(reinstated, "2022-08-05").InCensus());
}

TEST(DeriveStateTest, ResidenceFollowsTheLatestGivenCode) {
  Event moved = Ev(3, T::kHomeStarted, "2022-08-05");
  moved.residence_code = "141305";
  const std::vector<Event> ev = {Notified(1, "2022-08-01", "2022-07-30", "141003"),
                                 Ev(2, T::kAdmitted, "2022-08-02", "A病院"), moved};
  EXPECT_EQ(Derive(ev, "2022-08-04").residence_code, "141003");
  EXPECT_EQ(Derive(ev, "2022-08-05").residence_code, "141305");
}

TEST(DeriveStateTest, JstDateOfUsesJapanTime) {
  EXPECT_EQ(JstDateOf(At("2022-08-01", 0)), D("2022-08-01"));
  EXPECT_EQ(JstDateOf(At("2022-08-01", 0) - 1), D("2022-07-31"));
  EXPECT_EQ(JstDateOf(-kJstOffsetSeconds - 1), D("1969-12-31"));
}

TEST(DeriveStateTest, ManyEventsTakeTheSortedPath) {
  std::vector<Event> ev = {Notified(1, "2022-08-01", "2022-07-30")};
  // 40 alternating transfers given in reverse: the last day's hospital wins.
  for (int i = 0; i < 40; ++i) {
    const std::string day = D("2022-08-02").AddDays(i).ToIso();
    ev.insert(ev.begin(), Ev(100 + i, T::kTransferred, day, "病院" + std::to_string(i)));
  }
  const PatientState s = Derive(ev, "2022-09-30");
  EXPECT_EQ(s.facility, "病院39");
  EXPECT_EQ(Derive(ev, "2022-08-11").facility, "病院9");
}

}  // namespace
}  // namespace ichigen::domain
