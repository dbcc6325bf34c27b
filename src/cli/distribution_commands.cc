// ichigen agreements set|list, consent set|import, distribute, packages, ack,
// alerts, lastmile import.
#include "cli/distribution_commands.h"

#include <time.h>

#include <chrono>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "api/agreement_field_policy.h"
#include "distribution/agreement.h"
#include "distribution/agreement_request.h"
#include "distribution/daily_scheduler.h"
#include "distribution/lastmile_service.h"
#include "distribution/package_service.h"
#include "distribution/sheet_import.h"
#include "domain/care_status.h"
#include "geo/registry.h"
#include "io/record_reader.h"
#include "store/parallel_events.h"

namespace ichigen::cli {

namespace {

using nlohmann::ordered_json;

std::string NowUtc() {
  const time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

int64_t NowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

core::Date TodayJst() { return domain::JstDateOf(NowUnix()); }

core::Result<core::Date> ParseDateArg(const std::string& text) {
  if (auto date = core::Date::ParseIso(text)) return *date;
  return core::Fail(core::Code::kInvalidArgument, "日付は YYYY-MM-DD で指定してください",
                    "dates are YYYY-MM-DD", text);
}

std::string Dump(const ordered_json& json) {
  return json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The stores and reference data every command here needs.
struct Env {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::DistributionStore> distribution;

  static core::Result<Env> Open(const CliContext& context, const DistributionStoreOpener& open) {
    Env env;
    ASSIGN_OR_RETURN(env.store, context.OpenStore());
    ASSIGN_OR_RETURN(env.distribution, open(context.db_path));
    return env;
  }
};

ordered_json AgreementJson(const distribution::Agreement& a) {
  return ordered_json{{"municipality_code", a.municipality_code6},
                      {"version", a.version},
                      {"receives_data", a.receives_data},
                      {"valid_from", a.valid_from.ToIso()},
                      {"purposes", a.purposes},
                      {"fields", distribution::FormatFieldList(a.fields)},
                      {"include_arranging", a.include_arranging_at_home},
                      {"consent_required", a.consent_required},
                      {"roll_up", a.roll_up_to_city}};
}

ordered_json PackageJson(const store::PackageRecord& p) {
  ordered_json counts = ordered_json::parse(p.counts_json, nullptr, false);
  return ordered_json{{"id", p.id},
                      {"municipality_code", p.municipality_code6},
                      {"municipality_name", p.municipality_name},
                      {"cutoff", p.cutoff},
                      {"agreement_version", p.agreement_version},
                      {"rows", p.rows},
                      {"counts", counts.is_discarded() ? ordered_json() : counts},
                      {"checksum", p.manifest_sha256},
                      {"created_at", p.created_at},
                      {"acknowledged_by", p.acknowledged_by},
                      {"acknowledged_at", p.acknowledged_at}};
}

// Row errors on stderr (ja / en), the counts as JSON on stdout.
void PrintSheetReport(const distribution::SheetImportReport& report, bool with_alerts) {
  for (const distribution::SheetRowError& e : report.errors) {
    std::cerr << "行 " << e.line << ": " << e.message << "（" << e.context << "） / line " << e.line
              << ": " << e.message_en << "\n";
  }
  ordered_json counts{{"recorded", report.recorded}, {"rejected", report.rejected}};
  if (with_alerts) counts["alerts"] = report.alerts;
  std::cout << Dump(counts) << "\n";
}

void AddAgreementCommands(CLI::App& app, CliContext& context, DistributionStoreOpener open) {
  auto* agreements = app.add_subcommand("agreements", "覚書（市区町村への提供項目） / data-sharing agreements");
  agreements->require_subcommand(1);

  struct SetArgs {
    std::string code, fields, from, purposes;
    bool arranging = false, roll_up = false, stop = false;
    std::string consent_required;
    std::string recorded_at;
  };
  auto args = std::make_shared<SetArgs>();
  auto* set = agreements->add_subcommand("set", "覚書の新しい版を記録（次のパッケージから適用） / record a new version");
  set->add_option("CODE", args->code, "市区町村コード（6桁） / municipality code")->required();
  set->add_option("--fields", args->fields, "提供項目 / fields, e.g. name,name_kana,address,phone,care_period");
  set->add_option("--from", args->from, "適用開始日 / valid from (YYYY-MM-DD; default today)");
  set->add_option("--purposes", args->purposes, "利用目的 / purposes");
  set->add_flag("--include-arranging", args->arranging, "調整中の在宅者も提供 / also 調整中 at home");
  set->add_flag("--roll-up", args->roll_up, "政令市: 区の住民も市へ / wards roll up to the city");
  set->add_flag("--stop", args->stop, "提供を停止 / stop sharing");
  set->add_option("--consent-required", args->consent_required,
                  "同意が必要か true|false（既定は policy.json） / consent required");
  set->add_option("--recorded-at", args->recorded_at,
                  "記録時刻（過去の覚書の登録用; 既定は現在） / recorded at, ISO-8601 (default now)");
  set->callback([&context, open, args] {
    auto run = [&]() -> core::Status {
      ASSIGN_OR_RETURN(auto registry, geo::Registry::Load());
      ASSIGN_OR_RETURN(auto policy, distribution::LoadPolicy());
      ASSIGN_OR_RETURN(auto dist, open(context.db_path));
      distribution::AgreementRequest request;
      request.municipality_code6 = args->code;
      request.fields = args->fields;
      if (!args->from.empty()) {
        ASSIGN_OR_RETURN(request.valid_from, ParseDateArg(args->from));
      }
      request.purposes = args->purposes;
      request.include_arranging_at_home = args->arranging;
      request.roll_up_to_city = args->roll_up;
      request.stop = args->stop;
      if (args->consent_required == "true") request.consent_required = true;
      else if (args->consent_required == "false") request.consent_required = false;
      else if (!args->consent_required.empty()) {
        return core::Fail(core::Code::kInvalidArgument, "--consent-required は true か false です",
                          "--consent-required is true or false", args->consent_required);
      }
      request.recorded_at = NowUnix();
      if (!args->recorded_at.empty()) {
        ASSIGN_OR_RETURN(distribution::Cutoff at, distribution::ParseCutoff(args->recorded_at));
        request.recorded_at = at.UnixSeconds();
      }
      ASSIGN_OR_RETURN(distribution::Agreement a,
                       distribution::MakeAgreement(request, policy, *registry, TodayJst()));
      ASSIGN_OR_RETURN(auto stored, dist->AddAgreementVersion(a));
      std::cout << Dump(AgreementJson(stored)) << "\n";
      return core::Ok();
    };
    if (auto status = run(); !status) context.Report(status.error());
  });

  auto json = std::make_shared<bool>(false);
  auto* list = agreements->add_subcommand("list", "覚書の一覧（全版） / every agreement version");
  list->add_flag("--json", *json, "JSON で出力");
  list->callback([&context, open, json] {
    auto run = [&]() -> core::Status {
      ASSIGN_OR_RETURN(auto dist, open(context.db_path));
      ASSIGN_OR_RETURN(auto all, dist->ListAgreements());
      ordered_json out = ordered_json::array();
      for (const auto& a : all) out.push_back(AgreementJson(a));
      if (*json) {
        std::cout << Dump(out) << "\n";
      } else {
        for (const auto& a : all) {
          std::cout << a.municipality_code6 << "\tv" << a.version << "\t" << a.valid_from.ToIso()
                    << "\t" << (a.receives_data ? distribution::FormatFieldList(a.fields) : "（停止）")
                    << (a.roll_up_to_city ? "\t区を含む" : "")
                    << (a.include_arranging_at_home ? "\t調整中を含む" : "") << "\n";
        }
      }
      return core::Ok();
    };
    if (auto status = run(); !status) context.Report(status.error());
  });
}

void AddConsentCommands(CLI::App& app, CliContext& context, DistributionStoreOpener open) {
  auto* consent = app.add_subcommand("consent", "市区町村への提供の同意 / consent to share");
  consent->require_subcommand(1);
  struct Args {
    std::string hersys_id, state, source, date, file;
  };
  auto args = std::make_shared<Args>();
  auto* set = consent->add_subcommand("set", "同意を記録 / record consent or its withdrawal");
  set->add_option("HERSYS_ID", args->hersys_id)->required();
  set->add_option("STATE", args->state, "given | withdrawn")->required();
  set->add_option("--source", args->source, "出典 / source")->required();
  set->add_option("--date", args->date, "日付 / date (default today)");
  set->callback([&context, open, args] {
    auto run = [&]() -> core::Status {
      ASSIGN_OR_RETURN(Env env, Env::Open(context, open));
      ASSIGN_OR_RETURN(auto consent_state, distribution::ParseConsentWord(args->state));
      ASSIGN_OR_RETURN(auto patient, env.store->FindPatientByHersysId(args->hersys_id));
      if (!patient) {
        return core::Fail(core::Code::kNotFound, "この HER-SYS ID の患者はいません",
                          "no patient with this HER-SYS ID", args->hersys_id);
      }
      store::ConsentRecord r;
      r.patient_id = patient->id;
      r.consent = consent_state;
      r.source = args->source;
      r.on = TodayJst();
      if (!args->date.empty()) {
        ASSIGN_OR_RETURN(r.on, ParseDateArg(args->date));
      }
      r.recorded_at = NowUtc();
      ASSIGN_OR_RETURN(int64_t id, env.distribution->AddConsent(r));
      std::cout << "記録しました / recorded: consent " << id << " patient " << patient->id << "\n";
      return core::Ok();
    };
    if (auto status = run(); !status) context.Report(status.error());
  });

  auto* import = consent->add_subcommand("import", "同意の一括取込（CSV: HER-SYS ID, 同意, 日付, 出典） / import");
  import->add_option("FILE", args->file)->required();
  import->callback([&context, open, args] {
    auto run = [&]() -> core::Status {
      ASSIGN_OR_RETURN(Env env, Env::Open(context, open));
      distribution::ConsentSheetOptions options;
      options.default_source = args->file;
      options.today = TodayJst();
      options.now_utc = NowUtc();
      ASSIGN_OR_RETURN(auto report, distribution::ImportConsentSheet(args->file, *env.store,
                                                                     *env.distribution, options));
      PrintSheetReport(report, false);
      if (report.rejected > 0) context.exit_code = core::ExitCodeFor(core::Code::kInvalidArgument);
      return core::Ok();
    };
    if (auto status = run(); !status) context.Report(status.error());
  });
}

void AddDistributeCommand(CLI::App& app, CliContext& context, DistributionStoreOpener open) {
  struct Args {
    std::string cutoff, out, format = "all", encoding, known_at;
    bool json = false;
    int threads = 0;  // 0 = every core
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("distribute", "市区町村別パッケージを作成 / build the municipal packages");
  cmd->add_option("--cutoff", args->cutoff, "締切時刻 / cutoff, ISO-8601 (default today 09:00 JST)");
  cmd->add_option("--threads", args->threads, "並列数 / threads (default: every core)")
      ->check(CLI::Range(0, 64));
  cmd->add_option("--out", args->out, "出力先ディレクトリ / also write the files here");
  cmd->add_option("--format", args->format, "csv|xlsx|json|all（--out に書く形式）")
      ->check(CLI::IsMember({"csv", "xlsx", "json", "all"}));
  cmd->add_option("--encoding", args->encoding, "CSV: cp932|utf-8-bom（既定は policy.json）");
  cmd->add_option("--known-at", args->known_at,
                  "この時刻までに受け付けた情報で作成（既定は締切時刻; 事後の作成用） / "
                  "use events received by this instant, ISO-8601 or now (default: the cutoff)");
  cmd->add_flag("--json", args->json, "JSON で出力");
  cmd->callback([&context, open, args] {
    auto run = [&]() -> core::Status {
      const auto start = std::chrono::steady_clock::now();
      ASSIGN_OR_RETURN(auto policy, distribution::LoadPolicy());
      distribution::DistributeOptions options;
      if (args->cutoff.empty()) {
        // The latest cutoff that has passed: before 09:00, yesterday's.
        const distribution::Cutoff now = distribution::CutoffFromUnixSeconds(NowUnix());
        options.cutoff = distribution::Cutoff{now.date, policy.cutoff_minute_of_day};
        if (now.minute_of_day < policy.cutoff_minute_of_day) {
          options.cutoff.date = now.date.AddDays(-1);
        }
      } else {
        ASSIGN_OR_RETURN(options.cutoff, distribution::ParseCutoff(args->cutoff));
      }
      // A package is frozen once built: cutting one before its time would
      // freeze an incomplete list.
      if (options.cutoff.UnixSeconds() > NowUnix()) {
        return core::Fail(core::Code::kFailedPrecondition, "締切時刻がまだ来ていません",
                          "the cutoff is in the future", options.cutoff.Iso());
      }
      options.csv_encoding = policy.csv_encoding;
      if (!args->encoding.empty()) {
        ASSIGN_OR_RETURN(options.csv_encoding, io::ParseEncodingName(args->encoding));
        if (options.csv_encoding == io::Encoding::kUtf8) options.csv_encoding = io::Encoding::kUtf8Bom;
      }
      if (args->known_at == "now") {
        options.known_at = NowUnix();
      } else if (!args->known_at.empty()) {
        ASSIGN_OR_RETURN(distribution::Cutoff known, distribution::ParseCutoff(args->known_at));
        options.known_at = known.UnixSeconds();
      }
      options.out_dir = args->out;
      if (args->format != "all") options.formats = {args->format};
      options.now_utc = NowUtc();
      ASSIGN_OR_RETURN(auto registry, geo::Registry::Load());
      ASSIGN_OR_RETURN(auto rules, domain::RecuperationRules::LoadDefault());
      ASSIGN_OR_RETURN(Env env, Env::Open(context, open));
      // The pass over every patient on all cores, one Store per slice.
      distribution::PackageService service(*env.store, *env.distribution, *registry, rules,
                                           [&context] { return context.OpenStore(); },
                                           args->threads > 0 ? args->threads
                                                             : store::DefaultSlices());
      ASSIGN_OR_RETURN(auto report, service.Distribute(options));
      ordered_json packages = ordered_json::array();
      for (const auto& p : report.packages) {
        ordered_json j = PackageJson(p.record);
        j["existing"] = p.existing;
        ordered_json files = ordered_json::array();
        for (const auto& f : p.files) files.push_back({{"name", f.name}, {"sha256", f.sha256}});
        j["files"] = std::move(files);
        packages.push_back(std::move(j));
      }
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (args->json) {
        std::cout << Dump(ordered_json{{"cutoff", report.cutoff},
                                       {"patients_scanned", report.patients_scanned},
                                       {"residents", report.residents},
                                       {"departures", report.departures},
                                       {"residents_without_residence",
                                        report.residents_without_residence},
                                       {"derive_seconds", report.derive_seconds},
                                       {"build_seconds", report.build_seconds},
                                       {"store_seconds", report.store_seconds},
                                       {"seconds", seconds},
                                       {"packages", packages}})
                  << "\n";
      } else {
        for (const auto& p : report.packages) {
          std::cout << p.record.id << "\t" << p.record.municipality_name << "\t" << p.record.rows
                    << " 行" << (p.existing ? "\t（作成済み / already built）" : "") << "\n";
        }
        std::cout << report.packages.size() << " パッケージ / packages, " << seconds << " s\n";
        if (report.residents_without_residence > 0) {
          std::cout << "住所地不明のため、どのパッケージにも入らない自宅療養者: "
                    << report.residents_without_residence
                    << " 人 / residents at home in no package (residence unknown)\n";
        }
      }
      return core::Ok();
    };
    if (auto status = run(); !status) context.Report(status.error());
  });
}

void AddPackageCommands(CLI::App& app, CliContext& context, DistributionStoreOpener open) {
  struct Args {
    bool unacknowledged = false, json = false;
    double older_than_hours = 0;
    std::string municipality, package, by;
  };
  auto args = std::make_shared<Args>();
  auto* list = app.add_subcommand("packages", "作成済みパッケージの一覧 / packages built");
  list->add_flag("--unacknowledged", args->unacknowledged, "受領未確認のみ / not acknowledged");
  list->add_option("--older-than-hours", args->older_than_hours,
                   "作成からこの時間を過ぎたもの / built more than this many hours ago");
  list->add_option("--municipality", args->municipality, "市区町村コード");
  list->add_flag("--json", args->json, "JSON で出力");
  list->callback([&context, open, args] {
    auto run = [&]() -> core::Status {
      ASSIGN_OR_RETURN(auto dist, open(context.db_path));
      store::PackageFilter filter;
      filter.municipality_code6 = args->municipality;
      filter.unacknowledged_only = args->unacknowledged;
      if (args->older_than_hours > 0) {
        const time_t before = static_cast<time_t>(NowUnix() - static_cast<int64_t>(args->older_than_hours * 3600));
        tm utc{};
        gmtime_r(&before, &utc);
        char buffer[32];
        strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
        filter.created_before = buffer;
      }
      ASSIGN_OR_RETURN(auto packages, dist->ListPackages(filter));
      if (args->json) {
        ordered_json out = ordered_json::array();
        for (const auto& p : packages) out.push_back(PackageJson(p));
        std::cout << Dump(out) << "\n";
      } else {
        for (const auto& p : packages) {
          std::cout << p.id << "\t" << p.municipality_name << "\t" << p.rows << " 行\t"
                    << (p.acknowledged_at.empty() ? "未受領" : "受領 " + p.acknowledged_at + " " + p.acknowledged_by)
                    << "\n";
        }
      }
      return core::Ok();
    };
    if (auto status = run(); !status) context.Report(status.error());
  });

  auto* ack = app.add_subcommand("ack", "受領確認を記録 / acknowledge a package");
  ack->add_option("PACKAGE", args->package)->required();
  ack->add_option("--by", args->by, "受領者 / acknowledged by");
  ack->callback([&context, open, args] {
    auto run = [&]() -> core::Status {
      ASSIGN_OR_RETURN(auto dist, open(context.db_path));
      std::string by = args->by;
      if (by.empty()) {
        const char* user = std::getenv("USER");
        by = std::string("cli:") + (user ? user : "unknown");
      }
      ASSIGN_OR_RETURN(auto p, dist->Acknowledge(args->package, by, NowUtc()));
      std::cout << p.id << "\t受領 / acknowledged " << p.acknowledged_at << " " << p.acknowledged_by << "\n";
      return core::Ok();
    };
    if (auto status = run(); !status) context.Report(status.error());
  });
}

void AddAlertAndLastmileCommands(CLI::App& app, CliContext& context, DistributionStoreOpener open) {
  struct Args {
    bool json = false, all = false;
    std::string health_center, file, municipality, by;
    int repeat = distribution::kDefaultUnreachableRepeat;
  };
  auto args = std::make_shared<Args>();
  auto* alerts = app.add_subcommand("alerts", "保健所への注意喚起 / alerts for health centers");
  alerts->add_flag("--json", args->json, "JSON で出力");
  alerts->add_flag("--all", args->all, "解決済みも / include resolved");
  alerts->add_option("--health-center", args->health_center, "保健所");
  alerts->callback([&context, open, args] {
    auto run = [&]() -> core::Status {
      ASSIGN_OR_RETURN(auto dist, open(context.db_path));
      ASSIGN_OR_RETURN(auto list, dist->ListAlerts(args->health_center, args->all));
      ordered_json out = ordered_json::array();
      for (const auto& a : list) {
        out.push_back({{"id", a.id}, {"patient_id", a.patient_id}, {"health_center", a.health_center},
                       {"municipality_code", a.municipality_code6}, {"kind", a.kind},
                       {"message", a.message_ja}, {"on", a.on.ToIso()}, {"raised_at", a.raised_at},
                       {"resolved", a.resolved}});
      }
      if (args->json) {
        std::cout << Dump(out) << "\n";
      } else {
        for (const auto& a : list) {
          std::cout << a.on.ToIso() << "\t" << a.health_center << "\t患者 " << a.patient_id << "\t"
                    << a.message_ja << "\n";
        }
      }
      return core::Ok();
    };
    if (auto status = run(); !status) context.Report(status.error());
  });

  auto* lastmile = app.add_subcommand("lastmile", "市区町村からの連絡・支援の記録 / last-mile records");
  lastmile->require_subcommand(1);
  auto* import = lastmile->add_subcommand(
      "import", "取込（見出し: 整理番号, 市区町村コード, 日付, 区分, 備考） / import a sheet");
  import->add_option("FILE", args->file)->required();
  import->add_option("--municipality", args->municipality,
                     "市区町村コード（列がない場合） / when the sheet has no code column");
  import->add_option("--by", args->by, "記録者 / recorded by");
  import->add_option("--unreachable-repeat", args->repeat, "不通が何回続いたら通知するか")
      ->capture_default_str();
  import->callback([&context, open, args] {
    auto run = [&]() -> core::Status {
      ASSIGN_OR_RETURN(Env env, Env::Open(context, open));
      distribution::LastmileService service(*env.store, *env.distribution, args->repeat);
      distribution::LastmileSheetOptions options;
      options.municipality_code6 = args->municipality;
      options.recorded_by = args->by.empty() ? "lastmile:" + args->file : args->by;
      options.today = TodayJst();
      options.now_utc = NowUtc();
      ASSIGN_OR_RETURN(auto report, distribution::ImportLastmileSheet(args->file, service, options));
      PrintSheetReport(report, true);
      if (report.rejected > 0) context.exit_code = core::ExitCodeFor(core::Code::kInvalidArgument);
      return core::Ok();
    };
    if (auto status = run(); !status) context.Report(status.error());
  });
}

}  // namespace

void AddDistributionCommands(CLI::App& app, CliContext& context,
                             DistributionStoreOpener open_distribution) {
  AddAgreementCommands(app, context, open_distribution);
  AddConsentCommands(app, context, open_distribution);
  AddDistributeCommand(app, context, open_distribution);
  AddPackageCommands(app, context, open_distribution);
  AddAlertAndLastmileCommands(app, context, open_distribution);
}

}  // namespace ichigen::cli

namespace ichigen::cli {

namespace {

class DistributionServingImpl final : public DistributionServing {
 public:
  DistributionServingImpl(std::unique_ptr<store::DistributionStore> distribution,
                          std::unique_ptr<geo::Registry> registry,
                          domain::RecuperationRules rules, distribution::DistributionPolicy policy,
                          const CliContext& context, std::ostream& log)
      : distribution_(std::move(distribution)),
        registry_(std::move(registry)),
        rules_(std::move(rules)),
        policy_(policy),
        context_(context),
        log_(log),
        fields_(*distribution_, NowUnix, policy.cutoff_minute_of_day),
        scheduler_(NowUnix, policy.cutoff_minute_of_day,
                   [this](const distribution::Cutoff& cutoff) { return Build(cutoff); },
                   [this](const distribution::Cutoff& cutoff, const core::Error& error) {
                     Failed(cutoff, error);
                   }) {}
  ~DistributionServingImpl() override { Stop(); }

  void Begin(std::chrono::milliseconds poll) { scheduler_.Start(poll); }
  const api::FieldPolicy& field_policy() const override { return fields_; }
  void Stop() override { scheduler_.Stop(); }

 private:
  // Runs on the scheduler thread; the Store connection is opened per run.
  core::Status Build(const distribution::Cutoff& cutoff) {
    ASSIGN_OR_RETURN(auto store, context_.OpenStore());
    distribution::PackageService service(*store, *distribution_, *registry_, rules_,
                                         [this] { return context_.OpenStore(); },
                                         store::DefaultSlices());
    distribution::DistributeOptions options;
    options.cutoff = cutoff;
    options.csv_encoding = policy_.csv_encoding;
    options.now_utc = NowUtc();
    auto report = service.Distribute(options);
    if (!report && report.error().code == core::Code::kNotFound) return core::Ok();  // no agreement
    if (!report) return std::unexpected(report.error());
    log_ << ordered_json{{"time", NowUtc()}, {"event", "packages_built"},
                         {"cutoff", cutoff.Iso()}, {"packages", report->packages.size()}}
                .dump()
         << std::endl;
    return core::Ok();
  }

  void Failed(const distribution::Cutoff& cutoff, const core::Error& error) {
    log_ << ordered_json{{"time", NowUtc()}, {"event", "packages_failed"}, {"cutoff", cutoff.Iso()},
                         {"error", error.ToString()}}
                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
         << std::endl;
    store::AlertRecord alert;
    alert.kind = "package_failed";
    alert.message_ja = "市区町村パッケージを作成できませんでした: " + error.message;
    alert.on = cutoff.date;
    alert.raised_at = NowUtc();
    static_cast<void>(distribution_->AddAlert(alert));  // the log line above already says it
  }

  std::unique_ptr<store::DistributionStore> distribution_;
  std::unique_ptr<geo::Registry> registry_;
  domain::RecuperationRules rules_;
  distribution::DistributionPolicy policy_;
  const CliContext& context_;
  std::ostream& log_;
  api::AgreementFieldPolicy fields_;
  distribution::DailyScheduler scheduler_;  // last: stopped before the rest goes
};

}  // namespace

core::Result<std::unique_ptr<DistributionServing>> DistributionServing::Start(
    const CliContext& context, const DistributionStoreOpener& open_distribution, std::ostream& log,
    std::chrono::milliseconds poll) {
  ASSIGN_OR_RETURN(auto distribution, open_distribution(context.db_path));
  ASSIGN_OR_RETURN(auto registry, geo::Registry::Load());
  ASSIGN_OR_RETURN(auto rules, domain::RecuperationRules::LoadDefault());
  ASSIGN_OR_RETURN(auto policy, distribution::LoadPolicy());
  auto serving = std::make_unique<DistributionServingImpl>(
      std::move(distribution), std::move(registry), std::move(rules), policy, context, log);
  serving->Begin(poll);
  return std::unique_ptr<DistributionServing>(std::move(serving));
}

}  // namespace ichigen::cli
