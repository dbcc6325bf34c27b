// Contribution log: how both stats stores keep the per-patient contribution
// fingerprints an import changes without rewriting a row per patient.
// A wave-peak update sheet changes ~110,000 of a million contributions;
// updating them in place dirties nearly every page of the table (~190 ms on
// SQLite, more than the rest of the update). Instead an update appends its
// changed contributions, packed in id order, as a few log records
// (`stats_contribution_log`), and a patient's current contribution is its
// latest log entry, else its row in `stats_contributions`. Folding the log
// into the table (a rewrite of the changed rows, once the log holds
// kFoldLogEntries) is maintenance that changes no figure.
//
// A record: version byte 1, varint entry count, then per entry the varint
// id difference from the previous id (ids ascending and positive, the first
// from 0), the varint byte length and the bytes; empty bytes say the patient
// has no contribution any more.
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace ichigen::store {

// Log entries beyond which a stats store folds the log into its table.
inline constexpr int64_t kFoldLogEntries = 1'500'000;
// Entries per log record (one row, a few hundred kilobytes).
inline constexpr size_t kLogRecordEntries = 65536;

// Packs entries into log records of at most kLogRecordEntries entries each,
// in id order (an id given twice: the later entry); kInvalidArgument for an
// id that is not positive.
core::Result<std::vector<std::string>> PackContributionLog(
    std::span<const std::pair<int64_t, std::string>> entries);

// The number of entries of a packed record (0 for a damaged one).
int64_t LogRecordEntries(std::string_view record);

// The entries of the patients asked for, from log records read in log order
// (a later entry replaces an earlier one).
class ContributionOverlay {
 public:
  explicit ContributionOverlay(std::span<const int64_t> ids);  // ascending
  core::Status AddRecord(std::string_view record);
  // nullopt: not in the log (the table row holds it); "": no contribution.
  const std::optional<std::string>& Of(size_t index) const { return found_[index]; }

 private:
  std::span<const int64_t> ids_;
  std::vector<std::optional<std::string>> found_;
};

// Every patient's latest entry in the records (log order), ascending id: what
// a fold writes into the table.
core::Result<std::vector<std::pair<int64_t, std::string>>> LatestLogEntries(
    std::span<const std::string> records);

}  // namespace ichigen::store
