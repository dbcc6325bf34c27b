#include "intake/merge_service.h"

#include <algorithm>
#include <chrono>
#include <unordered_map>

#include "domain/care_status.h"

namespace ichigen::intake {

namespace {

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

core::Error Precondition(std::string ja, std::string en, int64_t id) {
  return core::Error{core::Code::kFailedPrecondition, std::move(ja), std::move(en),
                     std::to_string(id)};
}

bool Stands(const store::MergeDecision& d) { return d.action == "merge" && !d.undone; }

}  // namespace

std::vector<InForce> EventsInForce(const std::vector<domain::Event>& events) {
  std::unordered_map<int64_t, size_t> index;
  for (size_t i = 0; i < events.size(); ++i) index.emplace(events[i].id, i);
  std::vector<const domain::Event*> payload(events.size(), nullptr);
  for (size_t i = 0; i < events.size(); ++i) payload[i] = &events[i];
  std::vector<size_t> corrections;
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].type == domain::EventType::kCorrected) corrections.push_back(i);
  }
  std::sort(corrections.begin(), corrections.end(), [&](size_t a, size_t b) {
    if (events[a].received_at != events[b].received_at) {
      return events[a].received_at < events[b].received_at;
    }
    return events[a].id < events[b].id;
  });
  for (size_t ci : corrections) {
    auto target = index.find(events[ci].supersedes);
    // Follow corrections of corrections to the original; bounded against cycles.
    for (size_t steps = 0; target != index.end() &&
                           events[target->second].type == domain::EventType::kCorrected;
         ++steps) {
      target = steps < events.size() ? index.find(events[target->second].supersedes) : index.end();
    }
    if (target == index.end()) continue;
    payload[target->second] = events[ci].cancels ? nullptr : &events[ci];
  }
  std::vector<InForce> out;
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].type == domain::EventType::kCorrected) continue;
    out.push_back(InForce{&events[i], payload[i]});
  }
  std::sort(out.begin(), out.end(),
            [](const InForce& a, const InForce& b) { return a.original->id < b.original->id; });
  return out;
}

MergeService::MergeService(store::Store& store) : store_(store) {}

core::Result<std::optional<store::MergeDecision>> MergeService::StandingMergeOf(int64_t merged_id) {
  ASSIGN_OR_RETURN(std::vector<store::MergeDecision> decisions, store_.MergeDecisionsOf(merged_id));
  for (const store::MergeDecision& d : decisions) {
    if (Stands(d) && d.merged_id == merged_id) return d;
  }
  return std::nullopt;
}

core::Result<store::MergeDecision> MergeService::Merge(int64_t survivor_id, int64_t merged_id,
                                                       const std::string& by,
                                                       const std::string& why) {
  if (by.empty() || why.empty()) {
    return core::Fail(core::Code::kInvalidArgument, "統合には操作者と理由が必要です",
                      "a merge needs an operator and a reason");
  }
  if (survivor_id == merged_id) {
    return core::Fail(core::Code::kInvalidArgument, "同じ患者どうしは統合できません",
                      "a patient cannot be merged with itself", std::to_string(survivor_id));
  }
  ASSIGN_OR_RETURN(std::optional<store::PatientRecord> survivor, store_.GetPatient(survivor_id));
  ASSIGN_OR_RETURN(std::optional<store::PatientRecord> merged, store_.GetPatient(merged_id));
  for (const auto& [patient, id] : {std::pair{&survivor, survivor_id}, std::pair{&merged, merged_id}}) {
    if (!*patient) {
      return core::Fail(core::Code::kNotFound, "その患者は登録されていません", "no such patient",
                        std::to_string(id));
    }
  }
  // Invariant 2: no chains.
  ASSIGN_OR_RETURN(std::vector<store::MergeDecision> of_merged, store_.MergeDecisionsOf(merged_id));
  for (const store::MergeDecision& d : of_merged) {
    if (!Stands(d)) continue;
    if (d.merged_id == merged_id) {
      return std::unexpected(Precondition(
          "この患者は患者 " + std::to_string(d.survivor_id) + " に統合済みです",
          "this patient was merged into patient " + std::to_string(d.survivor_id) + " already",
          merged_id));
    }
    return std::unexpected(Precondition(
        "この患者には他の患者が統合されています。先にその統合を取り消してください（統合 " +
            std::to_string(d.id) + "）",
        "other patients are merged into this one; unmerge them first (merge " +
            std::to_string(d.id) + ")",
        merged_id));
  }
  ASSIGN_OR_RETURN(std::optional<store::MergeDecision> survivor_gone, StandingMergeOf(survivor_id));
  if (survivor_gone) {
    return std::unexpected(Precondition(
        "残す患者は患者 " + std::to_string(survivor_gone->survivor_id) + " に統合済みです",
        "the surviving patient was merged into patient " +
            std::to_string(survivor_gone->survivor_id),
        survivor_id));
  }
  const int64_t batch_id = merged->created_batch != 0   ? merged->created_batch
                           : merged->updated_batch != 0 ? merged->updated_batch
                                                        : survivor->created_batch;
  if (batch_id == 0) {
    return std::unexpected(Precondition("取込の記録がない患者は統合できません",
                                        "a patient with no import batch cannot be merged",
                                        merged_id));
  }

  ASSIGN_OR_RETURN(std::vector<domain::Event> events, store_.EventsOf(merged_id));
  const std::vector<InForce> in_force = EventsInForce(events);
  // Decisions so far make each merge's dedupe keys its own: a merge undone
  // and made again copies anew.
  const std::string token = std::to_string(merged_id) + "|" + std::to_string(of_merged.size());
  const int64_t now = NowSeconds();
  const core::Date today = domain::JstDateOf(now);

  ASSIGN_OR_RETURN(std::unique_ptr<store::BatchWriter> writer, store_.BeginDecision(batch_id));
  store::MergeDecision decision;
  decision.action = "merge";
  decision.survivor_id = survivor_id;
  decision.merged_id = merged_id;
  decision.decided_by = by;
  decision.reason = why;
  for (const InForce& f : in_force) {
    if (f.payload == nullptr) continue;  // cancelled before: nothing to carry over
    domain::Event copy = *f.payload;
    copy.id = 0;
    copy.type = f.original->type;
    copy.supersedes = 0;
    copy.cancels = false;
    copy.received_at = now;
    const std::string key = "merge|" + token + "|" + std::to_string(f.original->id);
    ASSIGN_OR_RETURN(bool copied, writer->AddEvent(survivor_id, copy, key));
    if (copied) decision.survivor_event_ids.push_back(copy.id);

    domain::Event cancel;
    cancel.type = domain::EventType::kCorrected;
    cancel.supersedes = f.original->id;
    cancel.cancels = true;
    cancel.effective_on = today;
    cancel.received_at = now;
    cancel.source = "患者統合:" + by;
    cancel.line = f.original->line;
    ASSIGN_OR_RETURN(bool cancelled, writer->AddEvent(merged_id, cancel, key));
    if (cancelled) decision.merged_event_ids.push_back(cancel.id);
  }
  ASSIGN_OR_RETURN(decision.id, writer->RecordMerge(decision));
  RETURN_IF_ERROR(writer->Commit({}));
  return decision;
}

core::Result<store::MergeDecision> MergeService::Unmerge(int64_t merge_id, const std::string& by,
                                                         const std::string& why) {
  if (by.empty() || why.empty()) {
    return core::Fail(core::Code::kInvalidArgument, "統合の取消には操作者と理由が必要です",
                      "an unmerge needs an operator and a reason");
  }
  ASSIGN_OR_RETURN(store::MergeDecision merge, store_.GetMergeDecision(merge_id));
  if (merge.action != "merge") {
    return std::unexpected(Precondition("これは統合の取消の記録です。取り消せるのは統合だけです",
                                        "this decision is an unmerge; only a merge can be undone",
                                        merge_id));
  }
  if (merge.undone) {
    return std::unexpected(
        Precondition("この統合は取り消し済みです", "this merge was undone already", merge_id));
  }
  ASSIGN_OR_RETURN(std::optional<store::PatientRecord> merged, store_.GetPatient(merge.merged_id));
  if (!merged) {
    return core::Fail(core::Code::kDataLoss, "統合された患者の記録が見つかりません",
                      "the merged-away patient is missing", std::to_string(merge.merged_id));
  }
  ASSIGN_OR_RETURN(std::vector<domain::Event> events, store_.EventsOf(merge.merged_id));
  // The payloads as they were before the merge: its cancellations left out.
  std::vector<domain::Event> before;
  std::vector<int64_t> cancelled;
  for (const domain::Event& e : events) {
    if (std::find(merge.merged_event_ids.begin(), merge.merged_event_ids.end(), e.id) !=
        merge.merged_event_ids.end()) {
      cancelled.push_back(e.supersedes);
    } else {
      before.push_back(e);
    }
  }
  const std::vector<InForce> in_force = EventsInForce(before);
  const int64_t now = NowSeconds();
  const core::Date today = domain::JstDateOf(now);
  const int64_t batch_id = merged->created_batch != 0 ? merged->created_batch : merged->updated_batch;

  ASSIGN_OR_RETURN(std::unique_ptr<store::BatchWriter> writer, store_.BeginDecision(batch_id));
  store::MergeDecision unmerge;
  unmerge.action = "unmerge";
  unmerge.survivor_id = merge.survivor_id;
  unmerge.merged_id = merge.merged_id;
  unmerge.undoes = merge_id;
  unmerge.decided_by = by;
  unmerge.reason = why;
  const std::string token = "unmerge|" + std::to_string(merge_id) + "|";
  for (int64_t copy_id : merge.survivor_event_ids) {
    domain::Event cancel;
    cancel.type = domain::EventType::kCorrected;
    cancel.supersedes = copy_id;
    cancel.cancels = true;
    cancel.effective_on = today;
    cancel.received_at = now;
    cancel.source = "患者統合の取消:" + by;
    ASSIGN_OR_RETURN(bool stored,
                     writer->AddEvent(merge.survivor_id, cancel, token + std::to_string(copy_id)));
    if (stored) unmerge.survivor_event_ids.push_back(cancel.id);
  }
  for (const InForce& f : in_force) {
    if (f.payload == nullptr) continue;
    if (std::find(cancelled.begin(), cancelled.end(), f.original->id) == cancelled.end()) continue;
    // A 訂正 that puts back the payload in force before the merge.
    domain::Event restore = *f.payload;
    restore.id = 0;
    restore.type = domain::EventType::kCorrected;
    restore.supersedes = f.original->id;
    restore.cancels = false;
    restore.received_at = now;
    restore.source = "患者統合の取消:" + by;
    ASSIGN_OR_RETURN(bool stored, writer->AddEvent(merge.merged_id, restore,
                                                   token + std::to_string(f.original->id)));
    if (stored) unmerge.merged_event_ids.push_back(restore.id);
  }
  ASSIGN_OR_RETURN(unmerge.id, writer->RecordMerge(unmerge));
  RETURN_IF_ERROR(writer->Commit({}));
  return unmerge;
}

}  // namespace ichigen::intake
