#include "intake/row_handler.h"

#include "text/date_parser.h"
#include "text/kana.h"
#include "text/name.h"
#include "text/normalize.h"

namespace ichigen::intake {

core::Status RowOutcomes::Accept(const io::Record& record, const store::PatientRecord& patient) {
  store::RowRecord row;
  row.line = record.line;
  row.outcome = store::Outcome::kAccepted;
  row.patient_id = patient.id;
  row.hersys_id = patient.hersys_id;
  ++report_.rows;
  ++report_.accepted;
  return writer_.AddRow(row);
}

core::Status RowOutcomes::Merge(const io::Record& record, const store::PatientRecord& patient,
                                const Reason& reason, bool keep_raw) {
  store::RowRecord row;
  row.line = record.line;
  row.outcome = store::Outcome::kMerged;
  row.patient_id = patient.id;
  row.hersys_id = patient.hersys_id;
  row.reason_code = std::string(ReasonCodeName(reason.code));
  row.reason_ja = reason.ja;
  row.reason_en = reason.en;
  if (keep_raw) row.raw_text = record.raw_text;
  ++report_.rows;
  ++report_.merged;
  return writer_.AddRow(row);
}

core::Status RowOutcomes::Review(const io::Record& record, const Reason& reason,
                                 std::string row_json, int64_t candidate,
                                 std::string candidates_json) {
  store::ReviewItem item;
  item.line = record.line;
  item.kind = std::string(ReasonCodeName(reason.code));
  item.reason_ja = reason.ja;
  item.reason_en = reason.en;
  item.row_json = std::move(row_json);
  item.candidate_patient_id = candidate;
  item.candidates_json = std::move(candidates_json);
  RETURN_IF_ERROR(writer_.AddReviewItem(item));
  store::RowRecord row;
  row.line = record.line;
  row.outcome = store::Outcome::kReview;
  row.reason_code = item.kind;
  row.reason_ja = reason.ja;
  row.reason_en = reason.en;
  row.raw_text = record.raw_text;
  ++report_.rows;
  ++report_.review;
  return writer_.AddRow(row);
}

core::Status RowOutcomes::Reject(const io::Record& record, const Reason& reason) {
  store::RowRecord row;
  row.line = record.line;
  row.outcome = store::Outcome::kRejected;
  row.reason_code = std::string(ReasonCodeName(reason.code));
  row.reason_ja = reason.ja;
  row.reason_en = reason.en;
  row.raw_text = record.raw_text;
  ++report_.rows;
  ++report_.rejected;
  return writer_.AddRow(row);
}

std::unique_ptr<RowHandler> MakeRowHandler(RowContext& ctx) {
  const std::string& name = ctx.profile.name;
  if (name == "hersys") return MakeHersysHandler(ctx);
  if (name == "updates") return MakeUpdatesHandler(ctx);
  if (name == "press") return MakePressHandler(ctx);
  if (name == "opendata") return MakeOpendataHandler(ctx);
  return nullptr;
}

core::Date EarliestCareDate() { return *core::Date::FromYmd(2019, 12, 1); }

std::string FieldLabel(const Profile& profile, int index) {
  const ProfileField& field = profile.fields[index];
  return field.synonyms.empty() ? field.field : field.synonyms.front();
}

std::expected<std::optional<core::Date>, Reason> CheckDate(const Profile& profile, int index,
                                                           std::string_view raw, core::Date today,
                                                           bool care_range) {
  if (index < 0 || text::NormalizeText(raw).empty()) return std::optional<core::Date>();
  const std::string label = FieldLabel(profile, index);
  const std::string& field = profile.fields[index].field;
  auto parsed = text::ParseDate(raw);
  if (!parsed) {
    return std::unexpected(MakeReason(
        ReasonCode::kBadDate, label + "「" + std::string(raw) + "」 " + parsed.error().message,
        field + " \"" + std::string(raw) + "\" " + parsed.error().message_en));
  }
  const core::Date date = parsed->date;
  if (care_range && (date < EarliestCareDate() || date > today.AddDays(1))) {
    return std::unexpected(MakeReason(
        ReasonCode::kDateOutOfRange,
        label + "「" + std::string(raw) + "」（" + EarliestCareDate().ToIso() + "～" +
            today.ToIso() + "）",
        field + " " + date.ToIso() + " (" + EarliestCareDate().ToIso() + " to " + today.ToIso() +
            ")"));
  }
  return std::optional<core::Date>(date);
}

bool AllValuesDecodable(const std::vector<std::string>& values) {
  for (const std::string& value : values) {
    if (!text::IsValidUtf8(value) || value.find("\xEF\xBF\xBD") != std::string::npos) return false;
  }
  return true;
}

bool IdentityContradicts(const store::PatientRecord& stored, std::string_view name_raw,
                         std::string_view kana_raw, std::string_view birth_raw) {
  if (stored.birth_date.empty() || text::NormalizeText(birth_raw).empty()) return false;
  auto birth = text::ParseDate(birth_raw);
  if (!birth || birth->date.ToIso() == stored.birth_date) return false;
  if (text::NormalizeText(name_raw).empty()) return false;
  if (text::NormalizeName(name_raw).folded_key == stored.name_folded) return false;
  if (!stored.kana_key.empty() && !text::NormalizeText(kana_raw).empty() &&
      text::NormalizeKana(kana_raw).phonetic == stored.kana_key) {
    return false;
  }
  return true;
}

}  // namespace ichigen::intake
