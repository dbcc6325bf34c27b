// The HER-SYS export: one row per notified patient, keyed by HER-SYS ID.
// A new ID becomes a patient and a 新規届出 event; a known ID updates the
// patient (and, when care-relevant values changed, adds a 訂正 of the
// notification); an ID whose stored name and birth date both disagree with
// the row goes to review instead of being trusted.
#include <algorithm>

#include "core/sha256.h"
#include "domain/events.h"
#include "intake/hersys_row.h"
#include "intake/row_handler.h"

namespace ichigen::intake {

namespace {

std::optional<core::Date> OptIso(const std::string& iso) {
  if (iso.empty()) return std::nullopt;
  return core::Date::ParseIso(iso);
}

// The notification event of a patient record as HER-SYS describes it.
domain::Event NotificationOf(const store::PatientRecord& p, const RowContext& ctx, int64_t line) {
  domain::Event event;
  event.type = domain::EventType::kNotified;
  event.effective_on = *core::Date::ParseIso(p.notified_on);
  event.received_at = ctx.received_at;
  event.source = ctx.source;
  event.line = static_cast<int32_t>(line);
  event.residence_code = p.municipality_code;
  event.onset_on = OptIso(p.onset_on);
  event.diagnosed_on = OptIso(p.diagnosed_on);
  event.facility = p.reporting_facility;
  if (!p.care_status.empty()) {
    auto status = domain::ParseCareStatus(p.care_status);
    if (status) event.care_status = *status;
  }
  if (!p.severity.empty()) event.symptomatic = p.severity != "無症状";
  return event;
}

// A payload fingerprint, so the same correction is not stored twice.
std::string PayloadKey(const domain::Event& e) {
  std::string key = e.effective_on.ToIso() + "|" + e.residence_code + "|" +
                    (e.onset_on ? e.onset_on->ToIso() : "") + "|" +
                    (e.diagnosed_on ? e.diagnosed_on->ToIso() : "") + "|" +
                    (e.care_status ? std::string(domain::CareStatusNameEn(*e.care_status)) : "") +
                    "|" + (e.symptomatic ? (*e.symptomatic ? "1" : "0") : "") + "|" + e.facility;
  return core::Sha256Hex(key).substr(0, 16);
}

std::vector<std::string> MergeInto(store::PatientRecord& stored, const store::PatientRecord& in) {
  std::vector<std::string> changed;
  auto take = [&](std::string& to, const std::string& from, std::string_view label) {
    if (from.empty() || from == to) return;
    to = from;
    changed.emplace_back(label);
  };
  if (!in.name.empty() && in.name != stored.name) {
    stored.name = in.name;
    stored.name_key = in.name_key;
    stored.name_folded = in.name_folded;
    changed.emplace_back("氏名");
  }
  if (!in.name_kana.empty() && in.name_kana != stored.name_kana) {
    stored.name_kana = in.name_kana;
    stored.kana_key = in.kana_key;
    changed.emplace_back("フリガナ");
  }
  take(stored.sex, in.sex, "性別");
  take(stored.birth_date, in.birth_date, "生年月日");
  if (in.age && in.age != stored.age) {
    stored.age = in.age;
    changed.emplace_back("年齢");
  }
  take(stored.postal_code, in.postal_code, "郵便番号");
  if (!in.address.empty() && in.address != stored.address) {
    stored.address = in.address;
    stored.municipality_code = in.municipality_code;
    stored.residence_confidence = in.residence_confidence;
    changed.emplace_back("住所");
  }
  if (!in.phone.empty() && in.phone != stored.phone) {
    stored.phone = in.phone;
    stored.phone_key = in.phone_key;
    changed.emplace_back("電話番号");
  }
  take(stored.occupation, in.occupation, "職業");
  take(stored.notified_on, in.notified_on, "届出日");
  take(stored.onset_on, in.onset_on, "発症日");
  take(stored.diagnosed_on, in.diagnosed_on, "診断日");
  take(stored.reporting_facility, in.reporting_facility, "届出医療機関");
  take(stored.health_center, in.health_center, "管轄保健所");
  take(stored.severity, in.severity, "重症度");
  take(stored.care_status, in.care_status, "療養状況");
  take(stored.care_start_on, in.care_start_on, "療養開始日");
  if (in.consent_share && in.consent_share != stored.consent_share) {
    stored.consent_share = in.consent_share;
    changed.emplace_back("情報提供同意");
  }
  stored.flags = in.flags;
  stored.raw_json = in.raw_json;
  if (!in.extra_json.empty()) stored.extra_json = in.extra_json;
  stored.content_hash = in.content_hash;
  return changed;
}

bool ContradictsStored(const store::PatientRecord& stored, const store::PatientRecord& in) {
  const bool birth_differs = !stored.birth_date.empty() && !in.birth_date.empty() &&
                             stored.birth_date != in.birth_date;
  const bool name_differs = stored.name_folded != in.name_folded &&
                            (stored.kana_key.empty() || in.kana_key.empty() ||
                             stored.kana_key != in.kana_key);
  return birth_differs && name_differs;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += "、";
    out += part;
  }
  return out;
}

class HersysHandler final : public RowHandler {
 public:
  explicit HersysHandler(RowContext& ctx)
      : ctx_(ctx),
        mapper_(ctx.profile, *ctx.intake.registry, *ctx.intake.resolver, ctx.today) {}

  struct Work : RowWork {
    std::expected<store::PatientRecord, Reason> mapped = std::unexpected(Reason{});
  };

  std::unique_ptr<RowWork> NewWork() const override { return std::make_unique<Work>(); }

  // The expensive part (normalization, dates, residence) runs while the
  // writing thread stores earlier rows.
  void Prepare(RowWork& base) const override {
    Work& work = static_cast<Work&>(base);
    work.mapped = mapper_.Map(work.values);
    if (work.mapped) work.mapped->extra_json = std::move(work.extra_json);
  }

  std::string_view HersysIdOf(const RowWork& base) const override {
    const Work& work = static_cast<const Work&>(base);
    return work.mapped ? std::string_view(work.mapped->hersys_id) : std::string_view();
  }

  core::Status Apply(RowWork& base) override {
    Work& work = static_cast<Work&>(base);
    const io::Record& record = work.record;
    if (!work.mapped) return ctx_.outcomes.Reject(record, work.mapped.error());
    store::PatientRecord& incoming = *work.mapped;

    ASSIGN_OR_RETURN(std::optional<store::PatientRecord> stored,
                     ctx_.writer.FindPatientByHersysId(incoming.hersys_id));
    if (!stored) {
      incoming.created_batch = ctx_.writer.batch_id();
      incoming.updated_batch = ctx_.writer.batch_id();
      RETURN_IF_ERROR(ctx_.writer.InsertPatient(incoming));
      RETURN_IF_ERROR(AddCareEvents(incoming, record.line));
      return ctx_.outcomes.Accept(record, incoming);
    }
    if (ContradictsStored(*stored, incoming)) {
      const Reason reason = MakeReason(
          ReasonCode::kHersysIdContradiction,
          "登録済み「" + stored->name + " " + stored->birth_date + "」、この行「" + incoming.name +
              " " + incoming.birth_date + "」",
          "stored " + stored->birth_date + ", row " + incoming.birth_date);
      return ctx_.outcomes.Review(record, reason, incoming.raw_json, stored->id);
    }
    if (stored->content_hash == incoming.content_hash) {
      return ctx_.outcomes.Merge(record, *stored, MakeReason(ReasonCode::kUnchanged), false);
    }
    // The ID of a patient an operator merged into another: its history is
    // the survivor's now. Applying the change to the merged-away record
    // would hide it (or, restating the notification, count the person
    // twice); applying it to the survivor would overwrite what its own ID
    // sends. A clerk decides.
    ASSIGN_OR_RETURN(std::optional<store::PatientRecord> survivor,
                     ctx_.writer.SurvivorOf(stored->id));
    if (survivor) {
      std::string into = "統合先 患者 " + std::to_string(survivor->id);
      if (!survivor->hersys_id.empty()) into += "（HER-SYS ID " + survivor->hersys_id + "）";
      return ctx_.outcomes.Review(
          record,
          MakeReason(ReasonCode::kMergedHersysId, into,
                     "merged into patient " + std::to_string(survivor->id)),
          incoming.raw_json, survivor->id);
    }
    const domain::Event before = NotificationOf(*stored, ctx_, record.line);
    const std::vector<std::string> changed = MergeInto(*stored, incoming);
    stored->updated_batch = ctx_.writer.batch_id();
    RETURN_IF_ERROR(ctx_.writer.UpdatePatient(*stored));
    RETURN_IF_ERROR(CorrectNotification(*stored, before, record.line));
    const Reason reason = changed.empty() ? MakeReason(ReasonCode::kUnchanged)
                                          : MakeReason(ReasonCode::kUpdated, Join(changed),
                                                       std::to_string(changed.size()) + " fields");
    return ctx_.outcomes.Merge(record, *stored, reason, true);
  }

 private:
  core::Status AddCareEvents(const store::PatientRecord& p, int64_t line) {
    domain::Event notified = NotificationOf(p, ctx_, line);
    RETURN_IF_ERROR(ctx_.writer.AddEvent(p.id, notified, "notified"));
    // A home recuperation that began on another day than the notification.
    if (p.care_status == "自宅療養中" && !p.care_start_on.empty() &&
        p.care_start_on != p.notified_on) {
      domain::Event home;
      home.type = domain::EventType::kHomeStarted;
      home.effective_on = *core::Date::ParseIso(p.care_start_on);
      home.received_at = ctx_.received_at;
      home.source = ctx_.source;
      home.line = static_cast<int32_t>(line);
      RETURN_IF_ERROR(ctx_.writer.AddEvent(p.id, home, "home_started|" + p.care_start_on));
    }
    return core::Ok();
  }

  // When the values that shape care history changed, a 訂正 restates the
  // notification (events are never edited).
  core::Status CorrectNotification(const store::PatientRecord& p, const domain::Event& before,
                                   int64_t line) {
    domain::Event after = NotificationOf(p, ctx_, line);
    if (PayloadKey(after) == PayloadKey(before)) return core::Ok();
    ASSIGN_OR_RETURN(std::vector<domain::Event> events, ctx_.writer.EventsOf(p.id));
    auto notification = std::find_if(events.begin(), events.end(), [](const domain::Event& e) {
      return e.type == domain::EventType::kNotified;
    });
    if (notification == events.end()) return AddCareEvents(p, line);
    after.type = domain::EventType::kCorrected;
    after.supersedes = notification->id;
    RETURN_IF_ERROR(ctx_.writer.AddEvent(p.id, after, "corrected|" + PayloadKey(after)));
    return core::Ok();
  }

  RowContext& ctx_;
  HersysRowMapper mapper_;
};

}  // namespace

std::unique_ptr<RowHandler> MakeHersysHandler(RowContext& ctx) {
  return std::make_unique<HersysHandler>(ctx);
}

}  // namespace ichigen::intake
