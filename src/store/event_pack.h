// Event packs: a compact binary form of the event fields a patient's state
// is derived from (domain::DeriveState: id, type, dates, received_at,
// facility, residence, care status, symptoms, corrections), without the
// source, batch and line that only trace an event back to its file.
// Two uses:
//  - A batch writer logs the events its batch added, by patient, in a few
//    `batch_events` rows at commit, so the figures' update after the batch
//    learns them without a seek per patient into the events table.
//  - The figures keep each counted patient's events packed beside its
//    contribution (stats/figure_service.cc), so an update adds a batch's new
//    events to them instead of reading the patient's history again.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "domain/events.h"

namespace ichigen::store {

// Appends one list of events (any order; kept as given) to `out`.
void PackEvents(std::span<const domain::Event> events, std::string& out);
// Reads one list written by PackEvents from the front of `in`, consuming it;
// the events are appended to `out` (source, batch_id and line left empty).
// kDataLoss for bytes that are not such a list.
core::Status UnpackEvents(std::string_view& in, std::vector<domain::Event>& out);

// A batch's added events, (patient id, event) in any order, packed by
// patient in id order into parts of at most kBatchEventsPerPart patients.
// An empty batch still gives one part (with no patients): a batch whose log
// exists but is empty added no events.
inline constexpr size_t kBatchEventsPerPart = 32768;
std::vector<std::string> PackBatchEvents(
    const std::vector<std::pair<int64_t, domain::Event>>& events);
// Calls fn(patient_id, packed) for each patient of a part, in id order;
// `packed` is the patient's list in PackEvents form (a view into `part`).
core::Status ForEachPatientOfBatchPart(
    std::string_view part, const std::function<core::Status(int64_t, std::string_view)>& fn);

}  // namespace ichigen::store
