// Import jobs: progress while a file is imported (rows, rows/s, state), then
// the batch report or the error.
#include "api/handlers.h"
#include "api/services.h"

namespace ichigen::api {

namespace {

core::Status GetJob(Exchange& ex) {
  ASSIGN_OR_RETURN(int64_t id, ex.PathId("id"));
  std::optional<JobInfo> job = ex.services().jobs.Get(id);
  const Principal& p = ex.principal();
  const bool prefecture = p.role == Role::kAdmin || p.role == Role::kOperator;
  // Others see only their own uploads; someone else's job is "not found".
  if (!job || (!prefecture && job->submitter_id != p.user_id)) {
    return core::Fail(core::Code::kNotFound, "その取込ジョブはありません", "no such job",
                      std::to_string(id));
  }
  ex.Reply(200, job->ToJson());
  return core::Ok();
}

}  // namespace

void AddJobRoutes(RouteTable& table) {
  table.Add({.method = Method::kGet,
             .path = "/api/v1/jobs/{id}",
             .summary = "取込ジョブの進捗と結果 (state queued|running|done|failed, rows, "
                        "rows_per_second, report)",
             .tag = "batches",
             .access = Roles({Role::kAdmin, Role::kOperator, Role::kHealthCenter, Role::kFacility}),
             .handler = GetJob});
}

}  // namespace ichigen::api
