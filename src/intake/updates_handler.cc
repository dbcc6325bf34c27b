// Status update sheets from health centers, hospitals and lodging
// facilities: each row carries one event (区分 + 日付) or a stay (入院日 and
// 退院日, 入所日 and 退所日, 死亡日 …) whose filled dates are events. A row
// with a HER-SYS ID links to that patient unless its name and birth date
// contradict the patient; a row without one waits in review until the
// person is identified. Re-listing the same stay adds nothing.
#include <array>

#include "domain/events.h"
#include "intake/hersys_row.h"
#include "intake/row_handler.h"
#include "text/normalize.h"

namespace ichigen::intake {

namespace {

struct ImpliedColumn {
  const char* field;
  domain::EventType type;
};

// Columns whose header says which event they are.
constexpr std::array<ImpliedColumn, 7> kImplied = {{
    {"admitted_on", domain::EventType::kAdmitted},
    {"discharged_on", domain::EventType::kDischarged},
    {"checked_in_on", domain::EventType::kCheckedIn},
    {"checked_out_on", domain::EventType::kCheckedOut},
    {"died_on", domain::EventType::kDied},
    {"released_on", domain::EventType::kReleased},
    {"home_started_on", domain::EventType::kHomeStarted},
}};

bool AllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

class UpdatesHandler final : public RowHandler {
 public:
  explicit UpdatesHandler(RowContext& ctx) : ctx_(ctx) {
    const Profile& p = ctx.profile;
    hersys_id_ = p.FieldIndex("hersys_id");
    name_ = p.FieldIndex("name");
    kana_ = p.FieldIndex("name_kana");
    birth_ = p.FieldIndex("birth_date");
    event_ = p.FieldIndex("event");
    event_on_ = p.FieldIndex("event_on");
    extended_until_ = p.FieldIndex("extended_until");
    facility_ = p.FieldIndex("facility");
    for (size_t i = 0; i < kImplied.size(); ++i) implied_[i] = p.FieldIndex(kImplied[i].field);
  }

  core::Status Apply(RowWork& work) override {
    return Handle(work.record, work.values, std::move(work.extra_json));
  }

 private:
  core::Status Handle(const io::Record& record, const std::vector<std::string>& values,
                      std::string /*extra_json*/) {
    auto raw = [&](int index) -> std::string_view {
      return index < 0 ? std::string_view() : std::string_view(values[index]);
    };
    bool blank = true;
    for (const std::string& value : values) blank = blank && text::NormalizeText(value).empty();
    if (blank) return ctx_.outcomes.Reject(record, MakeReason(ReasonCode::kBlankRow));
    if (!AllValuesDecodable(values)) {
      return ctx_.outcomes.Reject(record, MakeReason(ReasonCode::kInvalidEncoding));
    }

    // The events the row states.
    const std::string facility = text::NormalizeText(raw(facility_));
    std::vector<domain::Event> events;
    auto make = [&](domain::EventType type, core::Date on) {
      domain::Event event;
      event.type = type;
      event.effective_on = on;
      event.received_at = ctx_.received_at;
      event.source = ctx_.source;
      event.line = static_cast<int32_t>(record.line);
      if (type == domain::EventType::kAdmitted || type == domain::EventType::kTransferred ||
          type == domain::EventType::kDischarged || type == domain::EventType::kCheckedIn ||
          type == domain::EventType::kCheckedOut || type == domain::EventType::kDied) {
        event.facility = facility;
      }
      return event;
    };
    auto extended = CheckDate(ctx_.profile, extended_until_, raw(extended_until_), ctx_.today.AddDays(60), true);
    if (!extended) return ctx_.outcomes.Reject(record, extended.error());
    const std::string event_word = text::NormalizeText(raw(event_));
    if (!event_word.empty()) {
      auto type = domain::ParseEventType(event_word);
      if (!type) {
        return ctx_.outcomes.Reject(
            record, MakeReason(ReasonCode::kBadValue, FieldLabel(ctx_.profile, event_) + "「" + event_word + "」",
                               "event \"" + event_word + "\""));
      }
      auto on = CheckDate(ctx_.profile, event_on_, raw(event_on_), ctx_.today, true);
      if (!on) return ctx_.outcomes.Reject(record, on.error());
      if (*on) {
        domain::Event event = make(*type, **on);
        if (*type == domain::EventType::kExtended) event.extended_until = *extended;
        events.push_back(std::move(event));
      }
    }
    std::array<std::optional<core::Date>, kImplied.size()> dates;
    for (size_t i = 0; i < kImplied.size(); ++i) {
      auto on = CheckDate(ctx_.profile, implied_[i], raw(implied_[i]), ctx_.today, true);
      if (!on) return ctx_.outcomes.Reject(record, on.error());
      dates[i] = *on;
      if (*on) events.push_back(make(kImplied[i].type, **on));
    }
    if (event_word.empty() && *extended) {
      domain::Event event = make(domain::EventType::kExtended, ctx_.today);
      event.extended_until = *extended;
      events.push_back(std::move(event));
    }
    if (events.empty()) return ctx_.outcomes.Reject(record, MakeReason(ReasonCode::kMissingEvent));
    // A stay that ends before it starts is a typing error to fix, not evidence.
    if ((dates[0] && dates[1] && *dates[1] < *dates[0]) ||
        (dates[2] && dates[3] && *dates[3] < *dates[2])) {
      return ctx_.outcomes.Reject(record, MakeReason(ReasonCode::kStayOrder));
    }

    // Whose events they are.
    const std::string id = text::NormalizeText(raw(hersys_id_));
    if (id.empty()) {
      return ctx_.outcomes.Review(record, MakeReason(ReasonCode::kNoHersysId),
                                  RawValuesJson(ctx_.profile, values), 0);
    }
    if (id.size() < 6 || id.size() > 8 || !AllDigits(id)) {
      return ctx_.outcomes.Reject(record, MakeReason(ReasonCode::kBadHersysId, "「" + id + "」", id));
    }
    ASSIGN_OR_RETURN(std::optional<store::PatientRecord> patient,
                     ctx_.writer.FindPatientByHersysId(id));
    if (!patient) {
      return ctx_.outcomes.Review(record, MakeReason(ReasonCode::kUnknownHersysId, id, id),
                                  RawValuesJson(ctx_.profile, values), 0);
    }
    if (IdentityContradicts(*patient, raw(name_), raw(kana_), raw(birth_))) {
      return ctx_.outcomes.Review(
          record,
          MakeReason(ReasonCode::kHersysIdContradiction,
                     "登録済み「" + patient->name + " " + patient->birth_date + "」",
                     "stored " + patient->birth_date),
          RawValuesJson(ctx_.profile, values), patient->id);
    }

    std::string added_ja;
    std::string added_en;
    for (domain::Event& event : events) {
      const std::string key = std::string(domain::EventTypeNameEn(event.type)) + "|" +
                              event.effective_on.ToIso() + "|" + event.facility + "|" +
                              (event.extended_until ? event.extended_until->ToIso() : "");
      ASSIGN_OR_RETURN(bool added, ctx_.writer.AddEvent(patient->id, event, key));
      if (!added) continue;
      if (!added_ja.empty()) {
        added_ja += "、";
        added_en += ", ";
      }
      added_ja += std::string(domain::EventTypeNameJa(event.type)) + " " + event.effective_on.ToIso();
      if (!event.facility.empty()) added_ja += "（" + event.facility + "）";
      added_en += std::string(domain::EventTypeNameEn(event.type)) + " " + event.effective_on.ToIso();
    }
    if (added_ja.empty()) {
      return ctx_.outcomes.Merge(record, *patient,
                                 MakeReason(ReasonCode::kUnchanged, "記録は登録済みです",
                                            "events already stored"),
                                 false);
    }
    return ctx_.outcomes.Merge(record, *patient,
                               MakeReason(ReasonCode::kEventsAdded, added_ja, added_en), true);
  }

  RowContext& ctx_;
  int hersys_id_, name_, kana_, birth_, event_, event_on_, extended_until_, facility_;
  std::array<int, kImplied.size()> implied_{};
};

}  // namespace

std::unique_ptr<RowHandler> MakeUpdatesHandler(RowContext& ctx) {
  return std::make_unique<UpdatesHandler>(ctx);
}

}  // namespace ichigen::intake
