// The composition root: the only place that names a Store implementation.
#include <CLI/CLI.hpp>

#include <malloc.h>

#include <cstdlib>
#include <iostream>

#include "cli/cli.h"
#include "cli/audit_commands.h"
#include "cli/migrate_command.h"
#include "cli/normalize_command.h"
#include "cli/serve_command.h"
#include "cli/synth_command.h"
#include "cli/user_commands.h"
#include "store/pg_handle.h"
#include "store/postgres_account_store.h"
#include "store/postgres_audit_store.h"
#include "store/postgres_distribution_store.h"
#include "store/postgres_stats_store.h"
#include "store/postgres_store.h"
#include "store/sqlite_account_store.h"
#include "store/sqlite_audit_store.h"
#include "store/sqlite_store.h"
#include "cli/stats_commands.h"
#include "store/sqlite_stats_store.h"
#include "cli/distribution_commands.h"
#include "store/sqlite_distribution_store.h"

int main(int argc, char** argv) {
  using namespace ichigen;
  // Large buffers (a batch's rows, a figure update's contributions and log
  // records) come from the heap and go back to it, instead of being mapped
  // and faulted in afresh each time (a tenth of a figure update's time);
  // up to 256 MiB freed at the top of the heap is kept for the next one.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  CLI::App app{"Ichigen (一元) — 感染症患者情報の一元管理 / single source of truth for notifiable-disease patients"};
  app.require_subcommand(1);
  cli::CliContext context;
  if (const char* db = std::getenv("ICHIGEN_DB"); db != nullptr && *db != '\0') {
    context.db_path = db;
  }
  app.add_option("--db", context.db_path,
                 "store: SQLite file path, or postgresql://… for a PostgreSQL server (env ICHIGEN_DB)")
      ->capture_default_str();
  // `--db postgresql://…` (or postgres://) selects the PostgreSQL stores; the
  // accounts, the audit trail, the distribution records and the figures then
  // live in the same database.
  context.open_store = [](const std::string& path) -> core::Result<std::unique_ptr<store::Store>> {
    if (store::IsPostgresUrl(path)) {
      ASSIGN_OR_RETURN(auto postgres, store::PostgresStore::Open(path));
      return std::unique_ptr<store::Store>(std::move(postgres));
    }
    ASSIGN_OR_RETURN(auto sqlite, store::SqliteStore::Open(path));
    return std::unique_ptr<store::Store>(std::move(sqlite));
  };
  cli::AddImportCommand(app, context);
  cli::AddBatchCommands(app, context);
  cli::AddPatientCommands(app, context);
  cli::AddCareCommands(app, context);
  cli::AddReviewCommands(app, context);
  cli::AddNormalizeCommand(app);
  cli::AddSynthCommand(app);
  cli::ServerStores server_stores;
  server_stores.open_accounts =
      [](const std::string& path) -> core::Result<std::unique_ptr<store::AccountStore>> {
    if (store::IsPostgresUrl(path)) {
      ASSIGN_OR_RETURN(auto postgres, store::PostgresAccountStore::Open(path));
      return std::unique_ptr<store::AccountStore>(std::move(postgres));
    }
    ASSIGN_OR_RETURN(auto sqlite, store::SqliteAccountStore::Open(store::AccountsDbPath(path)));
    return std::unique_ptr<store::AccountStore>(std::move(sqlite));
  };
  server_stores.open_audit =
      [](const std::string& path) -> core::Result<std::unique_ptr<store::AuditStore>> {
    if (store::IsPostgresUrl(path)) {
      ASSIGN_OR_RETURN(auto postgres, store::PostgresAuditStore::Open(path));
      return std::unique_ptr<store::AuditStore>(std::move(postgres));
    }
    ASSIGN_OR_RETURN(auto sqlite, store::SqliteAuditStore::Open(store::AccountsDbPath(path)));
    return std::unique_ptr<store::AuditStore>(std::move(sqlite));
  };
  const cli::DistributionStoreOpener open_distribution =
      [](const std::string& path) -> core::Result<std::unique_ptr<store::DistributionStore>> {
    if (store::IsPostgresUrl(path)) {
      ASSIGN_OR_RETURN(auto postgres, store::PostgresDistributionStore::Open(path));
      return std::unique_ptr<store::DistributionStore>(std::move(postgres));
    }
    ASSIGN_OR_RETURN(auto sqlite, store::SqliteDistributionStore::Open(path));
    return std::unique_ptr<store::DistributionStore>(std::move(sqlite));
  };
  server_stores.open_distribution = open_distribution;
  cli::AddServeCommand(app, context, server_stores);
  cli::AddUserCommands(app, context, server_stores);
  cli::AddAuditCommands(app, context, server_stores);
  cli::AddDistributionCommands(app, context, open_distribution);
  const cli::StatsStoreOpener open_stats =
      [](const std::string& path) -> core::Result<std::unique_ptr<store::StatsStore>> {
    if (store::IsPostgresUrl(path)) {
      ASSIGN_OR_RETURN(auto postgres, store::PostgresStatsStore::Open(path));
      return std::unique_ptr<store::StatsStore>(std::move(postgres));
    }
    ASSIGN_OR_RETURN(auto sqlite, store::SqliteStatsStore::Open(path));
    return std::unique_ptr<store::StatsStore>(std::move(sqlite));
  };
  server_stores.open_stats = open_stats;
  cli::AddStatsCommands(app, context, open_stats);
  cli::AddMigrateCommand(app, context, server_stores);
  // Imports keep the figures current once they exist (on either store).
  context.after_batch = cli::StatsAfterBatch(context, open_stats);
  context.after_decision = cli::StatsAfterDecision(context, open_stats);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  return context.exit_code;
}
