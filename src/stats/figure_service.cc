#include "stats/figure_service.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <time.h>

#include <chrono>
#include <iterator>
#include <limits>
#include <thread>

#include "store/contribution_log.h"
#include "store/event_pack.h"

namespace ichigen::stats {

namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// An update aborted because another process applied its batch first is
// retried from the new state; each retry follows another process's progress,
// and the bound only stops a loop gone wrong.
constexpr int kMaxAbortedUpdates = 1000;

double CpuSeconds(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// What the stats store keeps per counted patient: its contribution's bytes
// and its events, packed (store/event_pack.h), so that an update adds a
// batch's new events to them instead of reading the patient's history again.
// Bytes without the tag are a bare contribution (stores written before).
constexpr char kStoredTag = '\xE1';

// The events part is one or more packed lists (PackEvents): a full
// history is one; an update appends the batch's list to the stored ones.
void EncodeStoredHead(std::string_view contribution, std::string& out) {
  out.clear();
  out.push_back(kStoredTag);
  for (uint64_t n = contribution.size(); ; n >>= 7) {
    out.push_back(static_cast<char>((n & 0x7F) | (n >= 0x80 ? 0x80 : 0)));
    if (n < 0x80) break;
  }
  out.append(contribution);
}

void EncodeStored(std::string_view contribution, std::span<const domain::Event> events,
                  std::string& out) {
  EncodeStoredHead(contribution, out);
  store::PackEvents(events, out);
}

// Every event of stored events parts (each one or more packed lists) and,
// if given, the added ones, in id order: sorted once, when there is more
// than one list.
core::Status UnpackStoredEvents(std::string_view packed, std::vector<domain::Event>& out,
                                std::vector<domain::Event>* added = nullptr,
                                std::string_view added_packed = {}) {
  int lists = 0;
  while (!packed.empty()) {
    RETURN_IF_ERROR(store::UnpackEvents(packed, out));
    ++lists;
  }
  if (added != nullptr && !added_packed.empty()) {
    RETURN_IF_ERROR(store::UnpackEvents(added_packed, *added));
    out.insert(out.end(), added->begin(), added->end());
    ++lists;
  }
  // Lists are appended as events are added, so they are usually in id
  // order together already (not after a merge moved older events over).
  auto by_id = [](const domain::Event& a, const domain::Event& b) { return a.id < b.id; };
  if (lists > 1 && !std::is_sorted(out.begin(), out.end(), by_id)) {
    std::sort(out.begin(), out.end(), by_id);
  }
  return core::Ok();
}

struct StoredView {
  std::string_view contribution;
  std::optional<std::string_view> events;  // nullopt: a bare contribution
};

core::Result<StoredView> SplitStored(std::string_view bytes) {
  if (bytes.empty() || bytes[0] != kStoredTag) return StoredView{bytes, std::nullopt};
  size_t at = 1;
  uint64_t n = 0;
  for (int shift = 0;; shift += 7) {
    if (at >= bytes.size() || shift > 35) {
      return core::Fail(core::Code::kDataLoss, "統計の患者別寄与データが壊れています",
                        "a stored statistics contribution is damaged");
    }
    const auto byte = static_cast<uint8_t>(bytes[at++]);
    n |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) break;
  }
  if (n > bytes.size() - at) {
    return core::Fail(core::Code::kDataLoss, "統計の患者別寄与データが壊れています",
                      "a stored statistics contribution is damaged");
  }
  return StoredView{bytes.substr(at, n), bytes.substr(at + n)};
}

std::string FlowLabel(const std::tuple<std::string, std::string, int32_t>& key) {
  return "flow " + std::get<0>(key) + " " + std::get<1>(key) + " " +
         core::Date::FromDays(std::get<2>(key)).ToIso();
}

}  // namespace

core::Result<std::vector<domain::Event>> DecodeStoredEvents(std::string_view bytes) {
  ASSIGN_OR_RETURN(const StoredView view, SplitStored(bytes));
  std::vector<domain::Event> events;
  if (view.events) RETURN_IF_ERROR(UnpackStoredEvents(*view.events, events));
  return events;
}

core::Result<Contribution> DecodeStored(std::string_view bytes) {
  ASSIGN_OR_RETURN(const StoredView view, SplitStored(bytes));
  return Contribution::Decode(view.contribution);
}

bool StoredHasEvents(std::string_view bytes) {
  auto view = SplitStored(bytes);
  return view && view->events.has_value();
}

core::Result<ComputedFigures> ComputeAllFigures(store::StatsStore& stats,
                                                const domain::RecuperationRules& rules,
                                                const Parallelism& parallel) {
  struct Slice {
    FigureAccumulator accumulator;
    std::vector<std::pair<int64_t, std::string>> contributions;
    int64_t patients = 0;
    int64_t events = 0;
    core::Status status = core::Ok();
  };
  auto run = [&rules](store::StatsStore& on, store::PatientIdRange range, Slice& slice) {
    slice.status = on.ForEachPatientInputIn(
        range, [&](const store::StatsPatient& patient,
                   std::span<const domain::Event> events) -> core::Status {
          ++slice.patients;
          slice.events += static_cast<int64_t>(events.size());
          Contribution c = ComputeContribution(patient, events, rules);
          if (c.Empty()) return core::Ok();
          slice.accumulator.Add(c);
          std::string stored;
          EncodeStored(c.Encode(), events, stored);
          slice.contributions.emplace_back(patient.id, std::move(stored));
          return core::Ok();
        });
  };
  int slices = parallel.open ? std::max(parallel.slices, 1) : 1;
  int64_t max_id = 0;
  if (slices > 1) {
    ASSIGN_OR_RETURN(max_id, stats.MaxPatientId());
    if (max_id <= 0) slices = 1;  // nothing to split, or the store cannot say
  }
  // Open every extra connection before starting, so an open error starts nothing.
  std::vector<std::unique_ptr<store::StatsStore>> extra;
  for (int i = 1; i < slices; ++i) {
    ASSIGN_OR_RETURN(std::unique_ptr<store::StatsStore> opened, parallel.open());
    extra.push_back(std::move(opened));
  }
  const int64_t span = max_id / slices + 1;
  auto range_of = [&](int i) {
    store::PatientIdRange range{i * span, (i + 1) * span};
    if (i == 0) range.first = std::numeric_limits<int64_t>::min();
    if (i == slices - 1) range.end = std::numeric_limits<int64_t>::max();
    return range;
  };
  std::vector<Slice> parts(static_cast<size_t>(slices));
  {
    std::vector<std::jthread> threads;
    for (int i = 1; i < slices; ++i) {
      threads.emplace_back([&, i] {
        run(*extra[static_cast<size_t>(i - 1)], range_of(i), parts[static_cast<size_t>(i)]);
      });
    }
    run(stats, range_of(0), parts[0]);
  }
  ComputedFigures out;
  FigureAccumulator& total = parts[0].accumulator;
  size_t contributions = 0;
  for (Slice& part : parts) {
    RETURN_IF_ERROR(std::move(part.status));
    contributions += part.contributions.size();
  }
  out.contributions.reserve(contributions);
  // Slices hold ascending id ranges: concatenated, contributions stay in id order.
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) total.Merge(parts[i].accumulator);
    out.patients += parts[i].patients;
    out.events += parts[i].events;
    std::move(parts[i].contributions.begin(), parts[i].contributions.end(),
              std::back_inserter(out.contributions));
  }
  out.figures = total.Take();
  return out;
}

core::Result<RecomputeSummary> RecomputeFigures(store::StatsStore& stats,
                                                const domain::RecuperationRules& rules,
                                                const std::string& now_iso,
                                                const Parallelism& parallel) {
  RecomputeSummary summary;
  const double cpu_start = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
  auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(int64_t last_batch, stats.LatestBatch());
  ASSIGN_OR_RETURN(const store::DecisionPatients decided, stats.PatientsOfDecisions());
  ASSIGN_OR_RETURN(ComputedFigures computed, ComputeAllFigures(stats, rules, parallel));
  summary.compute_seconds = SecondsSince(start);
  start = std::chrono::steady_clock::now();
  const std::vector<store::FlowCount> flows = computed.figures.FlowRows();
  const std::vector<store::CensusDelta> census = computed.figures.CensusRows();
  store::StatsState state;
  state.computed_at = now_iso;
  state.last_batch = last_batch;
  state.decision_seqs = decided.seqs;
  RETURN_IF_ERROR(stats.ReplaceAll(flows, census, computed.contributions, state));
  summary.write_seconds = SecondsSince(start);
  summary.cpu_seconds = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
  summary.patients = computed.patients;
  summary.events = computed.events;
  summary.flow_rows = static_cast<int64_t>(flows.size());
  summary.census_rows = static_cast<int64_t>(census.size());
  return summary;
}

// Pieces of an update's patients per connection, taken in turn.
constexpr size_t kUpdatePiecesPerSlice = 4;

namespace {

// UpdateAfterBatch's work, or with `decisions_only` (batch_id 0) that of
// UpdateFiguresForDecisions: the patients decisions wrote to, and no batch.
core::Result<UpdateSummary> Update(store::StatsStore& stats,
                                   const domain::RecuperationRules& rules, int64_t batch_id,
                                   const std::string& now_iso, const Parallelism& parallel,
                                   bool decisions_only) {
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
  UpdateSummary summary;
  summary.batch_id = batch_id;
  ASSIGN_OR_RETURN(std::optional<store::StatsState> state, stats.State());
  if (!state && decisions_only) return summary;  // no figures to keep current
  if (!state) {
    ASSIGN_OR_RETURN(RecomputeSummary full, RecomputeFigures(stats, rules, now_iso, parallel));
    summary.full = true;
    summary.patients = full.patients;
    summary.seconds = SecondsSince(start);
    summary.cpu_seconds = full.cpu_seconds;
    return summary;
  }
  if (!decisions_only && batch_id <= state->last_batch) {
    summary.already_applied = true;
    summary.seconds = SecondsSince(start);
    return summary;
  }
  if (!decisions_only && batch_id > state->last_batch + 1) {
    return core::Fail(core::Code::kFailedPrecondition,
                      "前の取込バッチがまだ集計に反映されていません（ichigen stats update で"
                      "順に反映できます）",
                      "an earlier batch is not applied to the figures yet (ichigen stats "
                      "update applies them in order)",
                      "batch " + std::to_string(batch_id) + ", figures through batch " +
                          std::to_string(state->last_batch));
  }
  // Records the batch inserted or changed are read; every other patient's
  // attributes are those of its stored contribution (nullopt: read them all).
  // The events the batch added (nullopt: not logged), and the patients
  // decisions wrote to since the figures last took them in.
  std::optional<std::vector<int64_t>> updated;
  std::optional<store::BatchEventLog> logged;
  if (!decisions_only) {
    ASSIGN_OR_RETURN(updated, stats.PatientIdsUpdatedIn(batch_id));
    ASSIGN_OR_RETURN(logged, stats.NewEventsOfBatch(batch_id));
  }
  ASSIGN_OR_RETURN(const store::DecisionPatients decided, stats.PatientsOfDecisions());
  if (decisions_only && decided.ids.empty()) {
    summary.seconds = SecondsSince(start);
    return summary;
  }
  // Every list is ascending: merged, not sorted.
  auto merge = [](std::vector<int64_t> a, std::span<const int64_t> b) {
    std::vector<int64_t> out;
    out.reserve(a.size() + b.size());
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
  };
  std::vector<int64_t> ids;
  if (logged && updated) {
    // A patient the batch neither added events to nor changed the record
    // of has the contribution it had.
    ids.reserve(logged->patients.size());
    for (const store::BatchEventLog::Patient& p : logged->patients) ids.push_back(p.patient_id);
    ids = merge(std::move(ids), *updated);
  } else if (!decisions_only) {
    ASSIGN_OR_RETURN(ids, stats.PatientIdsOfBatch(batch_id));
  }
  if (!decided.ids.empty()) ids = merge(std::move(ids), decided.ids);
  summary.patients = static_cast<int64_t>(ids.size());
  auto contains = [](const std::vector<int64_t>& sorted, int64_t id) {
    return std::binary_search(sorted.begin(), sorted.end(), id);
  };

  // Each slice reads its patients' stored contributions (and, for those it
  // cannot bring up to date from what is stored and the batch's events,
  // their inputs) on its own connection, and keeps the changes in an
  // accumulator of its own.
  struct Slice {
    FigureAccumulator delta;
    // Ascending ids, packed as log records: those brought up to date from
    // what was stored, then those whose history was read.
    store::ContributionLogBuilder writes;
    store::ContributionLogBuilder history_writes;
    store::ContributionLogBuilder again_writes;  // created earlier after all
    std::vector<std::string> records;      // `writes`, finished
    int64_t written = 0;
    int64_t changed = 0;
    int64_t added = 0;  // patients with a contribution now, less those without any more
    int64_t records_read = 0;
    int64_t histories_read = 0;
    // Kept until after the write: freeing them is not the update's work.
    std::vector<Contribution> old;  // of the patients whose history is read
    store::StatsStore::StoredContributions read;
    core::Status status = core::Ok();
  };
  auto run = [&](store::StatsStore& on, std::span<const int64_t> slice_ids, Slice& slice) {
    slice.status = [&]() -> core::Status {
      ASSIGN_OR_RETURN(slice.read, on.ReadStoredContributions(slice_ids));
      const auto& stored = slice.read.entries;
      // The patients whose history is read from the events table, with
      // their stored bytes and decoded contribution, and whether their
      // record is read too.
      std::vector<int64_t> slow_ids;
      std::vector<uint8_t> slow_want;
      std::vector<const store::BatchEventLog::Patient*> slow_log;
      std::vector<std::string_view> slow_bytes;
      std::vector<Contribution>& slow_old = slice.old;
      // Most patients of a batch of new ones come here: no reallocations.
      slow_old.reserve(slice_ids.size());
      size_t next_stored = 0;
      size_t next_added = 0;
      Contribution old;  // of the patient at hand
      std::vector<domain::Event> events;
      std::vector<domain::Event> added_events;
      std::string fresh_contribution;
      std::string fresh_bytes;
      // Compares and records one patient's fresh contribution.
      // `events_part`: the packed events to store with it (fast path), else
      // `with_events` are packed.
      auto settle = [&](int64_t id, const Contribution& before, std::string_view before_bytes,
                        const Contribution& fresh, std::span<const domain::Event> with_events,
                        std::span<const std::string_view> events_part,
                        store::ContributionLogBuilder& into) -> core::Status {
        if (fresh.Empty()) {
          fresh_bytes.clear();
        } else {
          fresh.EncodeInto(fresh_contribution);
          EncodeStoredHead(fresh_contribution, fresh_bytes);
          if (events_part.empty()) {
            store::PackEvents(with_events, fresh_bytes);
          } else {
            for (std::string_view piece : events_part) fresh_bytes.append(piece);
          }
        }
        if (fresh_bytes == before_bytes) return core::Ok();
        into.Add(id, fresh_bytes);
        slice.added += (fresh_bytes.empty() ? 0 : 1) - (before_bytes.empty() ? 0 : 1);
        if (before == fresh) return core::Ok();  // an older encoding, or new events alone
        ++slice.changed;
        slice.delta.Replace(before, fresh);
        return core::Ok();
      };
      for (const int64_t id : slice_ids) {
        while (next_stored < stored.size() && stored[next_stored].first < id) ++next_stored;
        std::string_view old_bytes;
        std::optional<std::string_view> cached;
        bool current = false;
        old = Contribution{};
        if (next_stored < stored.size() && stored[next_stored].first == id) {
          old_bytes = stored[next_stored].second;
          ASSIGN_OR_RETURN(const StoredView view, SplitStored(old_bytes));
          ASSIGN_OR_RETURN(old, Contribution::Decode(view.contribution));
          cached = view.events;
          current = Contribution::IsCurrentEncoding(view.contribution);
        }
        const bool record_changed = !updated || contains(*updated, id);
        const bool want_record = record_changed || old.Empty() || !current;
        const store::BatchEventLog::Patient* mine = nullptr;
        if (logged) {
          const auto& patients = logged->patients;
          while (next_added < patients.size() && patients[next_added].patient_id < id) {
            ++next_added;
          }
          if (next_added < patients.size() && patients[next_added].patient_id == id) {
            mine = &patients[next_added];
          }
        }
        if (logged && cached && !want_record && !contains(decided.ids, id)) {
          // Up to date from what is stored: its events, and the batch's
          // (appended to the stored ones as a list of their own).
          events.clear();
          std::array<std::string_view, 2> part = {*cached, std::string_view()};
          if (mine != nullptr) part[1] = logged->Packed(*mine);
          added_events.clear();
          RETURN_IF_ERROR(UnpackStoredEvents(part[0], events, &added_events, part[1]));
          // Only the days from the first added event's on are walked again.
          const Contribution fresh =
              ComputeContributionAfter(old, AttributesOf(old), events, added_events, rules);
          RETURN_IF_ERROR(settle(id, old, old_bytes, fresh, events, part, slice.writes));
          continue;
        }
        // A patient without a contribution that the batch added events to
        // was most likely created by it: then its whole history is the
        // batch's log, and only its record is read (checked against the
        // record's created_batch; otherwise its history is read below).
        const bool from_log = logged && mine != nullptr && old_bytes.empty() &&
                              !contains(decided.ids, id);
        slow_ids.push_back(id);
        slow_want.push_back(static_cast<uint8_t>((want_record ? store::kInputRecord : 0) |
                                                 (from_log ? store::kInputNoEvents : 0)));
        slow_log.push_back(from_log ? mine : nullptr);
        slow_bytes.push_back(old_bytes);
        slow_old.push_back(std::move(old));
        slice.records_read += want_record ? 1 : 0;
      }
      if (slow_ids.empty()) return core::Ok();
      // Patients that were not created by the batch after all: read again
      // with their history (no contribution before, so nothing to compare).
      std::vector<int64_t> again;
      std::vector<domain::Event> log_events;
      size_t k = 0;
      RETURN_IF_ERROR(on.ForEachPatientInputOf(
          slow_ids, slow_want,
          [&](const store::StatsPatient& patient,
              std::span<const domain::Event> history) -> core::Status {
            while (k < slow_ids.size() && slow_ids[k] < patient.id) ++k;
            if (k == slow_ids.size() || slow_ids[k] != patient.id) {
              return core::Fail(core::Code::kInternal, "集計の更新で患者の順序が崩れました",
                                "the figure update read a patient out of order",
                                std::to_string(patient.id));
            }
            if (slow_log[k] != nullptr) {
              if (patient.created_batch != batch_id) {
                again.push_back(patient.id);
                return core::Ok();
              }
              log_events.clear();
              // One list, in the order the batch added them: its id order.
              RETURN_IF_ERROR(UnpackStoredEvents(logged->Packed(*slow_log[k]), log_events));
              history = log_events;
            } else {
              ++slice.histories_read;
            }
            const Contribution& before = slow_old[k];
            const Contribution fresh =
                (slow_want[k] & store::kInputRecord) != 0
                    ? ComputeContribution(patient, history, rules)
                : history.empty() ? Contribution{}
                                  : ComputeContribution(AttributesOf(before), history, rules);
            return settle(patient.id, before, slow_bytes[k], fresh, history, {},
                          slice.history_writes);
          }));
      if (again.empty()) return core::Ok();
      slice.histories_read += static_cast<int64_t>(again.size());
      return on.ForEachPatientInputOf(
          again, {},
          [&](const store::StatsPatient& patient,
              std::span<const domain::Event> history) -> core::Status {
            return settle(patient.id, Contribution{}, {},
                          ComputeContribution(patient, history, rules), history, {},
                          slice.again_writes);
          });
    }();
    slice.written = slice.writes.entries() + slice.history_writes.entries() +
                    slice.again_writes.entries();
    slice.records = slice.writes.Finish();
    for (auto* builder : {&slice.history_writes, &slice.again_writes}) {
      for (std::string& record : builder->Finish()) slice.records.push_back(std::move(record));
    }
  };
  int slices = parallel.open ? std::max(parallel.slices, 1) : 1;
  slices = static_cast<int>(
      std::min<size_t>(static_cast<size_t>(slices),
                       ids.size() / std::max<size_t>(parallel.min_update_slice, 1) + 1));
  std::vector<std::unique_ptr<store::StatsStore>> extra;
  for (int i = 1; i < slices; ++i) {
    ASSIGN_OR_RETURN(std::unique_ptr<store::StatsStore> opened, parallel.open());
    extra.push_back(std::move(opened));
  }
  // Ascending id pieces, so the writes concatenate in id order. Each
  // connection's thread takes the next piece when done with one, so one
  // that runs slower (a colder connection, a busy core) does not hold the
  // update up by a whole slice.
  const size_t pieces =
      static_cast<size_t>(slices) * (slices > 1 ? kUpdatePiecesPerSlice : 1);
  auto piece_ids = [&](size_t i) {
    const size_t from = ids.size() * i / pieces;
    const size_t to = ids.size() * (i + 1) / pieces;
    return std::span<const int64_t>(ids).subspan(from, to - from);
  };
  std::vector<Slice> parts(pieces);
  {
    std::atomic<size_t> next_piece{0};
    auto work = [&](store::StatsStore& on) {
      for (size_t i = next_piece++; i < pieces; i = next_piece++) run(on, piece_ids(i), parts[i]);
    };
    std::vector<std::jthread> threads;
    for (int i = 1; i < slices; ++i) {
      threads.emplace_back([&, i] { work(*extra[static_cast<size_t>(i - 1)]); });
    }
    work(stats);
  }
  extra.clear();  // closed before the write; their time is the read's
  size_t write_count = 0;
  for (Slice& part : parts) {
    RETURN_IF_ERROR(std::move(part.status));
    write_count += part.records.size();
  }
  FigureAccumulator& delta = parts[0].delta;
  std::vector<std::string> records;  // slices in id order: a log in id order
  records.reserve(write_count);
  int64_t written = 0;
  int64_t added = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) delta.Merge(parts[i].delta);
    summary.changed += parts[i].changed;
    summary.records_read += parts[i].records_read;
    summary.histories_read += parts[i].histories_read;
    added += parts[i].added;
    std::move(parts[i].records.begin(), parts[i].records.end(), std::back_inserter(records));
    written += parts[i].written;
  }
  summary.read_seconds = SecondsSince(start);

  const Figures changes = delta.Take();
  const std::vector<store::FlowCount> flows = changes.FlowRows();
  const std::vector<store::CensusDelta> census = changes.CensusRows();
  for (const auto& f : flows) {
    summary.first_day = summary.first_day == kNoDay ? f.day : std::min(summary.first_day, f.day);
    summary.last_day = std::max(summary.last_day, f.day);
  }
  for (const auto& c : census) {
    summary.first_day = summary.first_day == kNoDay ? c.day : std::min(summary.first_day, c.day);
    summary.last_day = std::max(summary.last_day, c.day);
  }
  const auto write_start = std::chrono::steady_clock::now();
  RETURN_IF_ERROR(
      stats.ApplyDelta(flows, census, records, batch_id, added, decided.seqs, state->version));
  summary.write_seconds = SecondsSince(write_start);
  summary.written = written;
  summary.flow_deltas = static_cast<int64_t>(flows.size());
  summary.census_deltas = static_cast<int64_t>(census.size());
  summary.seconds = SecondsSince(start);
  summary.cpu_seconds = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
  return summary;
}

}  // namespace

core::Result<UpdateSummary> UpdateAfterBatch(store::StatsStore& stats,
                                             const domain::RecuperationRules& rules,
                                             int64_t batch_id, const std::string& now_iso,
                                             const Parallelism& parallel) {
  return Update(stats, rules, batch_id, now_iso, parallel, false);
}

core::Result<std::optional<UpdateSummary>> UpdateFiguresForDecisions(
    store::StatsStore& stats, const domain::RecuperationRules& rules,
    const std::string& now_iso, const Parallelism& parallel) {
  for (int aborted = 0;; ++aborted) {
    ASSIGN_OR_RETURN(const std::optional<store::StatsState> state, stats.State());
    if (!state) return std::nullopt;
    auto update = Update(stats, rules, 0, now_iso, parallel, true);
    // Another write came between the reads and the write: read again.
    if (!update && update.error().code == core::Code::kAborted &&
        aborted < kMaxAbortedUpdates) {
      continue;
    }
    if (!update) return std::unexpected(std::move(update.error()));
    return std::optional<UpdateSummary>(std::move(*update));
  }
}

core::Result<std::optional<UpdateSummary>> UpdateFiguresThrough(
    store::StatsStore& stats, const domain::RecuperationRules& rules, int64_t batch_id,
    const std::string& now_iso, const Parallelism& parallel) {
  const auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(std::optional<store::StatsState> state, stats.State());
  if (!state) return std::nullopt;
  UpdateSummary total;
  total.batch_id = batch_id;
  int aborted = 0;
  int64_t b = std::max<int64_t>(state->last_batch + 1, 1);
  while (b <= batch_id) {
    auto one = UpdateAfterBatch(stats, rules, b, now_iso, parallel);
    if (!one && one.error().code == core::Code::kAborted && aborted < kMaxAbortedUpdates) {
      // Another process applied this batch first: carry on after what it
      // has applied, from the figures as they are now.
      ++aborted;
      ASSIGN_OR_RETURN(state, stats.State());
      if (!state) return std::nullopt;
      b = std::max<int64_t>(state->last_batch + 1, 1);
      continue;
    }
    if (!one) return std::unexpected(std::move(one.error()));
    total.patients += one->patients;
    total.changed += one->changed;
    total.records_read += one->records_read;
    total.histories_read += one->histories_read;
    total.written += one->written;
    total.flow_deltas += one->flow_deltas;
    total.census_deltas += one->census_deltas;
    total.read_seconds += one->read_seconds;
    total.write_seconds += one->write_seconds;
    total.cpu_seconds += one->cpu_seconds;
    if (one->first_day != kNoDay) {
      total.first_day =
          total.first_day == kNoDay ? one->first_day : std::min(total.first_day, one->first_day);
      total.last_day = std::max(total.last_day, one->last_day);
    }
    ++b;
  }
  total.seconds = SecondsSince(start);
  // Maintenance once the contribution log is long; the figures are right
  // and committed already.
  const auto fold_start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(total.folded, stats.FoldContributionLog(false));
  total.fold_seconds = SecondsSince(fold_start);
  return total;
}

core::Result<VerifyReport> VerifyFigures(store::StatsStore& stats,
                                         const domain::RecuperationRules& rules,
                                         const Parallelism& parallel) {
  const auto start = std::chrono::steady_clock::now();
  VerifyReport report;
  ASSIGN_OR_RETURN(ComputedFigures computed, ComputeAllFigures(stats, rules, parallel));
  ASSIGN_OR_RETURN(std::vector<store::FlowCount> flows, stats.ReadAllFlows());
  ASSIGN_OR_RETURN(std::vector<store::CensusDelta> census,
                   stats.ReadCensusDeltas(std::numeric_limits<int32_t>::max()));
  const Figures stored = Figures::FromRows(flows, census);
  report.patients = computed.patients;
  report.flow_rows = static_cast<int64_t>(stored.flows.size());
  report.census_rows = static_cast<int64_t>(stored.census_deltas.size());
  const Figures& fresh = computed.figures;
  for (const auto& [key, count] : fresh.flows) {
    auto it = stored.flows.find(key);
    const int64_t have = it == stored.flows.end() ? 0 : it->second;
    if (have != count) report.differences.push_back({FlowLabel(key), have, count});
  }
  for (const auto& [key, count] : stored.flows) {
    if (!fresh.flows.contains(key)) report.differences.push_back({FlowLabel(key), count, 0});
  }
  // The census compared as daily counts (the running sums), which is what
  // anyone reads; equal deltas give equal counts.
  int32_t first = std::numeric_limits<int32_t>::max();
  int32_t last = std::numeric_limits<int32_t>::min();
  for (const auto* figures : {&fresh, &stored}) {
    for (const auto& [key, delta] : figures->census_deltas) {
      first = std::min(first, key.second);
      last = std::max(last, key.second);
    }
  }
  if (first <= last) {
    const auto a = CensusSeries(stored.CensusRows(), core::Date::FromDays(first),
                                core::Date::FromDays(last));
    const auto b = CensusSeries(fresh.CensusRows(), core::Date::FromDays(first),
                                core::Date::FromDays(last));
    for (size_t i = 0; i < a.size(); ++i) {
      for (int s = 0; s < kCensusSlots; ++s) {
        if (a[i].counts[s] != b[i].counts[s]) {
          report.differences.push_back({"census " + std::string(CensusSlotNameEn(s)) + " " +
                                            a[i].day.ToIso(),
                                        a[i].counts[s], b[i].counts[s]});
        }
      }
    }
  }
  report.seconds = SecondsSince(start);
  return report;
}

core::Result<std::vector<DailyCount>> ReadDaily(store::StatsStore& stats, Series series,
                                                core::Date from, core::Date to) {
  if (to < from) {
    return core::Fail(core::Code::kInvalidArgument, "期間の終わりが始まりより前です",
                      "the end of the period is before its start",
                      from.ToIso() + ".." + to.ToIso());
  }
  if (to - from > 20000) {
    return core::Fail(core::Code::kResourceExhausted, "期間が長すぎます", "the period is too long");
  }
  // Six days before `from` for the first 7-day averages.
  ASSIGN_OR_RETURN(std::vector<store::FlowCount> rows,
                   stats.ReadFlows(std::string(SeriesName(series)), from.days() - 6, to.days()));
  const int32_t n = to - from + 7;
  std::vector<DailyCount> days(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i) days[static_cast<size_t>(i)].day = from.AddDays(i - 6);
  for (const store::FlowCount& row : rows) {
    DailyCount& d = days[static_cast<size_t>(row.day - (from.days() - 6))];
    if (row.key == "total") {
      d.total = row.count;
      continue;
    }
    const size_t colon = row.key.find(':');
    if (colon == std::string::npos) continue;
    const std::string dimension = row.key.substr(0, colon);
    const std::string value = row.key.substr(colon + 1);
    if (dimension == "municipality") d.municipality[value] = row.count;
    if (dimension == "age_band") d.age_band[value] = row.count;
    if (dimension == "sex") d.sex[value] = row.count;
  }
  int64_t window = 0;
  for (int32_t i = 0; i < n; ++i) {
    window += days[static_cast<size_t>(i)].total;
    if (i >= 7) window -= days[static_cast<size_t>(i - 7)].total;
    days[static_cast<size_t>(i)].average7 = static_cast<double>(window) / 7.0;
  }
  days.erase(days.begin(), days.begin() + 6);
  return days;
}

core::Result<std::vector<CensusDay>> ReadCensus(store::StatsStore& stats, core::Date from,
                                                core::Date to) {
  if (to < from) {
    return core::Fail(core::Code::kInvalidArgument, "期間の終わりが始まりより前です",
                      "the end of the period is before its start",
                      from.ToIso() + ".." + to.ToIso());
  }
  if (to - from > 20000) {
    return core::Fail(core::Code::kResourceExhausted, "期間が長すぎます", "the period is too long");
  }
  ASSIGN_OR_RETURN(std::vector<store::CensusDelta> deltas, stats.ReadCensusDeltas(to.days()));
  return CensusSeries(deltas, from, to);
}

core::Result<std::optional<std::pair<core::Date, core::Date>>> FigureRange(
    store::StatsStore& stats) {
  ASSIGN_OR_RETURN(std::vector<store::FlowCount> rows,
                   stats.ReadFlows("notified", std::numeric_limits<int32_t>::min(),
                                   std::numeric_limits<int32_t>::max()));
  std::optional<std::pair<core::Date, core::Date>> out;
  for (const store::FlowCount& row : rows) {
    const core::Date d = core::Date::FromDays(row.day);
    if (!out) {
      out = std::pair{d, d};
    } else {
      out->first = std::min(out->first, d);
      out->second = std::max(out->second, d);
    }
  }
  return out;
}

}  // namespace ichigen::stats
