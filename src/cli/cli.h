// The command-line interface: CLI11 subcommands over the services. Every
// command has a --json form for scripts. The composition root (main.cc)
// supplies how a store is opened, so no command names an implementation.
// Thread-safety: commands run on the main thread.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"
#include "store/store.h"

namespace ichigen::cli {

using StoreOpener = std::function<core::Result<std::unique_ptr<store::Store>>(const std::string&)>;

// What a step run after each batch an import committed reports (the
// statistics update): a JSON object for --json output, under `key` in the
// batch's object, and one line for people.
struct AfterBatchNote {
  std::string key;
  std::string json;
  std::string line;
};
// Runs after each committed batch (not for an already imported file);
// nullopt when it had nothing to do. Its error never undoes the batch: the
// import reports it and goes on.
using AfterBatchHook =
    std::function<core::Result<std::optional<AfterBatchNote>>(int64_t batch_id)>;
// Runs after each review or merge decision, the same way.
using AfterDecisionHook = std::function<core::Result<std::optional<AfterBatchNote>>()>;

// Shared by every command: where the store is and how to open it. The
// commands set `exit_code` when they fail.
struct CliContext {
  StoreOpener open_store;
  std::string db_path = "ichigen.db";
  int exit_code = 0;
  AfterBatchHook after_batch;  // optional (main.cc wires the statistics update)
  AfterDecisionHook after_decision;  // optional, likewise

  core::Result<std::unique_ptr<store::Store>> OpenStore() const { return open_store(db_path); }
  // Prints the error for people on stderr and remembers the exit code.
  void Report(const core::Error& error);
};

void AddImportCommand(CLI::App& app, CliContext& context);
void AddBatchCommands(CLI::App& app, CliContext& context);    // batches, rejects, rows
void AddPatientCommands(CLI::App& app, CliContext& context);  // patient show, patients export
void AddCareCommands(CLI::App& app, CliContext& context);     // census, conflicts
void AddReviewCommands(CLI::App& app, CliContext& context);   // review list/show/link/new/reject/undo

}  // namespace ichigen::cli
