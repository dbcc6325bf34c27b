// The composition root: the only place that names a Store implementation.
#include <CLI/CLI.hpp>

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
  // accounts and the audit trail then live in the same database.
  context.open_store = [](const std::string& path) -> core::Result<std::unique_ptr<store::Store>> {
    if (store::IsPostgresUrl(path)) {
      ASSIGN_OR_RETURN(auto postgres, store::PostgresStore::Open(path));
      return std::unique_ptr<store::Store>(std::move(postgres));
    }
    ASSIGN_OR_RETURN(auto sqlite, store::SqliteStore::Open(path));
    return std::unique_ptr<store::Store>(std::move(sqlite));
  };
  // Stores that have no PostgreSQL implementation yet say so, instead of
  // trying to open the URL as a file.
  const auto not_on_postgres = [](const char* what_ja, const char* what_en) {
    return core::Fail(core::Code::kFailedPrecondition,
                      std::string(what_ja) + "は PostgreSQL ではまだ使えません",
                      std::string(what_en) + " is not available on PostgreSQL yet",
                      "--db postgresql://");
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
      [not_on_postgres](const std::string& path)
      -> core::Result<std::unique_ptr<store::DistributionStore>> {
    if (store::IsPostgresUrl(path)) return not_on_postgres("配布ストア", "the distribution store");
    ASSIGN_OR_RETURN(auto sqlite, store::SqliteDistributionStore::Open(path));
    return std::unique_ptr<store::DistributionStore>(std::move(sqlite));
  };
  server_stores.open_distribution = open_distribution;
  cli::AddServeCommand(app, context, server_stores);
  cli::AddUserCommands(app, context, server_stores);
  cli::AddAuditCommands(app, context, server_stores);
  cli::AddDistributionCommands(app, context, open_distribution);
  const cli::StatsStoreOpener open_stats =
      [not_on_postgres](const std::string& path) -> core::Result<std::unique_ptr<store::StatsStore>> {
    if (store::IsPostgresUrl(path)) return not_on_postgres("統計ストア", "the statistics store");
    ASSIGN_OR_RETURN(auto sqlite, store::SqliteStatsStore::Open(path));
    return std::unique_ptr<store::StatsStore>(std::move(sqlite));
  };
  server_stores.open_stats = open_stats;
  cli::AddStatsCommands(app, context, open_stats);
  cli::AddMigrateCommand(app, context, server_stores);
  // Imports keep the figures current once they exist.
  // (Not on PostgreSQL yet: the statistics store has no PostgreSQL
  // implementation, and an import there has no figures to keep current.)
  context.after_batch = [&context, hook = cli::StatsAfterBatch(context, open_stats)](
                            int64_t batch_id) -> core::Result<std::optional<cli::AfterBatchNote>> {
    if (store::IsPostgresUrl(context.db_path)) return std::nullopt;
    return hook(batch_id);
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  return context.exit_code;
}
