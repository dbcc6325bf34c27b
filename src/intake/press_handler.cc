// Press attributes (公表用属性), keyed by HER-SYS ID: the publication date
// and the attributes as published (年代, 性別, 居住地, 職業, 状態 …), kept
// beside the patient for the press figures. An unknown ID waits in review.
#include "core/sha256.h"
#include "intake/hersys_row.h"
#include "intake/row_handler.h"
#include "text/normalize.h"

namespace ichigen::intake {

namespace {

class PressHandler final : public RowHandler {
 public:
  explicit PressHandler(RowContext& ctx) : ctx_(ctx) {
    hersys_id_ = ctx.profile.FieldIndex("hersys_id");
    published_on_ = ctx.profile.FieldIndex("published_on");
    age_band_ = ctx.profile.FieldIndex("age_band");
  }

  core::Status Apply(RowWork& work) override {
    return Handle(work.record, work.values, std::move(work.extra_json));
  }

 private:
  core::Status Handle(const io::Record& record, const std::vector<std::string>& values,
                      std::string /*extra_json*/) {
    if (!AllValuesDecodable(values)) {
      return ctx_.outcomes.Reject(record, MakeReason(ReasonCode::kInvalidEncoding));
    }
    const std::string id = text::NormalizeText(values[hersys_id_]);
    bool blank = true;
    for (const std::string& value : values) blank = blank && text::NormalizeText(value).empty();
    if (blank) return ctx_.outcomes.Reject(record, MakeReason(ReasonCode::kBlankRow));
    for (int index : {hersys_id_, published_on_}) {
      if (text::NormalizeText(values[index]).empty()) {
        return ctx_.outcomes.Reject(record,
                                    MakeReason(ReasonCode::kMissingRequired,
                                               FieldLabel(ctx_.profile, index),
                                               ctx_.profile.fields[index].field));
      }
    }
    if (id.size() < 6 || id.size() > 8 || id.find_first_not_of("0123456789") != std::string::npos) {
      return ctx_.outcomes.Reject(record, MakeReason(ReasonCode::kBadHersysId, "「" + id + "」", id));
    }
    auto published = CheckDate(ctx_.profile, published_on_, values[published_on_], ctx_.today, true);
    if (!published) return ctx_.outcomes.Reject(record, published.error());

    ASSIGN_OR_RETURN(std::optional<store::PatientRecord> patient,
                     ctx_.writer.FindPatientByHersysId(id));
    const std::string press_json = RawValuesJson(ctx_.profile, values);
    if (!patient) {
      return ctx_.outcomes.Review(record, MakeReason(ReasonCode::kUnknownHersysId, id, id),
                                  press_json, 0);
    }
    const std::string published_iso = (*published)->ToIso();
    if (patient->published_on == published_iso && patient->press_json == press_json) {
      return ctx_.outcomes.Merge(record, *patient, MakeReason(ReasonCode::kUnchanged), false);
    }
    patient->published_on = published_iso;
    patient->age_band = age_band_ < 0 ? std::string() : text::NormalizeText(values[age_band_]);
    patient->press_json = press_json;
    patient->updated_batch = ctx_.writer.batch_id();
    RETURN_IF_ERROR(ctx_.writer.UpdatePatient(*patient));
    return ctx_.outcomes.Merge(record, *patient,
                               MakeReason(ReasonCode::kUpdated, "公表属性", "press attributes"),
                               true);
  }

  RowContext& ctx_;
  int hersys_id_, published_on_, age_band_;
};

}  // namespace

std::unique_ptr<RowHandler> MakePressHandler(RowContext& ctx) {
  return std::make_unique<PressHandler>(ctx);
}

}  // namespace ichigen::intake
