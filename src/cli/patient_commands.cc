// ichigen patient show ID | patients export --out FILE
#include <charconv>
#include <fstream>
#include <algorithm>
#include <chrono>
#include <iostream>
#include <limits>
#include <tuple>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "domain/care_status.h"
#include "io/csv_writer.h"

namespace ichigen::cli {

namespace {

struct Column {
  const char* key;
  const char* label;
  std::string (*get)(const store::PatientRecord&);
};

// The exported and shown columns, in order: canonical key, Japanese label.
const Column kColumns[] = {
    {"id", "患者番号", [](const store::PatientRecord& p) { return std::to_string(p.id); }},
    {"hersys_id", "HER-SYS ID", [](const store::PatientRecord& p) { return p.hersys_id; }},
    {"name", "氏名", [](const store::PatientRecord& p) { return p.name; }},
    {"name_kana", "フリガナ", [](const store::PatientRecord& p) { return p.name_kana; }},
    {"sex", "性別", [](const store::PatientRecord& p) { return p.sex; }},
    {"birth_date", "生年月日", [](const store::PatientRecord& p) { return p.birth_date; }},
    {"age", "年齢", [](const store::PatientRecord& p) { return p.age ? std::to_string(*p.age) : std::string(); }},
    {"postal_code", "郵便番号", [](const store::PatientRecord& p) { return p.postal_code; }},
    {"address", "住所", [](const store::PatientRecord& p) { return p.address; }},
    {"municipality_code", "市区町村コード", [](const store::PatientRecord& p) { return p.municipality_code; }},
    {"residence_confidence", "住所判定の確度", [](const store::PatientRecord& p) { return p.residence_confidence; }},
    {"phone", "電話番号", [](const store::PatientRecord& p) { return p.phone; }},
    {"occupation", "職業", [](const store::PatientRecord& p) { return p.occupation; }},
    {"notified_on", "届出日", [](const store::PatientRecord& p) { return p.notified_on; }},
    {"onset_on", "発症日", [](const store::PatientRecord& p) { return p.onset_on; }},
    {"diagnosed_on", "診断日", [](const store::PatientRecord& p) { return p.diagnosed_on; }},
    {"reporting_facility", "届出医療機関", [](const store::PatientRecord& p) { return p.reporting_facility; }},
    {"health_center", "管轄保健所", [](const store::PatientRecord& p) { return p.health_center; }},
    {"severity", "重症度", [](const store::PatientRecord& p) { return p.severity; }},
    {"care_status", "療養状況", [](const store::PatientRecord& p) { return p.care_status; }},
    {"care_start_on", "療養開始日", [](const store::PatientRecord& p) { return p.care_start_on; }},
    {"consent_share", "情報提供同意",
     [](const store::PatientRecord& p) {
       return p.consent_share ? std::string(*p.consent_share ? "有" : "無") : std::string();
     }},
    {"flags", "注意", [](const store::PatientRecord& p) { return p.flags; }},
};

nlohmann::json PatientJson(const store::PatientRecord& p) {
  nlohmann::json out;
  for (const Column& column : kColumns) out[column.key] = column.get(p);
  out["id"] = p.id;
  out["age"] = p.age ? nlohmann::json(*p.age) : nlohmann::json(nullptr);
  out["consent_share"] = p.consent_share ? nlohmann::json(*p.consent_share) : nlohmann::json(nullptr);
  out["raw"] = nlohmann::json::parse(p.raw_json, nullptr, false);
  out["extra"] = p.extra_json.empty() ? nlohmann::json::object()
                                      : nlohmann::json::parse(p.extra_json, nullptr, false);
  out["created_batch"] = p.created_batch;
  out["updated_batch"] = p.updated_batch;
  return out;
}

std::string OptIso(const std::optional<core::Date>& date) { return date ? date->ToIso() : ""; }

// Events in the order the status machine applies them.
std::vector<domain::Event> InAppliedOrder(std::vector<domain::Event> events) {
  std::sort(events.begin(), events.end(), [](const domain::Event& a, const domain::Event& b) {
    return std::tuple(a.effective_on, domain::DayPrecedence(a.type), a.received_at, a.id) <
           std::tuple(b.effective_on, domain::DayPrecedence(b.type), b.received_at, b.id);
  });
  return events;
}

nlohmann::json TimelineJson(const std::vector<domain::Event>& events) {
  nlohmann::json out = nlohmann::json::array();
  for (const domain::Event& e : events) {
    out.push_back({{"event_id", e.id},
                   {"type", domain::EventTypeNameEn(e.type)},
                   {"type_ja", domain::EventTypeNameJa(e.type)},
                   {"effective_on", e.effective_on.ToIso()},
                   {"received_at", e.received_at},
                   {"source", e.source},
                   {"batch_id", e.batch_id},
                   {"line", e.line},
                   {"facility", e.facility},
                   {"supersedes", e.supersedes},
                   {"cancels", e.cancels}});
  }
  return out;
}

nlohmann::json StateJson(const domain::PatientState& st, core::Date as_of) {
  nlohmann::json conflicts = nlohmann::json::array();
  for (const domain::Conflict& c : st.conflicts) {
    conflicts.push_back({{"kind", domain::ConflictKindName(c.kind)},
                         {"event_id", c.event_id},
                         {"message", c.MessageJa()},
                         {"message_en", c.MessageEn()}});
  }
  return {{"as_of", as_of.ToIso()},
          {"status", domain::CareStatusNameEn(st.status)},
          {"status_ja", domain::CareStatusNameJa(st.status)},
          {"since", OptIso(st.status_since)},
          {"facility", st.facility},
          {"residence_code", st.residence_code},
          {"home_started_on", OptIso(st.home_started_on)},
          {"home_last_day", OptIso(st.home_last_day)},
          {"home_release_on", OptIso(st.home_release_on)},
          {"released_by_expiry", st.released_by_expiry},
          {"withdrawn", st.withdrawn},
          {"conflicts", conflicts}};
}

core::Date TodayJst() {
  return domain::JstDateOf(std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count());
}

}  // namespace

void AddPatientCommands(CLI::App& app, CliContext& context) {
  CLI::App* patient = app.add_subcommand("patient", "患者 (one patient)");
  patient->require_subcommand(1);
  {
    struct Options {
      std::string id;
      std::string as_of;
      bool json = false;
    };
    auto options = std::make_shared<Options>();
    CLI::App* show = patient->add_subcommand("show", "患者の詳細 (show a patient by HER-SYS ID or internal id)");
    show->add_option("id", options->id, "HER-SYS ID or internal patient id")->required();
    show->add_flag("--json", options->json, "JSON");
    show->add_option("--as-of", options->as_of, "state as of YYYY-MM-DD (default: today)");
    show->callback([options, &context]() {
      auto store = context.OpenStore();
      if (!store) return context.Report(store.error());
      // A HER-SYS ID is tried first; an internal id otherwise.
      auto found = (*store)->FindPatientByHersysId(options->id);
      if (!found) return context.Report(found.error());
      if (!found->has_value()) {
        int64_t id = 0;
        auto [end, ec] = std::from_chars(options->id.data(), options->id.data() + options->id.size(), id);
        if (ec == std::errc() && end == options->id.data() + options->id.size()) {
          found = (*store)->GetPatient(id);
          if (!found) return context.Report(found.error());
        }
      }
      if (!found->has_value()) {
        return context.Report(core::Error{core::Code::kNotFound, "その患者は登録されていません",
                                          "no such patient", options->id});
      }
      const store::PatientRecord& p = **found;
      auto events = (*store)->EventsOf(p.id);
      if (!events) return context.Report(events.error());
      auto rules = domain::RecuperationRules::LoadDefault();
      if (!rules) return context.Report(rules.error());
      core::Date as_of = TodayJst();
      if (!options->as_of.empty()) {
        auto parsed = core::Date::ParseIso(options->as_of);
        if (!parsed) {
          return context.Report(core::Error{core::Code::kInvalidArgument,
                                            "日付は YYYY-MM-DD で指定してください",
                                            "give the date as YYYY-MM-DD", options->as_of});
        }
        as_of = *parsed;
      }
      const domain::PatientState state = domain::DeriveState(
          *events, as_of, std::numeric_limits<int64_t>::max(), *rules);
      const std::vector<domain::Event> timeline = InAppliedOrder(*events);
      if (options->json) {
        nlohmann::json out = PatientJson(p);
        out["timeline"] = TimelineJson(timeline);
        out["state"] = StateJson(state, as_of);
        std::cout << out.dump(2) << "\n";
        return;
      }
      for (const Column& column : kColumns) {
        std::cout << column.label << "\t" << column.get(p) << "\n";
      }
      std::cout << "元の値\t" << p.raw_json << "\n";
      if (!p.extra_json.empty()) std::cout << "その他の列\t" << p.extra_json << "\n";
      std::cout << "\n療養の経過\n";
      for (const domain::Event& e : timeline) {
        std::cout << "  " << e.effective_on.ToIso() << "  " << domain::EventTypeNameJa(e.type);
        if (!e.facility.empty()) std::cout << "（" << e.facility << "）";
        std::cout << "  出典: " << e.source << "（バッチ " << e.batch_id << " " << e.line << " 行目）";
        if (e.supersedes != 0) std::cout << "  ※記録 " << e.supersedes << " を訂正";
        std::cout << "\n";
      }
      std::cout << as_of.ToIso() << " 時点: " << domain::CareStatusNameJa(state.status);
      if (state.status_since) std::cout << "（" << state.status_since->ToIso() << " から）";
      if (!state.facility.empty()) std::cout << " " << state.facility;
      if (state.home_last_day) std::cout << "  療養期間 " << state.home_last_day->ToIso() << " まで";
      std::cout << "\n";
      for (const domain::Conflict& c : state.conflicts) std::cout << "  ⚠ " << c.MessageJa() << "\n";
    });
  }
  CLI::App* patients = app.add_subcommand("patients", "患者一覧 (all patients)");
  patients->require_subcommand(1);
  {
    struct Options {
      std::string out;
      std::string encoding;
      bool json = false;
    };
    auto options = std::make_shared<Options>();
    CLI::App* exporter = patients->add_subcommand("export", "全患者をCSVに書き出す (export every patient)");
    exporter->add_option("--out", options->out, "output file")->required();
    exporter->add_option("--encoding", options->encoding, "cp932 (default) | utf-8-bom");
    exporter->add_flag("--json", options->json, "write JSON lines instead of CSV");
    exporter->callback([options, &context]() {
      auto store = context.OpenStore();
      if (!store) return context.Report(store.error());
      int64_t count = 0;
      core::Status status;
      if (options->json) {
        std::ofstream out(options->out, std::ios::binary);
        status = (*store)->ForEachPatient([&](const store::PatientRecord& p) {
          ++count;
          out << PatientJson(p).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
          return core::Ok();
        });
      } else {
        auto encoding = options->encoding.empty() ? core::Result<io::Encoding>(io::Encoding::kCp932)
                                                  : io::ParseEncodingName(options->encoding);
        if (!encoding) return context.Report(encoding.error());
        auto writer = io::CsvWriter::Open(options->out, *encoding);
        if (!writer) return context.Report(writer.error());
        std::vector<std::string> header;
        for (const Column& column : kColumns) header.emplace_back(column.label);
        status = (*writer)->WriteRow(header);
        std::vector<std::string> row(std::size(kColumns));
        if (status) {
          status = (*store)->ForEachPatient([&](const store::PatientRecord& p) {
            ++count;
            for (size_t i = 0; i < std::size(kColumns); ++i) row[i] = kColumns[i].get(p);
            return (*writer)->WriteRow(row);
          });
        }
        if (status) status = (*writer)->Close();
      }
      if (!status) return context.Report(status.error());
      std::cerr << options->out << ": " << count << " 人を書き出しました / exported " << count
                << " patients\n";
    });
  }
}

}  // namespace ichigen::cli
