// Figure service: computes the daily figures (figures.h) over the whole
// store, materializes them in the StatsStore, updates them after an import
// from the patients that import touched, verifies the materialized figures
// against a recomputation from scratch, and reads them back as daily series
// and a daily census.
// Incremental rule: for each patient a batch (or a decision since the last
// update) wrote to, subtract the stored contribution, add the one computed
// now, and store it. Events are never edited and every write to a patient
// is seen by the next update, so applying each batch once leaves the
// figures equal to a full recomputation (which `verify` checks).
// Thread-safety: functions use the StatsStore they are given from one
// thread; a parallel pass runs its other slices on StatsStores of their own.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "domain/recuperation_rules.h"
#include "stats/figures.h"
#include "store/stats_store.h"

namespace ichigen::stats {

struct ComputedFigures {
  Figures figures;
  std::vector<std::pair<int64_t, std::string>> contributions;  // encoded, by patient id
  int64_t patients = 0;  // with events
  int64_t events = 0;
};

// How a pass over every patient may run on several threads: the patient id
// space is cut into `slices` ranges, the first read on the given StatsStore
// and each other on one more from `open` (a StatsStore is one connection).
// Without an opener, or with one slice, the pass runs on the calling thread.
using StatsStoreFactory = std::function<core::Result<std::unique_ptr<store::StatsStore>>()>;
// An update of a batch's patients uses a slice per `min_update_slice`
// patients at most (opening a connection costs more than reading a few).
struct Parallelism {
  StatsStoreFactory open;
  int slices = 1;
  size_t min_update_slice = 20000;
};

// What the stats store keeps per counted patient (ComputedFigures'
// contributions): its encoded contribution and its events packed
// (store/event_pack.h), or, from stores written before, the bare
// contribution. The contribution inside:
core::Result<Contribution> DecodeStored(std::string_view bytes);
// Whether the bytes carry the patient's events too, and those events (in id
// order; none for a bare contribution). An update appends a batch's events
// to the stored ones, so the bytes of two equal histories may differ.
bool StoredHasEvents(std::string_view bytes);
core::Result<std::vector<domain::Event>> DecodeStoredEvents(std::string_view bytes);

// Every patient's contribution, from scratch, in memory.
core::Result<ComputedFigures> ComputeAllFigures(store::StatsStore& stats,
                                                const domain::RecuperationRules& rules,
                                                const Parallelism& parallel = {});

struct RecomputeSummary {
  int64_t patients = 0;
  int64_t events = 0;
  int64_t flow_rows = 0;
  int64_t census_rows = 0;
  double compute_seconds = 0;
  double write_seconds = 0;
  double cpu_seconds = 0;  // of the process, every slice's thread included
};
// Computes everything and replaces what is stored. `now_iso` is recorded.
core::Result<RecomputeSummary> RecomputeFigures(store::StatsStore& stats,
                                                const domain::RecuperationRules& rules,
                                                const std::string& now_iso,
                                                const Parallelism& parallel = {});

struct UpdateSummary {
  int64_t batch_id = 0;
  int64_t patients = 0;      // touched by the batch
  int64_t changed = 0;       // whose contribution changed
  int64_t records_read = 0;  // patient records read (the others' attributes were stored)
  // patients whose events were read from the events table (the others'
  // were stored with their contributions, plus the batch's logged events)
  int64_t histories_read = 0;
  int64_t written = 0;       // contributions written (changed, or in an older encoding)
  int64_t flow_deltas = 0;   // (series, key, day) counts adjusted
  int64_t census_deltas = 0;
  int32_t first_day = kNoDay;  // earliest day whose figures changed
  int32_t last_day = kNoDay;
  bool full = false;             // no figures yet: recomputed everything
  bool already_applied = false;  // the figures already include this batch: nothing done
  double seconds = 0;
  double read_seconds = 0;     // the batch's patients, their stored contributions and inputs
  double write_seconds = 0;    // the deltas and contributions, one transaction
  double cpu_seconds = 0;      // of the process, every slice's thread included
  // UpdateFiguresThrough only: contribution log entries folded into the
  // table afterwards (store/contribution_log.h), and the time that took
  // (not in `seconds`: the figures were committed before).
  int64_t folded = 0;
  double fold_seconds = 0;
};
// Updates the figures for one imported batch. The patients it looks at are
// those the batch added events to (its writer's log, store NewEventsOfBatch),
// inserted or changed the record of, and those decisions wrote to since the
// last update (without the batch's log: every patient its rows ended on).
// Their stored contributions are read in slices (`parallel`, one connection
// each, when they are many); a patient with an unchanged record and stored
// events is brought up to date from those and the batch's, the others from
// their history in the events table (and their record, when it changed).
// A fresh contribution is compared, as bytes, with the stored one; only
// those that differ are subtracted, added and appended to the contribution
// log. With no figures stored yet it recomputes everything instead. A batch
// the figures already include is not applied again (already_applied); a
// batch after the next one to apply is kFailedPrecondition; kAborted when
// another process applied the batch between this one's reads and its write
// (nothing written: read the state again).
core::Result<UpdateSummary> UpdateAfterBatch(store::StatsStore& stats,
                                             const domain::RecuperationRules& rules,
                                             int64_t batch_id, const std::string& now_iso,
                                             const Parallelism& parallel = {});

// Keeps materialized figures current after an import: applies every batch
// after the last one applied, up to and including `batch_id` (so a batch
// whose update failed or was skipped earlier is applied now). Returns
// nullopt, doing nothing, while no figures have been computed: the first
// full recomputation reads the whole store and is asked for explicitly
// (`ichigen stats recompute`). The summary adds up the batches applied; its
// batch_id is `batch_id`.
// Each batch is applied exactly once even when two processes update at the
// same moment (a CLI import while the server imports): the store refuses a
// batch already applied under its write lock (kAborted), and this function
// then carries on from the figures as the other process left them.
// Every write raises the figures' version, and an update whose reads another
// write has overtaken is refused and done again from fresh reads. A full
// recomputation racing an import is not covered: run `recompute` while no
// import runs.
core::Result<std::optional<UpdateSummary>> UpdateFiguresThrough(
    store::StatsStore& stats, const domain::RecuperationRules& rules, int64_t batch_id,
    const std::string& now_iso, const Parallelism& parallel = {});

// Takes in the review and merge decisions made since the figures last did
// (the patients they wrote to, read in full), with no batch: run after a
// decision so the figures show it at once, not at the next import. nullopt
// while no figures exist; patients 0 when no decision is waiting.
core::Result<std::optional<UpdateSummary>> UpdateFiguresForDecisions(
    store::StatsStore& stats, const domain::RecuperationRules& rules,
    const std::string& now_iso, const Parallelism& parallel = {});

struct Difference {
  std::string what;  // "flow notified total 2022-07-28" / "census hospitalized 2022-07-28"
  int64_t stored = 0;
  int64_t computed = 0;
};
struct VerifyReport {
  int64_t patients = 0;
  int64_t flow_rows = 0;
  int64_t census_rows = 0;
  std::vector<Difference> differences;  // empty: the stored figures are right
  double seconds = 0;
};
core::Result<VerifyReport> VerifyFigures(store::StatsStore& stats,
                                         const domain::RecuperationRules& rules,
                                         const Parallelism& parallel = {});

// One day of a flow series with its breakdowns.
struct DailyCount {
  core::Date day;
  int64_t total = 0;
  double average7 = 0;  // mean of this day and the 6 before
  std::map<std::string, int64_t> municipality;
  std::map<std::string, int64_t> age_band;
  std::map<std::string, int64_t> sex;
};
// Days in [from, to], every day present (zeros included).
core::Result<std::vector<DailyCount>> ReadDaily(store::StatsStore& stats, Series series,
                                                core::Date from, core::Date to);
core::Result<std::vector<CensusDay>> ReadCensus(store::StatsStore& stats, core::Date from,
                                                core::Date to);
// The first and last day with any figure (nullopt when there are none).
core::Result<std::optional<std::pair<core::Date, core::Date>>> FigureRange(
    store::StatsStore& stats);

}  // namespace ichigen::stats
