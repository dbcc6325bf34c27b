#include "domain/care_status.h"

#include <algorithm>
#include <array>
#include <climits>
#include <vector>

namespace ichigen::domain {
namespace {

// Invariant 3. 訂正 and 届出取下げ never reach the status loop as themselves.
constexpr std::array<int8_t, kEventTypeCount> kRank = {
    0,   // kNotified
    8,   // kAdmitted
    9,   // kTransferred
    2,   // kDischarged
    7,   // kCheckedIn
    3,   // kCheckedOut
    5,   // kHomeStarted
    6,   // kExtended
    4,   // kReleased
    10,  // kDied
    1,   // kCorrected
    1,   // kWithdrawn
};

constexpr std::array<std::string_view, kConflictKindCount> kConflictNames = {
    "event_after_death",       "discharge_without_admission",
    "check_out_without_check_in", "two_facilities_same_day",
    "before_notification",     "future_dated",
    "unknown_supersedes",      "no_notification",
    "no_day_zero",             "no_recuperation_rule",
    "extension_outside_home",  "extension_without_date",
};

// An event as applied: `ev` gives its identity (type, id, received_at),
// `payload` the fields in force (the event itself or its latest 訂正).
struct Item {
  const Event* ev;
  const Event* payload;
  int32_t day;
  int32_t rank;
};

bool Before(const Item& a, const Item& b) {
  if (a.day != b.day) return a.day < b.day;
  if (a.rank != b.rank) return a.rank < b.rank;
  if (a.ev->received_at != b.ev->received_at) return a.ev->received_at < b.ev->received_at;
  return a.ev->id < b.ev->id;
}

// A vector that keeps its first N elements inline: most patients have a
// handful of events, and the census derives a million states, so the common
// path must not allocate. T must be trivially copyable.
template <typename T, size_t N>
class SmallVec {
 public:
  void push_back(const T& v) {
    if (size_ < N) {
      inline_[size_++] = v;
      return;
    }
    if (heap_.empty()) heap_.assign(inline_.begin(), inline_.end());
    heap_.push_back(v);
    ++size_;
  }
  T* begin() { return heap_.empty() ? inline_.data() : heap_.data(); }
  T* end() { return begin() + size_; }
  size_t size() const { return size_; }

 private:
  std::array<T, N> inline_{};
  std::vector<T> heap_;
  size_t size_ = 0;
};

// The working state of one derivation.
class Machine {
 public:
  Machine(const RecuperationRules& rules, std::optional<core::Date> first_notification)
      : rules_(rules), first_notification_(first_notification) {}

  void Apply(const Item& item);
  void EndDay();
  void ExpireHome(core::Date d);
  void Finish(core::Date as_of, PatientState& out);
  std::vector<Conflict>& conflicts() { return conflicts_; }

 private:
  void Flag(ConflictKind kind, const Item& item, const Event* other = nullptr,
            std::optional<core::Date> other_on = std::nullopt);
  void SetStatus(CareStatus s, core::Date d) {
    if (status_ != s) since_ = d;
    status_ = s;
  }
  void Release(core::Date d) {
    SetStatus(CareStatus::kReleased, d);
    facility_ = nullptr;
    released_by_expiry_ = false;
  }
  void StartHome(const Item& item, core::Date d);
  void ComputePeriod(const Item* report);
  void ApplyGivenStatus(CareStatus given, const Item& item, core::Date d);

  const RecuperationRules& rules_;
  const std::optional<core::Date> first_notification_;
  std::vector<Conflict> conflicts_;

  CareStatus status_ = CareStatus::kUnknown;
  std::optional<core::Date> since_;
  std::optional<core::Date> notified_on_;
  const std::string* facility_ = nullptr;
  const std::string* residence_ = nullptr;
  std::optional<core::Date> onset_;
  std::optional<core::Date> diagnosed_;
  std::optional<bool> symptomatic_;
  std::optional<core::Date> home_started_;
  std::optional<core::Date> day_zero_;
  std::optional<core::Date> last_day_;
  std::optional<core::Date> release_on_;
  std::optional<core::Date> extended_until_;
  bool released_by_expiry_ = false;
  std::optional<core::Date> died_on_;
  const Event* death_event_ = nullptr;
  bool had_admission_ = false;
  bool had_checkin_ = false;

  // Same-day facilities (kTwoFacilitiesSameDay): the 入院/入所 events of the
  // current day with distinct facilities, and how many stays ended that day.
  static constexpr int kDayFacilities = 4;
  std::array<Item, kDayFacilities> day_starts_{};
  int day_distinct_ = 0;
  int day_ends_ = 0;
};

void Machine::Flag(ConflictKind kind, const Item& item, const Event* other,
                   std::optional<core::Date> other_on) {
  Conflict c;
  c.kind = kind;
  c.event_type = item.ev->type;
  c.event_id = item.ev->id;
  c.on = core::Date::FromDays(item.day);
  if (other != nullptr) {
    c.other_type = other->type;
    c.other_event_id = other->id;
  }
  if (other_on) c.other_on = *other_on;
  conflicts_.push_back(c);
}

void Machine::ComputePeriod(const Item* report) {
  if (!home_started_) return;
  DayZeroBasis basis = DayZeroBasis::kDiagnosis;
  core::Date day_zero;
  if (onset_) {
    basis = DayZeroBasis::kOnset;
    day_zero = *onset_;
  } else if (diagnosed_) {
    day_zero = *diagnosed_;
  } else {
    // The notification follows diagnosis within a day or two; better a
    // flagged estimate than a patient who never leaves the municipal list.
    day_zero = first_notification_.value_or(*home_started_);
    if (report != nullptr) Flag(ConflictKind::kNoDayZero, *report, nullptr, day_zero);
  }
  day_zero_ = day_zero;
  if (extended_until_) {
    release_on_ = std::max(extended_until_->AddDays(1), home_started_->AddDays(1));
    last_day_ = release_on_->AddDays(-1);
    return;
  }
  const std::optional<RecuperationPeriod> p =
      rules_.PeriodFor(day_zero, basis, symptomatic_, *home_started_);
  if (!p) {
    last_day_.reset();
    release_on_.reset();
    if (report != nullptr) Flag(ConflictKind::kNoRecuperationRule, *report, nullptr, day_zero);
    return;
  }
  last_day_ = p->last_day;
  release_on_ = p->release_on;
}

void Machine::StartHome(const Item& item, core::Date d) {
  SetStatus(CareStatus::kHomeRecuperation, d);
  facility_ = nullptr;
  home_started_ = d;
  extended_until_.reset();
  released_by_expiry_ = false;
  ComputePeriod(&item);
}

void Machine::ApplyGivenStatus(CareStatus given, const Item& item, core::Date d) {
  const Event& p = *item.payload;
  switch (given) {
    case CareStatus::kHospitalized:
      had_admission_ = true;
      facility_ = &p.facility;
      SetStatus(given, d);
      break;
    case CareStatus::kLodging:
      had_checkin_ = true;
      facility_ = &p.facility;
      SetStatus(given, d);
      break;
    case CareStatus::kHomeRecuperation:
      StartHome(item, d);
      break;
    case CareStatus::kReleased:
      Release(d);
      break;
    case CareStatus::kDead:
      SetStatus(given, d);
      died_on_ = d;
      death_event_ = item.ev;
      break;
    case CareStatus::kArranging:
    case CareStatus::kUnknown:
      SetStatus(given, d);
      break;
  }
}

void Machine::ExpireHome(core::Date d) {
  if (status_ == CareStatus::kHomeRecuperation && release_on_ && *release_on_ <= d) {
    status_ = CareStatus::kReleased;
    since_ = *release_on_;
    released_by_expiry_ = true;
  }
}

void Machine::EndDay() {
  // Two distinct arrivals on one day are a conflict unless enough stays
  // ended that day to make them a sequence of moves.
  if (day_distinct_ >= 2 && day_ends_ < day_distinct_ - 1) {
    Flag(ConflictKind::kTwoFacilitiesSameDay, day_starts_[1], day_starts_[0].ev,
         core::Date::FromDays(day_starts_[0].day));
  }
  day_distinct_ = 0;
  day_ends_ = 0;
}

void Machine::Apply(const Item& item) {
  const Event& p = *item.payload;
  const EventType type = item.ev->type;
  const core::Date d = core::Date::FromDays(item.day);
  ExpireHome(d);

  if (JstDateOf(p.received_at) < p.effective_on) {
    Flag(ConflictKind::kFutureDated, item, nullptr, JstDateOf(p.received_at));
  }
  if (type != EventType::kNotified && first_notification_ &&
      *first_notification_ - d > kMaxDaysBeforeNotification) {
    Flag(ConflictKind::kBeforeNotification, item, nullptr, *first_notification_);
  }
  if (status_ == CareStatus::kDead && type != EventType::kNotified && d > *died_on_) {
    Flag(ConflictKind::kEventAfterDeath, item, death_event_, *died_on_);
    return;  // invariant 4
  }

  if (!p.residence_code.empty() && status_ != CareStatus::kDead) residence_ = &p.residence_code;
  const bool period_inputs_changed =
      (p.onset_on && p.onset_on != onset_) || (p.diagnosed_on && p.diagnosed_on != diagnosed_) ||
      (p.symptomatic && p.symptomatic != symptomatic_);
  if (p.onset_on) onset_ = p.onset_on;
  if (p.diagnosed_on) diagnosed_ = p.diagnosed_on;
  if (p.symptomatic) symptomatic_ = p.symptomatic;
  if (period_inputs_changed && status_ == CareStatus::kHomeRecuperation) ComputePeriod(nullptr);

  switch (type) {
    case EventType::kNotified:
      if (!notified_on_) notified_on_ = d;
      // Care evidence that came first (an admission the day before the
      // notification) is more specific than the notification's status.
      if (status_ == CareStatus::kUnknown || status_ == CareStatus::kArranging) {
        ApplyGivenStatus(p.care_status.value_or(CareStatus::kArranging), item, d);
      }
      break;
    case EventType::kAdmitted:
    case EventType::kTransferred:
    case EventType::kCheckedIn: {
      const bool hospital = type != EventType::kCheckedIn;
      if (type != EventType::kTransferred && !p.facility.empty()) {
        bool seen = false;
        for (int i = 0; i < day_distinct_; ++i) {
          seen = seen || day_starts_[i].payload->facility == p.facility;
        }
        if (!seen && day_distinct_ < kDayFacilities) day_starts_[day_distinct_++] = item;
      }
      (hospital ? had_admission_ : had_checkin_) = true;
      SetStatus(hospital ? CareStatus::kHospitalized : CareStatus::kLodging, d);
      facility_ = &p.facility;
      released_by_expiry_ = false;
      break;
    }
    case EventType::kDischarged:
    case EventType::kCheckedOut: {
      const bool hospital = type == EventType::kDischarged;
      ++day_ends_;
      if (!(hospital ? had_admission_ : had_checkin_)) {
        Flag(hospital ? ConflictKind::kDischargeWithoutAdmission
                      : ConflictKind::kCheckOutWithoutCheckIn,
             item);
      }
      const CareStatus stay = hospital ? CareStatus::kHospitalized : CareStatus::kLodging;
      if (status_ == stay) {
        // A discharge naming another facility is the stale end of an
        // earlier stay (the patient has moved on): invariant 5.
        const bool other_facility = !p.facility.empty() && facility_ != nullptr &&
                                    !facility_->empty() && *facility_ != p.facility;
        if (!other_facility) Release(d);
      } else if (status_ == CareStatus::kArranging || status_ == CareStatus::kUnknown) {
        Release(d);
      }
      break;
    }
    case EventType::kHomeStarted:
      StartHome(item, d);
      break;
    case EventType::kExtended:
      if (!p.extended_until) {
        Flag(ConflictKind::kExtensionWithoutDate, item);
        break;
      }
      if (status_ == CareStatus::kHomeRecuperation ||
          (status_ == CareStatus::kReleased && released_by_expiry_)) {
        status_ = CareStatus::kHomeRecuperation;
        since_ = home_started_;
        released_by_expiry_ = false;
        extended_until_ = p.extended_until;
        ComputePeriod(nullptr);
      } else {
        Flag(ConflictKind::kExtensionOutsideHome, item);
      }
      break;
    case EventType::kReleased:
      Release(d);
      break;
    case EventType::kDied:
      SetStatus(CareStatus::kDead, d);
      died_on_ = d;
      death_event_ = item.ev;
      break;
    case EventType::kCorrected:
    case EventType::kWithdrawn:
      break;
  }
}

void Machine::Finish(core::Date as_of, PatientState& out) {
  ExpireHome(as_of);
  out.status = status_;
  out.status_since = since_;
  out.notified = notified_on_.has_value();
  out.notified_on = notified_on_;
  if (facility_ != nullptr &&
      (status_ == CareStatus::kHospitalized || status_ == CareStatus::kLodging ||
       status_ == CareStatus::kDead)) {
    out.facility = *facility_;
  }
  if (residence_ != nullptr) out.residence_code = *residence_;
  out.onset_on = onset_;
  out.diagnosed_on = diagnosed_;
  out.symptomatic = symptomatic_;
  out.home_started_on = home_started_;
  out.home_day_zero = day_zero_;
  out.home_last_day = last_day_;
  out.home_release_on = release_on_;
  out.extended = extended_until_.has_value();
  out.released_by_expiry = released_by_expiry_;
  out.died_on = died_on_;
}

std::string TypeJa(EventType t) { return std::string(EventTypeNameJa(t)); }
std::string TypeEn(EventType t) { return std::string(EventTypeNameEn(t)); }

}  // namespace

std::string Conflict::MessageJa() const {
  const std::string d = on.ToIso();
  const std::string o = other_on.ToIso();
  switch (kind) {
    case ConflictKind::kEventAfterDeath:
      return "死亡 (" + o + ") より後の日付の" + TypeJa(event_type) + " (" + d +
             ") があります。死亡を優先しています";
    case ConflictKind::kDischargeWithoutAdmission:
      return "入院の記録がないのに退院 (" + d + ") があります";
    case ConflictKind::kCheckOutWithoutCheckIn:
      return "入所の記録がないのに退所 (" + d + ") があります";
    case ConflictKind::kTwoFacilitiesSameDay:
      return "同じ日 (" + d + ") に2か所の施設への" + TypeJa(other_type) + "と" +
             TypeJa(event_type) + "があります";
    case ConflictKind::kBeforeNotification:
      return TypeJa(event_type) + " (" + d + ") が新規届出 (" + o + ") より" +
             std::to_string(kMaxDaysBeforeNotification) + "日を超えて前の日付です";
    case ConflictKind::kFutureDated:
      return TypeJa(event_type) + "の日付 (" + d + ") が受付日 (" + o + ") より後です";
    case ConflictKind::kUnknownSupersedes:
      return "訂正 (ID " + std::to_string(event_id) + ") の対象の記録 (ID " +
             std::to_string(other_event_id) + ") がありません";
    case ConflictKind::kNoNotification:
      return "新規届出がないまま" + TypeJa(event_type) + " (" + d + ") があります";
    case ConflictKind::kNoDayZero:
      return "発症日も診断日もないため、届出日 (" + o + ") を0日目として療養期間を計算しました";
    case ConflictKind::kNoRecuperationRule:
      return "0日目 (" + o + ") に当てはまる療養期間の規則がないため、療養終了日を計算できません";
    case ConflictKind::kExtensionOutsideHome:
      return "自宅療養中ではないときに療養延長 (" + d + ") があります。反映していません";
    case ConflictKind::kExtensionWithoutDate:
      return "延長後の療養終了日がない療養延長 (" + d + ") があります。反映していません";
  }
  return {};
}

std::string Conflict::MessageEn() const {
  const std::string d = on.ToIso();
  const std::string o = other_on.ToIso();
  switch (kind) {
    case ConflictKind::kEventAfterDeath:
      return TypeEn(event_type) + " on " + d + " is dated after the death on " + o +
             "; the death prevails";
    case ConflictKind::kDischargeWithoutAdmission:
      return "discharge on " + d + " without any earlier admission";
    case ConflictKind::kCheckOutWithoutCheckIn:
      return "check-out on " + d + " without any earlier check-in";
    case ConflictKind::kTwoFacilitiesSameDay:
      return TypeEn(other_type) + " and " + TypeEn(event_type) +
             " at two different facilities on the same day, " + d;
    case ConflictKind::kBeforeNotification:
      return TypeEn(event_type) + " on " + d + " is more than " +
             std::to_string(kMaxDaysBeforeNotification) + " days before the notification on " + o;
    case ConflictKind::kFutureDated:
      return TypeEn(event_type) + " is dated " + d + ", after the day it was received, " + o;
    case ConflictKind::kUnknownSupersedes:
      return "correction " + std::to_string(event_id) + " names event " +
             std::to_string(other_event_id) + ", which is not known";
    case ConflictKind::kNoNotification:
      return TypeEn(event_type) + " on " + d + " but no notification";
    case ConflictKind::kNoDayZero:
      return "no onset or diagnosis date; the notification date " + o +
             " was taken as day 0 of the recuperation period";
    case ConflictKind::kNoRecuperationRule:
      return "no recuperation rule covers day 0 = " + o + "; the end date is unknown";
    case ConflictKind::kExtensionOutsideHome:
      return "extension on " + d + " while not in home recuperation; not applied";
    case ConflictKind::kExtensionWithoutDate:
      return "extension on " + d + " without a new last day; not applied";
  }
  return {};
}

int DayPrecedence(EventType type) { return kRank[static_cast<size_t>(type)]; }

std::string_view ConflictKindName(ConflictKind kind) {
  return kConflictNames[static_cast<size_t>(kind)];
}

core::Date JstDateOf(int64_t unix_seconds) {
  const int64_t t = unix_seconds + kJstOffsetSeconds;
  int64_t days = t / 86400;
  if (t % 86400 < 0) --days;
  return core::Date::FromDays(static_cast<int32_t>(days));
}

PatientState DeriveState(std::span<const Event> events, core::Date as_of,
                         int64_t cutoff_received_at, const RecuperationRules& rules) {
  PatientState out;
  std::vector<Conflict> early_conflicts;

  // Corrections (invariant 7): the rare path, so plain vectors.
  bool any_correction = false;
  for (const Event& e : events) {
    any_correction |= e.type == EventType::kCorrected && e.received_at <= cutoff_received_at;
  }
  std::vector<const Event*> payload_of;
  std::vector<bool> voided;
  if (any_correction) {
    payload_of.assign(events.size(), nullptr);
    voided.assign(events.size(), false);
    std::vector<size_t> corrections;
    for (size_t i = 0; i < events.size(); ++i) {
      if (events[i].type == EventType::kCorrected &&
          events[i].received_at <= cutoff_received_at) {
        corrections.push_back(i);
      }
    }
    std::sort(corrections.begin(), corrections.end(), [&](size_t a, size_t b) {
      if (events[a].received_at != events[b].received_at)
        return events[a].received_at < events[b].received_at;
      return events[a].id < events[b].id;
    });
    auto find = [&](int64_t id) -> std::optional<size_t> {
      for (size_t i = 0; i < events.size(); ++i) {
        if (events[i].id == id && events[i].received_at <= cutoff_received_at) return i;
      }
      return std::nullopt;
    };
    for (const size_t ci : corrections) {
      const Event& c = events[ci];
      std::optional<size_t> target = find(c.supersedes);
      // Follow corrections of corrections to the original event; the step
      // bound stops a cycle of corrections naming each other.
      for (size_t steps = 0; target && events[*target].type == EventType::kCorrected;
           ++steps) {
        target = steps < events.size() ? find(events[*target].supersedes) : std::nullopt;
      }
      if (!target) {
        Conflict k;
        k.kind = ConflictKind::kUnknownSupersedes;
        k.event_type = c.type;
        k.event_id = c.id;
        k.other_event_id = c.supersedes;
        k.on = c.effective_on;
        early_conflicts.push_back(k);
        continue;
      }
      voided[*target] = c.cancels;
      payload_of[*target] = c.cancels ? nullptr : &c;
    }
  }

  SmallVec<Item, 16> items;
  std::optional<core::Date> first_notification;
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    if (e.received_at > cutoff_received_at || e.type == EventType::kCorrected) continue;
    if (any_correction && voided[i]) continue;
    const Event* payload = any_correction && payload_of[i] != nullptr ? payload_of[i] : &e;
    if (e.type == EventType::kWithdrawn) {
      out.withdrawn = true;
      continue;
    }
    if (e.type == EventType::kNotified &&
        (!first_notification || payload->effective_on < *first_notification)) {
      first_notification = payload->effective_on;
    }
    items.push_back(Item{&e, payload, payload->effective_on.days(),
                         kRank[static_cast<size_t>(e.type)]});
  }
  if (items.size() <= 8) {
    // Insertion sort: the usual patient has three events.
    for (Item* i = items.begin() + 1; i < items.end(); ++i) {
      const Item v = *i;
      Item* j = i;
      for (; j > items.begin() && Before(v, *(j - 1)); --j) *j = *(j - 1);
      *j = v;
    }
  } else {
    std::sort(items.begin(), items.end(), Before);
  }

  Machine m(rules, first_notification);
  m.conflicts() = std::move(early_conflicts);
  int32_t day = INT32_MIN;
  for (const Item& item : items) {
    if (item.day > as_of.days()) break;
    if (item.day != day) {
      if (day != INT32_MIN) m.EndDay();
      day = item.day;
    }
    m.Apply(item);
  }
  if (day != INT32_MIN) m.EndDay();
  if (!first_notification && items.size() > 0 && items.begin()->day <= as_of.days()) {
    Conflict k;
    k.kind = ConflictKind::kNoNotification;
    k.event_type = items.begin()->ev->type;
    k.event_id = items.begin()->ev->id;
    k.on = core::Date::FromDays(items.begin()->day);
    m.conflicts().push_back(k);
  }
  m.Finish(as_of, out);
  out.conflicts = std::move(m.conflicts());
  return out;
}

}  // namespace ichigen::domain
