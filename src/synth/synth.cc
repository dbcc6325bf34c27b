#include "synth/synth.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>

#include "synth/case_curve.h"
#include "synth/name_bank.h"
#include "synth/places.h"
#include "synth/population.h"
#include "synth/row_forms.h"
#include "synth/table_sink.h"

namespace ichigen::synth {
namespace {

constexpr uint64_t kFileStream = 0x66696c65;  // "file"
constexpr int64_t kMaxHersysId = 99'999'999;  // 8 digits
constexpr int64_t kMinHersysId = 100'000;     // 6 digits

core::Status Invalid(std::string_view option, std::string message_ja, std::string message_en) {
  return core::Fail(core::Code::kInvalidArgument, std::move(message_ja), std::move(message_en),
                    std::string(option));
}

}  // namespace

core::Status ValidateOptions(const SynthOptions& options) {
  if (options.out.empty()) return Invalid("--out", "出力先を指定してください", "--out is required");
  if (options.rows < 0) return Invalid("--rows", "行数が負です", "--rows must be >= 0");
  if (options.title_rows < 0 || options.title_rows > 20) {
    return Invalid("--title-rows", "タイトル行数は 0〜20 です", "--title-rows must be 0..20");
  }
  for (const auto& [name, rate] : {std::pair{"--bad-rate", options.bad_rate},
                                   std::pair{"--duplicate-rate", options.duplicate_rate},
                                   std::pair{"--no-id-rate", options.no_id_rate},
                                   std::pair{"--stranger-rate", options.stranger_rate}}) {
    if (!(rate >= 0.0 && rate <= 1.0)) {
      return Invalid(name, "割合は 0〜1 です", "a rate must be within 0..1");
    }
  }
  if (options.bad_rate + options.duplicate_rate > 1.0) {
    return Invalid("--bad-rate", "不正行と再送行の割合の和が 1 を超えます",
                   "--bad-rate plus --duplicate-rate exceeds 1");
  }
  const int64_t patients =
      options.kind == SynthKind::kHersys ? options.rows : options.patients;
  if (options.kind == SynthKind::kUpdates && options.patients <= 0) {
    return Invalid("--patients", "患者数は 1 以上です", "--patients must be >= 1");
  }
  if (options.id_start < kMinHersysId || options.id_start + patients - 1 > kMaxHersysId) {
    return Invalid("--id-start", "HER-SYS ID が 6〜8 桁に収まりません",
                   "HER-SYS IDs would not fit in 6 to 8 digits");
  }
  if (options.stranger_rate > 0 && !options.identity_noise) {
    return Invalid("--stranger-rate", "--stranger-rate は --identity-noise と併せて指定します",
                   "--stranger-rate needs --identity-noise");
  }
  if (options.identity_noise && options.kind != SynthKind::kUpdates) {
    return Invalid("--identity-noise", "--identity-noise は updates のみです",
                   "--identity-noise applies to --kind updates only");
  }
  if (options.from && options.to && *options.from > *options.to) {
    return Invalid("--from", "開始日が終了日より後です", "--from is after --to");
  }
  return core::Ok();
}

core::Result<SynthSummary> Synthesize(const SynthOptions& options,
                                      const geo::Registry& registry) {
  RETURN_IF_ERROR(ValidateOptions(options));
  ASSIGN_OR_RETURN(const geo::Prefecture* prefecture,
                   FindPrefecture(registry, options.prefecture));
  ASSIGN_OR_RETURN(const NameBank names, NameBank::Load());
  const bool cp932 = options.format == OutputFormat::kCsv &&
                     options.encoding == io::Encoding::kCp932;
  ASSIGN_OR_RETURN(const Places places, Places::Build(registry, *prefecture, cp932));
  ASSIGN_OR_RETURN(const CaseCurve curve,
                   CaseCurve::Load(prefecture->name_en, options.from, options.to));

  int64_t patients = options.patients;
  if (options.kind == SynthKind::kHersys) {
    const auto resends = static_cast<int64_t>(
        std::llround(static_cast<double>(options.rows) * options.duplicate_rate));
    // The first row cannot resend anything.
    patients = options.rows - std::min(resends, options.rows > 0 ? options.rows - 1 : 0);
  }
  const Population population(names, places, curve, options.seed, std::max<int64_t>(patients, 1),
                              options.id_start);

  Rng rng(StreamSeed(options.seed, kFileStream));
  const FileStyle style = ChooseFileStyle(rng, options);
  std::unique_ptr<TableSink> sink;
  if (options.format == OutputFormat::kXlsx) {
    ASSIGN_OR_RETURN(sink, OpenXlsxSink(options.out, "Sheet1"));
  } else {
    ASSIGN_OR_RETURN(sink, OpenCsvSink(options.out, style.csv));
  }
  ASSIGN_OR_RETURN(TruthWriter truth, TruthWriter::Open(options.truth, options.identity_noise));

  core::Result<SynthSummary> result =
      options.kind == SynthKind::kHersys
          ? WriteHersys(options, population, style, *sink, truth, rng)
          : WriteUpdates(options, population, style, *sink, truth, rng);
  if (!result) return result;
  RETURN_IF_ERROR(sink->Close());
  RETURN_IF_ERROR(truth.Close());
  result->lines = sink->lines();
  result->prefecture = prefecture->name;
  result->from = curve.from();
  result->to = curve.to();
  return result;
}

}  // namespace ichigen::synth
