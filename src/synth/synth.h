// Synthesize: writes one realistic demo/test/benchmark file in a product
// input layout (docs/product.md "Input layouts") and, optionally, a truth
// file saying what an importer should do with each row.
//  - kHersys: the HER-SYS export, one row per notified patient, with
//    header synonyms, title rows, varied date/phone/address/kana forms,
//    deliberate bad rows (--bad-rate) and resent rows (--duplicate-rate).
//  - kUpdates: a hospital, lodging or health-center sheet about patients of
//    an earlier kHersys run with the same seed, prefecture, date range,
//    first ID and patient count; a share of rows carry no HER-SYS ID but
//    name, kana, birth date, sex, phone and address instead.
// The same options give the same bytes. The truth file is UTF-8 CSV:
// line,hersys_id,person_id,expected,reason_kind — `line` the 1-based
// physical line (sheet row for XLSX) of the row, title and header counted;
// hersys_id and person_id name the patient the row is about (even when the
// row leaves the ID blank or mangles it); expected is accept or reject;
// reason_kind is ok, resend, or the kind of deliberate defect. With
// identity noise two columns follow, row_kind and noise (TruthWriter in
// row_forms.h), and a stranger's hersys_id and person_id are blank.
// Thread-safety: Synthesize is reentrant; it keeps no state between calls.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/date.h"
#include "core/result.h"
#include "geo/registry.h"
#include "io/encoding.h"

namespace ichigen::synth {

enum class SynthKind { kHersys, kUpdates };
enum class OutputFormat { kCsv, kXlsx };
enum class HeaderStyle { kCanonical, kRandom };
enum class SheetKind { kRandom, kHospital, kLodging, kHealthCenter };

struct SynthOptions {
  SynthKind kind = SynthKind::kHersys;
  std::string out;               // required
  std::string truth;             // optional
  int64_t rows = 1000;
  uint64_t seed = 1;
  std::string prefecture = "14";  // code or name; 14 = 神奈川県
  std::optional<core::Date> from;  // default: the start of the case series
  std::optional<core::Date> to;    // default: its end
  io::Encoding encoding = io::Encoding::kCp932;
  OutputFormat format = OutputFormat::kCsv;
  HeaderStyle header_style = HeaderStyle::kRandom;
  int title_rows = 0;
  double bad_rate = 0.0;
  double duplicate_rate = 0.0;   // hersys: rows resending an earlier patient
  int64_t id_start = 1'000'000;
  // updates only
  int64_t patients = 1000;       // distinct patients of the hersys run referred to
  double no_id_rate = 0.4;       // rows without HER-SYS ID
  SheetKind sheet = SheetKind::kRandom;
  // ID-less rows written with identity/noise.h's noise (synth/identity_rows.h)
  // and, at stranger_rate, about hard negatives not in the store; the truth
  // file then has row_kind and noise columns.
  bool identity_noise = false;
  double stranger_rate = 0.0;
};

struct SynthSummary {
  int64_t rows = 0;          // data rows written
  int64_t patients = 0;      // distinct patients (hersys: rows minus resends)
  int64_t bad_rows = 0;
  int64_t resent_rows = 0;
  int64_t lines = 0;         // physical lines / sheet rows, titles and header included
  std::string prefecture;    // 神奈川県
  core::Date from;
  core::Date to;
  std::string sheet;         // updates: hospital, lodging or health_center
  std::map<std::string, int64_t> bad_by_kind;
  // updates with identity noise: ID-less rows by kind (existing, twin, …)
  std::map<std::string, int64_t> identity_rows_by_kind;
};

// kInvalidArgument naming the option when the options cannot work.
core::Status ValidateOptions(const SynthOptions& options);

core::Result<SynthSummary> Synthesize(const SynthOptions& options, const geo::Registry& registry);

}  // namespace ichigen::synth
