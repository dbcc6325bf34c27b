// `ichigen audit verify [--anchor SEQ:HASH]` and `ichigen audit export
// --out FILE [--format jsonl|csv]`. verify exits non-zero and says where
// when the chain is broken. Thread-safety: runs on the main thread.
#pragma once

#include "cli/serve_command.h"

namespace ichigen::cli {

void AddAuditCommands(CLI::App& app, CliContext& context, ServerStores& stores);

}  // namespace ichigen::cli
