// ichigen stats ...: thin commands over stats::figure_service.
#include "cli/stats_commands.h"

#include <chrono>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "domain/recuperation_rules.h"
#include "geo/registry.h"
#include "io/csv_writer.h"
#include "stats/figure_service.h"
#include "stats/figure_tables.h"
#include "stats/opendata_export.h"
#include "store/parallel_events.h"
#include "text/date_parser.h"

namespace ichigen::cli {

namespace {

std::string NowIso() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

core::Result<core::Date> ParseDay(const std::string& text) {
  ASSIGN_OR_RETURN(text::ParsedDate parsed, text::ParseDate(text));
  return parsed.date;
}

struct Opened {
  std::unique_ptr<store::Store> store;  // opened first: it creates the core schema
  std::unique_ptr<store::StatsStore> stats;
  domain::RecuperationRules rules;
};

core::Result<Opened> OpenAll(CliContext& context, const StatsStoreOpener& open_stats) {
  Opened out;
  ASSIGN_OR_RETURN(out.store, context.OpenStore());
  ASSIGN_OR_RETURN(out.stats, open_stats(context.db_path));
  ASSIGN_OR_RETURN(out.rules, domain::RecuperationRules::LoadDefault());
  return out;
}

// Before a first recomputation every day would read as zero: say so.
core::Status RequireFigures(store::StatsStore& stats) {
  ASSIGN_OR_RETURN(std::optional<store::StatsState> state, stats.State());
  if (!state) {
    return core::Fail(core::Code::kFailedPrecondition,
                      "集計がありません。先に ichigen stats recompute を実行してください",
                      "no figures yet; run ichigen stats recompute first");
  }
  return core::Ok();
}

// A full pass on every hardware thread, one stats store connection each.
stats::Parallelism ParallelOver(const CliContext& context, const StatsStoreOpener& open_stats) {
  stats::Parallelism parallel;
  parallel.open = [&context, open_stats]() { return open_stats(context.db_path); };
  parallel.slices = store::DefaultSlices();
  return parallel;
}

// --from/--to, defaulting to the range that has figures.
core::Result<std::pair<core::Date, core::Date>> ResolveRange(store::StatsStore& stats,
                                                             const std::string& from,
                                                             const std::string& to) {
  RETURN_IF_ERROR(RequireFigures(stats));
  ASSIGN_OR_RETURN(auto range, stats::FigureRange(stats));
  std::pair<core::Date, core::Date> out;
  if (range) out = *range;
  if (!from.empty()) {
    ASSIGN_OR_RETURN(out.first, ParseDay(from));
  }
  if (!to.empty()) {
    ASSIGN_OR_RETURN(out.second, ParseDay(to));
  }
  if (!range && (from.empty() || to.empty())) {
    return core::Fail(core::Code::kFailedPrecondition,
                      "集計に日付がありません。--from と --to を指定してください",
                      "the figures have no days yet; give --from and --to");
  }
  return out;
}

core::Result<io::Encoding> EncodingOf(const std::string& name) {
  return io::ParseEncodingName(name);
}

core::Status WriteCsv(const std::string& path, const std::string& encoding,
                      const std::vector<std::vector<std::string>>& rows) {
  ASSIGN_OR_RETURN(io::Encoding enc, EncodingOf(encoding));
  std::unique_ptr<io::CsvWriter> writer;
  if (path.empty() || path == "-") {
    writer = io::CsvWriter::InMemory(enc);
  } else {
    ASSIGN_OR_RETURN(writer, io::CsvWriter::Open(path, enc));
  }
  for (const auto& row : rows) RETURN_IF_ERROR(writer->WriteRow(row));
  RETURN_IF_ERROR(writer->Close());
  if (path.empty() || path == "-") std::cout << writer->Take();
  return core::Ok();
}

}  // namespace

AfterBatchHook StatsAfterBatch(const CliContext& context, StatsStoreOpener open_stats) {
  struct Opened {
    std::unique_ptr<store::StatsStore> stats;
    std::optional<domain::RecuperationRules> rules;
  };
  auto opened = std::make_shared<Opened>();
  return [&context, open_stats = std::move(open_stats),
          opened](int64_t batch_id) -> core::Result<std::optional<AfterBatchNote>> {
    auto update = [&]() -> core::Result<std::optional<stats::UpdateSummary>> {
      if (!opened->stats) {
        ASSIGN_OR_RETURN(opened->stats, open_stats(context.db_path));
      }
      if (!opened->rules) {
        ASSIGN_OR_RETURN(opened->rules, domain::RecuperationRules::LoadDefault());
      }
      return stats::UpdateFiguresThrough(*opened->stats, *opened->rules, batch_id, NowIso(),
                                         ParallelOver(context, open_stats));
    }();
    if (!update) {
      return core::Fail(update.error().code,
                        "集計の更新に失敗しました（取込は完了しています。ichigen stats update "
                        "で更新できます）: " + update.error().message,
                        "updating the figures failed (the batch is committed; ichigen stats "
                        "update repairs them): " + update.error().message_en,
                        update.error().context);
    }
    if (!*update) return std::nullopt;
    const stats::UpdateSummary& s = **update;
    nlohmann::json json = stats::UpdateSummaryJson(s);
    json["updated_through_batch"] = s.batch_id;
    json["log_entries_folded"] = s.folded;
    json["fold_seconds"] = s.fold_seconds;
    std::string line = "集計を更新しました: 患者 " + std::to_string(s.patients) + " 人（変化 " +
                       std::to_string(s.changed) + " 人）";
    if (s.first_day != stats::kNoDay) {
      line += " " + core::Date::FromDays(s.first_day).ToIso() + "〜" +
              core::Date::FromDays(s.last_day).ToIso();
    }
    return AfterBatchNote{"stats", json.dump(), line};
  };
}

AfterDecisionHook StatsAfterDecision(const CliContext& context, StatsStoreOpener open_stats) {
  return [&context, open_stats = std::move(open_stats)]()
             -> core::Result<std::optional<AfterBatchNote>> {
    auto update = [&]() -> core::Result<std::optional<stats::UpdateSummary>> {
      ASSIGN_OR_RETURN(std::unique_ptr<store::StatsStore> stats, open_stats(context.db_path));
      ASSIGN_OR_RETURN(const domain::RecuperationRules rules,
                       domain::RecuperationRules::LoadDefault());
      // A decision writes to a few patients: one connection is enough.
      return stats::UpdateFiguresForDecisions(*stats, rules, NowIso());
    }();
    if (!update) {
      return core::Fail(update.error().code,
                        "集計への反映に失敗しました（決定は記録済みです。ichigen stats update "
                        "で反映できます）: " + update.error().message,
                        "updating the figures failed (the decision is recorded; ichigen stats "
                        "update applies it): " + update.error().message_en,
                        update.error().context);
    }
    if (!*update || (*update)->patients == 0) return std::nullopt;
    const stats::UpdateSummary& s = **update;
    return AfterBatchNote{"stats", stats::UpdateSummaryJson(s).dump(),
                          "集計に反映しました: 患者 " + std::to_string(s.patients) + " 人（変化 " +
                              std::to_string(s.changed) + " 人）"};
  };
}

void AddStatsCommands(CLI::App& app, CliContext& context, StatsStoreOpener open_stats) {
  CLI::App* stats = app.add_subcommand("stats", "統計・オープンデータ (daily figures and open data)");
  stats->require_subcommand(1);
  auto opener = std::make_shared<StatsStoreOpener>(std::move(open_stats));

  {
    auto json = std::make_shared<bool>(false);
    CLI::App* c = stats->add_subcommand("recompute", "全件から再集計 (recompute every figure)");
    c->add_flag("--json", *json, "JSON output");
    c->callback([&context, opener, json] {
      auto opened = OpenAll(context, *opener);
      if (!opened) return context.Report(opened.error());
      auto s = stats::RecomputeFigures(*opened->stats, opened->rules, NowIso(),
                                       ParallelOver(context, *opener));
      if (!s) return context.Report(s.error());
      nlohmann::json out = {{"patients", s->patients},        {"events", s->events},
                            {"flow_rows", s->flow_rows},      {"census_rows", s->census_rows},
                            {"compute_s", s->compute_seconds}, {"write_s", s->write_seconds},
                            {"cpu_s", s->cpu_seconds}};
      if (*json) {
        std::cout << out.dump() << "\n";
      } else {
        std::cout << "再集計しました: 患者 " << s->patients << " 人, イベント " << s->events
                  << " 件 (" << s->compute_seconds + s->write_seconds << " 秒)\n";
      }
    });
  }
  {
    struct Options {
      int64_t batch = 0;
      bool json = false;
      bool fold = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* c = stats->add_subcommand(
        "update", "取込後の差分集計 (update the figures after imports; default: every new batch)");
    c->add_option("--batch", o->batch, "batch id");
    c->add_flag("--fold", o->fold,
                "寄与ログを必ず畳み込む (fold the contribution log into its table even when short)");
    c->add_flag("--json", o->json, "JSON output");
    c->callback([&context, opener, o] {
      auto opened = OpenAll(context, *opener);
      if (!opened) return context.Report(opened.error());
      std::vector<int64_t> batches;
      if (o->batch > 0) {
        batches.push_back(o->batch);
      } else {
        auto state = opened->stats->State();
        if (!state) return context.Report(state.error());
        auto latest = opened->stats->LatestBatch();
        if (!latest) return context.Report(latest.error());
        const int64_t first = *state ? (*state)->last_batch + 1 : *latest;
        for (int64_t b = std::max<int64_t>(first, 1); b <= *latest; ++b) batches.push_back(b);
      }
      for (int64_t b : batches) {
        auto s = stats::UpdateAfterBatch(*opened->stats, opened->rules, b, NowIso(),
                                         ParallelOver(context, *opener));
        if (!s) return context.Report(s.error());
        nlohmann::json out = stats::UpdateSummaryJson(*s);
        out["batch_id"] = b;
        out["already_applied"] = s->already_applied;
        out["full"] = s->full;
        std::cout << (o->json ? out.dump() : out.dump(1)) << "\n";
        if (s->full) break;  // a full recomputation covers every later batch
      }
      // Decisions made since the figures last took them in (after a failed
      // update following a decision, or one made with an older version).
      if (o->batch == 0) {
        auto decided = stats::UpdateFiguresForDecisions(*opened->stats, opened->rules, NowIso());
        if (!decided) return context.Report(decided.error());
        if (*decided && (*decided)->patients > 0) {
          nlohmann::json out = stats::UpdateSummaryJson(**decided);
          out["decisions"] = true;
          std::cout << (o->json ? out.dump() : out.dump(1)) << "\n";
        }
      }
      // Maintenance, as after an import: a long contribution log is folded.
      auto folded = opened->stats->FoldContributionLog(o->fold);
      if (!folded) return context.Report(folded.error());
      if (*folded > 0 && !o->json) {
        std::cout << "寄与ログ " << *folded << " 件を表に畳み込みました (folded the contribution log)\n";
      }
    });
  }
  {
    struct Options {
      std::string from, to, by = "notification", out, encoding = "cp932", lg_code, prefecture;
      bool json = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* c = stats->add_subcommand("daily", "日別新規陽性者数 (daily new cases)");
    c->add_option("--from", o->from, "first day");
    c->add_option("--to", o->to, "last day");
    c->add_option("--by", o->by, "notification | publication | deaths")->capture_default_str();
    c->add_option("--lg-code", o->lg_code, "全国地方公共団体コード of the publisher");
    c->add_option("--prefecture", o->prefecture, "都道府県名");
    c->add_option("--out", o->out, "CSV file (default: stdout)");
    c->add_option("--encoding", o->encoding, "cp932 | utf-8-bom | utf-8")->capture_default_str();
    c->add_flag("--json", o->json, "JSON output");
    c->callback([&context, opener, o] {
      auto opened = OpenAll(context, *opener);
      if (!opened) return context.Report(opened.error());
      auto series = stats::ParseSeries(o->by);
      if (!series) return context.Report(series.error());
      auto range = ResolveRange(*opened->stats, o->from, o->to);
      if (!range) return context.Report(range.error());
      auto days = stats::ReadDaily(*opened->stats, *series, range->first, range->second);
      if (!days) return context.Report(days.error());
      if (o->json) {
        std::cout << stats::DailyJson(*days).dump() << "\n";
        return;
      }
      const auto rows = stats::DailyRows(*days, {o->lg_code, o->prefecture});
      if (auto s = WriteCsv(o->out, o->encoding, rows); !s) context.Report(s.error());
    });
  }
  {
    struct Options {
      std::string from, to, out, encoding = "cp932", lg_code, prefecture;
      bool json = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* c = stats->add_subcommand("census", "日別療養状況 (daily census by care status)");
    c->add_option("--from", o->from, "first day");
    c->add_option("--to", o->to, "last day");
    c->add_option("--out", o->out, "CSV file (default: stdout)");
    c->add_option("--encoding", o->encoding, "cp932 | utf-8-bom | utf-8")->capture_default_str();
    c->add_option("--lg-code", o->lg_code, "全国地方公共団体コード of the publisher");
    c->add_option("--prefecture", o->prefecture, "都道府県名");
    c->add_flag("--json", o->json, "JSON output");
    c->callback([&context, opener, o] {
      auto opened = OpenAll(context, *opener);
      if (!opened) return context.Report(opened.error());
      auto range = ResolveRange(*opened->stats, o->from, o->to);
      if (!range) return context.Report(range.error());
      auto days = stats::ReadCensus(*opened->stats, range->first, range->second);
      if (!days) return context.Report(days.error());
      if (o->json) {
        std::cout << stats::CensusJson(*days).dump() << "\n";
        return;
      }
      const auto rows = stats::CensusRows(*days, {o->lg_code, o->prefecture});
      if (auto s = WriteCsv(o->out, o->encoding, rows); !s) context.Report(s.error());
    });
  }
  {
    auto json = std::make_shared<bool>(false);
    CLI::App* c = stats->add_subcommand("verify", "全件再計算と照合 (recompute and compare)");
    c->add_flag("--json", *json, "JSON output");
    c->callback([&context, opener, json] {
      auto opened = OpenAll(context, *opener);
      if (!opened) return context.Report(opened.error());
      auto report =
          stats::VerifyFigures(*opened->stats, opened->rules, ParallelOver(context, *opener));
      if (!report) return context.Report(report.error());
      nlohmann::json diffs = nlohmann::json::array();
      for (const auto& d : report->differences) {
        if (diffs.size() >= 1000) break;
        diffs.push_back({{"what", d.what}, {"stored", d.stored}, {"computed", d.computed}});
      }
      nlohmann::json out = {{"patients", report->patients},
                            {"flow_rows", report->flow_rows},
                            {"census_rows", report->census_rows},
                            {"differences", report->differences.size()},
                            {"first_differences", diffs},
                            {"seconds", report->seconds}};
      std::cout << (*json ? out.dump() : out.dump(1)) << "\n";
      if (!report->differences.empty()) context.exit_code = 1;
    });
  }
  {
    struct Options {
      std::string out, encoding = "cp932", lg_code, prefecture;
    };
    auto o = std::make_shared<Options>();
    CLI::App* c = stats->add_subcommand("opendata", "陽性患者属性 (open data, one row per case)");
    c->add_option("--out", o->out, "CSV file (default: stdout)");
    c->add_option("--encoding", o->encoding, "cp932 | utf-8-bom | utf-8")->capture_default_str();
    c->add_option("--lg-code", o->lg_code, "全国地方公共団体コード of the publisher");
    c->add_option("--prefecture", o->prefecture, "都道府県名");
    c->callback([&context, o] {
      auto store = context.OpenStore();
      if (!store) return context.Report(store.error());
      auto enc = io::ParseEncodingName(o->encoding);
      if (!enc) return context.Report(enc.error());
      std::unique_ptr<io::CsvWriter> writer;
      if (o->out.empty() || o->out == "-") {
        writer = io::CsvWriter::InMemory(*enc);
      } else {
        auto opened = io::CsvWriter::Open(o->out, *enc);
        if (!opened) return context.Report(opened.error());
        writer = std::move(*opened);
      }
      stats::OpenDataOptions options;
      options.publisher_code = o->lg_code;
      options.prefecture_name = o->prefecture;
      auto rows = stats::WriteOpenDataPatients(**store, options, *writer);
      if (!rows) return context.Report(rows.error());
      if (auto s = writer->Close(); !s) return context.Report(s.error());
      if (o->out.empty() || o->out == "-") {
        std::cout << writer->Take();
      } else {
        std::cerr << *rows << " 行を書き出しました (" << o->out << ")\n";
      }
    });
  }
  {
    struct Options {
      std::string date, by = "publication";
      bool json = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* c = stats->add_subcommand("press", "報道発表用の集計 (press summary for a date)");
    c->add_option("--date", o->date, "the day")->required();
    c->add_option("--by", o->by, "publication | notification")->capture_default_str();
    c->add_flag("--json", o->json, "JSON output");
    c->callback([&context, opener, o] {
      auto opened = OpenAll(context, *opener);
      if (!opened) return context.Report(opened.error());
      auto day = ParseDay(o->date);
      if (!day) return context.Report(day.error());
      auto series = stats::ParseSeries(o->by);
      if (!series) return context.Report(series.error());
      auto registry = geo::Registry::Load();
      if (!registry) return context.Report(registry.error());
      if (auto ready = RequireFigures(*opened->stats); !ready) return context.Report(ready.error());
      auto summary = stats::PressSummary(*opened->stats, *day, *series, **registry);
      if (!summary) return context.Report(summary.error());
      std::cout << (o->json ? summary->dump() + "\n" : stats::PressSummaryText(*summary));
    });
  }
}

}  // namespace ichigen::cli
