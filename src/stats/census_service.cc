#include "stats/census_service.h"

#include <algorithm>
#include <iterator>

namespace ichigen::stats {

int64_t JstCutoff(core::Date day, int hour, int minute) {
  return static_cast<int64_t>(day.days()) * 86400 + hour * 3600 + minute * 60 -
         domain::kJstOffsetSeconds;
}

core::Result<std::pair<int, int>> ParseClock(std::string_view text) {
  int hour = -1;
  int minute = -1;
  if (text.size() == 5 && text[2] == ':') {
    auto digit = [&](size_t i) { return text[i] >= '0' && text[i] <= '9' ? text[i] - '0' : -100; };
    hour = digit(0) * 10 + digit(1);
    minute = digit(3) * 10 + digit(4);
  }
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) {
    return core::Fail(core::Code::kInvalidArgument, "時刻は HH:MM で指定してください",
                      "give the time as HH:MM", std::string(text));
  }
  return std::pair{hour, minute};
}

core::Result<CensusResult> ComputeCensus(store::Store& store,
                                         const domain::RecuperationRules& rules, AsOf as_of,
                                         const PassOptions& pass) {
  const int slices = pass.open ? std::max(1, pass.slices) : 1;
  std::vector<CensusResult> partial(static_cast<size_t>(slices));
  RETURN_IF_ERROR(store::ForEachPatientEventsParallel(
      store, pass.open, slices,
      [&](int slice, int64_t, std::span<const domain::Event> events) -> core::Status {
        CensusResult& mine = partial[static_cast<size_t>(slice)];
        ++mine.patients;
        mine.events += static_cast<int64_t>(events.size());
        mine.census.AddEvents(events, as_of.date, as_of.cutoff_received_at, rules);
        return core::Ok();
      }));
  CensusResult result = std::move(partial[0]);
  for (size_t i = 1; i < partial.size(); ++i) {
    result.patients += partial[i].patients;
    result.events += partial[i].events;
    result.census.Merge(partial[i].census);
  }
  return result;
}

core::Result<std::vector<PatientConflicts>> FindConflicts(store::Store& store,
                                                          const domain::RecuperationRules& rules,
                                                          AsOf as_of, const PassOptions& pass) {
  const int slices = pass.open ? std::max(1, pass.slices) : 1;
  // Slice k holds lower ids than slice k+1: concatenating keeps id order.
  std::vector<std::vector<PatientConflicts>> partial(static_cast<size_t>(slices));
  RETURN_IF_ERROR(store::ForEachPatientEventsParallel(
      store, pass.open, slices,
      [&](int slice, int64_t patient_id, std::span<const domain::Event> events) -> core::Status {
        domain::PatientState state =
            domain::DeriveState(events, as_of.date, as_of.cutoff_received_at, rules);
        if (!state.conflicts.empty()) {
          partial[static_cast<size_t>(slice)].push_back({patient_id, std::move(state)});
        }
        return core::Ok();
      }));
  std::vector<PatientConflicts> found = std::move(partial[0]);
  for (size_t i = 1; i < partial.size(); ++i) {
    std::move(partial[i].begin(), partial[i].end(), std::back_inserter(found));
  }
  return found;
}

}  // namespace ichigen::stats
