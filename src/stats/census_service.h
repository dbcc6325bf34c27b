// Census and conflicts over the whole store: every patient's state as of a
// date, derived from its events as known at a cutoff (the domain's
// DeriveState), aggregated by care status and residence, and the conflicts
// an operator should look at. One pass over the events, split into slices of
// the patient id space on several threads (store/parallel_events.h), one
// accumulator per slice merged at the end; the result equals the
// single-threaded pass for any slice count.
// Thread-safety: the functions are reentrant; `store` is used by the calling
// thread only, and each further slice gets its own Store from `open`.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "domain/care_status.h"
#include "domain/census.h"
#include "domain/recuperation_rules.h"
#include "store/parallel_events.h"
#include "store/store.h"

namespace ichigen::stats {

// Unix seconds of `day` at hh:mm Japan time (the cutoff clock).
int64_t JstCutoff(core::Date day, int hour, int minute);
// "09:00" → {9, 0}; kInvalidArgument otherwise.
core::Result<std::pair<int, int>> ParseClock(std::string_view text);

struct AsOf {
  core::Date date;
  int64_t cutoff_received_at = 0;  // events received later are not known yet
};

struct CensusResult {
  domain::CensusAccumulator census;
  int64_t patients = 0;  // with any event
  int64_t events = 0;
};

// How to split the pass: no opener (or slices <= 1) = one slice on `store`.
struct PassOptions {
  store::StoreOpener open;
  int slices = 1;
};

core::Result<CensusResult> ComputeCensus(store::Store& store,
                                         const domain::RecuperationRules& rules, AsOf as_of,
                                         const PassOptions& pass = {});

struct PatientConflicts {
  int64_t patient_id = 0;
  domain::PatientState state;
};

// Patients whose history has conflicts as of the date, in id order.
core::Result<std::vector<PatientConflicts>> FindConflicts(store::Store& store,
                                                          const domain::RecuperationRules& rules,
                                                          AsOf as_of,
                                                          const PassOptions& pass = {});

}  // namespace ichigen::stats
