// The audit trail for the auditor: verify the chain, export it. The
// auditor sees ids and actions, never patient fields.
#include <sstream>

#include "api/handlers.h"
#include "api/services.h"
#include "audit/export.h"

namespace ichigen::api {

namespace {

core::Status VerifyTrail(Exchange& ex) {
  ApiServices& s = ex.services();
  audit::VerifyOptions options;
  if (const std::string seq = ex.Query("anchor_seq"); !seq.empty()) {
    ASSIGN_OR_RETURN(int64_t anchor_seq, ex.QueryInt("anchor_seq", 0, 1, int64_t{1} << 50));
    options.anchor = std::pair{anchor_seq, ex.Query("anchor_hash")};
  }
  ASSIGN_OR_RETURN(audit::VerifyReport report, audit::Verify(s.audit_store, options));
  RETURN_IF_ERROR(ex.Audit("audit.verify", {}, {{"ok", report.ok}, {"entries", report.entries}}));
  nlohmann::json problems = nlohmann::json::array();
  for (const audit::VerifyProblem& problem : report.problems) {
    problems.push_back({{"seq", problem.seq},
                        {"kind", audit::ProblemKindName(problem.kind)},
                        {"message", problem.message},
                        {"message_en", problem.message_en}});
  }
  ex.Reply(200, {{"ok", report.ok},
                 {"entries", report.entries},
                 {"head_seq", report.head_seq},
                 {"head_hash", report.head_hash},
                 {"problems", problems}});
  return core::Ok();
}

core::Status ExportTrail(Exchange& ex) {
  std::string format_name = ex.Query("format");
  if (format_name.empty()) format_name = "jsonl";
  ASSIGN_OR_RETURN(audit::ExportFormat format, audit::ParseExportFormat(format_name));
  // Recorded before the export so the export includes its own entry.
  RETURN_IF_ERROR(ex.Audit("audit.export", {}, {{"format", format_name}}));
  std::ostringstream out;
  ASSIGN_OR_RETURN(int64_t count, audit::ExportAudit(ex.services().audit_store, format, out));
  ex.response().status = 200;
  ex.response().set_header("Content-Disposition",
                           std::string("attachment; filename=\"audit.") +
                               (format == audit::ExportFormat::kCsv ? "csv" : "jsonl") + "\"");
  ex.response().set_header("X-Audit-Entries", std::to_string(count));
  ex.response().set_content(out.str(), format == audit::ExportFormat::kCsv
                                           ? "text/csv; charset=utf-8"
                                           : "application/x-ndjson; charset=utf-8");
  return core::Ok();
}

}  // namespace

void AddAuditRoutes(RouteTable& table) {
  const Access auditor = Roles({Role::kAuditor});
  table.Add({.method = Method::kGet,
             .path = "/api/v1/audit/verify",
             .summary = "監査証跡の検証 (says where the chain is broken)",
             .tag = "audit",
             .access = auditor,
             .params = {{"anchor_seq", "query", "integer", "a seq kept outside the database"},
                        {"anchor_hash", "query", "string", "its hash"}},
             .handler = VerifyTrail});
  table.Add({.method = Method::kGet,
             .path = "/api/v1/audit/export",
             .summary = "監査証跡の書き出し (JSON lines or CSV)",
             .tag = "audit",
             .access = auditor,
             .params = {{"format", "query", "string", "jsonl (default) | csv"}},
             .produces = "application/x-ndjson",
             .handler = ExportTrail});
}

}  // namespace ichigen::api
