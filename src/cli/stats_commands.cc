// ichigen stats ...: thin commands over stats::figure_service.
#include "cli/stats_commands.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "domain/census.h"
#include "domain/recuperation_rules.h"
#include "geo/registry.h"
#include "io/csv_writer.h"
#include "stats/figure_service.h"
#include "stats/opendata_export.h"
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

// --from/--to, defaulting to the range that has figures.
core::Result<std::pair<core::Date, core::Date>> ResolveRange(store::StatsStore& stats,
                                                             const std::string& from,
                                                             const std::string& to) {
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
                      "集計がありません。先に ichigen stats recompute を実行してください",
                      "no figures yet; run ichigen stats recompute first");
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

const std::vector<std::string> kAgeBands = {"10歳未満", "10代", "20代", "30代", "40代", "50代",
                                            "60代",     "70代", "80代", "90歳以上", "不明"};

}  // namespace

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
      auto s = stats::RecomputeFigures(*opened->stats, opened->rules, NowIso());
      if (!s) return context.Report(s.error());
      nlohmann::json out = {{"patients", s->patients},        {"events", s->events},
                            {"flow_rows", s->flow_rows},      {"census_rows", s->census_rows},
                            {"compute_s", s->compute_seconds}, {"write_s", s->write_seconds}};
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
    };
    auto o = std::make_shared<Options>();
    CLI::App* c = stats->add_subcommand(
        "update", "取込後の差分集計 (update the figures after imports; default: every new batch)");
    c->add_option("--batch", o->batch, "batch id");
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
        auto s = stats::UpdateAfterBatch(*opened->stats, opened->rules, b, NowIso());
        if (!s) return context.Report(s.error());
        nlohmann::json out = {{"batch_id", b},
                              {"patients", s->patients},
                              {"changed", s->changed},
                              {"flow_deltas", s->flow_deltas},
                              {"census_deltas", s->census_deltas},
                              {"full", s->full},
                              {"seconds", s->seconds}};
        if (s->first_day != stats::kNoDay) {
          out["first_day"] = core::Date::FromDays(s->first_day).ToIso();
          out["last_day"] = core::Date::FromDays(s->last_day).ToIso();
        }
        std::cout << (o->json ? out.dump() : out.dump(1)) << "\n";
        if (s->full) break;  // a full recomputation covers every later batch
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
        nlohmann::json out = nlohmann::json::array();
        for (const auto& d : *days) {
          out.push_back({{"date", d.day.ToIso()},
                         {"total", d.total},
                         {"average7", d.average7},
                         {"municipality", d.municipality},
                         {"age_band", d.age_band},
                         {"sex", d.sex}});
        }
        std::cout << out.dump() << "\n";
        return;
      }
      // Tokyo's daily count file shape, with the age bands and sexes beside.
      std::vector<std::vector<std::string>> rows;
      std::vector<std::string> header = {"全国地方公共団体コード", "都道府県名", "市区町村名",
                                         "公表_年月日", "陽性者数", "7日間平均"};
      for (const auto& band : kAgeBands) header.push_back(band);
      for (const char* sex : {"男性", "女性", "その他", "不明"}) header.emplace_back(sex);
      rows.push_back(header);
      for (const auto& d : *days) {
        char average[32];
        std::snprintf(average, sizeof average, "%.1f", d.average7);
        std::vector<std::string> row = {o->lg_code, o->prefecture, "", d.day.ToIso(),
                                        std::to_string(d.total), average};
        for (const auto& band : kAgeBands) {
          auto it = d.age_band.find(band);
          row.push_back(std::to_string(it == d.age_band.end() ? 0 : it->second));
        }
        for (const char* sex : {"男性", "女性", "その他", "不明"}) {
          auto it = d.sex.find(sex);
          row.push_back(std::to_string(it == d.sex.end() ? 0 : it->second));
        }
        rows.push_back(std::move(row));
      }
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
      using domain::CareStatus;
      auto at = [](const stats::CensusDay& d, CareStatus s) {
        return d.counts[static_cast<size_t>(s)];
      };
      if (o->json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& d : *days) {
          nlohmann::json counts;
          for (int s = 0; s < stats::kCensusSlots; ++s) {
            counts[std::string(stats::CensusSlotNameEn(s))] = d.counts[s];
          }
          out.push_back({{"date", d.day.ToIso()}, {"counted", d.Counted()}, {"by_status", counts}});
        }
        std::cout << out.dump() << "\n";
        return;
      }
      // Tokyo's daily census file shape; 陽性者数（累計） is everyone counted
      // (notified and not withdrawn) by the day, 調整中 includes 不明.
      std::vector<std::vector<std::string>> rows = {
          {"全国地方公共団体コード", "都道府県名", "市区町村名", "公表_年月日", "陽性者数（累計）",
           "入院中", "軽症・中等症", "重症", "宿泊療養", "自宅療養", "調整中", "死亡", "退院"}};
      for (const auto& d : *days) {
        const int64_t hospitalized = at(d, CareStatus::kHospitalized);
        const int64_t severe = d.counts[stats::kSevereSlot];
        rows.push_back({o->lg_code, o->prefecture, "", d.day.ToIso(), std::to_string(d.Counted()),
                        std::to_string(hospitalized), std::to_string(hospitalized - severe),
                        std::to_string(severe), std::to_string(at(d, CareStatus::kLodging)),
                        std::to_string(at(d, CareStatus::kHomeRecuperation)),
                        std::to_string(at(d, CareStatus::kArranging) + at(d, CareStatus::kUnknown)),
                        std::to_string(at(d, CareStatus::kDead)),
                        std::to_string(at(d, CareStatus::kReleased))});
      }
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
      auto report = stats::VerifyFigures(*opened->stats, opened->rules);
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
      auto cases = stats::ReadDaily(*opened->stats, *series, *day, *day);
      if (!cases) return context.Report(cases.error());
      auto deaths = stats::ReadDaily(*opened->stats, stats::Series::kDeaths, *day, *day);
      if (!deaths) return context.Report(deaths.error());
      auto census = stats::ReadCensus(*opened->stats, *day, *day);
      if (!census) return context.Report(census.error());
      auto registry = geo::Registry::Load();
      if (!registry) return context.Report(registry.error());
      auto name_of = [&](const std::string& code) {
        const geo::Municipality* m = (*registry)->FindByCode(code);
        return m != nullptr ? m->full_name : code.empty() ? std::string("不明") : code;
      };
      const stats::DailyCount& d = cases->front();
      const stats::CensusDay& cd = census->front();
      if (o->json) {
        nlohmann::json by_municipality = nlohmann::json::array();
        for (const auto& [code, n] : d.municipality) {
          by_municipality.push_back({{"code", code}, {"name", name_of(code)}, {"count", n}});
        }
        nlohmann::json by_status;
        for (int s = 0; s < stats::kCensusSlots; ++s) {
          by_status[std::string(stats::CensusSlotNameEn(s))] = cd.counts[s];
        }
        nlohmann::json out = {{"date", day->ToIso()},
                              {"by", std::string(stats::SeriesName(*series))},
                              {"new_cases", d.total},
                              {"average7", d.average7},
                              {"by_age_band", d.age_band},
                              {"by_sex", d.sex},
                              {"by_municipality", by_municipality},
                              {"deaths", deaths->front().total},
                              {"census", {{"counted", cd.Counted()}, {"by_status", by_status}}}};
        std::cout << out.dump() << "\n";
        return;
      }
      char average[32];
      std::snprintf(average, sizeof average, "%.1f", d.average7);
      std::cout << day->ToIso() << " 発表\n新規陽性者数: " << d.total << " 人（7日間平均 "
                << average << " 人）\n年代別:\n";
      for (const auto& band : kAgeBands) {
        auto it = d.age_band.find(band);
        if (it != d.age_band.end()) std::cout << "  " << band << "\t" << it->second << "\n";
      }
      std::cout << "居住地別:\n";
      for (const auto& [code, n] : d.municipality) std::cout << "  " << name_of(code) << "\t" << n << "\n";
      std::cout << "死亡: " << deaths->front().total << " 人\n療養状況（累計 " << cd.Counted()
                << " 人）:\n";
      using domain::CareStatus;
      for (CareStatus s : {CareStatus::kHospitalized, CareStatus::kLodging,
                           CareStatus::kHomeRecuperation, CareStatus::kArranging, CareStatus::kDead,
                           CareStatus::kReleased, CareStatus::kUnknown}) {
        std::cout << "  " << domain::PressCategoryJa(s) << "\t" << cd.counts[static_cast<size_t>(s)];
        if (s == CareStatus::kHospitalized) {
          std::cout << "（うち重症 " << cd.counts[stats::kSevereSlot] << "）";
        }
        std::cout << "\n";
      }
    });
  }
}

}  // namespace ichigen::cli
