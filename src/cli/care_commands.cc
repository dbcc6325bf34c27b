// ichigen census --as-of D [--cutoff HH:MM] | conflicts [--as-of D]
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "domain/census.h"
#include "stats/census_service.h"
#include "store/parallel_events.h"
#include "text/date_parser.h"

namespace ichigen::cli {

namespace {

core::Date TodayJst() {
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  return domain::JstDateOf(now);
}

// --as-of (any written date form; default today) and --cutoff (HH:MM JST;
// default: everything received so far).
core::Result<stats::AsOf> ResolveAsOf(const std::string& as_of, const std::string& cutoff) {
  stats::AsOf out;
  out.date = TodayJst();
  if (!as_of.empty()) {
    ASSIGN_OR_RETURN(text::ParsedDate parsed, text::ParseDate(as_of));
    out.date = parsed.date;
  }
  out.cutoff_received_at = std::numeric_limits<int64_t>::max();
  if (!cutoff.empty()) {
    ASSIGN_OR_RETURN(auto clock, stats::ParseClock(cutoff));
    out.cutoff_received_at = stats::JstCutoff(out.date, clock.first, clock.second);
  }
  return out;
}

// The pass over every patient on all cores, one Store per slice.
// --threads 0 (the default) = every core.
stats::PassOptions Parallel(const CliContext& context, int threads) {
  stats::PassOptions pass;
  pass.open = [&context] { return context.OpenStore(); };
  pass.slices = threads > 0 ? threads : store::DefaultSlices();
  return pass;
}

nlohmann::json CountsJson(const domain::StatusCounts& counts) {
  nlohmann::json out = nlohmann::json::object();
  for (int s = 0; s < domain::kCareStatusCount; ++s) {
    out[std::string(domain::CareStatusNameEn(static_cast<domain::CareStatus>(s)))] = counts[s];
  }
  return out;
}

}  // namespace

void AddCareCommands(CLI::App& app, CliContext& context) {
  {
    struct Options {
      std::string as_of;
      std::string cutoff;
      bool by_municipality = false;
      bool json = false;
      int threads = 0;
    };
    auto options = std::make_shared<Options>();
    CLI::App* command = app.add_subcommand("census", "療養状況別の人数 (census by care status as of a date)");
    command->add_option("--as-of", options->as_of, "date (default: today)");
    command->add_option("--cutoff", options->cutoff, "HH:MM JST (default: all received)");
    command->add_flag("--by-municipality", options->by_municipality, "also per residence");
    command->add_option("--threads", options->threads, "passes in parallel (default: every core)")
        ->check(CLI::Range(0, 64));
    command->add_flag("--json", options->json, "JSON");
    command->callback([options, &context]() {
      auto as_of = ResolveAsOf(options->as_of, options->cutoff);
      if (!as_of) return context.Report(as_of.error());
      auto rules = domain::RecuperationRules::LoadDefault();
      if (!rules) return context.Report(rules.error());
      auto store = context.OpenStore();
      if (!store) return context.Report(store.error());
      const auto started = std::chrono::steady_clock::now();
      auto result =
          stats::ComputeCensus(**store, *rules, *as_of, Parallel(context, options->threads));
      if (!result) return context.Report(result.error());
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      const domain::CensusAccumulator& census = result->census;
      if (options->json) {
        nlohmann::json out = {{"as_of", as_of->date.ToIso()},
                              {"counted", census.counted()},
                              {"withdrawn", census.withdrawn()},
                              {"not_yet_notified", census.not_yet_notified()},
                              {"with_conflicts", census.with_conflicts()},
                              {"by_status", CountsJson(census.counts())},
                              {"seconds", seconds}};
        if (options->by_municipality) {
          nlohmann::json by = nlohmann::json::object();
          for (const auto& [code, counts] : census.ByResidence()) by[code] = CountsJson(counts);
          out["by_municipality"] = by;
        }
        std::cout << out.dump() << "\n";
        return;
      }
      std::cout << as_of->date.ToIso() << " 時点の療養状況（" << census.counted() << " 人）\n";
      for (int s = 0; s < domain::kCareStatusCount; ++s) {
        const auto status = static_cast<domain::CareStatus>(s);
        std::cout << "  " << domain::PressCategoryJa(status) << "\t" << census.Count(status) << "\n";
      }
      if (census.with_conflicts() > 0) {
        std::cout << "  矛盾のある患者: " << census.with_conflicts() << " 人（ichigen conflicts で確認）\n";
      }
      if (options->by_municipality) {
        for (const auto& [code, counts] : census.ByResidence()) {
          std::cout << (code.empty() ? "住所不明" : code);
          for (int64_t count : counts) std::cout << "\t" << count;
          std::cout << "\n";
        }
      }
    });
  }
  {
    struct Options {
      std::string as_of;
      bool json = false;
      int threads = 0;
    };
    auto options = std::make_shared<Options>();
    CLI::App* command = app.add_subcommand("conflicts", "矛盾のある療養記録 (care histories with conflicts)");
    command->add_option("--as-of", options->as_of, "date (default: today)");
    command->add_flag("--json", options->json, "JSON lines");
    command->add_option("--threads", options->threads, "passes in parallel (default: every core)")
        ->check(CLI::Range(0, 64));
    command->callback([options, &context]() {
      auto as_of = ResolveAsOf(options->as_of, "");
      if (!as_of) return context.Report(as_of.error());
      auto rules = domain::RecuperationRules::LoadDefault();
      if (!rules) return context.Report(rules.error());
      auto store = context.OpenStore();
      if (!store) return context.Report(store.error());
      auto found =
          stats::FindConflicts(**store, *rules, *as_of, Parallel(context, options->threads));
      if (!found) return context.Report(found.error());
      for (const stats::PatientConflicts& item : *found) {
        auto patient = (*store)->GetPatient(item.patient_id);
        const std::string hersys = patient && patient->has_value() ? (*patient)->hersys_id : "";
        for (const domain::Conflict& conflict : item.state.conflicts) {
          if (options->json) {
            nlohmann::json out = {{"patient_id", item.patient_id},
                                  {"hersys_id", hersys},
                                  {"kind", domain::ConflictKindName(conflict.kind)},
                                  {"event_id", conflict.event_id},
                                  {"message", conflict.MessageJa()},
                                  {"message_en", conflict.MessageEn()}};
            std::cout << out.dump() << "\n";
          } else {
            std::cout << item.patient_id << "\t" << hersys << "\t" << conflict.MessageJa() << "\n";
          }
        }
      }
      if (!options->json) std::cerr << found->size() << " 人の記録に矛盾があります\n";
    });
  }
}

}  // namespace ichigen::cli
