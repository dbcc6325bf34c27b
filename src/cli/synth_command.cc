#include "cli/synth_command.h"

#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"
#include "geo/registry.h"
#include "synth/synth.h"

namespace ichigen::cli {
namespace {

struct SynthArgs {
  std::string kind = "hersys";
  std::string encoding = "cp932";
  std::string format = "csv";
  std::string header_style = "random";
  std::string sheet = "random";
  std::string from;
  std::string to;
  bool json = false;
  synth::SynthOptions options;
};

core::Result<std::optional<core::Date>> ParseDateOption(const std::string& text,
                                                        std::string_view option) {
  if (text.empty()) return std::optional<core::Date>();
  const std::optional<core::Date> date = core::Date::ParseIso(text);
  if (!date) {
    return core::Fail(core::Code::kInvalidArgument, "日付は YYYY-MM-DD で指定してください",
                      "dates are YYYY-MM-DD", std::string(option) + " " + text);
  }
  return date;
}

template <typename T>
core::Result<T> ParseChoice(const std::string& text, std::string_view option,
                            const std::map<std::string, T>& choices) {
  const auto it = choices.find(text);
  if (it == choices.end()) {
    return core::Fail(core::Code::kInvalidArgument, "指定できない値です", "unknown value",
                      std::string(option) + " " + text);
  }
  return it->second;
}

core::Result<synth::SynthSummary> Run(SynthArgs& args) {
  synth::SynthOptions& o = args.options;
  ASSIGN_OR_RETURN(o.kind, ParseChoice<synth::SynthKind>(
                               args.kind, "--kind",
                               {{"hersys", synth::SynthKind::kHersys},
                                {"updates", synth::SynthKind::kUpdates}}));
  ASSIGN_OR_RETURN(o.encoding, io::ParseEncodingName(args.encoding));
  ASSIGN_OR_RETURN(o.format, ParseChoice<synth::OutputFormat>(
                                 args.format, "--format",
                                 {{"csv", synth::OutputFormat::kCsv},
                                  {"xlsx", synth::OutputFormat::kXlsx}}));
  ASSIGN_OR_RETURN(o.header_style, ParseChoice<synth::HeaderStyle>(
                                       args.header_style, "--header-style",
                                       {{"canonical", synth::HeaderStyle::kCanonical},
                                        {"random", synth::HeaderStyle::kRandom}}));
  ASSIGN_OR_RETURN(o.sheet, ParseChoice<synth::SheetKind>(
                                args.sheet, "--sheet",
                                {{"random", synth::SheetKind::kRandom},
                                 {"hospital", synth::SheetKind::kHospital},
                                 {"lodging", synth::SheetKind::kLodging},
                                 {"health-center", synth::SheetKind::kHealthCenter}}));
  ASSIGN_OR_RETURN(o.from, ParseDateOption(args.from, "--from"));
  ASSIGN_OR_RETURN(o.to, ParseDateOption(args.to, "--to"));
  RETURN_IF_ERROR(synth::ValidateOptions(o));
  ASSIGN_OR_RETURN(const std::unique_ptr<geo::Registry> registry, geo::Registry::Load());
  return synth::Synthesize(o, *registry);
}

}  // namespace

void AddSynthCommand(CLI::App& app) {
  auto args = std::make_shared<SynthArgs>();
  synth::SynthOptions& o = args->options;
  CLI::App* command = app.add_subcommand(
      "synth", "合成データを書き出す (write a synthetic HER-SYS export or update sheet)");
  command->add_option("--kind", args->kind, "hersys | updates")->capture_default_str();
  command->add_option("--out", o.out, "output file")->required();
  command->add_option("--truth", o.truth,
                      "truth CSV: line,hersys_id,person_id,expected,reason_kind");
  command->add_option("--rows", o.rows, "data rows")->capture_default_str();
  command->add_option("--seed", o.seed, "random seed (same options, same bytes)")
      ->capture_default_str();
  command->add_option("--prefecture", o.prefecture, "prefecture code or name (14, 神奈川県)")
      ->capture_default_str();
  command->add_option("--from", args->from, "first notification date, YYYY-MM-DD");
  command->add_option("--to", args->to, "last notification date, YYYY-MM-DD");
  command->add_option("--encoding", args->encoding, "cp932 | utf-8 | utf-8-bom")
      ->capture_default_str();
  command->add_option("--format", args->format, "csv | xlsx")->capture_default_str();
  command->add_option("--header-style", args->header_style, "canonical | random")
      ->capture_default_str();
  command->add_option("--title-rows", o.title_rows, "title lines above the header")
      ->capture_default_str();
  command->add_option("--bad-rate", o.bad_rate, "share of deliberately bad rows")
      ->capture_default_str();
  command->add_option("--duplicate-rate", o.duplicate_rate,
                      "hersys: share of rows resending an earlier patient with a change")
      ->capture_default_str();
  command->add_option("--id-start", o.id_start, "first HER-SYS ID (6 to 8 digits)")
      ->capture_default_str();
  command->add_option("--patients", o.patients,
                      "updates: distinct patients of the hersys run they refer to")
      ->capture_default_str();
  command->add_option("--no-id-rate", o.no_id_rate, "updates: share of rows without HER-SYS ID")
      ->capture_default_str();
  command->add_flag("--identity-noise", o.identity_noise,
                    "updates: ID-less rows with identity noise (variants, typos, slips, missing "
                    "fields); truth gains row_kind,noise");
  command->add_option("--stranger-rate", o.stranger_rate,
                      "updates with --identity-noise: share of ID-less rows about people not in "
                      "the store (twin, family member, namesake of a patient)")
      ->capture_default_str();
  command->add_option("--sheet", args->sheet, "updates: random | hospital | lodging | health-center")
      ->capture_default_str();
  command->add_flag("--json", args->json, "print the summary as JSON");
  command->callback([args]() {
    const core::Result<synth::SynthSummary> summary = Run(*args);
    if (!summary) {
      const core::Error& error = summary.error();
      std::fprintf(stderr, "synth: %s\n", error.ToString().c_str());
      // CLI11's way for a callback to end the program with an exit code.
      throw CLI::RuntimeError(core::ExitCodeFor(error.code));
    }
    if (args->json) {
      nlohmann::json out = {{"file", args->options.out},
                            {"kind", args->kind},
                            {"rows", summary->rows},
                            {"patients", summary->patients},
                            {"bad_rows", summary->bad_rows},
                            {"resent_rows", summary->resent_rows},
                            {"lines", summary->lines},
                            {"prefecture", summary->prefecture},
                            {"from", summary->from.ToIso()},
                            {"to", summary->to.ToIso()},
                            {"bad_by_kind", summary->bad_by_kind}};
      if (!summary->identity_rows_by_kind.empty()) {
        out["identity_rows_by_kind"] = summary->identity_rows_by_kind;
      }
      if (!summary->sheet.empty()) out["sheet"] = summary->sheet;
      std::printf("%s\n", out.dump().c_str());
    } else {
      std::printf("%s: %lld 行 (患者 %lld, 不正 %lld, 再送 %lld) %s %s〜%s%s%s\n",
                  args->options.out.c_str(), static_cast<long long>(summary->rows),
                  static_cast<long long>(summary->patients),
                  static_cast<long long>(summary->bad_rows),
                  static_cast<long long>(summary->resent_rows), summary->prefecture.c_str(),
                  summary->from.ToIso().c_str(), summary->to.ToIso().c_str(),
                  summary->sheet.empty() ? "" : " ", summary->sheet.c_str());
    }
  });
}

}  // namespace ichigen::cli
