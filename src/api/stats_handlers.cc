// Statistics: the materialized daily figures for the UI's charts and for
// publication — daily new cases (by notification or publication date, with
// the breakdowns by residence, age band and sex, and 7-day averages), the
// daily census by care status, the 陽性患者属性 open-data file and one day's
// press summary. Shapes are stats/figure_tables.h, the same as the CLI's.
//
// Who may read them: the figures are aggregates the prefecture publishes
// every day, so every prefecture role (admin, operator), the auditor, health
// centers and municipalities read daily, census and press (a municipality
// or health center sees the prefecture's figures, the same as the press
// does); a facility, which only reports on its own patients, does not. The
// open-data file is one row per case (anonymized, but row-level), so only
// the prefecture roles that publish it and the auditor download it, and
// each download is recorded in the audit trail.
#include <chrono>

#include "api/handlers.h"
#include "api/services.h"
#include "core/date.h"
#include "domain/recuperation_rules.h"
#include "io/csv_writer.h"
#include "stats/figure_service.h"
#include "stats/figure_tables.h"
#include "stats/opendata_export.h"
#include "store/parallel_events.h"
#include "store/stats_store.h"

namespace ichigen::api {

namespace {

std::string NowIso() {
  return audit::IsoUtc(std::chrono::system_clock::now());
}

// The stats store, with figures computed.
core::Result<store::StatsStore*> Figures(Exchange& ex) {
  store::StatsStore* stats = ex.services().stats;
  if (stats == nullptr) {
    return core::Fail(core::Code::kUnavailable, "統計の機能がこのサーバーでは有効になっていません",
                      "statistics are not enabled on this server");
  }
  ASSIGN_OR_RETURN(std::optional<store::StatsState> state, stats->State());
  if (!state) {
    return core::Fail(core::Code::kFailedPrecondition,
                      "集計がありません。先に ichigen stats recompute を実行してください",
                      "no figures yet; run ichigen stats recompute first");
  }
  return stats;
}

core::Result<core::Date> DateParam(Exchange& ex, const std::string& name) {
  const std::string text = ex.Query(name);
  std::optional<core::Date> date = core::Date::ParseIso(text);
  if (!date) {
    return core::Fail(core::Code::kInvalidArgument, name + " は YYYY-MM-DD の日付です",
                      name + " must be a date YYYY-MM-DD", text.substr(0, 40));
  }
  return *date;
}

// ?from=&to=, each defaulting to the first or last day with figures; or
// ?last=N, the N days ending at `to` (what a dashboard chart asks for: the
// latest weeks the store has, whatever today's date).
core::Result<std::pair<core::Date, core::Date>> Range(Exchange& ex, store::StatsStore& stats) {
  std::pair<core::Date, core::Date> out;
  const bool last_given = !ex.Query("last").empty();
  if (last_given && !ex.Query("from").empty()) {
    return core::Fail(core::Code::kInvalidArgument, "last と from は同時に指定できません",
                      "give last or from, not both");
  }
  ASSIGN_OR_RETURN(const int64_t last, ex.QueryInt("last", 0, 1, 20000));
  const bool from_given = !ex.Query("from").empty();
  const bool to_given = !ex.Query("to").empty();
  if (!from_given || !to_given) {
    ASSIGN_OR_RETURN(auto range, stats::FigureRange(stats));
    if (!range) {
      return core::Fail(core::Code::kFailedPrecondition, "集計に日付がありません。from と to を指定してください",
                        "the figures have no days yet; give from and to");
    }
    out = *range;
  }
  if (from_given) {
    ASSIGN_OR_RETURN(out.first, DateParam(ex, "from"));
  }
  if (to_given) {
    ASSIGN_OR_RETURN(out.second, DateParam(ex, "to"));
  }
  if (last_given) out.first = out.second.AddDays(-static_cast<int32_t>(last - 1));
  return out;
}

core::Result<bool> WantsCsv(Exchange& ex) {
  const std::string format = ex.Query("format");
  if (format.empty() || format == "json") return false;
  if (format == "csv") return true;
  return core::Fail(core::Code::kInvalidArgument, "format は json または csv です",
                    "format must be json or csv", format.substr(0, 20));
}

core::Result<io::Encoding> CsvEncoding(Exchange& ex) {
  const std::string name = ex.Query("encoding");
  if (name.empty()) return io::Encoding::kCp932;  // for Excel, like every CSV we hand out
  return io::ParseEncodingName(name.substr(0, 20));
}

stats::Publisher PublisherOf(Exchange& ex) {
  return {ex.Query("lg_code").substr(0, 6), ex.Query("prefecture").substr(0, 40)};
}

core::Status ReplyCsv(Exchange& ex, const stats::CsvRows& rows, const std::string& file_name) {
  ASSIGN_OR_RETURN(io::Encoding encoding, CsvEncoding(ex));
  std::unique_ptr<io::CsvWriter> writer = io::CsvWriter::InMemory(encoding);
  for (const auto& row : rows) RETURN_IF_ERROR(writer->WriteRow(row));
  RETURN_IF_ERROR(writer->Close());
  ex.response().status = 200;
  ex.response().set_header("Content-Disposition", "attachment; filename=\"" + file_name + "\"");
  ex.response().set_content(writer->Take(), encoding == io::Encoding::kCp932
                                                ? "text/csv; charset=Shift_JIS"
                                                : "text/csv; charset=utf-8");
  return core::Ok();
}

core::Status Daily(Exchange& ex) {
  ASSIGN_OR_RETURN(store::StatsStore * stats, Figures(ex));
  ASSIGN_OR_RETURN(bool csv, WantsCsv(ex));
  const std::string by = ex.Query("by").empty() ? "notification" : ex.Query("by").substr(0, 20);
  ASSIGN_OR_RETURN(stats::Series series, stats::ParseSeries(by));
  ASSIGN_OR_RETURN(auto range, Range(ex, *stats));
  ASSIGN_OR_RETURN(std::vector<stats::DailyCount> days,
                   stats::ReadDaily(*stats, series, range.first, range.second));
  if (csv) {
    return ReplyCsv(ex, stats::DailyRows(days, PublisherOf(ex)),
                    "daily_" + std::string(stats::SeriesName(series)) + ".csv");
  }
  ex.Reply(200, {{"by", std::string(stats::SeriesName(series))},
                 {"from", range.first.ToIso()},
                 {"to", range.second.ToIso()},
                 {"items", stats::DailyJson(days)}});
  return core::Ok();
}

core::Status Census(Exchange& ex) {
  ASSIGN_OR_RETURN(store::StatsStore * stats, Figures(ex));
  ASSIGN_OR_RETURN(bool csv, WantsCsv(ex));
  ASSIGN_OR_RETURN(auto range, Range(ex, *stats));
  ASSIGN_OR_RETURN(std::vector<stats::CensusDay> days,
                   stats::ReadCensus(*stats, range.first, range.second));
  if (csv) return ReplyCsv(ex, stats::CensusRows(days, PublisherOf(ex)), "census.csv");
  ex.Reply(200, {{"from", range.first.ToIso()},
                 {"to", range.second.ToIso()},
                 {"items", stats::CensusJson(days)}});
  return core::Ok();
}

core::Status Press(Exchange& ex) {
  ASSIGN_OR_RETURN(store::StatsStore * stats, Figures(ex));
  ASSIGN_OR_RETURN(core::Date day, DateParam(ex, "date"));
  const std::string by = ex.Query("by").empty() ? "publication" : ex.Query("by").substr(0, 20);
  ASSIGN_OR_RETURN(stats::Series series, stats::ParseSeries(by));
  ASSIGN_OR_RETURN(nlohmann::json summary,
                   stats::PressSummary(*stats, day, series, *ex.services().jobs.intake().registry));
  if (ex.Query("format") == "text") {
    ex.response().status = 200;
    ex.response().set_content(stats::PressSummaryText(summary), "text/plain; charset=utf-8");
    return core::Ok();
  }
  ex.Reply(200, summary);
  return core::Ok();
}

core::Status OpenData(Exchange& ex) {
  ASSIGN_OR_RETURN(io::Encoding encoding, CsvEncoding(ex));
  const stats::Publisher publisher = PublisherOf(ex);
  stats::OpenDataOptions options;
  options.publisher_code = publisher.lg_code;
  options.prefecture_name = publisher.prefecture;
  const geo::Registry& registry = *ex.services().jobs.intake().registry;
  options.municipality_name = [&registry](std::string_view code) {
    const geo::Municipality* m = registry.FindByCode(code);
    return m != nullptr ? m->full_name : std::string();
  };
  std::unique_ptr<io::CsvWriter> writer = io::CsvWriter::InMemory(encoding);
  int64_t rows = 0;
  {
    ASSIGN_OR_RETURN(StorePool::Lease store, ex.services().stores.Acquire());
    ASSIGN_OR_RETURN(rows, stats::WriteOpenDataPatients(*store, options, *writer));
  }
  RETURN_IF_ERROR(writer->Close());
  RETURN_IF_ERROR(ex.Audit("stats.opendata_download", {}, {{"rows", rows}}));
  ex.response().status = 200;
  ex.response().set_header("Content-Disposition", "attachment; filename=\"opendata_patients.csv\"");
  ex.response().set_content(writer->Take(), encoding == io::Encoding::kCp932
                                                ? "text/csv; charset=Shift_JIS"
                                                : "text/csv; charset=utf-8");
  return core::Ok();
}

}  // namespace

JobRunner::AfterBatchFn StatsAfterBatchJob(
    store::StatsStore& stats,
    std::function<core::Result<std::unique_ptr<store::StatsStore>>()> open) {
  auto rules = std::make_shared<std::optional<domain::RecuperationRules>>();
  stats::Parallelism parallel;
  parallel.open = std::move(open);
  parallel.slices = parallel.open ? store::DefaultSlices() : 1;
  // Called on the job worker thread only, so `rules` needs no lock.
  return [&stats, rules, parallel](int64_t batch_id) -> core::Result<nlohmann::json> {
    if (!*rules) {
      ASSIGN_OR_RETURN(*rules, domain::RecuperationRules::LoadDefault());
    }
    ASSIGN_OR_RETURN(std::optional<stats::UpdateSummary> update,
                     stats::UpdateFiguresThrough(stats, **rules, batch_id, NowIso(), parallel));
    if (!update) return nlohmann::json(nullptr);  // no figures computed yet
    nlohmann::json out = stats::UpdateSummaryJson(*update);
    out["updated_through_batch"] = update->batch_id;
    return out;
  };
}

std::function<core::Result<nlohmann::json>()> StatsAfterDecision(
    store::StatsStore& stats,
    std::function<core::Result<std::unique_ptr<store::StatsStore>>()> open) {
  return [&stats, open = std::move(open)]() -> core::Result<nlohmann::json> {
    ASSIGN_OR_RETURN(const domain::RecuperationRules rules,
                     domain::RecuperationRules::LoadDefault());
    std::unique_ptr<store::StatsStore> own;
    if (open) {
      ASSIGN_OR_RETURN(own, open());
    }
    ASSIGN_OR_RETURN(std::optional<stats::UpdateSummary> update,
                     stats::UpdateFiguresForDecisions(own ? *own : stats, rules, NowIso()));
    if (!update) return nlohmann::json(nullptr);  // no figures computed yet
    return stats::UpdateSummaryJson(*update);
  };
}

void NoteFiguresAfterDecision(const ApiServices& services, nlohmann::json& reply) {
  if (!services.after_decision) return;
  auto figures = services.after_decision();
  if (figures) {
    if (!figures->is_null()) reply["stats"] = std::move(*figures);
    return;
  }
  reply["stats_error"] = {{"code", core::CodeName(figures.error().code)},
                          {"message", "決定は記録済みです。集計への反映に失敗しました: " +
                                          figures.error().message},
                          {"message_en", "the decision is recorded; updating the figures "
                                         "failed: " + figures.error().message_en}};
}

void AddStatsRoutes(RouteTable& table) {
  const Access figures = Roles({Role::kAdmin, Role::kOperator, Role::kAuditor,
                                Role::kHealthCenter, Role::kMunicipality});
  const std::vector<Param> csv_params = {
      {"format", "query", "string", "json (default) | csv (Tokyo's published shape)"},
      {"encoding", "query", "string", "CSV: cp932 (default) | utf-8 | utf-8-bom"},
      {"lg_code", "query", "string", "CSV: 全国地方公共団体コード of the publisher"},
      {"prefecture", "query", "string", "CSV: 都道府県名"}};
  const Param last = {"last", "query", "integer", "the N days ending at `to` (instead of from)"};
  std::vector<Param> daily_params = {
      last,
      {"from", "query", "string", "first day YYYY-MM-DD (default: first with figures)"},
      {"to", "query", "string", "last day YYYY-MM-DD (default: last with figures)"},
      {"by", "query", "string", "notification (default) | publication | deaths"}};
  daily_params.insert(daily_params.end(), csv_params.begin(), csv_params.end());
  table.Add({.method = Method::kGet,
             .path = "/api/v1/stats/daily",
             .summary = "日別新規陽性者数 (daily new cases with 7-day averages, by residence, age "
                        "band and sex)",
             .tag = "stats",
             .access = figures,
             .params = daily_params,
             .handler = Daily});
  std::vector<Param> census_params = {
      last,
      {"from", "query", "string", "first day YYYY-MM-DD (default: first with figures)"},
      {"to", "query", "string", "last day YYYY-MM-DD (default: last with figures)"}};
  census_params.insert(census_params.end(), csv_params.begin(), csv_params.end());
  table.Add({.method = Method::kGet,
             .path = "/api/v1/stats/census",
             .summary = "日別療養状況 (daily census by care status, 重症 among 入院中)",
             .tag = "stats",
             .access = figures,
             .params = census_params,
             .handler = Census});
  table.Add({.method = Method::kGet,
             .path = "/api/v1/stats/press",
             .summary = "報道発表用の集計 (one day's press summary)",
             .tag = "stats",
             .access = figures,
             .params = {{"date", "query", "string", "the day YYYY-MM-DD", true},
                        {"by", "query", "string", "publication (default) | notification"},
                        {"format", "query", "string", "json (default) | text"}},
             .handler = Press});
  table.Add({.method = Method::kGet,
             .path = "/api/v1/stats/opendata",
             .summary = "陽性患者属性 (open data CSV, one row per case; audited)",
             .tag = "stats",
             .access = Roles({Role::kAdmin, Role::kOperator, Role::kAuditor}),
             .params = {{"encoding", "query", "string", "cp932 (default) | utf-8 | utf-8-bom"},
                        {"lg_code", "query", "string", "全国地方公共団体コード of the publisher"},
                        {"prefecture", "query", "string", "都道府県名"}},
             .produces = "text/csv",
             .handler = OpenData});
}

}  // namespace ichigen::api
