// Last mile: what a municipality learned calling and visiting the residents
// of its packages (連絡済, 不通, 配食, パルスオキシメーター貸与, 体調悪化, 要連絡),
// recorded one at a time or by sheet upload, on the 整理番号 (ref) of its
// own packages through distribution::LastmileService — the same rules and
// alerts as `ichigen lastmile import`, whose sheet code the upload shares.
// A municipality records only as itself: a ref of another municipality's
// package is "not found", a sheet row naming another code is refused. The
// alerts raised appear in GET /api/v1/alerts. Every read and write is
// audited with the patients concerned.
#include <cstdint>

#include "api/handlers.h"
#include "api/services.h"
#include "api/sheet_upload.h"
#include "audit/clock.h"
#include "distribution/cutoff.h"
#include "distribution/lastmile_service.h"

namespace ichigen::api {

namespace {

constexpr size_t kMaxNoteBytes = 1000;

core::Date TodayJst(Exchange& ex) {
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          ex.services().clock().time_since_epoch())
                          .count();
  return distribution::CutoffFromUnixSeconds(now).date;
}

// A municipality sees its refs, not the prefecture's patient ids.
nlohmann::json RecordJson(const store::LastmileRecord& r, bool with_patient) {
  nlohmann::json out = {{"id", r.id},
                        {"ref", r.ref},
                        {"package_id", r.package_id},
                        {"municipality_code", r.municipality_code6},
                        {"on", r.on.ToIso()},
                        {"kind", r.kind},
                        {"note", r.note},
                        {"recorded_by", r.recorded_by},
                        {"recorded_at", r.recorded_at}};
  if (with_patient) out["patient_id"] = r.patient_id;
  return out;
}

core::Status Kinds(Exchange& ex) {
  nlohmann::json kinds = nlohmann::json::array();
  for (std::string_view kind : distribution::LastmileKinds()) kinds.push_back(std::string(kind));
  ex.Reply(200, {{"items", kinds},
                 {"alerting", {std::string(distribution::kKindConditionWorse),
                               std::string(distribution::kKindUnreachable)}},
                 {"unreachable_repeat", distribution::kDefaultUnreachableRepeat}});
  return core::Ok();
}

core::Status ListRecords(Exchange& ex) {
  ASSIGN_OR_RETURN(store::DistributionStore * d, RequireDistribution(ex));
  ASSIGN_OR_RETURN(auto page, ex.Page(500));
  const bool municipality = ex.principal().role == Role::kMunicipality;
  std::string code = municipality ? ex.principal().scope : ex.Query("municipality").substr(0, 6);
  int64_t patient_id = 0;
  if (!municipality) {
    ASSIGN_OR_RETURN(patient_id, ex.QueryInt("patient_id", 0, 0, INT64_MAX));
  }
  ASSIGN_OR_RETURN(std::vector<store::LastmileRecord> records, d->ListLastmile(patient_id, code));
  if (patient_id != 0 && !code.empty()) {
    std::erase_if(records, [&](const store::LastmileRecord& r) { return r.municipality_code6 != code; });
  }
  const std::string ref = ex.Query("ref");
  if (!ref.empty()) {
    std::erase_if(records, [&](const store::LastmileRecord& r) { return r.ref != ref; });
  }
  // Newest first.
  nlohmann::json items = nlohmann::json::array();
  std::vector<std::string> targets;
  const int64_t total = static_cast<int64_t>(records.size());
  for (int64_t i = total - 1 - page.second; i >= 0 && i > total - 1 - page.second - page.first;
       --i) {
    const store::LastmileRecord& r = records[static_cast<size_t>(i)];
    items.push_back(RecordJson(r, !municipality));
    targets.push_back("patient:" + std::to_string(r.patient_id));
  }
  RETURN_IF_ERROR(ex.Audit("lastmile.list", targets));
  ex.ReplyPage(items, total, page.first, page.second);
  return core::Ok();
}

core::Status Record(Exchange& ex) {
  ASSIGN_OR_RETURN(store::DistributionStore * d, RequireDistribution(ex));
  distribution::LastmileEntry e;
  e.municipality_code6 = ex.principal().scope;
  ASSIGN_OR_RETURN(e.ref, ex.JsonString("ref"));
  ASSIGN_OR_RETURN(e.kind, ex.JsonString("kind"));
  ASSIGN_OR_RETURN(e.note, ex.JsonString("note", false));
  if (e.ref.empty() || e.ref.size() > 100) {
    return core::Fail(core::Code::kInvalidArgument, "整理番号を指定してください", "ref is required",
                      "ref");
  }
  if (e.note.size() > kMaxNoteBytes) {
    return core::Fail(core::Code::kInvalidArgument, "備考が長すぎます（1000バイトまで）",
                      "the note is too long (1000 bytes at most)", "note");
  }
  ASSIGN_OR_RETURN(std::string on, ex.JsonString("on", false));
  e.on = TodayJst(ex);
  if (!on.empty()) {
    ASSIGN_OR_RETURN(e.on, distribution::ParseSheetDate(on));
  }
  e.recorded_by = ex.principal().login;
  e.now_utc = audit::IsoUtc(ex.services().clock());
  ASSIGN_OR_RETURN(StorePool::Lease store, ex.services().stores.Acquire());
  distribution::LastmileService service(*store, *d);
  ASSIGN_OR_RETURN(distribution::LastmileOutcome outcome, service.Record(e));
  RETURN_IF_ERROR(ex.Audit("lastmile.record",
                           {"patient:" + std::to_string(outcome.record.patient_id)},
                           {{"kind", outcome.record.kind},
                            {"ref", outcome.record.ref},
                            {"alert", outcome.alert ? outcome.alert->kind : ""}}));
  nlohmann::json reply = RecordJson(outcome.record, false);
  reply["alert_raised"] = outcome.alert.has_value();
  ex.Reply(200, reply);
  return core::Ok();
}

core::Status Upload(Exchange& ex) {
  ASSIGN_OR_RETURN(store::DistributionStore * d, RequireDistribution(ex));
  ASSIGN_OR_RETURN(ReceivedSheet sheet, ReceiveSheet(ex));
  ASSIGN_OR_RETURN(StorePool::Lease store, ex.services().stores.Acquire());
  distribution::LastmileService service(*store, *d);
  distribution::LastmileSheetOptions options;
  options.municipality_code6 = ex.principal().scope;
  options.only_this_municipality = true;
  options.recorded_by = ex.principal().login;
  options.today = TodayJst(ex);
  options.now_utc = audit::IsoUtc(ex.services().clock());
  ASSIGN_OR_RETURN(distribution::SheetImportReport report,
                   distribution::ImportLastmileSheet(sheet.path(), service, options));
  RETURN_IF_ERROR(ex.Audit("lastmile.import", {},
                           {{"file", sheet.name()}, {"bytes", sheet.bytes()},
                            {"recorded", report.recorded}, {"rejected", report.rejected},
                            {"alerts", report.alerts}}));
  ex.Reply(200, SheetReportJson(report));
  return core::Ok();
}

}  // namespace

void AddLastmileRoutes(RouteTable& table) {
  table.Add({.method = Method::kGet,
             .path = "/api/v1/lastmile/kinds",
             .summary = "連絡・支援の区分 (the kinds a last-mile record may have)",
             .tag = "lastmile",
             .access = Roles({Role::kAdmin, Role::kOperator, Role::kHealthCenter,
                              Role::kMunicipality}),
             .handler = Kinds});
  table.Add({.method = Method::kGet,
             .path = "/api/v1/lastmile",
             .summary = "連絡・支援の記録 (last-mile records, newest first; a municipality sees "
                        "its own)",
             .tag = "lastmile",
             .access = Roles({Role::kAdmin, Role::kOperator, Role::kMunicipality}),
             .params = {{"municipality", "query", "string", "6-digit code (prefecture roles)"},
                        {"patient_id", "query", "integer", "one patient (prefecture roles)"},
                        {"ref", "query", "string", "one 整理番号"},
                        {"limit", "query", "integer", "1..500, default 50"},
                        {"offset", "query", "integer", "default 0"}},
             .personal_data = true,
             .handler = ListRecords});
  table.Add({.method = Method::kPost,
             .path = "/api/v1/lastmile",
             .summary = "連絡・支援を記録 (a municipality records on a ref of its own packages; "
                        "body {ref, kind, on, note}; 体調悪化 or repeated 不通 raises an alert)",
             .tag = "lastmile",
             .access = Roles({Role::kMunicipality}),
             .body = Body::kJson,
             .personal_data = true,
             .handler = Record});
  table.Add({.method = Method::kPost,
             .path = "/api/v1/lastmile/upload",
             .summary = "連絡・支援シートの取込 (a municipality's sheet, CSV in CP932 or UTF-8, "
                        "or XLSX: 整理番号, 日付, 区分, 備考)",
             .tag = "lastmile",
             .access = Roles({Role::kMunicipality}),
             .body = Body::kMultipart,
             .personal_data = true,
             .handler = Upload});
}

}  // namespace ichigen::api
