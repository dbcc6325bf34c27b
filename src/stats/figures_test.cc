// Figures against a brute-force recomputation: for generated patients with
// late, out-of-order, corrected and withdrawn events, the census from the
// status intervals equals DeriveState evaluated on every day, and the daily
// new cases and deaths equal the day-to-day change in the counted and dead.
#include "stats/figures.h"

#include <gtest/gtest.h>

#include <random>

namespace ichigen::stats {
namespace {

using domain::CareStatus;
using domain::Event;
using domain::EventType;

struct Generated {
  store::StatsPatient patient;
  std::vector<Event> events;
};

std::vector<Generated> Generate(int count, uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  const core::Date start = *core::Date::ParseIso("2022-08-20");
  const int64_t base_received = int64_t{start.days()} * 86400;
  std::vector<Generated> out;
  int64_t next_id = 1;
  for (int p = 0; p < count; ++p) {
    Generated g;
    g.patient.id = p + 1;
    g.patient.sex = pick(3) == 0 ? "女" : "男";
    if (pick(4) != 0) g.patient.age = pick(100);
    g.patient.age_band = pick(2) == 0 ? "30代" : "";
    g.patient.municipality_code = pick(2) == 0 ? "131016" : "141003";
    g.patient.severity = pick(5) == 0 ? "重症" : "軽症";
    const int notified = pick(30);
    const int n = 1 + pick(6);
    for (int k = 0; k < n; ++k) {
      Event e;
      e.id = next_id++;
      const int r = pick(100);
      if (k == 0) {
        e.type = EventType::kNotified;
      } else if (r < 15) {
        e.type = EventType::kAdmitted;
        e.facility = pick(2) == 0 ? "A病院" : "B病院";
      } else if (r < 25) {
        e.type = EventType::kDischarged;
        e.facility = "A病院";
      } else if (r < 35) {
        e.type = EventType::kCheckedIn;
        e.facility = "ホテル";
      } else if (r < 42) {
        e.type = EventType::kCheckedOut;
        e.facility = "ホテル";
      } else if (r < 60) {
        e.type = EventType::kHomeStarted;
      } else if (r < 66) {
        e.type = EventType::kExtended;
      } else if (r < 72) {
        e.type = EventType::kReleased;
      } else if (r < 78) {
        e.type = EventType::kDied;
      } else if (r < 84) {
        e.type = EventType::kTransferred;
        e.facility = "C病院";
      } else if (r < 92) {
        e.type = EventType::kCorrected;
        e.supersedes = g.events[static_cast<size_t>(pick(k))].id;
        e.cancels = pick(3) == 0;
      } else if (r < 96) {
        e.type = EventType::kWithdrawn;
      } else {
        e.type = EventType::kNotified;  // a duplicate notification
      }
      e.effective_on = start.AddDays(notified + (k == 0 ? 0 : pick(25) - 3));
      if (e.type == EventType::kExtended) e.extended_until = e.effective_on.AddDays(3 + pick(5));
      if (pick(3) == 0) e.onset_on = e.effective_on.AddDays(-pick(4));
      if (pick(2) == 0) e.diagnosed_on = e.effective_on;
      if (pick(4) == 0) e.symptomatic = pick(2) == 0;
      // Late and out-of-order receipt: up to 20 days after, in any order.
      e.received_at = base_received + int64_t{e.effective_on - start} * 86400 + pick(20) * 86400 +
                      pick(86400);
      e.source = "test";
      g.events.push_back(e);
    }
    std::shuffle(g.events.begin(), g.events.end(), rng);
    if (pick(10) == 0) g.events.clear();  // a patient with no events
    out.push_back(std::move(g));
  }
  return out;
}

class FiguresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto rules = domain::RecuperationRules::LoadDefault();
    ASSERT_TRUE(rules) << rules.error().ToString();
    rules_ = std::move(*rules);
  }
  domain::RecuperationRules rules_;
};

TEST_F(FiguresTest, CensusEqualsDeriveStateOnEveryDay) {
  const auto patients = Generate(600, 20220828);
  FigureAccumulator accumulator;
  for (const auto& g : patients) {
    accumulator.Add(ComputeContribution(g.patient, g.events, rules_));
  }
  const Figures figures = accumulator.Take();
  const core::Date from = *core::Date::ParseIso("2022-08-10");
  const core::Date to = *core::Date::ParseIso("2022-10-20");
  const auto series = CensusSeries(figures.CensusRows(), from, to);
  ASSERT_EQ(series.size(), static_cast<size_t>(to - from + 1));
  int64_t previous_counted = 0;
  int64_t previous_dead = 0;
  int64_t checked_nonzero = 0;
  for (const CensusDay& day : series) {
    std::array<int64_t, kCensusSlots> brute{};
    for (const auto& g : patients) {
      if (g.events.empty()) continue;
      const auto state =
          domain::DeriveState(g.events, day.day, std::numeric_limits<int64_t>::max(), rules_);
      if (!state.InCensus()) continue;
      ++brute[static_cast<size_t>(state.status)];
      if (state.status == CareStatus::kHospitalized && g.patient.severity == "重症") {
        ++brute[kSevereSlot];
      }
    }
    for (int s = 0; s < kCensusSlots; ++s) {
      EXPECT_EQ(day.counts[s], brute[s]) << day.day.ToIso() << " " << CensusSlotNameEn(s);
      checked_nonzero += brute[s] != 0 ? 1 : 0;
    }
    // New cases of a day are the change in the counted; deaths the change in 死亡.
    const int64_t counted = day.Counted();
    const int64_t dead = day.counts[static_cast<size_t>(CareStatus::kDead)];
    auto flow = [&](const char* series_name) {
      auto it = figures.flows.find({series_name, "total", day.day.days()});
      return it == figures.flows.end() ? int64_t{0} : it->second;
    };
    if (day.day > from) {
      EXPECT_EQ(flow("notified"), counted - previous_counted) << day.day.ToIso();
      EXPECT_EQ(flow("deaths"), dead - previous_dead) << day.day.ToIso();
    }
    previous_counted = counted;
    previous_dead = dead;
  }
  EXPECT_GT(checked_nonzero, 100);
}

TEST_F(FiguresTest, BreakdownsSumToTotals) {
  const auto patients = Generate(300, 7);
  FigureAccumulator accumulator;
  for (const auto& g : patients) accumulator.Add(ComputeContribution(g.patient, g.events, rules_));
  const Figures figures = accumulator.Take();
  std::map<std::pair<std::string, int32_t>, int64_t> total, by_sex, by_band, by_muni;
  for (const auto& [key, count] : figures.flows) {
    const auto& [series, dim, day] = key;
    if (dim == "total") total[{series, day}] += count;
    if (dim.starts_with("sex:")) by_sex[{series, day}] += count;
    if (dim.starts_with("age_band:")) by_band[{series, day}] += count;
    if (dim.starts_with("municipality:")) by_muni[{series, day}] += count;
  }
  EXPECT_FALSE(total.empty());
  EXPECT_EQ(total, by_sex);
  EXPECT_EQ(total, by_band);
  EXPECT_EQ(total, by_muni);
}

TEST_F(FiguresTest, SubtractingEveryContributionLeavesNothing) {
  const auto patients = Generate(200, 99);
  FigureAccumulator accumulator;
  std::vector<Contribution> all;
  for (const auto& g : patients) all.push_back(ComputeContribution(g.patient, g.events, rules_));
  for (const auto& c : all) accumulator.Add(c);
  EXPECT_FALSE(accumulator.Take().flows.empty());
  for (const auto& c : all) accumulator.Subtract(c);
  EXPECT_TRUE(accumulator.Take().flows.empty());
  EXPECT_TRUE(accumulator.Take().census_deltas.empty());
}

// Replace(old, fresh) is Subtract(old) then Add(fresh), whether the flows
// differ (another patient) or only the care intervals do (the same patient
// with its last event dropped).
TEST_F(FiguresTest, ReplaceEqualsSubtractThenAdd) {
  const auto patients = Generate(200, 31);
  FigureAccumulator replaced;
  FigureAccumulator stepwise;
  int same_flows = 0;
  for (size_t i = 0; i + 1 < patients.size(); ++i) {
    const Contribution old = ComputeContribution(patients[i].patient, patients[i].events, rules_);
    std::vector<Event> fewer = patients[i].events;
    if (fewer.size() > 1) fewer.pop_back();
    const Contribution fresh = i % 2 == 0
        ? ComputeContribution(patients[i].patient, fewer, rules_)
        : ComputeContribution(patients[i + 1].patient, patients[i + 1].events, rules_);
    same_flows += old.notified_day == fresh.notified_day && old.died_day == fresh.died_day &&
                  old.intervals != fresh.intervals;
    replaced.Replace(old, fresh);
    stepwise.Subtract(old);
    stepwise.Add(fresh);
  }
  EXPECT_GT(same_flows, 10);
  EXPECT_FALSE(stepwise.Take().census_deltas.empty());
  EXPECT_EQ(replaced.Take(), stepwise.Take());
}

// Walking on from the first day of the events an update adds gives what a
// computation from every event gives, whichever events are the added ones
// (late ones, several, a death, a release; a withdrawal or correction falls
// back to the full walk).
TEST_F(FiguresTest, ComputingAfterAddedEventsEqualsComputingFromAll) {
  const auto patients = Generate(600, 424242);
  std::mt19937 rng(9);
  int walked = 0;
  for (const auto& g : patients) {
    if (g.events.size() < 2) continue;
    const PatientAttributes attributes = AttributesOf(g.patient);
    const Contribution all = ComputeContribution(attributes, g.events, rules_);
    for (int trial = 0; trial < 3; ++trial) {
      std::vector<Event> old;
      std::vector<Event> added;
      for (size_t i = 0; i < g.events.size(); ++i) {
        const bool add = i > 0 && rng() % 3 == 0;
        (add ? added : old).push_back(g.events[i]);
      }
      if (added.empty()) continue;
      const Contribution before = ComputeContribution(attributes, old, rules_);
      const Contribution after =
          ComputeContributionAfter(before, attributes, g.events, added, rules_);
      EXPECT_EQ(after, all) << "patient " << g.patient.id << " trial " << trial;
      walked += before.Empty() ? 0 : 1;
    }
  }
  EXPECT_GT(walked, 200);
}

TEST_F(FiguresTest, ContributionRoundTripsThroughItsEncoding) {
  const auto patients = Generate(100, 5);
  int nonempty = 0;
  for (const auto& g : patients) {
    const Contribution c = ComputeContribution(g.patient, g.events, rules_);
    auto decoded = Contribution::Decode(c.Encode());
    ASSERT_TRUE(decoded) << decoded.error().ToString();
    EXPECT_EQ(*decoded, c);
    nonempty += c.Empty() ? 0 : 1;
  }
  EXPECT_GT(nonempty, 10);
  auto damaged = Contribution::Decode("\x01\x02");
  ASSERT_FALSE(damaged);
  EXPECT_EQ(damaged.error().code, core::Code::kDataLoss);
}

// A contribution computed from its own attributes (AttributesOf) and the same
// events equals the one computed from the record: what lets an update skip
// the records its batch did not change. Only the current encoding is trusted
// to carry whether the publication day came from the record.
TEST_F(FiguresTest, AttributesOfAContributionStandForTheRecord) {
  const auto patients = Generate(200, 11);
  int published = 0;
  for (const auto& g : patients) {
    store::StatsPatient record = g.patient;
    if (record.id % 2 == 0) record.published_on = "2022-08-25";
    const Contribution c = ComputeContribution(record, g.events, rules_);
    if (c.Empty()) continue;
    const std::string bytes = c.Encode();
    EXPECT_TRUE(Contribution::IsCurrentEncoding(bytes));
    auto decoded = Contribution::Decode(bytes);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(ComputeContribution(AttributesOf(*decoded), g.events, rules_), c) << record.id;
    published += c.published_on_record ? 1 : 0;
  }
  EXPECT_GT(published, 0) << "some generated records carry a 公表日";
  // With and without a 公表日 on the record, for a patient that is counted.
  const Generated* counted = nullptr;
  for (const auto& g : patients) {
    if (!ComputeContribution(g.patient, g.events, rules_).Empty()) {
      counted = &g;
      break;
    }
  }
  ASSERT_NE(counted, nullptr);
  store::StatsPatient p = counted->patient;
  p.published_on = "2022-08-09";
  const Contribution with_date = ComputeContribution(AttributesOf(p), counted->events, rules_);
  ASSERT_FALSE(with_date.Empty());
  EXPECT_TRUE(with_date.published_on_record);
  EXPECT_EQ(with_date.published_day, core::Date::FromYmd(2022, 8, 9)->days());
  EXPECT_EQ(AttributesOf(with_date).published_day, with_date.published_day);
  p.published_on.clear();
  const Contribution without = ComputeContribution(AttributesOf(p), counted->events, rules_);
  ASSERT_FALSE(without.Empty());
  EXPECT_FALSE(without.published_on_record);
  EXPECT_EQ(without.published_day, without.notified_day);
  EXPECT_EQ(AttributesOf(without).published_day, kNoDay);
  EXPECT_FALSE(Contribution::IsCurrentEncoding(""));
  EXPECT_FALSE(Contribution::IsCurrentEncoding(std::string(1, '\x02')));
}

// The version 1 layout (fixed-width days, strings in full) that stores
// written before version 2 hold; built by hand, as those stores have it.
std::string EncodeV1(const Contribution& c) {
  std::string out(1, '\x01');
  auto i32 = [&](int32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); };
  auto str = [&](const std::string& v) {
    out.push_back(static_cast<char>(v.size()));
    out += v;
  };
  i32(c.notified_day);
  i32(c.published_day);
  i32(c.died_day);
  out.push_back(c.severe ? 1 : 0);
  str(c.municipality);
  str(c.age_band);
  str(c.sex);
  i32(static_cast<int32_t>(c.intervals.size()));
  for (const StatusInterval& interval : c.intervals) {
    i32(interval.start);
    i32(interval.end);
    out.push_back(static_cast<char>(interval.status));
  }
  return out;
}

// Version 2 is canonical (equal contributions, equal bytes: an update skips
// a patient by comparing bytes), smaller than version 1, and reads back
// every field, unusual values included; version 1 bytes still read.
TEST_F(FiguresTest, CompactEncodingIsCanonicalSmallerAndReadsVersionOne) {
  const auto patients = Generate(300, 11);
  size_t v1_bytes = 0;
  size_t v2_bytes = 0;
  for (const auto& g : patients) {
    const Contribution c = ComputeContribution(g.patient, g.events, rules_);
    if (c.Empty()) continue;
    const std::string v2 = c.Encode();
    const std::string v1 = EncodeV1(c);
    v1_bytes += v1.size();
    v2_bytes += v2.size();
    auto from_v1 = Contribution::Decode(v1);
    ASSERT_TRUE(from_v1) << from_v1.error().ToString();
    EXPECT_EQ(*from_v1, c);
    EXPECT_EQ(from_v1->Encode(), v2) << "the same contribution, the same bytes";
    std::string reused = "left over from the last patient";
    c.EncodeInto(reused);
    EXPECT_EQ(reused, v2);
  }
  ASSERT_GT(v1_bytes, 0u);
  EXPECT_LT(v2_bytes * 2, v1_bytes) << "version 2 is under half the size";

  const auto d = [](const char* iso) { return core::Date::ParseIso(iso)->days(); };
  Contribution odd;
  odd.notified_day = d("2019-12-01");  // before the encoding's base day
  odd.published_day = d("2025-03-01");
  odd.died_day = d("2019-11-30");
  odd.severe = true;
  odd.municipality = "不明な市";  // not a code: kept as text
  odd.age_band = "百歳";           // not a known label
  odd.sex = "";
  odd.intervals = {{d("2019-11-01"), d("2019-11-30"), CareStatus::kHospitalized},
                   {d("2019-11-30"), kOpenEnd, CareStatus::kDead}};
  Contribution leading_zero;
  leading_zero.notified_day = d("2022-08-01");
  leading_zero.published_day = d("2022-08-01");
  leading_zero.municipality = "011002";
  leading_zero.age_band = "不明";
  leading_zero.sex = "その他";
  leading_zero.intervals = {{d("2022-08-01"), d("2022-08-11"), CareStatus::kHomeRecuperation}};
  for (const Contribution& c : {odd, leading_zero, Contribution{}}) {
    auto decoded = Contribution::Decode(c.Encode());
    ASSERT_TRUE(decoded) << decoded.error().ToString();
    EXPECT_EQ(*decoded, c);
  }
  // Cut short, a stray byte after the end, an unknown version or flag.
  const std::string whole = leading_zero.Encode();
  for (const std::string& bad :
       {whole.substr(0, whole.size() - 1), whole + "x", "\x07" + whole.substr(1),
        whole.substr(0, 1) + "\x80" + whole.substr(2)}) {
    auto damaged = Contribution::Decode(bad);
    ASSERT_FALSE(damaged);
    EXPECT_EQ(damaged.error().code, core::Code::kDataLoss);
  }
}

TEST(AgeBandTest, FromAgeElsePublishedBand) {
  EXPECT_EQ(AgeBandOf(0, ""), "10歳未満");
  EXPECT_EQ(AgeBandOf(9, "50代"), "10歳未満");
  EXPECT_EQ(AgeBandOf(10, ""), "10代");
  EXPECT_EQ(AgeBandOf(89, ""), "80代");
  EXPECT_EQ(AgeBandOf(90, ""), "90歳以上");
  EXPECT_EQ(AgeBandOf(std::nullopt, "50代"), "50代");
  EXPECT_EQ(AgeBandOf(std::nullopt, "100歳以上"), "90歳以上");
  EXPECT_EQ(AgeBandOf(std::nullopt, "-"), "不明");
  EXPECT_EQ(SexLabelOf("女"), "女性");
  EXPECT_EQ(SexLabelOf(""), "不明");
}

}  // namespace
}  // namespace ichigen::stats
