// Package: one municipality's list of its residents in home recuperation at
// one cutoff, with the change since its previous package, built by a pure
// function from values the caller derived (no store access here).
//
// Inputs. `residents` indexes the state at the cutoff of every patient who
// may be on some list: in practice everyone 自宅療養中 or 調整中,
// prefecture-wide; BuildPackage keeps those this agreement covers.
// `departures` is the state of patients who were in some previous snapshot
// and are not in `residents` (released, admitted, dead, withdrawn …); it
// only supplies the reason of an ending. The caller builds the index once
// and passes the same two inputs to every municipality's build.
//
// Invariants:
//  1. Membership. A resident is a member when all hold: the residence (not
//     the care location) is the agreement's municipality, or one of its
//     wards when the agreement rolls wards up (geo::Registry::Current, then
//     RollUp); the status is 自宅療養中, or 調整中 when the agreement includes
//     it; the notification is not withdrawn; and consent allows: given, or
//     unknown when the agreement does not require consent. Withdrawn consent
//     never allows.
//  2. Only agreed fields. A row carries ref and the agreement's columns;
//     values of any other column are dropped here, before any format sees
//     them.
//  3. Change. A member absent from the previous snapshot is 新規; present,
//     with a shared column whose hash differs, 変更 naming those columns
//     (columns added by a new agreement version are not a change); else 継続.
//     A previous member no longer a member is 終了 with one reason, and the
//     row holds nothing but ref and the reason; it is absent from the new
//     snapshot, so the next package does not mention it.
//  4. Reason precedence, first that applies: 同意撤回 (nothing more is told
//     once consent is withdrawn), 届出取下げ, then the care status (死亡, 入院,
//     宿泊療養, 入院等調整中 when 調整中 is not shared, 療養解除), then 転出
//     (still at home, residence elsewhere), else 対象外 (consent unknown
//     where required, status 不明, or no information at all).
//  5. Ref. A member keeps the ref of the previous snapshot; a new member
//     gets DeriveRef(ref_key, recipient code, patient_id): stable across
//     packages, different per municipality (a patient who moves cannot be
//     linked across municipalities by ref), meaningless outside.
//  6. Determinism. Rows are ordered by change (新規, 変更, 継続, 終了) then
//     ref; the id is "<code6>-<YYYYMMDDThhmm>"; nothing reads a clock. The
//     same inputs give the same Package, and the formats the same bytes.
//
// Thread-safety: value types and pure functions; BuildPackage may run for
// several municipalities on several threads over the same inputs.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/result.h"
#include "distribution/agreement.h"
#include "distribution/cutoff.h"
#include "distribution/fields.h"
#include "distribution/snapshot.h"
#include "domain/events.h"

namespace ichigen::geo {
class Registry;
}

namespace ichigen::distribution {

enum class Consent : uint8_t {
  kUnknown,    // not recorded
  kGiven,      // 同意あり
  kWithdrawn,  // 同意撤回
};

enum class ChangeKind : uint8_t {
  kNew,        // 新規
  kChanged,    // 変更
  kUnchanged,  // 継続
  kEnded,      // 終了
};
inline constexpr int kChangeKindCount = 4;

enum class EndReason : uint8_t {
  kNone,                   // not ended
  kReleased,               // 療養解除
  kHospitalized,           // 入院
  kLodging,                // 宿泊療養
  kDied,                   // 死亡
  kMovedOut,               // 転出
  kNotificationWithdrawn,  // 届出取下げ
  kConsentWithdrawn,       // 同意撤回
  kArranging,              // 入院等調整中 (調整中 not shared by the agreement)
  kNotEligible,            // 対象外
};
inline constexpr int kEndReasonCount = 10;

std::string_view ChangeKindNameJa(ChangeKind kind);  // "新規"
std::string_view ChangeKindKey(ChangeKind kind);     // "new"; manifest keys
std::string_view EndReasonNameJa(EndReason reason);  // "同意撤回"
std::string_view EndReasonKey(EndReason reason);     // "consent_withdrawn"

// A patient's state at the cutoff, with every value the prefecture holds;
// BuildPackage picks the agreed ones.
struct ResidentRow {
  int64_t patient_id = 0;
  std::string residence_code6;  // 住所地 (全国地方公共団体コード), not care location
  domain::CareStatus status = domain::CareStatus::kHomeRecuperation;
  Consent consent = Consent::kUnknown;
  bool notification_withdrawn = false;
  // By Column; the kRef slot is ignored (BuildPackage derives ref). Each
  // value is monostate or the alternative of the column's FieldType.
  std::array<FieldValue, kColumnCount> values;

  void Set(Column column, FieldValue value) {
    values[static_cast<size_t>(column)] = std::move(value);
  }
  const FieldValue& Get(Column column) const { return values[static_cast<size_t>(column)]; }
};

// A patient of the previous snapshot who is not in `residents`: enough of
// the current state to give the reason of the ending.
struct Departure {
  int64_t patient_id = 0;
  domain::CareStatus status = domain::CareStatus::kReleased;
  std::string residence_code6;
  Consent consent = Consent::kUnknown;
  bool notification_withdrawn = false;
};

// The resident list indexed once for every municipality's build: by
// residence code (a prefecture has a few dozen) and by patient, so a build
// touches only its own residents and its previous members instead of
// scanning the whole prefecture. Holds a view: `rows` must outlive it.
// Immutable after Create; const methods are safe from any thread.
class ResidentIndex {
 public:
  // kInvalidArgument when a patient is listed twice.
  static core::Result<ResidentIndex> Create(std::span<const ResidentRow> rows);

  std::span<const ResidentRow> rows() const { return rows_; }
  // The residence codes present, each with its rows (indices into rows()).
  const std::vector<std::pair<std::string, std::vector<uint32_t>>>& by_residence() const {
    return by_residence_;
  }
  // The row of a patient, or nullptr.
  const ResidentRow* Find(int64_t patient_id) const;

 private:
  ResidentIndex() = default;
  std::span<const ResidentRow> rows_;
  std::vector<std::pair<std::string, std::vector<uint32_t>>> by_residence_;
  std::unordered_map<int64_t, uint32_t> by_patient_;
};

struct PackageRow {
  std::string ref;
  int64_t patient_id = 0;  // prefecture-internal; no format writes it
  ChangeKind change = ChangeKind::kNew;
  std::vector<Column> changed;           // 変更: the columns that changed
  EndReason reason = EndReason::kNone;   // 終了: why
  // Parallel to Package::columns (values[0] is the ref). Empty for 終了.
  std::vector<FieldValue> values;
};

struct Package {
  std::string id;                 // "141003-20220801T0900"
  std::string municipality_code6;
  std::string municipality_name;  // full name, e.g. 横浜市 or 横浜市鶴見区
  Cutoff cutoff;
  int agreement_version = 0;
  std::vector<Field> fields;      // as agreed
  std::vector<Column> columns;    // kRef first, then ColumnsFor(fields)
  std::vector<PackageRow> rows;   // invariant 6 order
  std::array<int, kChangeKindCount> change_counts{};
  std::array<int, kEndReasonCount> end_counts{};
  Snapshot snapshot;              // to store; the next build's `previous`
};

struct PackageInputs {
  const geo::Registry& registry;
  const Agreement& agreement;  // the version in force at the cutoff
  Cutoff cutoff;
  const ResidentIndex& residents;
  const Snapshot& previous;    // empty for the first package
  std::span<const Departure> departures;
  std::string_view ref_key;    // the prefecture's secret for DeriveRef
};

// The package of `inputs.agreement`'s municipality (invariants above).
// kFailedPrecondition when the agreement receives no data; kInvalidArgument
// for an invalid agreement, a snapshot of another municipality or not in
// patient order, or a value of the wrong type in an agreed column of a
// member.
core::Result<Package> BuildPackage(const PackageInputs& inputs);

// "7KQ2-M9XD-4TZA": 60 bits of HMAC-SHA-256(key, "<code6>:<patient_id>") in
// Crockford base32 (no I, L, O, U: readable over the phone).
std::string DeriveRef(std::string_view key, std::string_view recipient_code6, int64_t patient_id);

}  // namespace ichigen::distribution
