// bench_census: the census as of one date over a store-sized population.
// Generates 1,000,000 patients (about three events each, in shuffled
// arrival order, with hospital names long enough to live on the heap)
// deterministically in memory, then times DeriveState + CensusAccumulator
// over all of them, single-threaded, and prints one JSON line.
// Usage: bench_census [patients] [repetitions] [as-of YYYY-MM-DD]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "domain/care_status.h"
#include "domain/census.h"
#include "domain/events.h"
#include "domain/recuperation_rules.h"

namespace {

using ichigen::core::Date;
using ichigen::domain::CareStatus;
using ichigen::domain::CensusAccumulator;
using ichigen::domain::Event;
using ichigen::domain::EventType;

// splitmix64: deterministic, seedable, no global state.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  int Below(int n) { return static_cast<int>(Next() % static_cast<uint64_t>(n)); }

 private:
  uint64_t state_;
};

int64_t NoonJst(Date d) { return int64_t{d.days()} * 86400 + 3 * 3600; }

struct Population {
  std::vector<Event> events;
  std::vector<size_t> begin;  // patient i owns events[begin[i], begin[i+1])
};

Population Generate(int patients) {
  Rng rng(20220728);
  std::vector<std::string> hospitals, hotels;
  for (int i = 0; i < 60; ++i) hospitals.push_back("病院:県立第" + std::to_string(i) + "医療センター");
  for (int i = 0; i < 20; ++i) hotels.push_back("宿泊:療養ホテル" + std::to_string(i));
  const std::string residences[] = {"141003", "141305", "141500", "142018", "142034",
                                    "142051", "142069", "142077", "142085", "142107",
                                    "142115", "142123", "142131", "142140", "142158"};
  const Date first = *Date::FromYmd(2022, 7, 1);
  Population pop;
  pop.events.reserve(static_cast<size_t>(patients) * 3 + 16);
  pop.begin.reserve(static_cast<size_t>(patients) + 1);
  int64_t id = 1;
  for (int p = 0; p < patients; ++p) {
    pop.begin.push_back(pop.events.size());
    const size_t start = pop.events.size();
    const Date notified = first.AddDays(rng.Below(92));
    auto add = [&](EventType type, Date on, const std::string* facility) -> Event& {
      Event& e = pop.events.emplace_back();
      e.id = id++;
      e.type = type;
      e.effective_on = on;
      // Most sheets arrive the next morning; some a few days late.
      e.received_at = NoonJst(on) + 86400 * (rng.Below(10) == 0 ? rng.Below(5) : 1);
      e.source = "HER-SYS";
      e.batch_id = on.days();
      e.line = static_cast<int32_t>(p % 5000);
      if (facility != nullptr) e.facility = *facility;
      return e;
    };
    Event& n = add(EventType::kNotified, notified, nullptr);
    n.onset_on = notified.AddDays(-rng.Below(4));
    n.diagnosed_on = notified;
    n.residence_code = residences[rng.Below(15)];
    n.symptomatic = rng.Below(10) != 0;
    const int shape = rng.Below(100);
    const std::string* hospital = &hospitals[rng.Below(60)];
    const std::string* hotel = &hotels[rng.Below(20)];
    if (shape < 45) {  // home, a third of them extended
      add(EventType::kHomeStarted, notified, nullptr);
      if (rng.Below(2) == 0) {
        Event& x = add(EventType::kExtended, notified.AddDays(6), nullptr);
        x.extended_until = notified.AddDays(12);
      }
    } else if (shape < 65) {  // hospital stay
      add(EventType::kAdmitted, notified.AddDays(rng.Below(3)), hospital);
      add(EventType::kDischarged, notified.AddDays(5 + rng.Below(10)), hospital);
    } else if (shape < 80) {  // lodging
      add(EventType::kCheckedIn, notified.AddDays(1), hotel);
      add(EventType::kCheckedOut, notified.AddDays(7), hotel);
    } else if (shape < 88) {  // hospital, then home
      add(EventType::kAdmitted, notified, hospital);
      add(EventType::kTransferred, notified.AddDays(2), &hospitals[rng.Below(60)]);
      add(EventType::kDischarged, notified.AddDays(6), nullptr);
      add(EventType::kHomeStarted, notified.AddDays(6), nullptr);
    } else if (shape < 96) {  // home, released by the health center
      add(EventType::kHomeStarted, notified, nullptr);
      add(EventType::kReleased, notified.AddDays(8), nullptr);
    } else if (shape < 97) {  // a discharge sheet without its admission: a conflict
      add(EventType::kDischarged, notified.AddDays(4), hospital);
    } else {  // died in hospital
      add(EventType::kAdmitted, notified.AddDays(1), hospital);
      add(EventType::kDied, notified.AddDays(3 + rng.Below(20)), nullptr);
    }
    // Arrival order is not date order.
    for (size_t i = pop.events.size() - 1; i > start; --i) {
      std::swap(pop.events[i], pop.events[start + static_cast<size_t>(rng.Below(
                                                     static_cast<int>(i - start + 1)))]);
    }
  }
  pop.begin.push_back(pop.events.size());
  return pop;
}

}  // namespace

int main(int argc, char** argv) {
  const int patients = argc > 1 ? std::atoi(argv[1]) : 1000000;
  const int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  auto rules = ichigen::domain::RecuperationRules::LoadDefault();
  if (!rules) {
    std::fprintf(stderr, "%s\n", rules.error().ToString().c_str());
    return 1;
  }
  const auto gen_start = std::chrono::steady_clock::now();
  const Population pop = Generate(patients);
  const double gen_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - gen_start).count();

  // Default: the day after the last notification, so every patient counts.
  std::optional<Date> as_of_arg = argc > 3 ? Date::ParseIso(argv[3]) : Date::FromYmd(2022, 10, 1);
  if (!as_of_arg) {
    std::fprintf(stderr, "usage: bench_census [patients] [repetitions] [YYYY-MM-DD]\n");
    return 2;
  }
  const Date as_of = *as_of_arg;
  const int64_t cutoff = int64_t{as_of.days()} * 86400;  // 09:00 JST on the as-of day
  std::vector<double> seconds;
  CensusAccumulator last;
  for (int r = 0; r < reps; ++r) {
    const auto start = std::chrono::steady_clock::now();
    CensusAccumulator census;
    for (size_t p = 0; p + 1 < pop.begin.size(); ++p) {
      census.AddEvents(std::span<const Event>(pop.events.data() + pop.begin[p],
                                              pop.begin[p + 1] - pop.begin[p]),
                       as_of, cutoff, *rules);
    }
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    last = std::move(census);
  }
  std::sort(seconds.begin(), seconds.end());
  const double median = seconds[seconds.size() / 2];
  std::printf(
      "{\"bench\":\"census\",\"patients\":%d,\"events\":%zu,\"events_per_patient\":%.2f,"
      "\"as_of\":\"%s\",\"threads\":1,\"repetitions\":%d,\"seconds_min\":%.3f,"
      "\"seconds_median\":%.3f,\"ns_per_patient\":%.0f,\"generate_seconds\":%.2f,"
      "\"counted\":%lld,\"not_yet_notified\":%lld,\"with_conflicts\":%lld,\"counts\":{",
      patients, pop.events.size(),
      static_cast<double>(pop.events.size()) / std::max(1, patients), as_of.ToIso().c_str(),
      reps, seconds.front(), median, median * 1e9 / std::max(1, patients), gen_s,
      static_cast<long long>(last.counted()), static_cast<long long>(last.not_yet_notified()),
      static_cast<long long>(last.with_conflicts()));
  for (int s = 0; s < ichigen::domain::kCareStatusCount; ++s) {
    const auto status = static_cast<CareStatus>(s);
    std::printf("%s\"%s\":%lld", s == 0 ? "" : ",",
                std::string(ichigen::domain::CareStatusNameEn(status)).c_str(),
                static_cast<long long>(last.Count(status)));
  }
  std::printf("}}\n");
  return 0;
}
