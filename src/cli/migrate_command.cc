#include "cli/migrate_command.h"

#include <chrono>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "store/migrate.h"
#include "store/pg_handle.h"

namespace ichigen::cli {

namespace {

struct Options {
  std::string to;
  std::string from;
  bool skip_unknown_tables = false;
  bool verify_only = false;
  bool json = false;
};

// Opens every store on the target once, so that each creates and migrates
// its schema. A store with no PostgreSQL implementation says so with
// kFailedPrecondition: its tables are then unknown to the target.
core::Status PrepareTarget(const CliContext& context, const ServerStores& stores,
                           const std::string& target) {
  {
    ASSIGN_OR_RETURN(auto store, context.open_store(target));
  }
  {
    ASSIGN_OR_RETURN(auto accounts, stores.open_accounts(target));
  }
  {
    ASSIGN_OR_RETURN(auto audit, stores.open_audit(target));
  }
  auto optional = [](auto&& opened) -> core::Status {
    if (opened || opened.error().code == core::Code::kFailedPrecondition) return core::Ok();
    return std::unexpected(std::move(opened).error());
  };
  if (stores.open_stats) RETURN_IF_ERROR(optional(stores.open_stats(target)));
  if (stores.open_distribution) RETURN_IF_ERROR(optional(stores.open_distribution(target)));
  return core::Ok();
}

void PrintJson(const store::MigrationReport& report, const Options& o, double seconds) {
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& t : report.tables) {
    tables.push_back({{"table", t.table},
                      {"source_rows", t.source_rows},
                      {"target_rows", t.target_rows},
                      {"source_checksum", t.source_checksum},
                      {"target_checksum", t.target_checksum},
                      {"ok", t.ok}});
  }
  std::cout << nlohmann::json{{"ok", report.ok},
                              {"committed", report.committed},
                              {"verify_only", o.verify_only},
                              {"versions", report.versions},
                              {"tables", tables},
                              {"skipped_tables", report.skipped_tables},
                              {"target_only_tables", report.target_only_tables},
                              {"sequences_reset", report.sequences_reset},
                              {"seconds", seconds}}
                   .dump()
            << "\n";
}

// `text` padded with spaces to `width` terminal columns (a Japanese
// character takes two).
std::string Padded(std::string_view text, size_t width, bool right = false) {
  size_t columns = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) == 0x80) continue;
    columns += c >= 0xE0 ? 2 : 1;
  }
  const std::string pad(columns < width ? width - columns : 0, ' ');
  return right ? pad + std::string(text) : std::string(text) + pad;
}

void PrintText(const store::MigrationReport& report, const Options& o, double seconds) {
  std::cout << Padded("表 table", 20) << Padded("行数 rows", 12, true) << "  "
            << Padded("チェックサム checksum", 34) << "一致 ok\n";
  int64_t rows = 0;
  for (const auto& t : report.tables) {
    rows += t.source_rows;
    std::cout << Padded(t.table, 20) << Padded(std::to_string(t.source_rows), 12, true) << "  "
              << Padded(t.source_checksum, 34) << (t.ok ? "OK" : "NG") << "\n";
    if (!t.ok) {
      std::cout << "  NG 移行先 target: " << t.target_rows << " 行 rows, " << t.target_checksum
                << "\n";
    }
  }
  if (!report.skipped_tables.empty()) {
    std::cout << "移行しなかった表（移行先にない） / not migrated (unknown to the target): ";
    for (size_t i = 0; i < report.skipped_tables.size(); ++i) {
      std::cout << (i ? ", " : "") << report.skipped_tables[i];
    }
    std::cout << "\n";
  }
  if (!report.target_only_tables.empty()) {
    std::cout << "移行先だけにある表（空のまま） / on the target only (left empty): ";
    for (size_t i = 0; i < report.target_only_tables.size(); ++i) {
      std::cout << (i ? ", " : "") << report.target_only_tables[i];
    }
    std::cout << "\n";
  }
  const std::string what_ja = o.verify_only ? "比較しました" : "移行しました";
  const std::string what_en = o.verify_only ? "compared" : "migrated";
  if (report.ok) {
    std::cout << "OK: " << report.tables.size() << " 表 " << rows << " 行を" << what_ja
              << "（件数・チェックサム一致） / " << what_en << " " << report.tables.size()
              << " tables, " << rows << " rows; counts and checksums match ("
              << std::fixed << std::setprecision(1) << seconds << " s)\n";
  } else {
    std::cout << "NG: 移行元と移行先が一致しません"
              << (o.verify_only ? "" : "（移行は取り消しました。移行先は空のままです）")
              << " / source and target differ"
              << (o.verify_only ? "" : " (the migration was rolled back; the target is empty)")
              << "\n";
  }
}

}  // namespace

void AddMigrateCommand(CLI::App& app, CliContext& context, ServerStores& stores) {
  auto o = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand(
      "migrate", "SQLite のデータを PostgreSQL へ移す (move a SQLite store to PostgreSQL)");
  command->add_option("--to", o->to, "移行先 target: postgresql://…")->required();
  command->add_option("--from", o->from, "移行元 source SQLite file (default: --db)");
  command->add_flag("--skip-unknown-tables", o->skip_unknown_tables,
                    "移行先にない表を除いて移す (copy the rest; the skipped tables are listed)");
  command->add_flag("--verify-only", o->verify_only,
                    "移さずに比べ直す (recompare an already migrated target; writes nothing)");
  command->add_flag("--json", o->json, "print the report as JSON");
  command->callback([o, &context, &stores]() {
    const std::string source = o->from.empty() ? context.db_path : o->from;
    if (store::IsPostgresUrl(source)) {
      return context.Report({core::Code::kInvalidArgument,
                             "移行元は SQLite ファイルです（--from または --db でファイルを指定）",
                             "the source is a SQLite file (give it with --from or --db)", source});
    }
    if (!store::IsPostgresUrl(o->to)) {
      return context.Report({core::Code::kInvalidArgument,
                             "移行先は postgresql://… で指定してください",
                             "give the target as postgresql://…", "--to"});
    }
    store::MigrationOptions options;
    options.source_path = source;
    options.target = o->to;
    options.skip_unknown_tables = o->skip_unknown_tables;
    options.prepare_target = [&context, &stores](const std::string& target) {
      return PrepareTarget(context, stores, target);
    };
    options.progress = [](const store::MigrationProgress& p) {
      std::cerr << p.table << " (" << p.phase << "): " << p.rows_done << " / " << p.rows_total
                << " 行 rows\n";
    };
    const auto started = std::chrono::steady_clock::now();
    auto report = o->verify_only ? store::CompareMigration(options) : store::Migrate(options);
    if (!report) return context.Report(report.error());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (o->json) {
      PrintJson(*report, *o, seconds);
    } else {
      PrintText(*report, *o, seconds);
    }
    if (!report->ok) context.exit_code = core::ExitCodeFor(core::Code::kDataLoss);
  });
}

}  // namespace ichigen::cli
