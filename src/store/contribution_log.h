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
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace ichigen::store {

// Log entries beyond which a stats store folds the log into its table:
// about four wave-peak update sheets, so a reader's share of the log stays
// a few tens of megabytes.
inline constexpr int64_t kFoldLogEntries = 500'000;
// Entries per log record (one row of about half a megabyte), each record a
// narrow id range.
inline constexpr size_t kLogRecordEntries = 8192;

// Packs entries into log records of at most kLogRecordEntries entries each,
// in id order (an id given twice: the later entry); kInvalidArgument for an
// id that is not positive.
core::Result<std::vector<std::string>> PackContributionLog(
    std::span<const std::pair<int64_t, std::string>> entries);

// A packed record's entry count and first and last patient ids (all 0 for
// a damaged one): stored beside it, so a reader of some patients reads only
// the records whose id range holds them.
struct LogRecordSummary {
  int64_t entries = 0;
  int64_t first_id = 0;
  int64_t last_id = 0;
};
LogRecordSummary SummarizeLogRecord(std::string_view record);

// Builds log records from entries, best given in ascending id order (an
// update's slices each build their own; their records, in slice order, are a
// log); an id not above the last one starts a new record. A patient is added
// once.
class ContributionLogBuilder {
 public:
  void Add(int64_t id, std::string_view bytes);  // id positive
  int64_t entries() const { return entries_; }
  std::vector<std::string> Finish();

 private:
  void Close();
  std::vector<std::string> records_;
  std::string body_;
  size_t in_record_ = 0;
  int64_t previous_ = 0;
  int64_t entries_ = 0;
};

// Calls fn(id, bytes) for each entry of a record, in id order; kDataLoss for
// a damaged record.
core::Status ForEachLogEntry(std::string_view record,
                             const std::function<void(int64_t, std::string_view)>& fn);

// The entries of the patients asked for, from log records read in log order
// (a later entry replaces an earlier one). Keeps the records it is given.
class ContributionOverlay {
 public:
  explicit ContributionOverlay(std::span<const int64_t> ids);  // ascending
  core::Status AddRecord(std::string record);
  // nullopt: not in the log (the table row holds it); "": no contribution.
  // Valid while the overlay lives.
  std::optional<std::string_view> Of(size_t index) const {
    if (!found_[index]) return std::nullopt;
    return views_[index];
  }
  // Hands the records over (the deque itself: its elements, which the views
  // point into, stay where they are).
  std::deque<std::string> TakeRecords() { return std::move(records_); }

 private:
  std::span<const int64_t> ids_;
  std::deque<std::string> records_;  // never moved: views_ point into them
  std::vector<std::string_view> views_;
  std::vector<uint8_t> found_;
};

// Every patient's latest entry in the records (log order), ascending id: what
// a fold writes into the table.
core::Result<std::vector<std::pair<int64_t, std::string>>> LatestLogEntries(
    std::span<const std::string> records);

}  // namespace ichigen::store
