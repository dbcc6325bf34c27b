// The handler files, one per resource. Each adds its routes to the table;
// AllRoutes() (routes.cc) calls them all. To add an endpoint: one handler
// file with an AddXxxRoutes function, declared here and called in routes.cc.
// Thread-safety: handlers run on request threads and use only the
// thread-safe ApiServices.
#pragma once

#include "api/jobs.h"
#include "api/router.h"
#include "api/services.h"

namespace ichigen::store {
class StatsStore;
}  // namespace ichigen::store

namespace ichigen::api {

void AddHealthRoutes(RouteTable& table);   // /healthz, /metrics, /api/v1/openapi.json
void AddSessionRoutes(RouteTable& table);  // login, logout, me, password
void AddTokenRoutes(RouteTable& table);    // API tokens
void AddBatchRoutes(RouteTable& table);    // upload, batches, rows, rejects
void AddJobRoutes(RouteTable& table);      // import jobs
void AddPatientRoutes(RouteTable& table);  // search, detail
void AddReviewRoutes(RouteTable& table);   // review queue
void AddReviewDecisionRoutes(RouteTable& table);  // one item, link/new/reject/undo
void AddMergeRoutes(RouteTable& table);    // merge / unmerge two patients
void AddPackageRoutes(RouteTable& table);  // packages, download, receipts, alerts
void AddConflictRoutes(RouteTable& table);  // care-history conflicts as of a date
void AddUserRoutes(RouteTable& table);     // users admin
void AddAuditRoutes(RouteTable& table);    // audit verify, export
void AddAgreementRoutes(RouteTable& table);  // agreements (覚書): list, new version
void AddConsentRoutes(RouteTable& table);    // consent: history, record, sheet upload
void AddLastmileRoutes(RouteTable& table);   // last-mile records: record, list, sheet upload
void AddReferenceRoutes(RouteTable& table);  // municipalities, health centers, rules
void AddWebRoutes(RouteTable& table);      // the web UI's embedded assets at /
void AddStatsRoutes(RouteTable& table);    // daily figures, census, open data, press summary

RouteTable AllRoutes();

// What the import jobs run after each committed batch when the server has a
// stats store: stats::UpdateFiguresThrough (nothing until figures exist).
// `open` (optional) gives the update more connections, one per slice.
JobRunner::AfterBatchFn StatsAfterBatchJob(
    store::StatsStore& stats,
    std::function<core::Result<std::unique_ptr<store::StatsStore>>()> open = {});

// What the decision endpoints run after a review or merge decision when the
// server has a stats store: stats::UpdateFiguresForDecisions on a connection
// of its own from `open` (else on `stats`, which the version check keeps
// right alongside the job thread's updates).
std::function<core::Result<nlohmann::json>()> StatsAfterDecision(
    store::StatsStore& stats,
    std::function<core::Result<std::unique_ptr<store::StatsStore>>()> open = {});

// Runs services.after_decision after a decision and notes the outcome in the
// reply: "stats" with the update's summary, or "stats_error" (the decision
// stands either way; `ichigen stats update` takes it in later).
void NoteFiguresAfterDecision(const ApiServices& services, nlohmann::json& reply);

// The OpenAPI 3 document of a route table.
nlohmann::json OpenApiDocument(const RouteTable& table);

}  // namespace ichigen::api
