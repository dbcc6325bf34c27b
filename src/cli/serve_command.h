// `ichigen serve`, `ichigen user …` and `ichigen audit …`: the server and
// the administration of its accounts and audit trail. The composition root
// (main.cc) supplies how the account and audit stores are opened, so these
// commands name no implementation. Thread-safety: commands run on the main
// thread; `serve` starts the server's threads.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>

#include "cli/cli.h"
#include "cli/distribution_commands.h"
#include "cli/stats_commands.h"
#include "core/result.h"
#include "store/account_store.h"
#include "store/audit_store.h"

namespace ichigen::cli {

using AccountStoreOpener =
    std::function<core::Result<std::unique_ptr<store::AccountStore>>(const std::string&)>;
using AuditStoreOpener =
    std::function<core::Result<std::unique_ptr<store::AuditStore>>(const std::string&)>;

struct ServerStores {
  AccountStoreOpener open_accounts;
  AuditStoreOpener open_audit;
  // Optional: packages, receipts and alerts, the agreement field policy and
  // the daily package scheduler.
  DistributionStoreOpener open_distribution;
  // Optional: the figures behind /api/v1/stats/*, updated after each import.
  StatsStoreOpener open_stats;
};

void AddServeCommand(CLI::App& app, CliContext& context, ServerStores& stores);

}  // namespace ichigen::cli
