// Patient merges: an operator merges two patients found to be one person,
// lists a patient's merge decisions, and undoes a merge. Each decision is
// stored with who (the logged-in operator) and why (intake/merge_service.h
// holds the rules), and audited.
#include "api/handlers.h"
#include "api/services.h"
#include "intake/merge_service.h"

namespace ichigen::api {

namespace {

nlohmann::json MergeJson(const store::MergeDecision& d) {
  return {{"id", d.id},
          {"action", d.action},
          {"survivor_id", d.survivor_id},
          {"merged_id", d.merged_id},
          {"undoes", d.undoes == 0 ? nlohmann::json(nullptr) : nlohmann::json(d.undoes)},
          {"undone", d.undone},
          {"decided_by", d.decided_by},
          {"reason", d.reason},
          {"decided_at", d.decided_at},
          {"survivor_events", d.survivor_event_ids},
          {"merged_events", d.merged_event_ids}};
}

core::Result<std::string> Reason(Exchange& ex) {
  if (ex.json().is_object() && ex.json().contains("reason") && ex.json()["reason"].is_string()) {
    std::string why = ex.json()["reason"].get<std::string>().substr(0, 1000);
    if (!why.empty()) return why;
  }
  return core::Fail(core::Code::kInvalidArgument, "reason（理由）を指定してください",
                    "give a reason");
}

core::Status Merge(Exchange& ex) {
  ASSIGN_OR_RETURN(int64_t survivor, ex.PathId("id"));
  if (!ex.json().is_object() || !ex.json().contains("merged_id") ||
      !ex.json()["merged_id"].is_number_integer()) {
    return core::Fail(core::Code::kInvalidArgument,
                      "merged_id（統合する患者番号）を指定してください", "give merged_id");
  }
  const int64_t merged = ex.json()["merged_id"].get<int64_t>();
  ASSIGN_OR_RETURN(std::string why, Reason(ex));
  ASSIGN_OR_RETURN(StorePool::Lease store, ex.services().stores.Acquire());
  intake::MergeService service(*store);
  ASSIGN_OR_RETURN(store::MergeDecision decision,
                   service.Merge(survivor, merged, ex.principal().login, why));
  RETURN_IF_ERROR(ex.Audit("patient.merge",
                           {"patient:" + std::to_string(survivor), "patient:" + std::to_string(merged)},
                           {{"reason", why}, {"merge", decision.id}}));
  nlohmann::json reply = MergeJson(decision);
  NoteFiguresAfterDecision(ex.services(), reply);
  ex.Reply(200, reply);
  return core::Ok();
}

core::Status Unmerge(Exchange& ex) {
  ASSIGN_OR_RETURN(int64_t id, ex.PathId("id"));
  ASSIGN_OR_RETURN(std::string why, Reason(ex));
  ASSIGN_OR_RETURN(StorePool::Lease store, ex.services().stores.Acquire());
  intake::MergeService service(*store);
  ASSIGN_OR_RETURN(store::MergeDecision decision, service.Unmerge(id, ex.principal().login, why));
  RETURN_IF_ERROR(ex.Audit("patient.unmerge",
                           {"patient:" + std::to_string(decision.survivor_id),
                            "patient:" + std::to_string(decision.merged_id)},
                           {{"reason", why}, {"merge", id}}));
  nlohmann::json reply = MergeJson(decision);
  NoteFiguresAfterDecision(ex.services(), reply);
  ex.Reply(200, reply);
  return core::Ok();
}

core::Status List(Exchange& ex) {
  ASSIGN_OR_RETURN(int64_t id, ex.PathId("id"));
  ASSIGN_OR_RETURN(StorePool::Lease store, ex.services().stores.Acquire());
  ASSIGN_OR_RETURN(std::vector<store::MergeDecision> decisions, store->MergeDecisionsOf(id));
  nlohmann::json items = nlohmann::json::array();
  for (const store::MergeDecision& d : decisions) items.push_back(MergeJson(d));
  RETURN_IF_ERROR(ex.Audit("patient.merges.read", {"patient:" + std::to_string(id)}));
  ex.Reply(200, {{"items", items}});
  return core::Ok();
}

}  // namespace

void AddMergeRoutes(RouteTable& table) {
  const Access operators = Roles({Role::kAdmin, Role::kOperator});
  table.Add({.method = Method::kGet,
             .path = "/api/v1/patients/{id}/merges",
             .summary = "患者の統合の記録 (merge decisions naming the patient)",
             .tag = "merge",
             .access = operators,
             .personal_data = false,
             .handler = List});
  table.Add({.method = Method::kPost,
             .path = "/api/v1/patients/{id}/merge",
             .summary = "患者を統合する (merge merged_id into this patient; body {merged_id, reason})",
             .tag = "merge",
             .access = operators,
             .body = Body::kJson,
             .personal_data = true,
             .handler = Merge});
  table.Add({.method = Method::kPost,
             .path = "/api/v1/merges/{id}/unmerge",
             .summary = "統合を取り消す (undo a merge; body {reason})",
             .tag = "merge",
             .access = operators,
             .body = Body::kJson,
             .personal_data = true,
             .handler = Unmerge});
}

}  // namespace ichigen::api
