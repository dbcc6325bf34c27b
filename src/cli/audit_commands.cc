// ichigen audit verify [--anchor SEQ:HASH] [--json] | export --out FILE [--format jsonl|csv]
#include "cli/audit_commands.h"

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "audit/export.h"

namespace ichigen::cli {

void AddAuditCommands(CLI::App& app, CliContext& context, ServerStores& stores) {
  CLI::App* audit_command = app.add_subcommand("audit", "監査証跡 (audit trail)");
  audit_command->require_subcommand(1);
  {
    struct Options {
      std::string anchor;
      bool json = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* verify = audit_command->add_subcommand(
        "verify", "監査証跡の改ざん・削除・入れ替えを検出する (verify the hash chain)");
    verify->add_option("--anchor", o->anchor, "SEQ:HASH kept outside the database");
    verify->add_flag("--json", o->json, "print the report as JSON");
    verify->callback([o, &context, &stores]() {
      auto store = stores.open_audit(context.db_path);
      if (!store) return context.Report(store.error());
      audit::VerifyOptions options;
      if (!o->anchor.empty()) {
        const size_t colon = o->anchor.find(':');
        int64_t seq = 0;
        try {
          seq = std::stoll(o->anchor.substr(0, colon));
        } catch (const std::exception&) {
          seq = 0;
        }
        if (colon == std::string::npos || seq <= 0) {
          return context.Report({core::Code::kInvalidArgument, "--anchor は 番号:ハッシュ の形です",
                                 "--anchor is SEQ:HASH", o->anchor});
        }
        options.anchor = std::pair{seq, o->anchor.substr(colon + 1)};
      }
      auto report = audit::Verify(**store, options);
      if (!report) return context.Report(report.error());
      if (o->json) {
        nlohmann::json problems = nlohmann::json::array();
        for (const auto& p : report->problems) {
          problems.push_back({{"seq", p.seq}, {"kind", audit::ProblemKindName(p.kind)},
                              {"message", p.message}, {"message_en", p.message_en}});
        }
        std::cout << nlohmann::json{{"ok", report->ok}, {"entries", report->entries},
                                    {"head_seq", report->head_seq}, {"head_hash", report->head_hash},
                                    {"problems", problems}}
                         .dump()
                  << "\n";
      } else {
        for (const auto& p : report->problems) {
          std::cout << "NG " << p.seq << " [" << audit::ProblemKindName(p.kind) << "] " << p.message
                    << " / " << p.message_en << "\n";
        }
        std::cout << (report->ok ? "OK: " : "NG: ") << "監査記録 " << report->entries
                  << " 件 / entries; 末尾 head " << report->head_seq << ":" << report->head_hash
                  << "\n";
        if (report->ok) {
          std::cout << "（末尾の番号とハッシュを別の場所に控え、次回 --anchor で渡すと末尾の削除も検出できます）\n";
        }
      }
      if (!report->ok) context.exit_code = core::ExitCodeFor(core::Code::kDataLoss);
    });
  }
  {
    struct Options {
      std::string out;
      std::string format;
    };
    auto o = std::make_shared<Options>();
    CLI::App* export_command =
        audit_command->add_subcommand("export", "監査証跡を書き出す (JSON lines or CSV)");
    export_command->add_option("--out", o->out, "output file")->required();
    export_command->add_option("--format", o->format, "jsonl | csv (default: from the file name)");
    export_command->callback([o, &context, &stores]() {
      std::string format_name = o->format;
      if (format_name.empty()) {
        format_name = o->out.size() >= 4 && o->out.substr(o->out.size() - 4) == ".csv" ? "csv" : "jsonl";
      }
      auto format = audit::ParseExportFormat(format_name);
      if (!format) return context.Report(format.error());
      auto store = stores.open_audit(context.db_path);
      if (!store) return context.Report(store.error());
      std::ofstream out(o->out, std::ios::binary);
      if (!out) {
        return context.Report({core::Code::kUnavailable, "出力ファイルを開けません",
                               "cannot open the output file", o->out});
      }
      auto count = audit::ExportAudit(**store, *format, out);
      if (!count) return context.Report(count.error());
      std::cerr << o->out << ": 監査記録 " << *count << " 件を書き出しました / wrote " << *count
                << " entries\n";
    });
  }
}

}  // namespace ichigen::cli
