// The composition root: the only place that names a Store implementation.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>

#include "cli/cli.h"
#include "cli/normalize_command.h"
#include "cli/synth_command.h"
#include "store/sqlite_store.h"

int main(int argc, char** argv) {
  using namespace ichigen;
  CLI::App app{"Ichigen (一元) — 感染症患者情報の一元管理 / single source of truth for notifiable-disease patients"};
  app.require_subcommand(1);
  cli::CliContext context;
  if (const char* db = std::getenv("ICHIGEN_DB"); db != nullptr && *db != '\0') {
    context.db_path = db;
  }
  app.add_option("--db", context.db_path, "store: SQLite file path (env ICHIGEN_DB)")
      ->capture_default_str();
  context.open_store = [](const std::string& path) -> core::Result<std::unique_ptr<store::Store>> {
    ASSIGN_OR_RETURN(auto sqlite, store::SqliteStore::Open(path));
    return std::unique_ptr<store::Store>(std::move(sqlite));
  };
  cli::AddImportCommand(app, context);
  cli::AddBatchCommands(app, context);
  cli::AddPatientCommands(app, context);
  cli::AddCareCommands(app, context);
  cli::AddNormalizeCommand(app);
  cli::AddSynthCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  return context.exit_code;
}
