// Sheet imports of the way back from the municipalities: consent to share
// (同意) and last-mile records (連絡済, 不通, 配食, …). One code path for the
// CLI (`ichigen consent import`, `ichigen lastmile import`) and the API
// (POST /api/v1/consent/upload, POST /api/v1/lastmile/upload).
//
// A sheet is CSV (CP932 or UTF-8, detected) or XLSX. Its header row is found
// like a patient file's, below up to intake::kMaxTitleRows title rows, with
// the header synonyms kept as data: data/profiles/lastmile.json and
// data/distribution/consent_sheet.json. A bad row is rejected with its line
// and a ja/en reason and the rest of the sheet still goes in; a sheet
// without the required columns is rejected as a whole (kInvalidArgument).
//
// Thread-safety: free functions; the stores and the service passed in are
// used from the calling thread only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "distribution/lastmile_service.h"
#include "distribution/package.h"
#include "store/distribution_store.h"
#include "store/store.h"

namespace ichigen::distribution {

// At most this many row errors are kept in a report (the counts stay exact).
inline constexpr size_t kMaxReportedRowErrors = 200;

struct SheetRowError {
  int64_t line = 0;
  std::string message;     // 日本語
  std::string message_en;
  std::string context;
};

struct SheetImportReport {
  std::string format;    // "csv" | "xlsx"
  std::string encoding;  // "cp932", "utf-8", …
  int64_t recorded = 0;
  int64_t rejected = 0;
  int64_t alerts = 0;    // last mile only
  std::vector<SheetRowError> errors;  // the first kMaxReportedRowErrors
};

// "given", あり, 有, 同意, 同意あり, 1 → kGiven; "withdrawn", 撤回, 同意撤回,
// なし, 無, 0 → kWithdrawn (surrounding spaces ignored); kInvalidArgument
// otherwise.
core::Result<Consent> ParseConsentWord(std::string_view text);
// YYYY-MM-DD, YYYY/M/D or YYYY年M月D日 (as Excel users write dates).
core::Result<core::Date> ParseSheetDate(std::string_view text);

struct ConsentSheetOptions {
  std::string default_source;  // when the row has no 出典 (e.g. the file name)
  core::Date today;            // when the row has no 日付
  std::string now_utc;         // recorded_at
};

core::Result<SheetImportReport> ImportConsentSheet(const std::string& path, store::Store& store,
                                                   store::DistributionStore& distribution,
                                                   const ConsentSheetOptions& options);

struct LastmileSheetOptions {
  // The recording municipality. With only_this_municipality (an upload by a
  // municipality), a row naming another code is rejected; otherwise (the
  // prefecture's CLI) the row's 市区町村コード decides and this is the
  // fallback for rows without one.
  std::string municipality_code6;
  bool only_this_municipality = false;
  std::string recorded_by;
  core::Date today;     // when the row has no 日付
  std::string now_utc;  // recorded_at
};

core::Result<SheetImportReport> ImportLastmileSheet(const std::string& path,
                                                    LastmileService& service,
                                                    const LastmileSheetOptions& options);

}  // namespace ichigen::distribution
