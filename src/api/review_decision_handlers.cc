// Review decisions: one item with its ranked candidates and per-field
// evidence, and the operator's link / new person / reject / undo. Each
// decision is stored with who (the logged-in operator) and why, and audited.
#include "api/handlers.h"
#include "api/jobs.h"
#include "api/services.h"
#include "intake/review_service.h"

namespace ichigen::api {

namespace {

nlohmann::json ItemJson(const store::ReviewItem& item) {
  nlohmann::json row = nlohmann::json::parse(item.row_json, nullptr, false);
  nlohmann::json candidates = nlohmann::json::parse(
      item.candidates_json.empty() ? "[]" : item.candidates_json, nullptr, false);
  return {{"id", item.id},
          {"batch_id", item.batch_id},
          {"line", item.line},
          {"kind", item.kind},
          {"reason", item.reason_ja},
          {"reason_en", item.reason_en},
          {"row", row.is_discarded() ? nlohmann::json(nullptr) : row},
          {"candidate_patient_id", item.candidate_patient_id == 0
                                       ? nlohmann::json(nullptr)
                                       : nlohmann::json(item.candidate_patient_id)},
          {"candidates", candidates.is_discarded() ? nlohmann::json::array() : candidates},
          {"status", item.status},
          {"decided_by", item.decided_by},
          {"decided_at", item.decided_at},
          {"decision_reason", item.decision_reason},
          {"linked_patient_id", item.linked_patient_id == 0
                                    ? nlohmann::json(nullptr)
                                    : nlohmann::json(item.linked_patient_id)}};
}

core::Status GetItem(Exchange& ex) {
  ASSIGN_OR_RETURN(int64_t id, ex.PathId("id"));
  ASSIGN_OR_RETURN(StorePool::Lease store, ex.services().stores.Acquire());
  ASSIGN_OR_RETURN(store::ReviewItem item, store->GetReviewItem(id));
  std::vector<std::string> targets = {"review:" + std::to_string(id)};
  const nlohmann::json out = ItemJson(item);
  for (const nlohmann::json& c : out["candidates"]) {
    if (c.contains("patient_id")) targets.push_back("patient:" + std::to_string(c["patient_id"].get<int64_t>()));
  }
  RETURN_IF_ERROR(ex.Audit("review.read", targets));
  ex.Reply(200, out);
  return core::Ok();
}

// Runs one decision as the logged-in operator and answers the item as it now is.
core::Status Decide(Exchange& ex, const std::string& action,
                    const std::function<core::Result<store::ReviewDecision>(
                        intake::ReviewService&, int64_t, const std::string&, const std::string&)>& act) {
  ASSIGN_OR_RETURN(int64_t id, ex.PathId("id"));
  std::string why;
  if (ex.json().is_object() && ex.json().contains("reason") && ex.json()["reason"].is_string()) {
    why = ex.json()["reason"].get<std::string>().substr(0, 1000);
  }
  ASSIGN_OR_RETURN(StorePool::Lease store, ex.services().stores.Acquire());
  intake::ReviewService service(*store, ex.services().jobs.intake());
  ASSIGN_OR_RETURN(store::ReviewDecision decision, act(service, id, ex.principal().login, why));
  std::vector<std::string> targets = {"review:" + std::to_string(id)};
  if (decision.patient_id != 0) targets.push_back("patient:" + std::to_string(decision.patient_id));
  RETURN_IF_ERROR(ex.Audit(action, targets, {{"reason", why}, {"events", decision.event_ids}}));
  ASSIGN_OR_RETURN(store::ReviewItem item, store->GetReviewItem(id));
  nlohmann::json reply = ItemJson(item);
  NoteFiguresAfterDecision(ex.services(), reply);
  ex.Reply(200, reply);
  return core::Ok();
}

core::Status Link(Exchange& ex) {
  if (!ex.json().is_object() || !ex.json().contains("patient_id") ||
      !ex.json()["patient_id"].is_number_integer()) {
    return core::Fail(core::Code::kInvalidArgument, "patient_id（患者番号）を指定してください",
                      "give patient_id");
  }
  const int64_t patient = ex.json()["patient_id"].get<int64_t>();
  return Decide(ex, "review.link", [patient](intake::ReviewService& s, int64_t id,
                                             const std::string& by, const std::string& why) {
    return s.Link(id, patient, by, why);
  });
}

core::Status NewPerson(Exchange& ex) {
  return Decide(ex, "review.new", [](intake::ReviewService& s, int64_t id, const std::string& by,
                                     const std::string& why) { return s.NewPerson(id, by, why); });
}

core::Status Reject(Exchange& ex) {
  return Decide(ex, "review.reject", [](intake::ReviewService& s, int64_t id, const std::string& by,
                                        const std::string& why) {
    return s.Reject(id, by, why.empty() ? std::string("却下") : why);
  });
}

core::Status Undo(Exchange& ex) {
  return Decide(ex, "review.undo", [](intake::ReviewService& s, int64_t id, const std::string& by,
                                      const std::string& why) { return s.Undo(id, by, why); });
}

}  // namespace

void AddReviewDecisionRoutes(RouteTable& table) {
  const Access operators = Roles({Role::kAdmin, Role::kOperator});
  table.Add({.method = Method::kGet,
             .path = "/api/v1/review-items/{id}",
             .summary = "確認項目と候補の比較 (one review item with ranked candidates and evidence)",
             .tag = "review",
             .access = operators,
             .personal_data = true,
             .handler = GetItem});
  const struct {
    const char* path;
    const char* summary;
    Handler handler;
  } decisions[] = {
      {"/api/v1/review-items/{id}/link", "患者に結び付ける (link to patient_id; body {patient_id, reason})", Link},
      {"/api/v1/review-items/{id}/new", "新しい患者として登録 (keep as a new person; body {reason})", NewPerson},
      {"/api/v1/review-items/{id}/reject", "却下 (reject; body {reason})", Reject},
      {"/api/v1/review-items/{id}/undo", "直前の判断を取り消す (undo the last decision; body {reason})", Undo},
  };
  for (const auto& d : decisions) {
    table.Add({.method = Method::kPost,
               .path = d.path,
               .summary = d.summary,
               .tag = "review",
               .access = operators,
               .body = Body::kJson,
               .personal_data = true,
               .handler = d.handler});
  }
}

}  // namespace ichigen::api
