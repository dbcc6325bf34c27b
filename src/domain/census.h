// CensusAccumulator: the daily census by care status (療養状況別患者数), overall
// and per residence municipality, as of one date and cutoff. Feed it every
// patient's derived PatientState (Add) or events (AddEvents, which derives
// the state itself); patients not yet notified or withdrawn are tallied
// apart and not counted. For a store of a million patients, shard the
// patients over threads with one accumulator each and Merge them.
// Thread-safety: not thread-safe; one accumulator per thread.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/date.h"
#include "domain/care_status.h"
#include "domain/events.h"
#include "domain/recuperation_rules.h"

namespace ichigen::domain {

using StatusCounts = std::array<int64_t, kCareStatusCount>;

// The press-release category of a status: 入院中, 宿泊療養, 自宅療養, 調整中,
// 死亡, 退院等 (療養解除), 不明.
std::string_view PressCategoryJa(CareStatus status);

class CensusAccumulator {
 public:
  void Add(const PatientState& state);
  void AddEvents(std::span<const Event> events, core::Date as_of, int64_t cutoff_received_at,
                 const RecuperationRules& rules) {
    Add(DeriveState(events, as_of, cutoff_received_at, rules));
  }
  void Merge(const CensusAccumulator& other);

  int64_t Count(CareStatus status) const { return counts_[static_cast<size_t>(status)]; }
  const StatusCounts& counts() const { return counts_; }
  int64_t counted() const { return counted_; }                    // in the census
  int64_t withdrawn() const { return withdrawn_; }                // 届出取下げ
  int64_t not_yet_notified() const { return not_yet_notified_; }  // no 新規届出 by as_of
  int64_t with_conflicts() const { return with_conflicts_; }      // counted, with conflicts

  // Counts for one residence code ("" = residence unknown); all zero if none.
  StatusCounts ForResidence(std::string_view code) const;
  // Every residence with at least one counted patient, by code.
  std::vector<std::pair<std::string, StatusCounts>> ByResidence() const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  StatusCounts counts_{};
  int64_t counted_ = 0;
  int64_t withdrawn_ = 0;
  int64_t not_yet_notified_ = 0;
  int64_t with_conflicts_ = 0;
  std::unordered_map<std::string, StatusCounts, Hash, std::equal_to<>> by_residence_;
};

}  // namespace ichigen::domain
