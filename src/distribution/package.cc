#include "distribution/package.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "core/sha256.h"
#include "geo/registry.h"

namespace ichigen::distribution {
namespace {

using domain::CareStatus;

constexpr size_t kShaBlockBytes = 64;
constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

std::string HexToBytes(std::string_view hex) {
  std::string out(hex.size() / 2, '\0');
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<char>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
  }
  return out;
}

// HMAC-SHA-256 (RFC 2104) with the padded keys computed once, so a package
// of many members hashes without re-deriving them per ref.
class RefDeriver {
 public:
  explicit RefDeriver(std::string_view key) {
    std::string block(key.size() > kShaBlockBytes ? HexToBytes(core::Sha256Hex(key)) : key);
    block.resize(kShaBlockBytes, '\0');
    inner_pad_ = block;
    outer_pad_ = block;
    for (size_t i = 0; i < kShaBlockBytes; ++i) {
      inner_pad_[i] = static_cast<char>(inner_pad_[i] ^ 0x36);
      outer_pad_[i] = static_cast<char>(outer_pad_[i] ^ 0x5c);
    }
  }

  std::string Derive(std::string_view code6, int64_t patient_id) {
    hasher_.Update(inner_pad_);
    hasher_.Update(code6);
    hasher_.Update(":");
    hasher_.Update(std::to_string(patient_id));
    const std::string inner = HexToBytes(hasher_.HexDigest());
    hasher_.Update(outer_pad_);
    hasher_.Update(inner);
    const std::string digest = HexToBytes(hasher_.HexDigest());
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits = bits << 8 | static_cast<unsigned char>(digest[i]);
    bits >>= 4;  // 60 bits = 12 base32 digits
    std::string ref;
    for (int i = 11; i >= 0; --i) {
      ref.push_back(kCrockford[(bits >> (5 * i)) & 31]);
      if (i == 8 || i == 4) ref.push_back('-');
    }
    return ref;
  }

 private:
  core::Sha256 hasher_;
  std::string inner_pad_;
  std::string outer_pad_;
};

bool StatusShared(CareStatus status, const Agreement& agreement) {
  return status == CareStatus::kHomeRecuperation ||
         (status == CareStatus::kArranging && agreement.include_arranging_at_home);
}

bool ConsentAllows(Consent consent, const Agreement& agreement) {
  return consent == Consent::kGiven ||
         (consent == Consent::kUnknown && !agreement.consent_required);
}

// Whether a residence code belongs to the recipient, cached per code (the
// ended rows ask again for codes the member scan already resolved).
class RecipientTest {
 public:
  RecipientTest(const geo::Registry& registry, const Agreement& agreement)
      : registry_(registry), agreement_(agreement) {}

  bool Covers(const std::string& residence_code6) {
    const auto it = cache_.find(residence_code6);
    if (it != cache_.end()) return it->second;
    bool covers = false;
    if (const geo::Municipality* m = registry_.FindByCode(residence_code6)) {
      const geo::Municipality& current = registry_.Current(*m);
      const geo::Municipality& recipient =
          agreement_.roll_up_to_city ? registry_.RollUp(current) : current;
      covers = recipient.code6 == agreement_.municipality_code6;
    }
    cache_.emplace(residence_code6, covers);
    return covers;
  }

 private:
  const geo::Registry& registry_;
  const Agreement& agreement_;
  std::unordered_map<std::string, bool> cache_;
};

struct Condition {
  CareStatus status;
  const std::string* residence_code6;
  Consent consent;
  bool notification_withdrawn;
};

// Invariant 4 of package.h.
EndReason ReasonFor(const Condition* now, const Agreement& agreement, RecipientTest& recipient) {
  if (now == nullptr) return EndReason::kNotEligible;
  if (now->consent == Consent::kWithdrawn) return EndReason::kConsentWithdrawn;
  if (now->notification_withdrawn) return EndReason::kNotificationWithdrawn;
  switch (now->status) {
    case CareStatus::kDead:
      return EndReason::kDied;
    case CareStatus::kHospitalized:
      return EndReason::kHospitalized;
    case CareStatus::kLodging:
      return EndReason::kLodging;
    case CareStatus::kReleased:
      return EndReason::kReleased;
    case CareStatus::kUnknown:
      return EndReason::kNotEligible;
    case CareStatus::kArranging:
      if (!agreement.include_arranging_at_home) return EndReason::kArranging;
      break;
    case CareStatus::kHomeRecuperation:
      break;
  }
  if (!recipient.Covers(*now->residence_code6)) return EndReason::kMovedOut;
  return EndReason::kNotEligible;
}

bool TypeMatches(const FieldValue& value, FieldType type) {
  switch (type) {
    case FieldType::kText:
      return value.index() == 0 || std::holds_alternative<std::string>(value);
    case FieldType::kDate:
      return value.index() == 0 || std::holds_alternative<core::Date>(value);
    case FieldType::kInteger:
      return value.index() == 0 || std::holds_alternative<int64_t>(value);
  }
  return false;
}

int SortRank(const PackageRow& row) { return static_cast<int>(row.change); }

std::unexpected<core::Error> DuplicatePatient(int64_t patient_id) {
  return core::Fail(core::Code::kInvalidArgument, "患者が住民一覧に重複しています",
                    "duplicate patient in the resident list", "patient " + std::to_string(patient_id));
}

}  // namespace

std::string_view ChangeKindNameJa(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kNew:
      return "新規";
    case ChangeKind::kChanged:
      return "変更";
    case ChangeKind::kUnchanged:
      return "継続";
    case ChangeKind::kEnded:
      return "終了";
  }
  return "";
}

std::string_view ChangeKindKey(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kNew:
      return "new";
    case ChangeKind::kChanged:
      return "changed";
    case ChangeKind::kUnchanged:
      return "unchanged";
    case ChangeKind::kEnded:
      return "ended";
  }
  return "";
}

std::string_view EndReasonNameJa(EndReason reason) {
  switch (reason) {
    case EndReason::kNone:
      return "";
    case EndReason::kReleased:
      return "療養解除";
    case EndReason::kHospitalized:
      return "入院";
    case EndReason::kLodging:
      return "宿泊療養";
    case EndReason::kDied:
      return "死亡";
    case EndReason::kMovedOut:
      return "転出";
    case EndReason::kNotificationWithdrawn:
      return "届出取下げ";
    case EndReason::kConsentWithdrawn:
      return "同意撤回";
    case EndReason::kArranging:
      return "入院等調整中";
    case EndReason::kNotEligible:
      return "対象外";
  }
  return "";
}

std::string_view EndReasonKey(EndReason reason) {
  switch (reason) {
    case EndReason::kNone:
      return "none";
    case EndReason::kReleased:
      return "released";
    case EndReason::kHospitalized:
      return "hospitalized";
    case EndReason::kLodging:
      return "lodging";
    case EndReason::kDied:
      return "died";
    case EndReason::kMovedOut:
      return "moved_out";
    case EndReason::kNotificationWithdrawn:
      return "notification_withdrawn";
    case EndReason::kConsentWithdrawn:
      return "consent_withdrawn";
    case EndReason::kArranging:
      return "arranging";
    case EndReason::kNotEligible:
      return "not_eligible";
  }
  return "";
}

core::Result<ResidentIndex> ResidentIndex::Create(std::span<const ResidentRow> rows) {
  ResidentIndex index;
  index.rows_ = rows;
  index.by_patient_.reserve(rows.size());
  std::unordered_map<std::string, size_t> slot;
  for (uint32_t i = 0; i < rows.size(); ++i) {
    if (!index.by_patient_.emplace(rows[i].patient_id, i).second) {
      return DuplicatePatient(rows[i].patient_id);
    }
    auto [it, inserted] = slot.emplace(rows[i].residence_code6, index.by_residence_.size());
    if (inserted) index.by_residence_.emplace_back(rows[i].residence_code6, std::vector<uint32_t>{});
    index.by_residence_[it->second].second.push_back(i);
  }
  return index;
}

const ResidentRow* ResidentIndex::Find(int64_t patient_id) const {
  const auto it = by_patient_.find(patient_id);
  return it == by_patient_.end() ? nullptr : &rows_[it->second];
}

std::string DeriveRef(std::string_view key, std::string_view recipient_code6, int64_t patient_id) {
  return RefDeriver(key).Derive(recipient_code6, patient_id);
}

core::Result<Package> BuildPackage(const PackageInputs& inputs) {
  const Agreement& agreement = inputs.agreement;
  if (!agreement.receives_data) {
    return core::Fail(core::Code::kFailedPrecondition,
                      "この市区町村の覚書は情報提供を受けない内容です",
                      "this municipality's agreement receives no data",
                      agreement.municipality_code6);
  }
  RETURN_IF_ERROR(ValidateAgreement(agreement, inputs.registry));
  if (!inputs.previous.municipality_code6.empty() &&
      inputs.previous.municipality_code6 != agreement.municipality_code6) {
    return core::Fail(core::Code::kInvalidArgument, "前回スナップショットが別の市区町村のものです",
                      "previous snapshot belongs to another municipality",
                      inputs.previous.municipality_code6 + " != " + agreement.municipality_code6);
  }
  if (inputs.cutoff.date < agreement.valid_from) {
    return core::Fail(core::Code::kFailedPrecondition, "締め日は覚書の有効開始日より前です",
                      "the cutoff is before the agreement's valid_from",
                      agreement.municipality_code6 + " " + agreement.valid_from.ToIso());
  }

  Package package;
  const geo::Municipality* municipality = inputs.registry.FindByCode(agreement.municipality_code6);
  package.municipality_code6 = agreement.municipality_code6;
  package.municipality_name = municipality->full_name;
  package.cutoff = inputs.cutoff;
  package.id = agreement.municipality_code6 + "-" + inputs.cutoff.Compact();
  package.agreement_version = agreement.version;
  package.fields = agreement.fields;
  package.columns = ColumnsFor(agreement.fields);
  package.snapshot.municipality_code6 = agreement.municipality_code6;
  package.snapshot.package_id = package.id;

  RecipientTest recipient(inputs.registry, agreement);
  RefDeriver refs(inputs.ref_key);
  for (size_t i = 1; i < inputs.previous.entries.size(); ++i) {
    if (inputs.previous.entries[i - 1].patient_id >= inputs.previous.entries[i].patient_id) {
      return core::Fail(core::Code::kInvalidArgument,
                        "前回スナップショットが患者順に並んでいません",
                        "previous snapshot entries are not sorted by patient", inputs.previous.package_id);
    }
  }
  // Members: the rows of the residence codes this agreement covers.
  std::vector<const ResidentRow*> members;
  const std::span<const ResidentRow> rows = inputs.residents.rows();
  for (const auto& [code6, indices] : inputs.residents.by_residence()) {
    if (!recipient.Covers(code6)) continue;
    for (uint32_t index : indices) {
      const ResidentRow& resident = rows[index];
      if (StatusShared(resident.status, agreement) && !resident.notification_withdrawn &&
          ConsentAllows(resident.consent, agreement)) {
        members.push_back(&resident);
      }
    }
  }
  std::sort(members.begin(), members.end(), [](const ResidentRow* a, const ResidentRow* b) {
    return a->patient_id < b->patient_id;
  });
  // Previous members' current conditions, for the reasons of their endings:
  // the resident row when there is one (it is current), else the departure.
  std::unordered_map<int64_t, Condition> now;
  now.reserve(inputs.previous.entries.size());
  for (const SnapshotEntry& entry : inputs.previous.entries) {
    if (const ResidentRow* resident = inputs.residents.Find(entry.patient_id)) {
      now.emplace(entry.patient_id, Condition{resident->status, &resident->residence_code6,
                                              resident->consent, resident->notification_withdrawn});
    }
  }
  for (const Departure& departure : inputs.departures) {
    if (inputs.previous.Find(departure.patient_id) == nullptr) continue;
    now.emplace(departure.patient_id,
                Condition{departure.status, &departure.residence_code6, departure.consent,
                          departure.notification_withdrawn});
  }

  // Members: values of the agreed columns only (invariant 2), hashes, change.
  const std::vector<Column>& columns = package.columns;
  std::unordered_set<std::string> refs_used;
  refs_used.reserve(members.size());
  package.rows.reserve(members.size() + inputs.previous.entries.size() / 8);
  package.snapshot.entries.reserve(members.size());
  for (const ResidentRow* resident : members) {
    const SnapshotEntry* before = inputs.previous.Find(resident->patient_id);
    PackageRow row;
    row.patient_id = resident->patient_id;
    row.ref = before != nullptr ? before->ref
                                : refs.Derive(agreement.municipality_code6, resident->patient_id);
    if (!refs_used.insert(row.ref).second) {
      return core::Fail(core::Code::kInternal, "整理番号が重複しました", "ref collision",
                        agreement.municipality_code6 + " " + row.ref);
    }
    SnapshotEntry entry;
    entry.patient_id = resident->patient_id;
    entry.ref = row.ref;
    row.values.reserve(columns.size());
    row.values.emplace_back(row.ref);
    for (size_t i = 1; i < columns.size(); ++i) {
      const Column column = columns[i];
      const FieldValue& value = resident->Get(column);
      if (!TypeMatches(value, ColumnType(column))) {
        return core::Fail(core::Code::kInvalidArgument, "項目の値の型が違います",
                          "value of the wrong type for column " + std::string(ColumnKey(column)),
                          "patient " + std::to_string(resident->patient_id) + " " +
                              std::string(ColumnKey(column)));
      }
      row.values.push_back(value);
      const uint64_t hash = HashValue(value);
      entry.hashes.push_back({column, hash});
      if (before == nullptr) continue;
      for (const ColumnHash& old : before->hashes) {
        if (old.column == column) {
          if (old.hash != hash) row.changed.push_back(column);
          break;
        }
      }
    }
    row.change = before == nullptr     ? ChangeKind::kNew
                 : row.changed.empty() ? ChangeKind::kUnchanged
                                       : ChangeKind::kChanged;
    package.rows.push_back(std::move(row));
    package.snapshot.entries.push_back(std::move(entry));
  }

  // Endings: previous members that are no longer members (invariant 3).
  for (const SnapshotEntry& before : inputs.previous.entries) {
    const auto member = std::lower_bound(
        members.begin(), members.end(), before.patient_id,
        [](const ResidentRow* r, int64_t id) { return r->patient_id < id; });
    if (member != members.end() && (*member)->patient_id == before.patient_id) continue;
    const auto it = now.find(before.patient_id);
    PackageRow row;
    row.patient_id = before.patient_id;
    row.ref = before.ref;
    row.change = ChangeKind::kEnded;
    row.reason = ReasonFor(it == now.end() ? nullptr : &it->second, agreement, recipient);
    package.rows.push_back(std::move(row));
  }

  std::sort(package.rows.begin(), package.rows.end(), [](const PackageRow& a, const PackageRow& b) {
    if (SortRank(a) != SortRank(b)) return SortRank(a) < SortRank(b);
    return a.ref < b.ref;
  });
  std::sort(package.snapshot.entries.begin(), package.snapshot.entries.end(),
            [](const SnapshotEntry& a, const SnapshotEntry& b) { return a.patient_id < b.patient_id; });
  for (const PackageRow& row : package.rows) {
    ++package.change_counts[static_cast<size_t>(row.change)];
    ++package.end_counts[static_cast<size_t>(row.reason)];
  }
  return package;
}

}  // namespace ichigen::distribution
