// Snapshot: what a municipality was last sent, kept by the prefecture so the
// next package can say 新規, 変更 (which fields) or 終了.
//
// One entry per member of the package: the patient (prefecture-internal,
// never shipped), the ref the municipality knows the patient by, and one
// 64-bit hash per shared column. Hashes, not values, so the store does not
// keep a second copy of what was shared, and per column, so 変更 can name
// the fields that changed. The hash is FNV-1a 64 over a type tag and the
// value: change detection, not security (a low-entropy value such as a name
// can be recovered from any unsalted hash, which is why the snapshot stays
// inside the prefecture), chosen because its definition is fixed, so hashes
// stored by one release compare equal in the next.
//
// ToJson/ParseSnapshot give the store one text column to keep per package.
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "distribution/fields.h"

namespace ichigen::distribution {

// A shareable value: nothing, text, a date or an integer, as the column's
// FieldType says.
using FieldValue = std::variant<std::monostate, std::string, core::Date, int64_t>;

uint64_t HashValue(const FieldValue& value);

struct ColumnHash {
  Column column = Column::kRef;
  uint64_t hash = 0;
  friend bool operator==(const ColumnHash&, const ColumnHash&) = default;
};

struct SnapshotEntry {
  int64_t patient_id = 0;
  std::string ref;
  std::vector<ColumnHash> hashes;  // the shared columns, in column order
  friend bool operator==(const SnapshotEntry&, const SnapshotEntry&) = default;
};

struct Snapshot {
  std::string municipality_code6;  // empty: nothing sent yet
  std::string package_id;          // the package that produced it
  std::vector<SnapshotEntry> entries;  // sorted by patient_id, unique

  // The entry of a patient, or nullptr (binary search).
  const SnapshotEntry* Find(int64_t patient_id) const;
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

// Compact JSON text; ParseSnapshot(SnapshotToJson(s)) == s.
std::string SnapshotToJson(const Snapshot& snapshot);
// kDataLoss when the stored text is damaged (it was written by us).
core::Result<Snapshot> ParseSnapshot(std::string_view json_text);

}  // namespace ichigen::distribution
