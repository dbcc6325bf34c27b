// Open data in the 陽性患者属性 standard (and the real variants Tokyo
// published), for backfill and migration. A row is a case without a name:
// it becomes a case record keyed by the publisher's code and its No, with
// every raw value kept so the same rows can be published again unchanged,
// and a 新規届出 event on the publication date so it counts in the figures.
#include "core/sha256.h"
#include "domain/events.h"
#include "intake/hersys_row.h"
#include "intake/row_handler.h"
#include "text/normalize.h"

namespace ichigen::intake {

namespace {

std::string SexOf(const std::string& written) {
  if (written == "男性" || written == "男") return "男";
  if (written == "女性" || written == "女") return "女";
  if (written == "その他") return "その他";
  if (written.empty()) return "";
  return "不明";
}

class OpendataHandler final : public RowHandler {
 public:
  explicit OpendataHandler(RowContext& ctx) : ctx_(ctx) {
    const Profile& p = ctx.profile;
    no_ = p.FieldIndex("no");
    lg_code_ = p.FieldIndex("lg_code");
    published_on_ = p.FieldIndex("published_on");
    onset_on_ = p.FieldIndex("onset_on");
    diagnosed_on_ = p.FieldIndex("diagnosed_on");
    residence_ = p.FieldIndex("residence");
    age_band_ = p.FieldIndex("age_band");
    sex_ = p.FieldIndex("sex");
    occupation_ = p.FieldIndex("occupation");
    condition_ = p.FieldIndex("condition");
  }

  core::Status Apply(RowWork& work) override {
    return Handle(work.record, work.values, std::move(work.extra_json));
  }

 private:
  core::Status Handle(const io::Record& record, const std::vector<std::string>& values,
                      std::string extra_json) {
    auto value = [&](int index) {
      return index < 0 ? std::string() : text::NormalizeText(values[index]);
    };
    if (!AllValuesDecodable(values)) {
      return ctx_.outcomes.Reject(record, MakeReason(ReasonCode::kInvalidEncoding));
    }
    bool blank = true;
    for (const std::string& v : values) blank = blank && text::NormalizeText(v).empty();
    if (blank) return ctx_.outcomes.Reject(record, MakeReason(ReasonCode::kBlankRow));
    for (int index : {no_, published_on_}) {
      if (value(index).empty()) {
        return ctx_.outcomes.Reject(record,
                                    MakeReason(ReasonCode::kMissingRequired,
                                               FieldLabel(ctx_.profile, index),
                                               ctx_.profile.fields[index].field));
      }
    }
    store::PatientRecord p;
    for (auto [index, out] : {std::pair{published_on_, &p.published_on},
                              std::pair{onset_on_, &p.onset_on},
                              std::pair{diagnosed_on_, &p.diagnosed_on}}) {
      auto date = CheckDate(ctx_.profile, index, index < 0 ? "" : values[index], ctx_.today, true);
      if (!date) return ctx_.outcomes.Reject(record, date.error());
      if (*date) *out = (*date)->ToIso();
    }
    const std::string publisher = value(lg_code_).empty() ? "-" : value(lg_code_);
    p.external_id = "opendata:" + publisher + ":" + value(no_);
    p.notified_on = p.published_on;
    p.age_band = value(age_band_);
    p.sex = SexOf(value(sex_));
    p.occupation = value(occupation_);
    p.address = value(residence_);
    p.severity = value(condition_);
    p.raw_json = RawValuesJson(ctx_.profile, values);
    p.press_json = p.raw_json;
    p.extra_json = std::move(extra_json);
    p.content_hash = core::Sha256Hex(p.raw_json).substr(0, 16);
    if (const geo::Municipality* m = ctx_.intake.registry->FindByCode(publisher)) {
      p.municipality_code = m->code6;  // a municipality's own publication
    }

    ASSIGN_OR_RETURN(std::optional<store::PatientRecord> stored,
                     ctx_.writer.FindPatientByExternalId(p.external_id));
    if (stored && stored->content_hash == p.content_hash) {
      return ctx_.outcomes.Merge(record, *stored, MakeReason(ReasonCode::kUnchanged), false);
    }
    p.updated_batch = ctx_.writer.batch_id();
    if (stored) {
      p.id = stored->id;
      p.created_batch = stored->created_batch;
      RETURN_IF_ERROR(ctx_.writer.UpdatePatient(p));
      return ctx_.outcomes.Merge(record, p,
                                 MakeReason(ReasonCode::kUpdated, "オープンデータ", "open data"),
                                 true);
    }
    p.created_batch = ctx_.writer.batch_id();
    RETURN_IF_ERROR(ctx_.writer.InsertPatient(p));
    domain::Event notified;
    notified.type = domain::EventType::kNotified;
    notified.effective_on = *core::Date::ParseIso(p.published_on);
    notified.received_at = ctx_.received_at;
    notified.source = ctx_.source;
    notified.line = static_cast<int32_t>(record.line);
    notified.residence_code = p.municipality_code;
    if (!p.onset_on.empty()) notified.onset_on = core::Date::ParseIso(p.onset_on);
    if (!p.diagnosed_on.empty()) notified.diagnosed_on = core::Date::ParseIso(p.diagnosed_on);
    RETURN_IF_ERROR(ctx_.writer.AddEvent(p.id, notified, "notified"));
    return ctx_.outcomes.Accept(record, p);
  }

  RowContext& ctx_;
  int no_, lg_code_, published_on_, onset_on_, diagnosed_on_, residence_, age_band_, sex_,
      occupation_, condition_;
};

}  // namespace

std::unique_ptr<RowHandler> MakeOpendataHandler(RowContext& ctx) {
  return std::make_unique<OpendataHandler>(ctx);
}

}  // namespace ichigen::intake
