// Status update sheets from health centers, hospitals and lodging
// facilities: each row carries one event (区分 + 日付) or a stay (入院日 and
// 退院日, 入所日 and 退所日, 死亡日 …) whose filled dates are events. A row
// with a HER-SYS ID links to that patient unless its name and birth date
// contradict the patient; a row without one waits in review until the
// person is identified. Re-listing the same stay adds nothing.
#include <algorithm>
#include <array>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "domain/events.h"
#include "intake/hersys_row.h"
#include "intake/identity_linker.h"
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

}  // namespace

std::expected<std::vector<domain::Event>, Reason> UpdateRowEvents(
    const Profile& profile, const std::vector<std::string>& values, core::Date today,
    int64_t received_at, const std::string& source, int64_t line) {
  auto raw = [&](int index) -> std::string_view {
    return index < 0 || static_cast<size_t>(index) >= values.size() ? std::string_view()
                                                                     : std::string_view(values[index]);
  };
  const int facility_index = profile.FieldIndex("facility");
  const int event_index = profile.FieldIndex("event");
  const int event_on_index = profile.FieldIndex("event_on");
  const int extended_index = profile.FieldIndex("extended_until");
  const std::string facility = text::NormalizeText(raw(facility_index));
  std::vector<domain::Event> events;
  auto make = [&](domain::EventType type, core::Date on) {
    domain::Event event;
    event.type = type;
    event.effective_on = on;
    event.received_at = received_at;
    event.source = source;
    event.line = static_cast<int32_t>(line);
    if (type == domain::EventType::kAdmitted || type == domain::EventType::kTransferred ||
        type == domain::EventType::kDischarged || type == domain::EventType::kCheckedIn ||
        type == domain::EventType::kCheckedOut || type == domain::EventType::kDied) {
      event.facility = facility;
    }
    return event;
  };
  // An extension may reach into the next weeks.
  auto extended = CheckDate(profile, extended_index, raw(extended_index), today.AddDays(60), true);
  if (!extended) return std::unexpected(extended.error());
  const std::string event_word = text::NormalizeText(raw(event_index));
  if (!event_word.empty()) {
    auto type = domain::ParseEventType(event_word);
    if (!type) {
      return std::unexpected(MakeReason(ReasonCode::kBadValue,
                                        FieldLabel(profile, event_index) + "「" + event_word + "」",
                                        "event \"" + event_word + "\""));
    }
    auto on = CheckDate(profile, event_on_index, raw(event_on_index), today, true);
    if (!on) return std::unexpected(on.error());
    if (*on) {
      domain::Event event = make(*type, **on);
      if (*type == domain::EventType::kExtended) event.extended_until = *extended;
      events.push_back(std::move(event));
    }
  }
  std::array<std::optional<core::Date>, kImplied.size()> dates;
  for (size_t i = 0; i < kImplied.size(); ++i) {
    const int index = profile.FieldIndex(kImplied[i].field);
    auto on = CheckDate(profile, index, raw(index), today, true);
    if (!on) return std::unexpected(on.error());
    dates[i] = *on;
    if (*on) events.push_back(make(kImplied[i].type, **on));
  }
  if (event_word.empty() && *extended) {
    domain::Event event = make(domain::EventType::kExtended, today);
    event.extended_until = *extended;
    events.push_back(std::move(event));
  }
  if (events.empty()) return std::unexpected(MakeReason(ReasonCode::kMissingEvent));
  // A stay that ends before it starts is a typing error to fix, not evidence.
  if ((dates[0] && dates[1] && *dates[1] < *dates[0]) ||
      (dates[2] && dates[3] && *dates[3] < *dates[2])) {
    return std::unexpected(MakeReason(ReasonCode::kStayOrder));
  }
  return events;
}

std::string UpdateEventKey(const domain::Event& event) {
  return std::string(domain::EventTypeNameEn(event.type)) + "|" + event.effective_on.ToIso() + "|" +
         event.facility + "|" + (event.extended_until ? event.extended_until->ToIso() : "");
}

namespace {

class UpdatesHandler final : public RowHandler {
 public:
  explicit UpdatesHandler(RowContext& ctx)
      : ctx_(ctx), linker_(ctx.intake.identity_model, *ctx.intake.resolver) {
    const Profile& p = ctx.profile;
    sex_ = p.FieldIndex("sex");
    phone_ = p.FieldIndex("phone");
    address_ = p.FieldIndex("address");
    hersys_id_ = p.FieldIndex("hersys_id");
    name_ = p.FieldIndex("name");
    kana_ = p.FieldIndex("name_kana");
    birth_ = p.FieldIndex("birth_date");
  }

  struct Work : RowWork {
    std::optional<Reason> rejected_early;  // blank, undecodable or unreadable events
    std::vector<domain::Event> events;
    std::string hersys_id;  // normalized
  };

  std::unique_ptr<RowWork> NewWork() const override { return std::make_unique<Work>(); }

  // The pure part (normalization, dates, the row's events) runs on the
  // reading thread while the writing thread stores earlier rows.
  void Prepare(RowWork& base) const override {
    Work& work = static_cast<Work&>(base);
    const std::vector<std::string>& values = work.values;
    bool blank = true;
    for (const std::string& value : values) blank = blank && text::NormalizeText(value).empty();
    if (blank) {
      work.rejected_early = MakeReason(ReasonCode::kBlankRow);
      return;
    }
    if (!AllValuesDecodable(values)) {
      work.rejected_early = MakeReason(ReasonCode::kInvalidEncoding);
      return;
    }
    auto stated = UpdateRowEvents(ctx_.profile, values, ctx_.today, ctx_.received_at, ctx_.source,
                                  work.record.line);
    if (!stated) {
      work.rejected_early = std::move(stated.error());
      return;
    }
    work.events = std::move(*stated);
    if (hersys_id_ >= 0) work.hersys_id = text::NormalizeText(values[hersys_id_]);
  }

  std::string_view HersysIdOf(const RowWork& base) const override {
    const Work& work = static_cast<const Work&>(base);
    return work.rejected_early ? std::string_view() : std::string_view(work.hersys_id);
  }

  core::Status Apply(RowWork& base) override {
    Work& work = static_cast<Work&>(base);
    if (work.rejected_early) return ctx_.outcomes.Reject(work.record, *work.rejected_early);
    return Handle(work.record, work.values, work.events, work.hersys_id);
  }

 private:
  core::Status Handle(const io::Record& record, const std::vector<std::string>& values,
                      std::vector<domain::Event>& events, const std::string& id) {
    auto raw = [&](int index) -> std::string_view {
      return index < 0 ? std::string_view() : std::string_view(values[index]);
    };

    // Whose events they are.
    if (!id.empty() && (id.size() < 6 || id.size() > 8 || !AllDigits(id))) {
      return ctx_.outcomes.Reject(record, MakeReason(ReasonCode::kBadHersysId, "「" + id + "」", id));
    }
    std::optional<store::PatientRecord> patient;
    if (!id.empty()) {
      ASSIGN_OR_RETURN(patient, ctx_.writer.FindPatientIdentityByHersysId(id));
      if (patient && IdentityContradicts(*patient, raw(name_), raw(kana_), raw(birth_))) {
        return ctx_.outcomes.Review(
            record,
            MakeReason(ReasonCode::kHersysIdContradiction,
                       "登録済み「" + patient->name + " " + patient->birth_date + "」",
                       "stored " + patient->birth_date),
            RawValuesJson(ctx_.profile, values), patient->id);
      }
      // The ID of a patient an operator merged away names the survivor now.
      if (patient) {
        ASSIGN_OR_RETURN(std::optional<store::PatientRecord> survivor,
                         ctx_.writer.SurvivorOf(patient->id));
        if (survivor) patient = std::move(survivor);
      }
    }
    if (!patient) {
      // No ID, or one nobody has: the person is found by evidence or queued.
      const identity::RawPerson person = linker_.RawFromRow(
          std::string(raw(name_)), std::string(raw(kana_)), std::string(raw(birth_)),
          std::string(raw(sex_)), std::string(raw(phone_)), raw(address_), id);
      ASSIGN_OR_RETURN(LinkOutcome link, linker_.Link(ctx_.writer, person));
      if (link.decision.outcome != identity::Outcome::kAutoLink) {
        Reason reason = link.candidates > 0 && !link.decision.ranked.empty()
                            ? MakeReason(ReasonCode::kIdentityReview, link.decision.reason_ja,
                                         link.decision.reason_en)
                            : MakeReason(ReasonCode::kNoMatch);
        if (!id.empty() && link.decision.ranked.empty()) {
          reason = MakeReason(ReasonCode::kUnknownHersysId, id, id);
        }
        return ctx_.outcomes.Review(record, reason, RawValuesJson(ctx_.profile, values),
                                    link.top_patient_id, std::move(link.candidates_json));
      }
      store::PatientRecord target;
      target.id = link.patient_id;
      target.hersys_id = link.hersys_id;
      ASSIGN_OR_RETURN(std::vector<int64_t> added, AddEvents(target.id, events));
      char score[32];
      std::snprintf(score, sizeof score, "%.1f", link.decision.top_score);
      return ctx_.outcomes.Merge(
          record, target,
          MakeReason(ReasonCode::kAutoLinked,
                     std::string("スコア ") + score + "、追加 " + std::to_string(added.size()) + " 件",
                     std::string("score ") + score + ", " + std::to_string(added.size()) + " added"),
          true);
    }

    ASSIGN_OR_RETURN(std::vector<int64_t> added, AddEvents(patient->id, events));
    if (added.empty()) {
      return ctx_.outcomes.Merge(record, *patient,
                                 MakeReason(ReasonCode::kUnchanged, "記録は登録済みです",
                                            "events already stored"),
                                 false);
    }
    return ctx_.outcomes.Merge(record, *patient,
                               MakeReason(ReasonCode::kEventsAdded, Describe(events, added, true),
                                          Describe(events, added, false)),
                               true);
  }

  // Stores the events not stored yet; returns the ids of those added.
  core::Result<std::vector<int64_t>> AddEvents(int64_t patient_id,
                                               std::vector<domain::Event>& events) {
    std::vector<int64_t> added;
    for (domain::Event& event : events) {
      ASSIGN_OR_RETURN(bool stored, ctx_.writer.AddEvent(patient_id, event, UpdateEventKey(event)));
      if (stored) added.push_back(event.id);
    }
    return added;
  }

  static std::string Describe(const std::vector<domain::Event>& events,
                              const std::vector<int64_t>& added, bool japanese) {
    std::string out;
    for (const domain::Event& event : events) {
      if (std::find(added.begin(), added.end(), event.id) == added.end()) continue;
      if (!out.empty()) out += japanese ? "、" : ", ";
      out += japanese ? std::string(domain::EventTypeNameJa(event.type))
                      : std::string(domain::EventTypeNameEn(event.type));
      out += " " + event.effective_on.ToIso();
      if (japanese && !event.facility.empty()) out += "（" + event.facility + "）";
    }
    return out;
  }

  RowContext& ctx_;
  IdentityLinker linker_;
  int hersys_id_, name_, kana_, birth_, sex_, phone_, address_;
};

}  // namespace

std::unique_ptr<RowHandler> MakeUpdatesHandler(RowContext& ctx) {
  return std::make_unique<UpdatesHandler>(ctx);
}

}  // namespace ichigen::intake
