// Patients: search (name in kanji or kana, HER-SYS ID, phone, birth date,
// municipality, status) and detail, each within the caller's PatientScope
// (api/access.h) and with only the fields it allows. Every result is
// audited: the ids returned by a search, the id read in detail.
#include <nlohmann/json.hpp>

#include "api/handlers.h"
#include "api/json_text.h"
#include "text/normalize.h"
#include "api/services.h"
#include "text/date_parser.h"
#include "text/kana.h"
#include "text/name.h"
#include "text/phone.h"

namespace ichigen::api {

namespace {


// Written as JSON text (api/json_text.h): the per-request cost of an
// nlohmann object per patient was a quarter of a search's CPU.
void AppendPatientJson(std::string& out, const store::PatientRecord& p, const PatientScope& scope,
                       bool detail) {
  JsonObjectText o(out);
  o.Int("id", p.id);
  std::vector<std::string_view> withheld;
  auto allowed = [&](std::string_view name) {
    if (scope.FieldAllowed(name)) return true;
    withheld.push_back(name);
    return false;
  };
  auto text = [&](std::string_view name, const std::string& value) {
    if (allowed(name)) o.OptionalText(name, value);
  };
  text("hersys_id", p.hersys_id);
  text("name", p.name);
  text("name_kana", p.name_kana);
  text("sex", p.sex);
  text("birth_date", p.birth_date);
  if (allowed("age")) p.age ? o.Int("age", *p.age) : o.Null("age");
  text("postal_code", p.postal_code);
  text("address", p.address);
  text("municipality_code", p.municipality_code);
  text("phone", p.phone);
  text("occupation", p.occupation);
  text("notified_on", p.notified_on);
  text("onset_on", p.onset_on);
  text("diagnosed_on", p.diagnosed_on);
  text("reporting_facility", p.reporting_facility);
  text("health_center", p.health_center);
  text("severity", p.severity);
  text("care_status", p.care_status);
  text("care_start_on", p.care_start_on);
  if (allowed("consent_share")) {
    p.consent_share ? o.Bool("consent_share", *p.consent_share) : o.Null("consent_share");
  }
  if (!withheld.empty()) {
    std::string names = "[";
    for (size_t i = 0; i < withheld.size(); ++i) {
      if (i > 0) names += ',';
      AppendJsonString(names, withheld[i]);
    }
    names += ']';
    o.Raw("withheld_fields", names);
  }
  if (detail && scope.RawAllowed()) {
    o.OptionalText("residence_confidence", p.residence_confidence);
    o.OptionalText("flags", p.flags);
    // The stored JSON goes out as it is once checked (no tree built and
    // dumped again); anything that is not valid JSON shows as null.
    auto valid = [](const std::string& json) {
      return nlohmann::json::accept(json) ? std::string_view(json) : std::string_view("null");
    };
    o.Raw("raw", valid(p.raw_json));
    o.Raw("extra", valid(p.extra_json));
    o.Int("created_batch", p.created_batch);
    o.Int("updated_batch", p.updated_batch);
  }
  o.Close();
}

core::Error BadFilter(const std::string& name, std::string ja, std::string en) {
  return core::Error{core::Code::kInvalidArgument, std::move(ja), std::move(en), name};
}

core::Result<store::PatientQuery> ParseSearch(const Exchange& ex, std::vector<std::string>& used) {
  store::PatientQuery q;
  for (const char* key : {"name", "kana", "hersys_id", "phone", "birth_date", "municipality",
                          "status", "purpose"}) {
    const std::string value = ex.Query(key);
    if (!text::IsValidUtf8(value)) {
      return std::unexpected(BadFilter(key, "検索語の文字コードが不正です（UTF-8で送ってください）",
                                       "the search text is not valid UTF-8"));
    }
    if (value.size() > 200) {
      return std::unexpected(BadFilter(key, "検索語が長すぎます", "the search text is too long"));
    }
    if (!value.empty() && std::string_view(key) != "purpose") used.push_back(key);
  }
  if (const std::string name = ex.Query("name"); !name.empty()) {
    q.name_prefix = text::NormalizeName(name).folded_key;
    if (q.name_prefix.empty()) {
      return std::unexpected(BadFilter("name", "氏名を入力してください", "enter a name"));
    }
  }
  if (const std::string kana = ex.Query("kana"); !kana.empty()) {
    text::NormalizedKana normalized = text::NormalizeKana(kana);
    if (!normalized.valid || normalized.phonetic.empty()) {
      return std::unexpected(BadFilter("kana", "フリガナはカナで入力してください",
                                       "enter the reading in kana"));
    }
    q.kana_prefix = normalized.phonetic;
  }
  if (const std::string id = ex.Query("hersys_id"); !id.empty()) {
    const bool digits = id.size() >= 6 && id.size() <= 8 &&
                        id.find_first_not_of("0123456789") == std::string::npos;
    if (!digits) {
      return std::unexpected(BadFilter("hersys_id", "HER-SYS ID は6〜8桁の数字です",
                                       "a HER-SYS ID is 6 to 8 digits"));
    }
    q.hersys_id = id;
  }
  if (const std::string phone = ex.Query("phone"); !phone.empty()) {
    q.phone_key = text::NormalizePhone(phone).key;
    if (q.phone_key.empty()) {
      return std::unexpected(BadFilter("phone", "電話番号が読み取れません", "cannot read the phone number"));
    }
  }
  if (const std::string birth = ex.Query("birth_date"); !birth.empty()) {
    auto parsed = text::ParseDate(birth, {.allow_excel_serial = false});
    if (!parsed) return std::unexpected(std::move(parsed.error()).WithContext("birth_date"));
    q.birth_date = parsed->date.ToIso();
  }
  if (const std::string codes = ex.Query("municipality"); !codes.empty()) {
    size_t pos = 0;
    while (pos <= codes.size()) {
      size_t end = codes.find(',', pos);
      if (end == std::string::npos) end = codes.size();
      const std::string code = codes.substr(pos, end - pos);
      if (code.size() != 6 || code.find_first_not_of("0123456789") != std::string::npos) {
        return std::unexpected(BadFilter("municipality", "市区町村コードは6桁の数字です（カンマ区切り）",
                                         "municipality codes are 6 digits, comma-separated"));
      }
      q.municipality_codes.push_back(code);
      pos = end + 1;
      if (q.municipality_codes.size() > 50) break;
    }
  }
  q.care_status = ex.Query("status");
  return q;
}

core::Status Search(Exchange& ex) {
  ApiServices& s = ex.services();
  ASSIGN_OR_RETURN(PatientScope scope, s.access.PatientScopeFor(ex.principal()));
  ASSIGN_OR_RETURN(auto page, ex.Page());
  // Totals stop at kSearchCountCap, and so does paging: a clerk narrows a
  // search of thousands, and a deep offset would walk that many matches.
  if (page.second >= store::kSearchCountCap) {
    return core::Fail(core::Code::kInvalidArgument,
                      "検索結果は先頭の" + std::to_string(store::kSearchCountCap) +
                          "件までしか表示できません。検索条件を絞ってください",
                      "only the first " + std::to_string(store::kSearchCountCap) +
                          " matches of a search can be paged; narrow the search",
                      "offset");
  }
  std::vector<std::string> used;
  ASSIGN_OR_RETURN(store::PatientQuery query, ParseSearch(ex, used));
  query.limit = page.first;
  query.offset = page.second;
  store::PatientPage result;
  {
    // The store goes back to the pool before the audit wait and the JSON:
    // holding it through them made requests queue for connections.
    ASSIGN_OR_RETURN(StorePool::Lease store, s.stores.Acquire());
    ASSIGN_OR_RETURN(result, ScopedSearch(*store, scope, query));
  }
  std::vector<std::string> targets;
  targets.reserve(result.patients.size());
  for (const store::PatientRecord& p : result.patients) {
    targets.push_back("patient:" + std::to_string(p.id));
  }
  // The search terms are personal data themselves: the trail keeps which
  // filters were used and the ids returned, not the terms.
  RETURN_IF_ERROR(ex.Audit("patient.search", targets,
                           {{"filters", used}, {"total", result.total}, {"offset", page.second}}));
  std::string body;
  body.reserve(1024 + 768 * result.patients.size());
  JsonObjectText answer(body);
  std::string& items = answer.Value("items");
  items += '[';
  for (size_t i = 0; i < result.patients.size(); ++i) {
    if (i > 0) items += ',';
    AppendPatientJson(items, result.patients[i], scope, /*detail=*/false);
  }
  items += ']';
  // total_capped: more than `total` matched (the count stops at the cap).
  answer.Int("total", result.total)
      .Bool("total_capped", result.total_capped)
      .Int("limit", page.first)
      .Int("offset", page.second)
      .Close();
  ex.ReplyJsonText(200, std::move(body));
  return core::Ok();
}

core::Status Detail(Exchange& ex) {
  ApiServices& s = ex.services();
  ASSIGN_OR_RETURN(PatientScope scope, s.access.PatientScopeFor(ex.principal()));
  ASSIGN_OR_RETURN(int64_t id, ex.PathId("id"));
  std::optional<store::PatientRecord> patient;
  {
    ASSIGN_OR_RETURN(StorePool::Lease store, s.stores.Acquire());
    ASSIGN_OR_RETURN(patient, store->GetPatient(id));
  }
  const std::string target = "patient:" + std::to_string(id);
  if (!patient || !scope.Sees(*patient)) {
    // Out of scope looks the same as absent: no probing for who exists.
    if (patient) RETURN_IF_ERROR(ex.Audit("patient.read_denied", {target}));
    return core::Fail(core::Code::kNotFound, "その患者は見つからないか、閲覧の権限がありません",
                      "no such patient, or not in your scope", target);
  }
  RETURN_IF_ERROR(ex.Audit("patient.read", {target}));
  std::string body;
  body.reserve(4096);
  AppendPatientJson(body, *patient, scope, /*detail=*/true);
  ex.ReplyJsonText(200, std::move(body));
  return core::Ok();
}

}  // namespace

void AddPatientRoutes(RouteTable& table) {
  const Access patients = Roles({Role::kAdmin, Role::kOperator, Role::kHealthCenter,
                                 Role::kFacility, Role::kMunicipality});
  table.Add({.method = Method::kGet,
             .path = "/api/v1/patients",
             .summary = "患者検索 (within the caller's scope; fields per its policy; by name or kana "
                        "prefix in name/reading order, otherwise in id order)",
             .tag = "patients",
             .access = patients,
             .params = {{"name", "query", "string", "氏名 (kanji; prefix, variants folded)"},
                        {"kana", "query", "string", "フリガナ (prefix, phonetic)"},
                        {"hersys_id", "query", "string", "HER-SYS ID (6-8 digits)"},
                        {"phone", "query", "string", "電話番号"},
                        {"birth_date", "query", "string", "生年月日 (any written form: 2020-01-02, S45.3.2 …)"},
                        {"municipality", "query", "string", "市区町村コード (6 digits, comma-separated)"},
                        {"status", "query", "string", "療養状況 (e.g. 自宅療養中)"},
                        {"limit", "query", "integer", "1..200, default 50"},
                        {"offset", "query", "integer", "0..999, default 0 (a search pages through its first 1000 matches)"},
                        {"purpose", "query", "string", "audit purpose (or X-Purpose header)"}},
             .personal_data = true,
             .handler = Search});
  table.Add({.method = Method::kGet,
             .path = "/api/v1/patients/{id}",
             .summary = "患者詳細 (404 when absent or out of scope)",
             .tag = "patients",
             .access = patients,
             .params = {{"purpose", "query", "string", "audit purpose (or X-Purpose header)"}},
             .personal_data = true,
             .handler = Detail});
}

}  // namespace ichigen::api
