// The HER-SYS export writer (kind `hersys`): one row per notified patient.
#include <algorithm>
#include <cmath>
#include <array>
#include <vector>

#include "synth/row_forms.h"

namespace ichigen::synth {
namespace {

enum Column {
  kId, kNotified, kName, kKana, kSex, kBirth, kAge, kPostal, kAddress, kMunicipalityCode,
  kPhone, kOccupation, kOnset, kDiagnosed, kFacility, kHealthCenter, kSeverity, kCareStatus,
  kCareStart, kConsent, kColumnCount
};

struct ColumnHeaders {
  std::array<std::string_view, 4> synonyms;
  size_t count;
  std::span<const std::string_view> span() const { return {synonyms.data(), count}; }
};

// docs/product.md, "Input layouts", hersys; the first synonym is canonical.
constexpr std::array<ColumnHeaders, kColumnCount> kHeaders = {{
    {{"HER-SYS ID", "HERSYS_ID", "HER-SYSID", "患者ID"}, 4},
    {{"届出日", "届出年月日"}, 2},
    {{"氏名", "患者氏名"}, 2},
    {{"フリガナ", "氏名カナ", "ふりがな", "カナ氏名"}, 4},
    {{"性別"}, 1},
    {{"生年月日"}, 1},
    {{"年齢"}, 1},
    {{"郵便番号"}, 1},
    {{"住所", "現住所", "居住地住所"}, 3},
    {{"市区町村コード", "全国地方公共団体コード"}, 2},
    {{"電話番号", "連絡先", "携帯電話番号"}, 3},
    {{"職業"}, 1},
    {{"発症日", "発病年月日"}, 2},
    {{"診断日", "確定日"}, 2},
    {{"届出医療機関", "医療機関名"}, 2},
    {{"管轄保健所", "保健所"}, 2},
    {{"重症度"}, 1},
    {{"療養状況"}, 1},
    {{"療養開始日"}, 1},
    {{"市町村への情報提供同意", "情報提供同意"}, 2},
}};

enum class Defect {
  kMissingId, kMissingName, kMissingAddress, kMissingNotifiedOn, kBadIdShape, kImpossibleDate,
  kBirthAfterNotification, kUnknownSex, kStrayQuote, kAbsurdDate
};

constexpr std::array<std::string_view, 10> kDefectNames = {
    "missing_hersys_id", "missing_name", "missing_address", "missing_notified_on",
    "bad_id_shape", "impossible_date", "birth_after_notification", "unknown_sex",
    "stray_quote", "absurd_date"};

constexpr std::array<std::string_view, 4> kUnknownSexCodes = {"X", "9", "男女", "?"};

// Resends pick their patient among this many most recent ones, as a
// correction arrives within days of the first notification.
constexpr int64_t kResendWindow = 5000;

class HersysRows {
 public:
  HersysRows(const Population& population, const FileStyle& style)
      : population_(population), style_(style),
        fields_(kColumnCount) {
    for (std::string& field : fields_) field.reserve(96);
  }

  std::vector<std::string>& fields() { return fields_; }

  void Fill(const Person& p, Rng& rng) {
    for (std::string& field : fields_) field.clear();
    const Places& places = population_.places();
    const geo::Municipality& m = *p.address.place->municipality;
    AppendInt(p.hersys_id, fields_[kId]);
    AppendVariedDate(p.notified, style_.date, rng, fields_[kNotified]);
    AppendName(p, style_, rng, fields_[kName]);
    if (rng.Chance(0.95)) AppendKana(p, style_, rng, fields_[kKana]);
    AppendSex(p.sex, style_, fields_[kSex]);
    AppendVariedDate(p.birth, style_.birth_date, rng, fields_[kBirth]);
    AppendInt(p.age, fields_[kAge]);
    if (style_.age_suffix) fields_[kAge].append("歳");
    if (rng.Chance(0.6)) {
      // Not real postal codes (there is no table of them here): a stable
      // 7-digit number per municipality and town.
      const uint64_t h = Mix64(static_cast<uint64_t>(std::stoll(m.code6)) * 131 + p.address.town);
      AppendPadded(static_cast<int64_t>(h % 900 + 100), 3, fields_[kPostal]);
      fields_[kPostal].push_back('-');
      AppendPadded(static_cast<int64_t>((h >> 20) % 10000), 4, fields_[kPostal]);
    }
    AppendVariedAddress(places, p.address, style_, rng, fields_[kAddress]);
    const double code = rng.Unit();
    if (code < 0.4) {
      fields_[kMunicipalityCode] = m.code6;
    } else if (code < 0.55) {
      fields_[kMunicipalityCode] = m.code5;
    }
    if (rng.Chance(0.95)) AppendVariedPhone(p.phone, style_, rng, fields_[kPhone]);
    fields_[kOccupation].append(p.occupation);
    if (p.onset) AppendVariedDate(*p.onset, style_.date, rng, fields_[kOnset]);
    AppendVariedDate(p.diagnosed, style_.date, rng, fields_[kDiagnosed]);
    population_.AppendReportingFacility(p, fields_[kFacility]);
    if (!m.health_center.empty() && rng.Chance(0.5)) {
      fields_[kHealthCenter].append(m.health_center);
      if (!m.health_center.ends_with("保健所") && rng.Chance(0.5)) {
        fields_[kHealthCenter].append("保健所");
      }
    }
    fields_[kSeverity].append(SeverityName(p.severity));
    fields_[kCareStatus].append(CareStatusName(p.care_status));
    AppendVariedDate(p.care_start, style_.date, rng, fields_[kCareStart]);
    static constexpr std::array<std::string_view, 3> kYes = {"有", "1", "○"};
    static constexpr std::array<std::string_view, 3> kNo = {"無", "0", "×"};
    const auto form = static_cast<size_t>(style_.consent_form);
    fields_[kConsent].append(p.consent ? kYes[form] : kNo[form]);
  }

  // Spoils the row as `defect` says; returns the raw (unquoted) column, or -1.
  int Spoil(Defect defect, const Person& p, int64_t ordinal, Rng& rng) {
    const int variant = static_cast<int>(ordinal / static_cast<int64_t>(kDefectNames.size()));
    switch (defect) {
      case Defect::kMissingId: fields_[kId].clear(); break;
      case Defect::kMissingName: fields_[kName].clear(); break;
      case Defect::kMissingAddress:
        fields_[kAddress].clear();
        fields_[kMunicipalityCode].clear();
        fields_[kPostal].clear();
        break;
      case Defect::kMissingNotifiedOn: fields_[kNotified].clear(); break;
      case Defect::kBadIdShape:
        fields_[kId].clear();
        AppendBadId(p.hersys_id, variant, fields_[kId]);
        break;
      case Defect::kImpossibleDate:
        fields_[kNotified].clear();
        AppendImpossibleDate(p.notified, variant, fields_[kNotified]);
        break;
      case Defect::kBirthAfterNotification:
        fields_[kBirth].clear();
        AppendDate(p.notified.AddDays(rng.Between(1, 400)), style_.birth_date, fields_[kBirth]);
        fields_[kAge].clear();
        break;
      case Defect::kUnknownSex:
        fields_[kSex] = kUnknownSexCodes[static_cast<size_t>(variant) % kUnknownSexCodes.size()];
        break;
      case Defect::kStrayQuote:
        fields_[kName].clear();
        AppendStrayQuoteName(p, fields_[kName]);
        return kName;
      case Defect::kAbsurdDate: {
        const core::Ymd ymd = p.notified.ToYmd();
        const int year = variant % 2 == 0 ? 1800 : 2099;
        fields_[kNotified].clear();
        AppendDate(core::Date::FromYmd(year, ymd.month, std::min(ymd.day, 28)).value(),
                   style_.date, fields_[kNotified]);
        break;
      }
    }
    return -1;
  }

  // A resend changes one thing about the patient, as a correction would.
  void Change(Person& p, Rng& rng) {
    switch (rng.Below(3)) {
      case 0: p.phone = Population::MobileNumber(rng); break;
      case 1: p.address = population_.places().SampleAddress(rng); break;
      default:
        p.severity = Severity::kModerate;
        p.care_status = CareStatus::kHospitalized;
        break;
    }
  }

 private:
  const Population& population_;
  const FileStyle& style_;
  std::vector<std::string> fields_;
};

}  // namespace

core::Result<SynthSummary> WriteHersys(const SynthOptions& options, const Population& population,
                                       const FileStyle& style, TableSink& sink,
                                       TruthWriter& truth, Rng& rng) {
  SynthSummary summary;
  const int64_t rows = options.rows;
  const int64_t resends = population.patients() < rows ? rows - population.patients() : 0;
  const int64_t bad = std::llround(static_cast<double>(rows) * options.bad_rate);
  std::vector<Defect> defects;
  for (size_t k = 0; k < kDefectNames.size(); ++k) {
    // A stray quote is a CSV matter; an XLSX cell holds any text.
    if (static_cast<Defect>(k) == Defect::kStrayQuote && options.format == OutputFormat::kXlsx) {
      continue;
    }
    defects.push_back(static_cast<Defect>(k));
  }

  RETURN_IF_ERROR(
      WriteTitleRows(sink, options.title_rows, "HER-SYS", population.curve().to(), rows));
  std::vector<std::string> header;
  for (const ColumnHeaders& h : kHeaders) {
    header.emplace_back(PickHeader(h.span(), options.header_style, rng));
  }
  RETURN_IF_ERROR(sink.WriteRow(header));

  HersysRows writer(population, style);
  ExactSelector resend_selector(resends, rows > 0 ? rows - 1 : 0);
  ExactSelector bad_selector(bad, rows - resends);
  Person person;
  int64_t next_patient = 0;
  int64_t bad_written = 0;
  for (int64_t row = 0; row < rows; ++row) {
    const bool resend = row > 0 && resend_selector.Next(rng);
    const int64_t line = sink.lines() + 1;
    if (resend) {
      const int64_t window = std::min(next_patient, kResendWindow);
      const auto back = static_cast<int64_t>(rng.Below(static_cast<uint64_t>(window)));
      population.Make(next_patient - 1 - back, person);
      writer.Change(person, rng);
      writer.Fill(person, rng);
      RETURN_IF_ERROR(sink.WriteRow(writer.fields()));
      RETURN_IF_ERROR(truth.Write(line, person.hersys_id, person.index + 1, true, "resend"));
      ++summary.resent_rows;
      continue;
    }
    population.Make(next_patient++, person);
    writer.Fill(person, rng);
    int raw_column = -1;
    std::string_view reason = "ok";
    if (bad_selector.Next(rng)) {
      const Defect defect = defects[static_cast<size_t>(bad_written) % defects.size()];
      raw_column = writer.Spoil(defect, person, bad_written, rng);
      reason = kDefectNames[static_cast<size_t>(defect)];
      ++summary.bad_by_kind[std::string(reason)];
      ++bad_written;
    }
    RETURN_IF_ERROR(sink.WriteRow(writer.fields(), raw_column));
    RETURN_IF_ERROR(
        truth.Write(line, person.hersys_id, person.index + 1, reason == "ok", reason));
  }
  summary.rows = rows;
  summary.patients = next_patient;
  summary.bad_rows = bad_written;
  return summary;
}

}  // namespace ichigen::synth
