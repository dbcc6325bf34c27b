// ichigen patient show ID | patients export --out FILE
#include <charconv>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
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

}  // namespace

void AddPatientCommands(CLI::App& app, CliContext& context) {
  CLI::App* patient = app.add_subcommand("patient", "患者 (one patient)");
  patient->require_subcommand(1);
  {
    struct Options {
      std::string id;
      bool json = false;
    };
    auto options = std::make_shared<Options>();
    CLI::App* show = patient->add_subcommand("show", "患者の詳細 (show a patient by HER-SYS ID or internal id)");
    show->add_option("id", options->id, "HER-SYS ID or internal patient id")->required();
    show->add_flag("--json", options->json, "JSON");
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
      if (options->json) {
        std::cout << PatientJson(p).dump(2) << "\n";
        return;
      }
      for (const Column& column : kColumns) {
        std::cout << column.label << "\t" << column.get(p) << "\n";
      }
      std::cout << "元の値\t" << p.raw_json << "\n";
      if (!p.extra_json.empty()) std::cout << "その他の列\t" << p.extra_json << "\n";
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
