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

void AddStatsCommands(CLI::App& app, CliContext& context, StatsStoreOpener open_stats);

}  // namespace ichigen::cli
