// Municipal packages: the list (a municipality sees only its own), the
// download of a package's stored files exactly as built (audited: it is a
// read of personal data), the municipality's receipt, and the alerts the
// last mile raised for the prefecture and health centers.
#include <chrono>

#include "api/handlers.h"
#include "api/jobs.h"
#include "distribution/package_service.h"
#include "domain/recuperation_rules.h"
#include "api/services.h"
#include "audit/clock.h"
#include "store/distribution_store.h"

namespace ichigen::api {

namespace {

core::Result<store::DistributionStore*> Distribution(Exchange& ex) {
  store::DistributionStore* distribution = ex.services().distribution;
  if (distribution == nullptr) {
    return core::Fail(core::Code::kUnavailable, "配信の機能がこのサーバーでは有効になっていません",
                      "distribution is not enabled on this server");
  }
  return distribution;
}

nlohmann::json PackageJson(const store::PackageRecord& p) {
  nlohmann::json counts = nlohmann::json::parse(p.counts_json, nullptr, false);
  return {{"id", p.id},
          {"municipality_code6", p.municipality_code6},
          {"municipality_name", p.municipality_name},
          {"cutoff", p.cutoff},
          {"agreement_version", p.agreement_version},
          {"rows", p.rows},
          {"counts", counts.is_discarded() ? nlohmann::json::object() : counts},
          {"checksum", p.manifest_sha256},
          {"created_at", p.created_at},
          {"acknowledged_by", p.acknowledged_by},
          {"acknowledged_at", p.acknowledged_at.empty() ? nlohmann::json(nullptr)
                                                         : nlohmann::json(p.acknowledged_at)}};
}

// A municipality reaches only its own packages; others are "not found".
core::Result<store::PackageRecord> VisiblePackage(Exchange& ex, store::DistributionStore& d) {
  const std::string id = ex.PathParam("id");
  ASSIGN_OR_RETURN(std::optional<store::PackageRecord> package, d.GetPackage(id));
  const bool foreign = package && ex.principal().role == Role::kMunicipality &&
                       package->municipality_code6 != ex.principal().scope;
  if (!package || foreign) {
    return core::Fail(core::Code::kNotFound, "その配信パッケージはありません", "no such package",
                      id.substr(0, 60));
  }
  return *package;
}

core::Status ListPackages(Exchange& ex) {
  ASSIGN_OR_RETURN(store::DistributionStore * d, Distribution(ex));
  ASSIGN_OR_RETURN(auto page, ex.Page());
  store::PackageFilter filter;
  filter.unacknowledged_only = ex.Query("unacknowledged") == "true";
  if (ex.principal().role == Role::kMunicipality) {
    filter.municipality_code6 = ex.principal().scope;
  } else {
    filter.municipality_code6 = ex.Query("municipality").substr(0, 6);
  }
  ASSIGN_OR_RETURN(std::vector<store::PackageRecord> packages, d->ListPackages(filter));
  nlohmann::json items = nlohmann::json::array();
  const int64_t total = static_cast<int64_t>(packages.size());
  for (int64_t i = page.second; i < total && i < page.second + page.first; ++i) {
    items.push_back(PackageJson(packages[static_cast<size_t>(i)]));
  }
  ex.ReplyPage(items, total, page.first, page.second);
  return core::Ok();
}

core::Status Download(Exchange& ex) {
  ASSIGN_OR_RETURN(store::DistributionStore * d, Distribution(ex));
  ASSIGN_OR_RETURN(store::PackageRecord package, VisiblePackage(ex, *d));
  std::string format = ex.Query("format");
  if (format.empty()) format = "csv";
  if (format != "csv" && format != "xlsx" && format != "json") {
    return core::Fail(core::Code::kInvalidArgument, "format は csv, xlsx, json のいずれかです",
                      "format must be csv, xlsx or json", format.substr(0, 20));
  }
  ASSIGN_OR_RETURN(std::vector<store::PackageFileBlob> files, d->PackageFiles(package.id, true));
  for (const store::PackageFileBlob& file : files) {
    if (file.format != format) continue;
    RETURN_IF_ERROR(ex.Audit("package.download", {"package:" + package.id},
                             {{"format", format}, {"sha256", file.sha256}}));
    const char* type = format == "csv"
                           ? (file.encoding == "cp932" ? "text/csv; charset=Shift_JIS"
                                                       : "text/csv; charset=UTF-8")
                       : format == "xlsx"
                           ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                           : "application/json";
    ex.response().status = 200;
    ex.response().set_header("Content-Disposition", "attachment; filename=\"" + file.name + "\"");
    ex.response().set_content(file.bytes, type);
    return core::Ok();
  }
  return core::Fail(core::Code::kNotFound, "その形式のファイルはありません",
                    "the package has no file in that format", format);
}

// Issues the packages of a cutoff now (the server also does it by itself
// every day). An operator issuing by hand uses everything received so far.
core::Status Build(Exchange& ex) {
  ASSIGN_OR_RETURN(store::DistributionStore * d, Distribution(ex));
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          ex.services().clock().time_since_epoch())
                          .count();
  distribution::Cutoff cutoff = distribution::CutoffFromUnixSeconds(now);
  if (ex.json().is_object() && ex.json().contains("cutoff") && ex.json()["cutoff"].is_string() &&
      !ex.json()["cutoff"].get<std::string>().empty()) {
    ASSIGN_OR_RETURN(cutoff, distribution::ParseCutoff(ex.json()["cutoff"].get<std::string>()));
  } else {
    // The latest daily cutoff that has passed.
    const int minute_now = cutoff.minute_of_day;
    cutoff.minute_of_day = distribution::kDefaultCutoffMinuteOfDay;
    if (minute_now < cutoff.minute_of_day) cutoff.date = cutoff.date.AddDays(-1);
  }
  if (cutoff.UnixSeconds() > now) {
    return core::Fail(core::Code::kInvalidArgument, "締め時刻が未来です", "the cutoff is in the future",
                      cutoff.Iso());
  }
  ASSIGN_OR_RETURN(domain::RecuperationRules rules, domain::RecuperationRules::LoadDefault());
  ASSIGN_OR_RETURN(StorePool::Lease store, ex.services().stores.Acquire());
  distribution::PackageService service(*store, *d, *ex.services().jobs.intake().registry, rules);
  distribution::DistributeOptions options;
  options.cutoff = cutoff;
  options.known_at = now;
  options.now_utc = audit::IsoUtc(ex.services().clock());
  ASSIGN_OR_RETURN(distribution::DistributeReport report, service.Distribute(options));
  nlohmann::json items = nlohmann::json::array();
  std::vector<std::string> targets;
  for (const distribution::DistributedPackage& p : report.packages) {
    nlohmann::json item = PackageJson(p.record);
    item["existing"] = p.existing;
    items.push_back(std::move(item));
    targets.push_back("package:" + p.record.id);
  }
  RETURN_IF_ERROR(ex.Audit("package.build", targets, {{"cutoff", report.cutoff}}));
  ex.Reply(200, {{"cutoff", report.cutoff}, {"items", items}, {"residents", report.residents}});
  return core::Ok();
}

core::Status Acknowledge(Exchange& ex) {
  ASSIGN_OR_RETURN(store::DistributionStore * d, Distribution(ex));
  ASSIGN_OR_RETURN(store::PackageRecord package, VisiblePackage(ex, *d));
  const std::string at = audit::IsoUtc(ex.services().clock());
  ASSIGN_OR_RETURN(store::PackageRecord acknowledged,
                   d->Acknowledge(package.id, ex.principal().login, at));
  RETURN_IF_ERROR(ex.Audit("package.acknowledge", {"package:" + package.id}));
  ex.Reply(200, PackageJson(acknowledged));
  return core::Ok();
}

core::Status ListAlerts(Exchange& ex) {
  ASSIGN_OR_RETURN(store::DistributionStore * d, Distribution(ex));
  const std::string health_center =
      ex.principal().role == Role::kHealthCenter ? ex.principal().scope : std::string();
  ASSIGN_OR_RETURN(std::vector<store::AlertRecord> alerts,
                   d->ListAlerts(health_center, ex.Query("all") == "true"));
  nlohmann::json items = nlohmann::json::array();
  std::vector<std::string> targets;
  for (const store::AlertRecord& a : alerts) {
    items.push_back({{"id", a.id},
                     {"patient_id", a.patient_id},
                     {"health_center", a.health_center},
                     {"municipality_code6", a.municipality_code6},
                     {"kind", a.kind},
                     {"message_ja", a.message_ja},
                     {"on", a.on.ToIso()},
                     {"raised_at", a.raised_at},
                     {"resolved", a.resolved}});
    if (a.patient_id != 0) targets.push_back("patient:" + std::to_string(a.patient_id));
  }
  RETURN_IF_ERROR(ex.Audit("alert.list", targets));
  ex.ReplyPage(items, static_cast<int64_t>(items.size()), static_cast<int64_t>(items.size()), 0);
  return core::Ok();
}

}  // namespace

void AddPackageRoutes(RouteTable& table) {
  table.Add({.method = Method::kGet,
             .path = "/api/v1/packages",
             .summary = "配信パッケージの一覧 (packages; a municipality sees its own)",
             .tag = "packages",
             .access = Roles({Role::kAdmin, Role::kOperator, Role::kMunicipality}),
             .params = {{"unacknowledged", "query", "string", "true: only those not acknowledged"},
                        {"municipality", "query", "string", "6-digit code (prefecture roles)"},
                        {"limit", "query", "integer", "1..200, default 50"},
                        {"offset", "query", "integer", "default 0"}},
             .handler = ListPackages});
  table.Add({.method = Method::kPost,
             .path = "/api/v1/packages",
             .summary = "配信パッケージを作成 (issue every municipality's package; body {cutoff})",
             .tag = "packages",
             .access = Roles({Role::kAdmin, Role::kOperator}),
             .body = Body::kJson,
             .personal_data = true,
             .handler = Build});
  table.Add({.method = Method::kGet,
             .path = "/api/v1/packages/{id}/download",
             .summary = "配信パッケージのダウンロード (the package file as built: csv, xlsx or json)",
             .tag = "packages",
             .access = Roles({Role::kAdmin, Role::kOperator, Role::kMunicipality}),
             .params = {{"format", "query", "string", "csv (default) | xlsx | json"},
                        {"purpose", "query", "string", "audit purpose"}},
             .produces = "application/octet-stream",
             .personal_data = true,
             .handler = Download});
  table.Add({.method = Method::kPost,
             .path = "/api/v1/packages/{id}/acknowledge",
             .summary = "受領確認 (acknowledge receipt; the municipality's own packages)",
             .tag = "packages",
             .access = Roles({Role::kMunicipality}),
             .body = Body::kJson,
             .handler = Acknowledge});
  table.Add({.method = Method::kGet,
             .path = "/api/v1/alerts",
             .summary = "アラート (alerts from the last mile; a health center sees its own)",
             .tag = "packages",
             .access = Roles({Role::kAdmin, Role::kOperator, Role::kHealthCenter}),
             .params = {{"all", "query", "string", "true: include resolved"}},
             .personal_data = true,
             .handler = ListAlerts});
}

}  // namespace ichigen::api
