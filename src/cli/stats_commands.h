// ichigen stats recompute|update|daily|census|verify|opendata|press: the
// materialized daily figures (issue 8). The composition root supplies how the
// statistics store is opened, so no command names an implementation.
// Thread-safety: commands run on the main thread.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>

#include "cli/cli.h"
#include "store/stats_store.h"

namespace ichigen::cli {

using StatsStoreOpener =
    std::function<core::Result<std::unique_ptr<store::StatsStore>>(const std::string&)>;

// The step `ichigen import` runs after each committed batch (set as
// CliContext::after_batch): once figures exist (the first `ichigen stats
// recompute` turns this on), it applies that batch and any earlier one not
// yet applied (stats::UpdateFiguresThrough); before that it does nothing, so
// importing into a store nobody computes figures for costs nothing. On
// failure the batch stays; `ichigen stats update` (or `recompute`) repairs.
AfterBatchHook StatsAfterBatch(const CliContext& context, StatsStoreOpener open_stats);
// The step run after a review or merge decision (CliContext::after_decision):
// once figures exist, it takes in the decisions not yet in them
// (stats::UpdateFiguresForDecisions), so they show at once, not at the next
// import. On failure the decision stays; `ichigen stats update` repairs.
AfterDecisionHook StatsAfterDecision(const CliContext& context, StatsStoreOpener open_stats);

void AddStatsCommands(CLI::App& app, CliContext& context, StatsStoreOpener open_stats);

}  // namespace ichigen::cli
