// RowHandler: what one profile does with one record once its columns are
// mapped to fields. The importer owns the loop, the header and the batch
// transaction; a handler decides each record's single outcome and writes
// its effects (patients, events, review items) through the BatchWriter.
// RowOutcomes is the one place outcomes are counted and recorded, so every
// record ends with exactly one of accepted, merged, review or rejected.
// Thread-safety: used by the importing thread only.
#pragma once

#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
#include "domain/events.h"
#include "intake/importer.h"
#include "intake/profile.h"
#include "intake/reasons.h"
#include "io/record_reader.h"
#include "store/store.h"

namespace ichigen::intake {

class RowOutcomes {
 public:
  RowOutcomes(store::BatchWriter& writer, ImportReport& report)
      : writer_(writer), report_(report) {}

  core::Status Accept(const io::Record& record, const store::PatientRecord& patient);
  core::Status Merge(const io::Record& record, const store::PatientRecord& patient,
                     const Reason& reason, bool keep_raw);
  // Queues the record for an operator; `candidate` may be 0.
  core::Status Review(const io::Record& record, const Reason& reason, std::string row_json,
                      int64_t candidate, std::string candidates_json = {});
  core::Status Reject(const io::Record& record, const Reason& reason);

 private:
  store::BatchWriter& writer_;
  ImportReport& report_;
};

// What every handler needs besides the record.
struct RowContext {
  store::BatchWriter& writer;
  RowOutcomes& outcomes;
  const Profile& profile;
  const IntakeContext& intake;
  core::Date today;
  int64_t received_at = 0;  // unix seconds: when this batch arrived
  std::string source;       // the batch's source name
};

// One record on its way through the importer's two stages.
struct RowWork {
  virtual ~RowWork() = default;
  io::Record record;
  std::vector<std::string> values;  // values[i]: raw text of profile field i
  std::string extra_json;           // columns the profile does not know ("" if none)
  std::optional<Reason> rejected;   // set when the reader already found it malformed
};

// The importer runs two stages on two threads: the reading thread decodes,
// splits and Prepares records (no store access: pure normalization and
// validation); the writing thread Applies them to the store in file order.
class RowHandler {
 public:
  virtual ~RowHandler() = default;
  virtual std::unique_ptr<RowWork> NewWork() const { return std::make_unique<RowWork>(); }
  // Reading thread. Must not touch the store or mutable handler state.
  virtual void Prepare(RowWork& /*work*/) const {}
  // Writing thread, in file order: decides the outcome and writes effects.
  virtual core::Status Apply(RowWork& work) = 0;
  // The normalized HER-SYS ID a prepared record will look up ("" if none):
  // the importer passes a chunk's IDs to BatchWriter::Prefetch.
  virtual std::string_view HersysIdOf(const RowWork& /*work*/) const { return {}; }
};

// The handler for ctx.profile, or nullptr when the profile has none.
std::unique_ptr<RowHandler> MakeRowHandler(RowContext& ctx);

std::unique_ptr<RowHandler> MakeHersysHandler(RowContext& ctx);
std::unique_ptr<RowHandler> MakeUpdatesHandler(RowContext& ctx);
std::unique_ptr<RowHandler> MakePressHandler(RowContext& ctx);
std::unique_ptr<RowHandler> MakeOpendataHandler(RowContext& ctx);

// The events an update-sheet row states (区分 + 日付, or dated columns such
// as 入院日/退院日), or why the row cannot be read. Used by intake and by
// review decisions on queued rows.
std::expected<std::vector<domain::Event>, Reason> UpdateRowEvents(
    const Profile& profile, const std::vector<std::string>& values, core::Date today,
    int64_t received_at, const std::string& source, int64_t line);
// The key under which an update event is stored once per patient.
std::string UpdateEventKey(const domain::Event& event);

// --- checks shared by handlers ---------------------------------------------

// The earliest plausible date of care (notification, onset, events).
core::Date EarliestCareDate();

// The label people know a field by (its first synonym).
std::string FieldLabel(const Profile& profile, int index);

// Parses an optional date field; an empty value is nullopt. Impossible,
// ambiguous or implausible (before EarliestCareDate or after `today`+1 when
// `care_range`) dates are a Reason.
std::expected<std::optional<core::Date>, Reason> CheckDate(const Profile& profile, int index,
                                                           std::string_view raw, core::Date today,
                                                           bool care_range);

// True when every byte sequence is valid UTF-8 and no U+FFFD is present.
bool AllValuesDecodable(const std::vector<std::string>& values);

// A stored patient whose name and birth date both disagree with the row's
// (where the row has them) is not the row's person, whatever the ID says.
bool IdentityContradicts(const store::PatientRecord& stored, std::string_view name_raw,
                         std::string_view kana_raw, std::string_view birth_raw);

}  // namespace ichigen::intake
