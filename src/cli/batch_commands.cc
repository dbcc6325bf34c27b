// ichigen batches | rejects BATCH --out FILE | rows BATCH [--out FILE]
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "io/csv_writer.h"

namespace ichigen::cli {

namespace {

nlohmann::json BatchJson(const store::BatchInfo& b) {
  return {{"batch_id", b.id},         {"file", b.file_name},     {"sha256", b.sha256},
          {"source", b.source},       {"profile", b.profile},    {"encoding", b.encoding},
          {"format", b.format},       {"bytes", b.bytes},        {"rows", b.rows},
          {"accepted", b.accepted},   {"merged", b.merged},      {"review", b.review},
          {"rejected", b.rejected},   {"started_at", b.started_at},
          {"finished_at", b.finished_at}, {"seconds", b.seconds}};
}

core::Result<io::Encoding> OutputEncoding(const std::string& name) {
  if (name.empty()) return io::Encoding::kCp932;
  return io::ParseEncodingName(name);
}

}  // namespace

void AddBatchCommands(CLI::App& app, CliContext& context) {
  {
    auto json = std::make_shared<bool>(false);
    CLI::App* command = app.add_subcommand("batches", "取込バッチの一覧 (list batches)");
    command->add_flag("--json", *json, "one JSON object per batch");
    command->callback([json, &context]() {
      auto store = context.OpenStore();
      if (!store) return context.Report(store.error());
      auto batches = (*store)->ListBatches();
      if (!batches) return context.Report(batches.error());
      for (const store::BatchInfo& b : *batches) {
        if (*json) {
          std::cout << BatchJson(b).dump() << "\n";
        } else {
          std::cout << b.id << "\t" << b.started_at << "\t" << b.file_name << "\t" << b.profile
                    << "\t行 " << b.rows << "\t新規 " << b.accepted << "\t更新 " << b.merged
                    << "\t確認待ち " << b.review << "\tエラー " << b.rejected << "\n";
        }
      }
    });
  }
  {
    struct Options {
      int64_t batch = 0;
      std::string out;
      std::string encoding;
    };
    auto options = std::make_shared<Options>();
    CLI::App* command = app.add_subcommand(
        "rejects", "エラー行をExcelで開けるCSVに書き出す (write a batch's rejected rows as CSV)");
    command->add_option("batch", options->batch, "batch id")->required();
    command->add_option("--out", options->out, "output CSV file")->required();
    command->add_option("--encoding", options->encoding, "cp932 (default) | utf-8-bom");
    command->callback([options, &context]() {
      auto encoding = OutputEncoding(options->encoding);
      if (!encoding) return context.Report(encoding.error());
      auto store = context.OpenStore();
      if (!store) return context.Report(store.error());
      auto batch = (*store)->GetBatch(options->batch);
      if (!batch) return context.Report(batch.error());
      auto writer = io::CsvWriter::Open(options->out, *encoding);
      if (!writer) return context.Report(writer.error());
      auto status = (*writer)->WriteRow({"行番号", "理由コード", "理由", "reason", "元の行"});
      int64_t count = 0;
      if (status) {
        status = (*store)->ForEachRow(options->batch, store::Outcome::kRejected,
                                      [&](const store::RowRecord& row) {
                                        ++count;
                                        return (*writer)->WriteRow({std::to_string(row.line),
                                                                    row.reason_code, row.reason_ja,
                                                                    row.reason_en, row.raw_text});
                                      });
      }
      if (status) status = (*writer)->Close();
      if (!status) return context.Report(status.error());
      std::cerr << options->out << ": エラー行 " << count << " 件を書き出しました / wrote "
                << count << " rejected rows\n";
    });
  }
  {
    struct Options {
      int64_t batch = 0;
      std::string out;
      std::string encoding;
      bool json = false;
    };
    auto options = std::make_shared<Options>();
    CLI::App* command = app.add_subcommand(
        "rows", "バッチの全行の結果 (every row of a batch: line, outcome, patient, reason)");
    command->add_option("batch", options->batch, "batch id")->required();
    command->add_option("--out", options->out, "output file (CSV, or JSON lines with --json)");
    command->add_option("--encoding", options->encoding, "CSV: cp932 (default) | utf-8-bom");
    command->add_flag("--json", options->json, "JSON lines");
    command->callback([options, &context]() {
      auto store = context.OpenStore();
      if (!store) return context.Report(store.error());
      auto batch = (*store)->GetBatch(options->batch);
      if (!batch) return context.Report(batch.error());
      core::Status status;
      if (options->json || options->out.empty()) {
        std::ofstream file;
        if (!options->out.empty()) file.open(options->out, std::ios::binary);
        std::ostream& out = options->out.empty() ? std::cout : file;
        status = (*store)->ForEachRow(options->batch, std::nullopt, [&](const store::RowRecord& row) {
          if (options->json) {
            nlohmann::json line = {{"line", row.line},
                                   {"outcome", store::OutcomeName(row.outcome)},
                                   {"patient_id", row.patient_id == 0 ? nlohmann::json(nullptr)
                                                                      : nlohmann::json(row.patient_id)},
                                   {"hersys_id", row.hersys_id.empty() ? nlohmann::json(nullptr)
                                                                       : nlohmann::json(row.hersys_id)},
                                   {"reason_code", row.reason_code},
                                   {"reason", row.reason_ja},
                                   {"reason_en", row.reason_en}};
            out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
          } else {
            out << row.line << "\t" << store::OutcomeName(row.outcome) << "\t"
                << (row.patient_id ? std::to_string(row.patient_id) : "") << "\t" << row.hersys_id
                << "\t" << row.reason_ja << "\n";
          }
          return core::Ok();
        });
      } else {
        auto encoding = OutputEncoding(options->encoding);
        if (!encoding) return context.Report(encoding.error());
        auto writer = io::CsvWriter::Open(options->out, *encoding);
        if (!writer) return context.Report(writer.error());
        status = (*writer)->WriteRow({"行番号", "結果", "患者番号", "HER-SYS ID", "理由コード", "理由", "reason"});
        if (status) {
          status = (*store)->ForEachRow(options->batch, std::nullopt, [&](const store::RowRecord& row) {
            return (*writer)->WriteRow({std::to_string(row.line),
                                        std::string(store::OutcomeName(row.outcome)),
                                        row.patient_id ? std::to_string(row.patient_id) : "",
                                        row.hersys_id, row.reason_code, row.reason_ja,
                                        row.reason_en});
          });
        }
        if (status) status = (*writer)->Close();
      }
      if (!status) return context.Report(status.error());
    });
  }
}

}  // namespace ichigen::cli
