// The care status machine (療養状況): DeriveState computes a patient's status,
// facility, residence and home-recuperation period as of a date, from that
// patient's events as known at a cutoff. State is never stored and updated
// in place; it is always derived from the events, so a sheet that arrives
// late or out of order lands where its dates put it, and "what was true on
// D, as known at cutoff X" always has one answer.
// Thread-safety: pure functions over immutable inputs; safe from any thread.
//
// States and transitions (every event type, in any status but 死亡):
//
//   (none) --新規届出--> 調整中, or the 療養状況 HER-SYS gave
//   any    --入院/転院--> 入院中 (at the event's facility)
//   any    --入所-----> 宿泊療養中 (at the event's facility)
//   any    --自宅療養開始--> 自宅療養中 (period from RecuperationRules)
//   入院中  --退院-----> 療養解除        宿泊療養中 --退所--> 療養解除
//   自宅療養中 --(release day reached)--> 療養解除 (期間満了, no event needed)
//   自宅療養中, or 療養解除 by 期間満了 --療養延長--> 自宅療養中 until the new last day
//   any    --療養解除--> 療養解除
//   any    --死亡-----> 死亡 (terminal)
//
// Invariants:
//  1. Order. Events are applied in the order (effective_on, kDayPrecedence
//     rank of the type, received_at, id). The order is total (ids are
//     unique), so the same events in any arrival order give the same state.
//  2. As of D. Exactly the events effective on or before D and received at
//     or before the cutoff are applied; the state is the one after the last
//     of them. So a patient released, discharged or checked out on D is no
//     longer in that status on D, and one admitted on D is 入院中 on D.
//  3. Day precedence (documented rule). Within one day, events that end a
//     stay come before events that begin one, and death comes last:
//       新規届出 < 退院 < 退所 < 療養解除 < 自宅療養開始 < 療養延長 < 入所 < 入院
//       < 転院 < 死亡.
//     Why: a day with a discharge and an admission is a move, and the
//     patient ends the day where they arrived; two arrivals on one day end
//     in the more intensive care (the usual direction is worsening); a
//     death on a day outranks everything else that day.
//  4. Death wins. 死亡 is terminal: any event effective after the death date
//     is kept as evidence and flagged (kEventAfterDeath) but changes nothing.
//     A 新規届出 dated after the death (posthumous diagnosis) is normal and
//     is not flagged.
//  5. Discharge ends care. 退院 and 退所 lead to 療養解除 (the census calls it
//     退院等), not to home recuperation: a patient goes on the municipal
//     lists only on a health center's explicit 自宅療養開始, which the day
//     precedence applies after a same-day discharge. An end event applies
//     only to the stay it ends: 退院 ends 入院中 (unless it names another
//     hospital than the current one: the stale end of an earlier stay), 退所
//     ends 宿泊療養中; while 調整中 or 不明 it is taken as evidence that care
//     ended; in any other status it changes nothing.
//  6. Home recuperation ends by itself. In 自宅療養中 with a period, the
//     status becomes 療養解除 (released_by_expiry) on the period's release
//     day without any event. Day 0 is the onset date, else the diagnosis
//     date, else (flagged kNoDayZero) the notification date. 療養延長 sets
//     the last day to its extended_until and reopens a recuperation that
//     had ended by expiry; it never reopens an explicit release.
//  7. Corrections (訂正). A correction replaces the payload (effective date,
//     facility, residence, dates, status, symptoms) of the event it names,
//     keeping that event's type and id; with `cancels` it voids the event.
//     A correction naming a correction applies to the same original event.
//     When several apply, the latest received (then highest id) wins.
//     Corrections act from their receipt (the cutoff), not by effective
//     date: they restate history.
//  8. Withdrawal (届出取下げ). A withdrawal known at the cutoff removes the
//     patient from every census entirely, on every as-of date: a withdrawn
//     notification (a duplicate, a false positive) was never a case. What was
//     counted before the withdrawal arrived is still what a cutoff before
//     its receipt shows. A 訂正 with `cancels` naming the withdrawal
//     reinstates the notification.
//  9. Counted. A patient is in the census as of D when a 新規届出 effective on
//     or before D is known and there is no withdrawal. Events before the
//     notification still shape the state on the notification day.
// 10. Conflicts are evidence, not errors: nothing is rejected; each conflict
//     names its kind, the event, and the date, and the precedence above
//     decides the status meanwhile.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/date.h"
#include "domain/events.h"
#include "domain/recuperation_rules.h"

namespace ichigen::domain {

// Rank of an event type within one day (invariant 3); lower applies first.
int DayPrecedence(EventType type);

// Events dated more than this many days before the notification are flagged:
// the longest recuperation period any rule used is 10 days after day 0, and
// onset precedes notification by a few days, so two weeks before the
// notification is already implausible for care of this infection.
inline constexpr int kMaxDaysBeforeNotification = 14;

// Japan Standard Time offset, for the calendar day of a received_at.
inline constexpr int64_t kJstOffsetSeconds = 9 * 3600;

enum class ConflictKind : uint8_t {
  kEventAfterDeath,            // an event effective after the death date
  kDischargeWithoutAdmission,  // 退院 with no earlier 入院 or 転院
  kCheckOutWithoutCheckIn,     // 退所 with no earlier 入所
  kTwoFacilitiesSameDay,       // admitted/checked in at two places on one day
  kBeforeNotification,         // > kMaxDaysBeforeNotification before 新規届出
  kFutureDated,                // effective after the day it was received (JST)
  kUnknownSupersedes,          // 訂正 naming no known event
  kNoNotification,             // events but no 新規届出
  kNoDayZero,                  // neither onset nor diagnosis date
  kNoRecuperationRule,         // no rule covers this day 0
  kExtensionOutsideHome,       // 療養延長 while not in home recuperation
  kExtensionWithoutDate,       // 療養延長 without extended_until
};
inline constexpr int kConflictKindCount = 12;

std::string_view ConflictKindName(ConflictKind kind);  // e.g. "event_after_death"

struct Conflict {
  ConflictKind kind = ConflictKind::kEventAfterDeath;
  EventType event_type = EventType::kNotified;  // the event flagged
  EventType other_type = EventType::kNotified;  // meaningful when other_event_id
  int64_t event_id = 0;        // the event flagged
  int64_t other_event_id = 0;  // the event it clashes with (0 = none)
  core::Date on;               // the flagged event's effective date
  core::Date other_on;         // the other event's date (or the notification's)

  // A message an operator can act on, e.g. "死亡 (2022-08-01) より後の日付の
  // 入院 (2022-08-03) があります".
  std::string MessageJa() const;
  std::string MessageEn() const;
  friend bool operator==(const Conflict&, const Conflict&) = default;
};

struct PatientState {
  CareStatus status = CareStatus::kUnknown;
  std::optional<core::Date> status_since;  // the day the status began
  bool notified = false;   // a 新規届出 effective on or before as_of is known
  bool withdrawn = false;  // a 届出取下げ is known (invariant 8)
  std::optional<core::Date> notified_on;  // earliest 新規届出
  std::string facility;        // for 入院中 / 宿泊療養中 (and where one died)
  std::string residence_code;  // latest given residence
  std::optional<core::Date> onset_on;
  std::optional<core::Date> diagnosed_on;
  std::optional<bool> symptomatic;
  // The latest home recuperation, if any.
  std::optional<core::Date> home_started_on;
  std::optional<core::Date> home_day_zero;
  std::optional<core::Date> home_last_day;    // expected (or extended) last day
  std::optional<core::Date> home_release_on;  // home_last_day + 1
  bool extended = false;                      // home_last_day set by 療養延長
  bool released_by_expiry = false;            // 療養解除 (期間満了)
  std::optional<core::Date> died_on;
  std::vector<Conflict> conflicts;  // in application order

  // Counted in a census (invariant 9).
  bool InCensus() const { return notified && !withdrawn; }
  friend bool operator==(const PatientState&, const PatientState&) = default;
};

// The state of one patient as of `as_of`, from the events received at or
// before `cutoff_received_at` (unix seconds). `events` are all of the
// patient's events in any order; ids must be unique.
PatientState DeriveState(std::span<const Event> events, core::Date as_of,
                         int64_t cutoff_received_at,
                         const RecuperationRules& rules);

// The calendar day (JST) of a unix time.
core::Date JstDateOf(int64_t unix_seconds);

}  // namespace ichigen::domain
