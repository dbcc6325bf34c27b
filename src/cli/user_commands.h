// `ichigen user add|list|disable|enable|reset-password|token`: accounts
// administration from the shell (also how the first administrator is made:
// `ichigen user add admin --role admin` prints a generated password once).
// Every change is written to the audit trail as "cli:<OS user>".
// Thread-safety: runs on the main thread.
#pragma once

#include "cli/serve_command.h"

namespace ichigen::cli {

void AddUserCommands(CLI::App& app, CliContext& context, ServerStores& stores);

}  // namespace ichigen::cli
