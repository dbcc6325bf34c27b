// /healthz, /metrics and /api/v1/openapi.json: no log-in, no personal data.
#include "api/handlers.h"
#include "api/services.h"

namespace ichigen::api {

void AddHealthRoutes(RouteTable& table) {
  table.Add({.method = Method::kGet,
             .path = "/healthz",
             .summary = "生存確認 (liveness; no log-in)",
             .tag = "operations",
             .access = Public(),
             .handler = [](Exchange& ex) -> core::Status {
               ex.Reply(200, {{"status", "ok"}});
               return core::Ok();
             }});
  table.Add({.method = Method::kGet,
             .path = "/metrics",
             .summary = "Prometheus metrics (no personal data)",
             .tag = "operations",
             .access = Public(),
             .produces = "text/plain",
             .handler = [](Exchange& ex) -> core::Status {
               ApiServices& s = ex.services();
               std::vector<Metrics::Gauge> gauges;
               if (auto count = s.audit_store.Count()) {
                 gauges.push_back({"ichigen_audit_entries", "Entries in the audit trail.",
                                   static_cast<double>(*count)});
               }
               if (auto store = s.stores.Acquire()) {
                 if (auto open = (**store).ListReviewItems("open")) {
                   gauges.push_back({"ichigen_review_queue_open", "Open review items.",
                                     static_cast<double>(open->size())});
                 }
               }
               gauges.push_back({"ichigen_import_jobs_pending", "Queued and running imports.",
                                 static_cast<double>(s.jobs.Pending())});
               ex.response().status = 200;
               ex.response().set_content(s.metrics.Render(gauges),
                                         "text/plain; version=0.0.4; charset=utf-8");
               return core::Ok();
             }});
  table.Add({.method = Method::kGet,
             .path = "/api/v1/openapi.json",
             .summary = "この API の OpenAPI 3 文書 (generated from the route table)",
             .tag = "operations",
             .access = Public(),
             .handler = [](Exchange& ex) -> core::Status {
               ex.Reply(200, OpenApiDocument(ex.services().routes));
               return core::Ok();
             }});
}

}  // namespace ichigen::api
