#include "stats/figure_service.h"

#include <algorithm>
#include <time.h>

#include <chrono>
#include <iterator>
#include <limits>
#include <thread>

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

std::string FlowLabel(const std::tuple<std::string, std::string, int32_t>& key) {
  return "flow " + std::get<0>(key) + " " + std::get<1>(key) + " " +
         core::Date::FromDays(std::get<2>(key)).ToIso();
}

}  // namespace

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
          slice.contributions.emplace_back(patient.id, c.Encode());
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
  ASSIGN_OR_RETURN(ComputedFigures computed, ComputeAllFigures(stats, rules, parallel));
  summary.compute_seconds = SecondsSince(start);
  start = std::chrono::steady_clock::now();
  const std::vector<store::FlowCount> flows = computed.figures.FlowRows();
  const std::vector<store::CensusDelta> census = computed.figures.CensusRows();
  store::StatsState state;
  state.computed_at = now_iso;
  state.last_batch = last_batch;
  RETURN_IF_ERROR(stats.ReplaceAll(flows, census, computed.contributions, state));
  summary.write_seconds = SecondsSince(start);
  summary.cpu_seconds = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
  summary.patients = computed.patients;
  summary.events = computed.events;
  summary.flow_rows = static_cast<int64_t>(flows.size());
  summary.census_rows = static_cast<int64_t>(census.size());
  return summary;
}

core::Result<UpdateSummary> UpdateAfterBatch(store::StatsStore& stats,
                                             const domain::RecuperationRules& rules,
                                             int64_t batch_id, const std::string& now_iso,
                                             const Parallelism& parallel) {
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
  UpdateSummary summary;
  summary.batch_id = batch_id;
  ASSIGN_OR_RETURN(std::optional<store::StatsState> state, stats.State());
  if (!state) {
    ASSIGN_OR_RETURN(RecomputeSummary full, RecomputeFigures(stats, rules, now_iso, parallel));
    summary.full = true;
    summary.patients = full.patients;
    summary.seconds = SecondsSince(start);
    summary.cpu_seconds = full.cpu_seconds;
    return summary;
  }
  if (batch_id <= state->last_batch) {
    summary.already_applied = true;
    summary.seconds = SecondsSince(start);
    return summary;
  }
  if (batch_id > state->last_batch + 1) {
    return core::Fail(core::Code::kFailedPrecondition,
                      "前の取込バッチがまだ集計に反映されていません（ichigen stats update で"
                      "順に反映できます）",
                      "an earlier batch is not applied to the figures yet (ichigen stats "
                      "update applies them in order)",
                      "batch " + std::to_string(batch_id) + ", figures through batch " +
                          std::to_string(state->last_batch));
  }
  ASSIGN_OR_RETURN(const std::vector<int64_t> ids, stats.PatientIdsOfBatch(batch_id));
  summary.patients = static_cast<int64_t>(ids.size());
  // Records the batch inserted or changed are read; every other patient's
  // attributes are those of its stored contribution (nullopt: read them all).
  ASSIGN_OR_RETURN(const std::optional<std::vector<int64_t>> updated,
                   stats.PatientIdsUpdatedIn(batch_id));

  // Each slice reads its patients' stored contributions and inputs on its own
  // connection, and keeps the changes in an accumulator of its own.
  struct Slice {
    FigureAccumulator delta;
    std::vector<std::pair<int64_t, std::string>> writes;
    int64_t changed = 0;
    int64_t added = 0;  // patients with a contribution now, less those without any more
    int64_t records_read = 0;
    core::Status status = core::Ok();
  };
  auto run = [&rules, &updated](store::StatsStore& on, std::span<const int64_t> slice_ids,
                                Slice& slice) {
    slice.status = [&]() -> core::Status {
      ASSIGN_OR_RETURN(auto stored, on.Contributions(slice_ids));
      if (!std::is_sorted(stored.begin(), stored.end())) std::sort(stored.begin(), stored.end());
      // Per patient: its stored bytes, decoded; whether its record is read.
      std::vector<std::string_view> old_bytes(slice_ids.size());
      std::vector<Contribution> old(slice_ids.size());
      std::vector<uint8_t> want_record(slice_ids.size(), 1);
      size_t next_stored = 0;
      for (size_t i = 0; i < slice_ids.size(); ++i) {
        while (next_stored < stored.size() && stored[next_stored].first < slice_ids[i]) {
          ++next_stored;
        }
        if (next_stored < stored.size() && stored[next_stored].first == slice_ids[i]) {
          old_bytes[i] = stored[next_stored].second;
          ASSIGN_OR_RETURN(old[i], Contribution::Decode(old_bytes[i]));
        }
        const bool record_changed =
            !updated || std::binary_search(updated->begin(), updated->end(), slice_ids[i]);
        if (!record_changed && !old[i].Empty() && Contribution::IsCurrentEncoding(old_bytes[i])) {
          want_record[i] = 0;
        }
        slice.records_read += want_record[i];
      }
      size_t i = 0;
      std::string fresh_bytes;
      return on.ForEachPatientInputOf(
          slice_ids, want_record,
          [&](const store::StatsPatient& patient,
              std::span<const domain::Event> events) -> core::Status {
            while (i < slice_ids.size() && slice_ids[i] < patient.id) ++i;
            if (i == slice_ids.size() || slice_ids[i] != patient.id) {
              return core::Fail(core::Code::kInternal, "集計の更新で患者の順序が崩れました",
                                "the figure update read a patient out of order",
                                std::to_string(patient.id));
            }
            const Contribution fresh =
                want_record[i] != 0 ? ComputeContribution(patient, events, rules)
                : events.empty()    ? Contribution{}
                                    : ComputeContribution(AttributesOf(old[i]), events, rules);
            if (fresh.Empty()) {
              fresh_bytes.clear();
            } else {
              fresh.EncodeInto(fresh_bytes);
            }
            // The encoding is canonical: equal bytes, an unchanged patient.
            if (fresh_bytes == old_bytes[i]) return core::Ok();
            slice.writes.emplace_back(patient.id, fresh_bytes);
            slice.added += (fresh_bytes.empty() ? 0 : 1) - (old_bytes[i].empty() ? 0 : 1);
            if (old[i] == fresh) return core::Ok();  // an older encoding, rewritten
            ++slice.changed;
            slice.delta.Subtract(old[i]);
            slice.delta.Add(fresh);
            return core::Ok();
          });
    }();
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
  // Ascending id slices, so the writes concatenate in id order.
  auto slice_ids = [&](int i) {
    const size_t from = ids.size() * static_cast<size_t>(i) / static_cast<size_t>(slices);
    const size_t to = ids.size() * static_cast<size_t>(i + 1) / static_cast<size_t>(slices);
    return std::span<const int64_t>(ids).subspan(from, to - from);
  };
  std::vector<Slice> parts(static_cast<size_t>(slices));
  {
    std::vector<std::jthread> threads;
    for (int i = 1; i < slices; ++i) {
      threads.emplace_back([&, i] {
        run(*extra[static_cast<size_t>(i - 1)], slice_ids(i), parts[static_cast<size_t>(i)]);
      });
    }
    run(stats, slice_ids(0), parts[0]);
  }
  extra.clear();  // closed before the write; their time is the read's
  size_t write_count = 0;
  for (Slice& part : parts) {
    RETURN_IF_ERROR(std::move(part.status));
    write_count += part.writes.size();
  }
  FigureAccumulator& delta = parts[0].delta;
  std::vector<std::pair<int64_t, std::string>> writes;
  writes.reserve(write_count);
  int64_t added = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) delta.Merge(parts[i].delta);
    summary.changed += parts[i].changed;
    summary.records_read += parts[i].records_read;
    added += parts[i].added;
    std::move(parts[i].writes.begin(), parts[i].writes.end(), std::back_inserter(writes));
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
  RETURN_IF_ERROR(stats.ApplyDelta(flows, census, writes, batch_id, added));
  summary.write_seconds = SecondsSince(write_start);
  summary.written = static_cast<int64_t>(writes.size());
  summary.flow_deltas = static_cast<int64_t>(flows.size());
  summary.census_deltas = static_cast<int64_t>(census.size());
  summary.seconds = SecondsSince(start);
  summary.cpu_seconds = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
  return summary;
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
