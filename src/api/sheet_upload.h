// What the consent, last-mile and agreement handlers share: the
// distribution store (kUnavailable when the server runs without one), a
// small sheet received as multipart field "file" into a private temporary
// folder removed when the ReceivedSheet goes, and a sheet import report as
// JSON. The uploaded name never becomes a path: the file is stored as
// sheet.csv or sheet.xlsx (the reader detects the format by content).
// Thread-safety: per request.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "api/router.h"
#include "core/result.h"
#include "distribution/sheet_import.h"
#include "store/distribution_store.h"

namespace ichigen::api {

// Sheets are small; this bounds what a sheet upload may send whatever the
// server's limit for patient files.
inline constexpr int64_t kMaxSheetBytes = int64_t{32} << 20;

core::Result<store::DistributionStore*> RequireDistribution(Exchange& ex);

class ReceivedSheet {
 public:
  ReceivedSheet(std::filesystem::path dir, std::string name, int64_t bytes)
      : dir_(std::move(dir)), name_(std::move(name)), bytes_(bytes) {}
  ReceivedSheet(ReceivedSheet&& other) noexcept;
  ReceivedSheet& operator=(ReceivedSheet&&) = delete;
  ReceivedSheet(const ReceivedSheet&) = delete;
  ~ReceivedSheet();

  std::string path() const { return (dir_ / "sheet").string(); }
  const std::string& name() const { return name_; }  // as uploaded (for the audit trail)
  int64_t bytes() const { return bytes_; }
  void Describe(std::string name, int64_t bytes) {
    name_ = std::move(name);
    bytes_ = bytes;
  }

 private:
  std::filesystem::path dir_;  // empty once moved from
  std::string name_;
  int64_t bytes_ = 0;
};

// Reads the multipart body: exactly one "file" part of at most
// min(kMaxSheetBytes, the server's upload limit) bytes.
core::Result<ReceivedSheet> ReceiveSheet(Exchange& ex);

nlohmann::json SheetReportJson(const distribution::SheetImportReport& report);

}  // namespace ichigen::api
