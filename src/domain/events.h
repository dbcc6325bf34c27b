// Care-history events: every change to a patient is an immutable Event with
// an effective date (when it happened in the world), a received time (when
// Ichigen learned of it, for cutoffs and tie-breaks), the source, batch and
// row it came from, and a small payload. Events are never edited: a
// correction (訂正) or withdrawal (届出取下げ) is a new event. EventType and
// CareStatus convert to and from their Japanese names. The Event struct is
// kept compact because the census derives state from millions of them.
// Thread-safety: plain values and pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/date.h"
#include "core/result.h"

namespace ichigen::domain {

enum class EventType : uint8_t {
  kNotified,     // 新規届出
  kAdmitted,     // 入院
  kTransferred,  // 転院
  kDischarged,   // 退院
  kCheckedIn,    // 入所 (lodging facility, i.e. hotel)
  kCheckedOut,   // 退所
  kHomeStarted,  // 自宅療養開始
  kExtended,     // 療養延長
  kReleased,     // 療養解除
  kDied,         // 死亡
  kCorrected,    // 訂正
  kWithdrawn,    // 届出取下げ
};
inline constexpr int kEventTypeCount = 12;

enum class CareStatus : uint8_t {
  kArranging,         // 調整中 (入院・療養等調整中)
  kHospitalized,      // 入院中
  kLodging,           // 宿泊療養中
  kHomeRecuperation,  // 自宅療養中
  kReleased,          // 療養解除
  kDead,              // 死亡
  kUnknown,           // 不明
};
inline constexpr int kCareStatusCount = 7;

std::string_view EventTypeNameJa(EventType type);
std::string_view EventTypeNameEn(EventType type);  // e.g. "admitted"
// Accepts the Japanese word (with or without surrounding spaces) or the
// English name, case-insensitive ("Admitted", "admitted", "kAdmitted").
core::Result<EventType> ParseEventType(std::string_view text);

std::string_view CareStatusNameJa(CareStatus status);
std::string_view CareStatusNameEn(CareStatus status);  // e.g. "hospitalized"
// Accepts the Japanese names, including the long form 入院・療養等調整中 and
// the short forms 入院, 宿泊療養, 自宅療養 that HER-SYS exports use, or
// the English names.
core::Result<CareStatus> ParseCareStatus(std::string_view text);

// One effective-dated change. Layout: 8-byte fields first, then strings,
// then 4-byte and smaller, so the struct has little padding.
struct Event {
  int64_t id = 0;           // unique per event; the final tie-break
  int64_t received_at = 0;  // unix seconds when Ichigen received it
  int64_t batch_id = 0;     // intake batch (file) it came from
  // For 訂正: the id of the event whose payload this one replaces (0 = none).
  int64_t supersedes = 0;
  std::string source;          // "HER-SYS", "保健所:横浜市", "病院:○○病院"
  std::string facility;        // hospital or lodging facility, if any
  std::string residence_code;  // 6-digit municipality code; empty = no change
  core::Date effective_on;     // the day it took effect
  int32_t line = 0;            // row in the batch
  std::optional<core::Date> onset_on;        // 発症日
  std::optional<core::Date> diagnosed_on;    // 診断日
  std::optional<core::Date> extended_until;  // 療養延長: new last day
  EventType type = EventType::kNotified;
  std::optional<CareStatus> care_status;  // 療養状況 as HER-SYS gave it
  std::optional<bool> symptomatic;        // false = 無症状
  // For 訂正: true when the correction cancels (取消) the event it names
  // instead of replacing its payload ("this admission never happened").
  bool cancels = false;
};

}  // namespace ichigen::domain
