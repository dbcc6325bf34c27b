// RecuperationRules: the dated table that decides how long home
// recuperation (自宅療養) lasts. Each row says: when day 0 falls on or after
// valid_from, and day 0 is the onset date (発症日) or the diagnosis date
// (診断日), for symptomatic, asymptomatic or any patients, the period lasts
// through day `days` (day 0 + days is the last day); release (療養解除) is the
// day after the last day, and never earlier than the day after home
// recuperation began. The rules changed over time (from 2022-09-07 a
// symptomatic patient's period became 7 days instead of 10), so the table is
// data: data/domain/recuperation_rules.csv, which an administrator extends by
// adding rows (or overrides through ICHIGEN_DATA_DIR) without rebuilding.
// Thread-safety: immutable after Parse; all const methods are safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/result.h"

namespace ichigen::domain {

// Which date is day 0: the onset date, or the diagnosis date when the
// patient has no onset date (asymptomatic, or onset unknown).
enum class DayZeroBasis : uint8_t { kOnset, kDiagnosis };

// Which patients a row applies to. A patient whose symptoms are unknown is
// presumed symptomatic: it is the longer or equal period under every rule
// Japan used, so an unknown never releases someone early.
enum class SymptomMatch : uint8_t { kSymptomatic, kAsymptomatic, kAny };

struct RecuperationRule {
  core::Date valid_from;  // applies when day 0 is on or after this date
  DayZeroBasis basis = DayZeroBasis::kOnset;
  SymptomMatch symptomatic = SymptomMatch::kAny;
  int32_t days = 0;  // last day = day 0 + days
  int line = 0;      // line in the CSV it came from
  std::string note;
};

// The period a rule gives one patient.
struct RecuperationPeriod {
  core::Date day_zero;
  core::Date last_day;    // last day of recuperation (release_on - 1)
  core::Date release_on;  // first day no longer recuperating
  int rule_line = 0;      // the rule's line, to show an operator why
};

class RecuperationRules {
 public:
  static constexpr std::string_view kDataFile = "domain/recuperation_rules.csv";
  static constexpr int32_t kMaxDays = 60;

  // Parses the CSV: an optional UTF-8 BOM, '#' comment lines and blank lines
  // anywhere, then the header `valid_from,basis,symptomatic,days[,note]` and
  // one row per rule. Errors are kInvalidArgument with the line number in
  // the context (`<source>:<line>`). An empty table is an error.
  static core::Result<RecuperationRules> Parse(
      std::string_view csv, std::string_view source = kDataFile);
  // The table from the data file (embedded, or ICHIGEN_DATA_DIR's copy).
  static core::Result<RecuperationRules> LoadDefault();

  // The row for this day 0: among rows whose basis and symptom match and
  // whose valid_from <= day_zero, the latest valid_from, a specific symptom
  // row before an `any` row. nullptr when none applies (day 0 before the
  // table begins).
  const RecuperationRule* Find(core::Date day_zero, DayZeroBasis basis,
                               std::optional<bool> symptomatic) const;

  // The period of a home recuperation begun on `home_started_on`. nullopt
  // when no rule applies.
  std::optional<RecuperationPeriod> PeriodFor(
      core::Date day_zero, DayZeroBasis basis, std::optional<bool> symptomatic,
      core::Date home_started_on) const;

  // Rows in file order.
  std::span<const RecuperationRule> rules() const { return rules_; }

 private:
  std::vector<RecuperationRule> rules_;
  // Indexes into rules_, by valid_from descending, specific before `any`:
  // the first match in this order is the answer.
  std::vector<uint32_t> lookup_order_;
};

}  // namespace ichigen::domain
