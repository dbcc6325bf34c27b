// ichigen agreements|consent|distribute|packages|ack|alerts|lastmile: the
// municipal package commands over PackageService and LastmileService. The
// composition root supplies how the DistributionStore is opened.
// Thread-safety: commands run on the main thread.
#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "api/access.h"
#include "cli/cli.h"
#include "store/distribution_store.h"

namespace ichigen::cli {

using DistributionStoreOpener =
    std::function<core::Result<std::unique_ptr<store::DistributionStore>>(const std::string&)>;

void AddDistributionCommands(CLI::App& app, CliContext& context,
                             DistributionStoreOpener open_distribution);

// What `ichigen serve` runs for distribution: its own DistributionStore
// connection, the agreement FieldPolicy for the API's access policy, and the
// daily scheduler that builds every package at the policy's cutoff (weekends
// and holidays included). A failed build is written to `log` as one JSON
// line and raised as a "package_failed" alert for the prefecture (health
// center ""), once per cutoff; the next poll retries.
// Thread-safety: the field policy and the scheduler are thread-safe; Stop()
// (or destruction) from the controlling thread.
class DistributionServing {
 public:
  static core::Result<std::unique_ptr<DistributionServing>> Start(
      const CliContext& context, const DistributionStoreOpener& open_distribution,
      std::ostream& log, std::chrono::milliseconds poll = std::chrono::seconds(30));
  virtual ~DistributionServing() = default;
  // For api::ServerDeps::field_policy; lives as long as this object.
  virtual const api::FieldPolicy& field_policy() const = 0;
  virtual void Stop() = 0;
};

}  // namespace ichigen::cli
