// The review queue: rows the importer would not merge on a guess.
#include "api/handlers.h"
#include "api/services.h"

namespace ichigen::api {

namespace {

core::Status ListReview(Exchange& ex) {
  ASSIGN_OR_RETURN(auto page, ex.Page());
  std::string status = ex.Query("status");
  if (status.empty()) status = "open";
  if (status != "open" && status != "linked" && status != "new" && status != "rejected") {
    return core::Fail(core::Code::kInvalidArgument, "status は open, linked, new, rejected のいずれかです",
                      "status must be open, linked, new or rejected", status.substr(0, 40));
  }
  ASSIGN_OR_RETURN(StorePool::Lease store, ex.services().stores.Acquire());
  ASSIGN_OR_RETURN(std::vector<store::ReviewItem> items, store->ListReviewItems(status));
  nlohmann::json out = nlohmann::json::array();
  std::vector<std::string> targets;
  const int64_t total = static_cast<int64_t>(items.size());
  for (int64_t i = page.second; i < total && i < page.second + page.first; ++i) {
    const store::ReviewItem& item = items[static_cast<size_t>(i)];
    nlohmann::json row = nlohmann::json::parse(item.row_json, nullptr, false);
    out.push_back({{"id", item.id},
                   {"batch_id", item.batch_id},
                   {"line", item.line},
                   {"kind", item.kind},
                   {"reason", item.reason_ja},
                   {"reason_en", item.reason_en},
                   {"row", row.is_discarded() ? nlohmann::json(nullptr) : row},
                   {"candidate_patient_id", item.candidate_patient_id == 0
                                                ? nlohmann::json(nullptr)
                                                : nlohmann::json(item.candidate_patient_id)},
                   {"status", item.status}});
    targets.push_back("review:" + std::to_string(item.id));
    if (item.candidate_patient_id != 0) {
      targets.push_back("patient:" + std::to_string(item.candidate_patient_id));
    }
  }
  RETURN_IF_ERROR(ex.Audit("review.list", targets, {{"status", status}}));
  ex.ReplyPage(out, total, page.first, page.second);
  return core::Ok();
}

}  // namespace

void AddReviewRoutes(RouteTable& table) {
  table.Add({.method = Method::kGet,
             .path = "/api/v1/review-items",
             .summary = "確認待ちの一覧 (review queue; paginated)",
             .tag = "review",
             .access = Roles({Role::kAdmin, Role::kOperator}),
             .params = {{"status", "query", "string", "open (default) | linked | new | rejected"},
                        {"limit", "query", "integer", "1..200, default 50"},
                        {"offset", "query", "integer", "default 0"},
                        {"purpose", "query", "string", "audit purpose"}},
             .personal_data = true,
             .handler = ListReview});
}

}  // namespace ichigen::api
