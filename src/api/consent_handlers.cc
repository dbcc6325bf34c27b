// Consent to share with the municipality (同意): a patient's history, one
// record or withdrawal by prefecture staff, and a consent sheet upload that
// goes through distribution::ImportConsentSheet, the code of `ichigen
// consent import`. Every read and write is audited with the patient.
// A withdrawal stops sharing from the next package (distribution/package.h).
#include "api/handlers.h"
#include "api/services.h"
#include "api/sheet_upload.h"
#include "audit/clock.h"
#include "distribution/cutoff.h"

namespace ichigen::api {

namespace {

core::Date TodayJst(Exchange& ex) {
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          ex.services().clock().time_since_epoch())
                          .count();
  return distribution::CutoffFromUnixSeconds(now).date;
}

std::string_view ConsentName(distribution::Consent consent) {
  switch (consent) {
    case distribution::Consent::kGiven: return "given";
    case distribution::Consent::kWithdrawn: return "withdrawn";
    case distribution::Consent::kUnknown: break;
  }
  return "unknown";
}

nlohmann::json ConsentJson(const store::ConsentRecord& r) {
  return {{"id", r.id},
          {"patient_id", r.patient_id},
          {"consent", std::string(ConsentName(r.consent))},
          {"source", r.source},
          {"on", r.on.ToIso()},
          {"recorded_at", r.recorded_at}};
}

core::Result<store::PatientRecord> ExistingPatient(Exchange& ex, store::Store& store) {
  ASSIGN_OR_RETURN(int64_t id, ex.PathId("id"));
  ASSIGN_OR_RETURN(std::optional<store::PatientRecord> patient, store.GetPatient(id));
  if (!patient) {
    return core::Fail(core::Code::kNotFound, "その患者はいません", "no such patient",
                      std::to_string(id));
  }
  return *patient;
}

core::Status ConsentHistory(Exchange& ex) {
  ASSIGN_OR_RETURN(store::DistributionStore * d, RequireDistribution(ex));
  ASSIGN_OR_RETURN(StorePool::Lease store, ex.services().stores.Acquire());
  ASSIGN_OR_RETURN(store::PatientRecord patient, ExistingPatient(ex, *store));
  ASSIGN_OR_RETURN(std::vector<store::ConsentRecord> records, d->ConsentsOf(patient.id));
  nlohmann::json items = nlohmann::json::array();
  for (const store::ConsentRecord& r : records) items.push_back(ConsentJson(r));
  // The latest by date then id is the one in force (distribution_store.h, 2).
  std::string current = "unknown";
  const store::ConsentRecord* latest = nullptr;
  for (const store::ConsentRecord& r : records) {
    if (latest == nullptr || r.on > latest->on || (r.on == latest->on && r.id > latest->id)) {
      latest = &r;
    }
  }
  if (latest != nullptr) current = ConsentName(latest->consent);
  RETURN_IF_ERROR(ex.Audit("consent.read", {"patient:" + std::to_string(patient.id)}));
  ex.Reply(200, {{"patient_id", patient.id}, {"current", current}, {"items", items}});
  return core::Ok();
}

core::Status RecordConsent(Exchange& ex) {
  ASSIGN_OR_RETURN(store::DistributionStore * d, RequireDistribution(ex));
  ASSIGN_OR_RETURN(std::string word, ex.JsonString("consent"));
  ASSIGN_OR_RETURN(distribution::Consent consent, distribution::ParseConsentWord(word));
  ASSIGN_OR_RETURN(std::string source, ex.JsonString("source"));
  if (source.empty() || source.size() > 200) {
    return core::Fail(core::Code::kInvalidArgument, "出典（source）を200バイト以内で指定してください",
                      "source is required, 200 bytes at most", "source");
  }
  ASSIGN_OR_RETURN(std::string on, ex.JsonString("on", false));
  ASSIGN_OR_RETURN(StorePool::Lease store, ex.services().stores.Acquire());
  ASSIGN_OR_RETURN(store::PatientRecord patient, ExistingPatient(ex, *store));
  store::ConsentRecord r;
  r.patient_id = patient.id;
  r.consent = consent;
  r.source = source;
  r.on = TodayJst(ex);
  if (!on.empty()) {
    ASSIGN_OR_RETURN(r.on, distribution::ParseSheetDate(on));
  }
  r.recorded_at = audit::IsoUtc(ex.services().clock());
  ASSIGN_OR_RETURN(r.id, d->AddConsent(r));
  RETURN_IF_ERROR(ex.Audit("consent.record", {"patient:" + std::to_string(patient.id)},
                           {{"consent", std::string(ConsentName(consent))}, {"source", source},
                            {"on", r.on.ToIso()}}));
  ex.Reply(200, ConsentJson(r));
  return core::Ok();
}

core::Status UploadConsent(Exchange& ex) {
  ASSIGN_OR_RETURN(store::DistributionStore * d, RequireDistribution(ex));
  ASSIGN_OR_RETURN(ReceivedSheet sheet, ReceiveSheet(ex));
  ASSIGN_OR_RETURN(StorePool::Lease store, ex.services().stores.Acquire());
  distribution::ConsentSheetOptions options;
  options.default_source = "同意シート:" + sheet.name();
  options.today = TodayJst(ex);
  options.now_utc = audit::IsoUtc(ex.services().clock());
  ASSIGN_OR_RETURN(distribution::SheetImportReport report,
                   distribution::ImportConsentSheet(sheet.path(), *store, *d, options));
  RETURN_IF_ERROR(ex.Audit("consent.import", {},
                           {{"file", sheet.name()}, {"bytes", sheet.bytes()},
                            {"recorded", report.recorded}, {"rejected", report.rejected}}));
  ex.Reply(200, SheetReportJson(report));
  return core::Ok();
}

}  // namespace

void AddConsentRoutes(RouteTable& table) {
  table.Add({.method = Method::kGet,
             .path = "/api/v1/patients/{id}/consent",
             .summary = "同意の履歴 (a patient's consent to share with the municipality)",
             .tag = "consent",
             .access = Roles({Role::kAdmin, Role::kOperator}),
             .personal_data = true,
             .handler = ConsentHistory});
  table.Add({.method = Method::kPost,
             .path = "/api/v1/patients/{id}/consent",
             .summary = "同意・撤回を記録 (record consent or its withdrawal; body {consent: "
                        "given|withdrawn, source, on})",
             .tag = "consent",
             .access = Roles({Role::kAdmin, Role::kOperator}),
             .body = Body::kJson,
             .personal_data = true,
             .handler = RecordConsent});
  table.Add({.method = Method::kPost,
             .path = "/api/v1/consent/upload",
             .summary = "同意シートの取込 (consent sheet, CSV in CP932 or UTF-8, or XLSX: HER-SYS "
                        "ID, 同意, 日付, 出典)",
             .tag = "consent",
             .access = Roles({Role::kAdmin, Role::kOperator}),
             .body = Body::kMultipart,
             .personal_data = true,
             .handler = UploadConsent});
}

}  // namespace ichigen::api
