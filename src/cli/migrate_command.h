// `ichigen migrate --to postgresql://… [--from FILE] [--skip-unknown-tables]
// [--verify-only] [--json]`: moves a SQLite store (the global --db, or
// --from) into an empty PostgreSQL database and prints, per table, the rows
// and checksums compared on both sides (store/migrate.h). The target's schema
// is created by opening every store the composition root can open on
// PostgreSQL, so a store that gains a PostgreSQL implementation is migrated
// with no change here. Exits non-zero on any difference.
// Thread-safety: runs on the main thread.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/serve_command.h"

namespace ichigen::cli {

void AddMigrateCommand(CLI::App& app, CliContext& context, ServerStores& stores);

}  // namespace ichigen::cli
