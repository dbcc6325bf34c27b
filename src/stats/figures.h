// Figures: the daily statistics of the store computed patient by patient.
// Each patient's Contribution says everything that patient adds to the
// figures: its notification, publication and death days with the dimensions
// they are counted under (residence, age band, sex), and its care status as
// a list of day intervals. The intervals are derived once per patient by
// evaluating DeriveState only at the days its state can change (its events'
// dates and the day a home recuperation ends by itself), so a census for
// every day costs a few derivations per patient, not one per day. A
// FigureAccumulator adds contributions (or subtracts an old one) into dense
// per-day counters; the census is kept as a difference array (+1 on an
// interval's first day, −1 on the day after its last) whose running sum is
// the census of each day. Subtracting a patient's old contribution and adding
// its new one is how an import updates the figures incrementally.
//
// The figures restate history with everything known: the census of D is the
// state as of D from all events received so far (a late sheet changes the
// past days it touches). The census as known at a given cutoff remains
// ComputeCensus (census_service.h).
// Thread-safety: plain values and pure functions; an accumulator is used by
// one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "domain/care_status.h"
#include "domain/events.h"
#include "domain/recuperation_rules.h"
#include "store/stats_store.h"

namespace ichigen::stats {

inline constexpr int32_t kNoDay = std::numeric_limits<int32_t>::min();
inline constexpr int32_t kOpenEnd = std::numeric_limits<int32_t>::max();

// Census slots: one per care status, then 重症 (the severe among 入院中).
inline constexpr int kSevereSlot = domain::kCareStatusCount;
inline constexpr int kCensusSlots = domain::kCareStatusCount + 1;
std::string_view CensusSlotNameEn(int slot);  // "hospitalized", …, "severe"
std::string_view CensusSlotNameJa(int slot);  // 入院中, …, 重症

// Flow series, and the dimensions each is broken down by.
enum class Series : uint8_t { kNotified, kPublished, kDeaths };
inline constexpr int kSeriesCount = 3;
std::string_view SeriesName(Series series);  // "notified", "published", "deaths"
core::Result<Series> ParseSeries(std::string_view name);

enum class Dimension : uint8_t { kTotal, kMunicipality, kAgeBand, kSex };
inline constexpr int kDimensionCount = 4;
std::string_view DimensionName(Dimension dimension);  // "total", "municipality", …

// 年代 from an age (10歳未満, 10代 … 80代, 90歳以上), else the published band
// folded onto the same set ("90代" and "100歳以上" are 90歳以上); "不明" when
// neither is known.
std::string AgeBandOf(const std::optional<int>& age, std::string_view published_band);
// 男性, 女性, その他, 不明 from the store's 男 / 女 / その他 / 不明 / "".
std::string SexLabelOf(std::string_view stored_sex);

struct StatusInterval {
  int32_t start = 0;       // first day (core::Date days)
  int32_t end = kOpenEnd;  // the day after the last (kOpenEnd: still so)
  domain::CareStatus status = domain::CareStatus::kUnknown;
  friend bool operator==(const StatusInterval&, const StatusInterval&) = default;
};

struct Contribution {
  int32_t notified_day = kNoDay;   // counted as a new case on this day
  int32_t published_day = kNoDay;  // 公表日, else the notification day
  bool published_on_record = false;  // published_day is the record's 公表日
  int32_t died_day = kNoDay;       // the day it enters 死亡 in the census
  bool severe = false;             // 重症 on the patient record
  std::string municipality;        // residence code ("" unknown)
  std::string age_band;
  std::string sex;
  std::vector<StatusInterval> intervals;  // in day order, not overlapping

  bool Empty() const { return notified_day == kNoDay && intervals.empty(); }
  // A compact binary form for the stats store's per-patient fingerprints
  // (varint days relative to the notification day, known labels as one
  // byte). Canonical: equal contributions have equal bytes, so an update
  // compares bytes before decoding. Decode also reads the older versions 1
  // (fixed-width) and 2 (without published_on_record) that stores wrote
  // before.
  std::string Encode() const;
  void EncodeInto(std::string& out) const;  // reuses out's buffer (cleared first)
  static core::Result<Contribution> Decode(std::string_view bytes);
  // Whether bytes are in the current version, whose attributes can stand in
  // for the patient record (PatientAttributes below).
  static bool IsCurrentEncoding(std::string_view bytes);
  friend bool operator==(const Contribution&, const Contribution&) = default;
};

// What of a patient's record the figures use, as they count it.
struct PatientAttributes {
  int32_t published_day = kNoDay;  // the record's 公表日 (kNoDay: none)
  bool severe = false;             // 重症
  std::string municipality;        // residence code ("" unknown)
  std::string age_band;            // AgeBandOf
  std::string sex;                 // SexLabelOf
};
PatientAttributes AttributesOf(const store::StatsPatient& patient);
// The attributes a non-empty contribution was computed with: an update whose
// batch left a patient's record alone computes it again from these and the
// events, without reading the record.
PatientAttributes AttributesOf(const Contribution& contribution);

// What one patient adds to the figures, from its record and all its events.
// A withdrawn or never-notified patient contributes nothing.
Contribution ComputeContribution(const PatientAttributes& attributes,
                                 std::span<const domain::Event> events,
                                 const domain::RecuperationRules& rules);
Contribution ComputeContribution(const store::StatsPatient& patient,
                                 std::span<const domain::Event> events,
                                 const domain::RecuperationRules& rules);
// The same after `added` joined the events `before` was computed from, with
// the same attributes (`events`: all of them now): no state before the first
// day `added` take effect changes, so only the days from then on are walked.
// A notification or withdrawal among `added`, a correction among `events`,
// or an empty `before`, is computed in full.
Contribution ComputeContributionAfter(const Contribution& before,
                                      const PatientAttributes& attributes,
                                      std::span<const domain::Event> events,
                                      std::span<const domain::Event> added,
                                      const domain::RecuperationRules& rules);

// Materialized figures: nonzero flow counts and census deltas, sorted.
struct Figures {
  // (series, key, day) → count; key is "total" or "<dimension>:<value>".
  std::map<std::tuple<std::string, std::string, int32_t>, int64_t> flows;
  // (slot, day) → change of the census on that day.
  std::map<std::pair<int, int32_t>, int64_t> census_deltas;
  friend bool operator==(const Figures&, const Figures&) = default;

  std::vector<store::FlowCount> FlowRows() const;
  std::vector<store::CensusDelta> CensusRows() const;
  static Figures FromRows(std::span<const store::FlowCount> flows,
                          std::span<const store::CensusDelta> census);
};

class FigureAccumulator {
 public:
  void Add(const Contribution& contribution) { Apply(contribution, +1); }
  void Subtract(const Contribution& contribution) { Apply(contribution, -1); }
  // Subtract(old) then Add(fresh), skipping the flow counts when they are
  // the same for both (an update that changes only care statuses).
  void Replace(const Contribution& old, const Contribution& fresh);
  // Adds everything `other` holds (the slices of a parallel pass).
  void Merge(const FigureAccumulator& other);
  Figures Take() const;  // nonzero entries only

 private:
  struct DaySeries {
    int32_t base = 0;
    std::vector<int64_t> counts;
    void Add(int32_t day, int64_t n);
    void AddAll(const DaySeries& other);
  };
  void Apply(const Contribution& contribution, int sign);
  void ApplyFlows(const Contribution& contribution, int sign);
  void ApplyCensus(const Contribution& contribution, int sign);
  void AddFlow(Series series, const std::array<int, kDimensionCount>& index, int32_t day,
               int sign);
  int Intern(Dimension dimension, const std::string& value);

  // values_[dimension]: value text → index; names_[dimension] the reverse.
  std::array<std::unordered_map<std::string, int>, kDimensionCount> values_;
  std::array<std::vector<std::string>, kDimensionCount> names_;
  // flows_[series][dimension][value index]
  std::array<std::array<std::vector<DaySeries>, kDimensionCount>, kSeriesCount> flows_;
  std::array<DaySeries, kCensusSlots> census_;
};

// One day of the census, from the running sum of the deltas.
struct CensusDay {
  core::Date day;
  std::array<int64_t, kCensusSlots> counts{};
  int64_t Counted() const;  // every status (重症 is inside 入院中)
};
// The census of each day in [from, to] from deltas of any days (those before
// `from` are summed in).
std::vector<CensusDay> CensusSeries(std::span<const store::CensusDelta> deltas, core::Date from,
                                    core::Date to);

}  // namespace ichigen::stats
