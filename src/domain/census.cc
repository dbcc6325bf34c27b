#include "domain/census.h"

#include <algorithm>

namespace ichigen::domain {

std::string_view PressCategoryJa(CareStatus status) {
  switch (status) {
    case CareStatus::kArranging:
      return "調整中";
    case CareStatus::kHospitalized:
      return "入院中";
    case CareStatus::kLodging:
      return "宿泊療養";
    case CareStatus::kHomeRecuperation:
      return "自宅療養";
    case CareStatus::kReleased:
      return "退院等";
    case CareStatus::kDead:
      return "死亡";
    case CareStatus::kUnknown:
      return "不明";
  }
  return "不明";
}

void CensusAccumulator::Add(const PatientState& state) {
  if (state.withdrawn) {
    ++withdrawn_;
    return;
  }
  if (!state.notified) {
    ++not_yet_notified_;
    return;
  }
  const size_t s = static_cast<size_t>(state.status);
  ++counts_[s];
  ++counted_;
  if (!state.conflicts.empty()) ++with_conflicts_;
  auto it = by_residence_.find(std::string_view(state.residence_code));
  if (it == by_residence_.end()) {
    it = by_residence_.emplace(state.residence_code, StatusCounts{}).first;
  }
  ++it->second[s];
}

void CensusAccumulator::Merge(const CensusAccumulator& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  counted_ += other.counted_;
  withdrawn_ += other.withdrawn_;
  not_yet_notified_ += other.not_yet_notified_;
  with_conflicts_ += other.with_conflicts_;
  for (const auto& [code, counts] : other.by_residence_) {
    StatusCounts& mine = by_residence_[code];
    for (size_t i = 0; i < mine.size(); ++i) mine[i] += counts[i];
  }
}

StatusCounts CensusAccumulator::ForResidence(std::string_view code) const {
  const auto it = by_residence_.find(code);
  return it == by_residence_.end() ? StatusCounts{} : it->second;
}

std::vector<std::pair<std::string, StatusCounts>> CensusAccumulator::ByResidence() const {
  std::vector<std::pair<std::string, StatusCounts>> out(by_residence_.begin(),
                                                        by_residence_.end());
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

}  // namespace ichigen::domain
