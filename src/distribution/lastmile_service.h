// LastmileService: what municipalities learn when they call and visit their
// residents (連絡済, 不通, 配食, パルスオキシメーター貸与, 体調悪化, 要連絡 …),
// recorded per patient through the ref (整理番号) of their packages, and the
// alerts that must reach the patient's health center the same day.
//
// Rules:
//  1. A ref resolves only through the stored snapshots of the recording
//     municipality's own packages (newest first): a municipality cannot
//     record on, or learn of, a patient it was never sent. An unknown ref
//     is kNotFound.
//  2. 体調悪化 raises an alert at once. 不通 raises one when the patient's
//     latest `unreachable_repeat` records (default 2) are all 不通.
//  3. The alert is for the patient's health center (管轄保健所), dated the
//     record's day.
//
// A ref is looked up in the municipality's packages newest first, parsing
// one stored snapshot at a time and stopping at the first that holds it:
// the refs people record are nearly always in the latest package, so a
// request parses one snapshot, not the municipality's whole history.
//
// Thread-safety: not thread-safe (it caches resolved refs); one instance per
// thread or request.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "store/distribution_store.h"
#include "store/store.h"

namespace ichigen::distribution {

inline constexpr int kDefaultUnreachableRepeat = 2;
inline constexpr std::string_view kKindUnreachable = "不通";
inline constexpr std::string_view kKindConditionWorse = "体調悪化";

// The kinds a record may have, in display order.
std::span<const std::string_view> LastmileKinds();
// Trims spaces; kInvalidArgument listing the valid kinds otherwise.
core::Result<std::string> ParseLastmileKind(std::string_view text);

struct LastmileEntry {
  std::string municipality_code6;  // who records (the package recipient)
  std::string ref;
  core::Date on;
  std::string kind;
  std::string note;
  std::string recorded_by;
  std::string now_utc;
};

struct LastmileOutcome {
  store::LastmileRecord record;
  std::optional<store::AlertRecord> alert;
};

class LastmileService {
 public:
  LastmileService(store::Store& store, store::DistributionStore& distribution,
                  int unreachable_repeat = kDefaultUnreachableRepeat);

  // The patient and package a municipality's ref names; kNotFound when none.
  core::Result<std::pair<int64_t, std::string>> ResolveRef(const std::string& municipality_code6,
                                                           const std::string& ref);
  core::Result<LastmileOutcome> Record(const LastmileEntry& entry);

 private:
  // One municipality's packages, newest first, and the refs of those parsed
  // so far (an older package never replaces a newer one's entry).
  struct MunicipalityRefs {
    std::vector<store::PackageRecord> packages;
    size_t parsed = 0;
    std::map<std::string, std::pair<int64_t, std::string>> refs;  // ref → (patient, package)
  };

  store::Store& store_;
  store::DistributionStore& distribution_;
  int unreachable_repeat_;
  std::map<std::string, MunicipalityRefs> refs_;  // by code6, listed on first use
};

}  // namespace ichigen::distribution
