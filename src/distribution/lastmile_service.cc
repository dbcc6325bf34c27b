#include "distribution/lastmile_service.h"

#include <algorithm>
#include <array>

#include "distribution/snapshot.h"
#include "distribution/trim.h"

namespace ichigen::distribution {

namespace {

constexpr std::array<std::string_view, 6> kKinds = {
    "連絡済", "不通", "配食", "パルスオキシメーター貸与", "体調悪化", "要連絡"};

}  // namespace

std::span<const std::string_view> LastmileKinds() { return kKinds; }

core::Result<std::string> ParseLastmileKind(std::string_view text) {
  const std::string_view trimmed = TrimSpaces(text);
  for (std::string_view kind : kKinds) {
    if (trimmed == kind) return std::string(kind);
  }
  std::string valid;
  for (std::string_view kind : kKinds) {
    if (!valid.empty()) valid += "、";
    valid += kind;
  }
  return core::Fail(core::Code::kInvalidArgument, "区分が不明です（有効な区分: " + valid + "）",
                    "unknown kind (valid: " + valid + ")", std::string(text));
}

LastmileService::LastmileService(store::Store& store, store::DistributionStore& distribution,
                                 int unreachable_repeat)
    : store_(store), distribution_(distribution), unreachable_repeat_(unreachable_repeat) {}

core::Result<std::pair<int64_t, std::string>> LastmileService::ResolveRef(
    const std::string& municipality_code6, const std::string& ref) {
  auto [it, first_use] = refs_.try_emplace(municipality_code6);
  MunicipalityRefs& m = it->second;
  if (first_use) {
    store::PackageFilter filter;
    filter.municipality_code6 = municipality_code6;
    auto packages = distribution_.ListPackages(filter);
    if (!packages) {
      refs_.erase(it);  // listed again next time
      return std::unexpected(packages.error());
    }
    m.packages = std::move(*packages);
    std::reverse(m.packages.begin(), m.packages.end());  // the store lists oldest first
  }
  const std::string key(TrimSpaces(ref));
  for (;;) {
    if (auto found = m.refs.find(key); found != m.refs.end()) return found->second;
    if (m.parsed == m.packages.size()) break;
    store::PackageRecord& p = m.packages[m.parsed];
    ASSIGN_OR_RETURN(Snapshot snapshot, ParseSnapshot(p.snapshot_json));
    for (const SnapshotEntry& e : snapshot.entries) m.refs.try_emplace(e.ref, e.patient_id, p.id);
    p.snapshot_json = std::string();  // parsed: no need to keep the text
    ++m.parsed;
  }
  return core::Fail(core::Code::kNotFound,
                    "この市区町村に送付したパッケージにない整理番号です",
                    "the ref is in none of this municipality's packages",
                    municipality_code6 + ":" + key);
}

core::Result<LastmileOutcome> LastmileService::Record(const LastmileEntry& entry) {
  ASSIGN_OR_RETURN(std::string kind, ParseLastmileKind(entry.kind));
  ASSIGN_OR_RETURN(auto resolved, ResolveRef(entry.municipality_code6, entry.ref));
  LastmileOutcome outcome;
  store::LastmileRecord& r = outcome.record;
  r.patient_id = resolved.first;
  r.package_id = resolved.second;
  r.ref = std::string(TrimSpaces(entry.ref));
  r.municipality_code6 = entry.municipality_code6;
  r.on = entry.on;
  r.kind = kind;
  r.note = entry.note;
  r.recorded_by = entry.recorded_by;
  r.recorded_at = entry.now_utc;
  ASSIGN_OR_RETURN(r.id, distribution_.AddLastmile(r));

  std::string alert_kind;
  std::string message;
  if (kind == kKindConditionWorse) {
    alert_kind = "condition_worse";
    message = "市区町村から体調悪化の連絡: " + entry.note;
  } else if (kind == kKindUnreachable) {
    ASSIGN_OR_RETURN(auto history, distribution_.ListLastmile(r.patient_id, ""));
    int run = 0;
    for (auto it = history.rbegin(); it != history.rend() && it->kind == kKindUnreachable; ++it) {
      ++run;
    }
    // Exactly at the threshold, so one run of 不通 raises one alert.
    if (run == unreachable_repeat_) {
      alert_kind = "unreachable";
      message = "市区町村から" + std::to_string(run) + "回続けて不通の連絡";
    }
  }
  if (!alert_kind.empty()) {
    ASSIGN_OR_RETURN(auto patient, store_.GetPatient(r.patient_id));
    store::AlertRecord alert;
    alert.patient_id = r.patient_id;
    alert.health_center = patient ? patient->health_center : "";
    alert.municipality_code6 = entry.municipality_code6;
    alert.kind = alert_kind;
    alert.message_ja = message;
    alert.on = entry.on;
    alert.raised_at = entry.now_utc;
    ASSIGN_OR_RETURN(alert.id, distribution_.AddAlert(alert));
    outcome.alert = std::move(alert);
  }
  return outcome;
}

}  // namespace ichigen::distribution
