// ichigen import FILE... : one batch per file, with counts per batch.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "intake/importer.h"
#include "io/encoding.h"

namespace ichigen::cli {

namespace {

core::Date Today() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  return *core::Date::FromYmd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void ShowProgress(const intake::ImportProgress& progress) {
  const double rate = progress.seconds > 0 ? progress.rows / progress.seconds : 0;
  double eta = 0;
  if (progress.bytes_read > 0 && progress.total_bytes > progress.bytes_read) {
    eta = progress.seconds * (progress.total_bytes - progress.bytes_read) / progress.bytes_read;
  }
  std::fprintf(stderr, "\r  取込中 %lld 行  %.0f 行/秒  残り約 %.0f 秒   ",
               static_cast<long long>(progress.rows), rate, eta);
  std::fflush(stderr);
}

}  // namespace

void AddImportCommand(CLI::App& app, CliContext& context) {
  struct Options {
    std::vector<std::string> files;
    std::string profile = "auto";
    std::string source;
    std::string encoding;
    std::string sheet;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand("import", "ファイルを取り込む (import files, one batch each)");
  command->add_option("files", options->files, "CSV or XLSX files")->required()->check(CLI::ExistingFile);
  command->add_option("--profile", options->profile, "hersys | auto")->capture_default_str();
  command->add_option("--source", options->source, "source name (default: from the profile)");
  command->add_option("--encoding", options->encoding, "utf-8 | utf-8-bom | cp932 (default: detect)");
  command->add_option("--sheet", options->sheet, "XLSX sheet name (default: first)");
  command->add_flag("--json", options->json, "one JSON object per file");
  command->callback([options, &context]() {
    auto store = context.OpenStore();
    if (!store) return context.Report(store.error());
    auto intake_context = intake::IntakeContext::Load();
    if (!intake_context) return context.Report(intake_context.error());
    intake::Importer importer(**store, *intake_context);
    intake::ImportOptions import_options;
    import_options.profile = options->profile;
    import_options.source = options->source;
    import_options.sheet = options->sheet;
    import_options.today = Today();
    if (!options->encoding.empty()) {
      auto encoding = io::ParseEncodingName(options->encoding);
      if (!encoding) return context.Report(encoding.error());
      import_options.encoding = *encoding;
    }
    const bool tty = ::isatty(STDERR_FILENO) == 1 && !options->json;
    if (tty) import_options.progress = ShowProgress;
    for (const std::string& file : options->files) {
      auto report = importer.ImportFile(file, import_options);
      if (tty) std::fprintf(stderr, "\r%60s\r", "");
      if (!report) {
        core::Error error = report.error();
        error = std::move(error).WithContext(file);
        if (options->json) {
          nlohmann::json out = {{"file", file},
                                {"error", {{"code", core::CodeName(error.code)},
                                           {"message", error.message},
                                           {"message_en", error.message_en},
                                           {"context", error.context}}}};
          std::cout << out.dump() << "\n";
          context.exit_code = core::ExitCodeFor(error.code);
        } else {
          context.Report(error);
        }
        continue;
      }
      // The batch is committed; what follows (the figures) may fail without
      // undoing it, and says so.
      std::optional<core::Result<std::optional<AfterBatchNote>>> after;
      if (context.after_batch && !report->duplicate_file && report->batch_id != 0) {
        after = context.after_batch(report->batch_id);
      }
      if (options->json) {
        nlohmann::json out = {{"batch_id", report->batch_id},   {"file", report->file},
                              {"sha256", report->sha256},       {"profile", report->profile},
                              {"encoding", report->encoding},   {"format", report->format},
                              {"header_line", report->header_line},
                              {"rows", report->rows},           {"accepted", report->accepted},
                              {"merged", report->merged},       {"review", report->review},
                              {"rejected", report->rejected},
                              {"duplicate_file", report->duplicate_file},
                              {"seconds", report->seconds},
                              {"unknown_columns", report->unknown_columns}};
        if (after && *after && **after) {
          out[(**after)->key] = nlohmann::json::parse((**after)->json, nullptr, false);
        } else if (after && !*after) {
          const core::Error& error = after->error();
          out["after_batch_error"] = {{"code", core::CodeName(error.code)},
                                      {"message", error.message},
                                      {"message_en", error.message_en},
                                      {"context", error.context}};
        }
        std::cout << out.dump() << "\n";
      } else if (report->duplicate_file) {
        std::cout << file << ": 取込済みのファイルです（バッチ " << report->batch_id
                  << "）。何も変更していません。 / already imported as batch "
                  << report->batch_id << "; nothing changed.\n";
      } else {
        std::cout << file << ": バッチ " << report->batch_id << "  プロファイル "
                  << report->profile << "（自動判定: " << (options->profile == "auto" ? "はい" : "いいえ")
                  << "）  文字コード " << report->encoding << "\n"
                  << "  行数 " << report->rows << "  新規 " << report->accepted << "  更新 "
                  << report->merged << "  確認待ち " << report->review << "  エラー "
                  << report->rejected << "  (" << report->seconds << " 秒)\n";
        if (!report->unknown_columns.empty()) {
          std::cout << "  プロファイルにない列（行と一緒に保存）:";
          for (const std::string& column : report->unknown_columns) std::cout << " " << column;
          std::cout << "\n";
        }
        if (report->rejected > 0) {
          std::cout << "  エラー行の一覧: ichigen rejects " << report->batch_id
                    << " --out rejects.csv\n";
        }
        if (after && *after && **after) std::cout << "  " << (**after)->line << "\n";
      }
      if (after && !*after) {
        std::cerr << file << ": 取込は完了しましたが、続く処理に失敗しました / the batch is "
                     "committed, but what runs after it failed: "
                  << after->error().ToString() << "\n";
      }
    }
  });
}

}  // namespace ichigen::cli
