#include "store/contribution_log.h"

#include <algorithm>

namespace ichigen::store {

namespace {

constexpr uint8_t kLogVersion = 1;

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

core::Status Damaged() {
  return core::Fail(core::Code::kDataLoss, "統計の寄与ログが壊れています",
                    "the statistics contribution log is damaged");
}

// Walks one record's entries: fn(id, bytes) for each, in id order.
template <typename Fn>
core::Status ForEachEntry(std::string_view in, Fn&& fn) {
  size_t at = 0;
  bool ok = true;
  auto varint = [&]() -> uint64_t {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at >= in.size()) return ok = false, 0;
      const auto byte = static_cast<uint8_t>(in[at++]);
      v |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    return ok = false, 0;
  };
  if (in.empty() || static_cast<uint8_t>(in[0]) != kLogVersion) return Damaged();
  at = 1;
  const uint64_t count = varint();
  uint64_t id = 0;
  for (uint64_t i = 0; ok && i < count; ++i) {
    const uint64_t step = varint();
    const uint64_t length = varint();
    if (!ok || step == 0 || id + step > static_cast<uint64_t>(INT64_MAX) ||
        length > in.size() - at) {
      return Damaged();
    }
    id += step;
    fn(static_cast<int64_t>(id), in.substr(at, length));
    at += length;
  }
  if (!ok || at != in.size()) return Damaged();
  return core::Ok();
}

}  // namespace

core::Result<std::vector<std::string>> PackContributionLog(
    std::span<const std::pair<int64_t, std::string>> entries) {
  const auto ascending = [](const auto& a, const auto& b) { return a.first < b.first; };
  std::vector<std::pair<int64_t, std::string>> sorted;
  if (!std::is_sorted(entries.begin(), entries.end(), ascending) ||
      std::adjacent_find(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        return a.first == b.first;
      }) != entries.end()) {
    // In id order, the last write of a patient given twice kept.
    sorted.assign(entries.begin(), entries.end());
    std::stable_sort(sorted.begin(), sorted.end(), ascending);
    std::vector<std::pair<int64_t, std::string>> unique;
    for (size_t i = 0; i < sorted.size(); ++i) {
      if (i + 1 < sorted.size() && sorted[i + 1].first == sorted[i].first) continue;
      unique.push_back(std::move(sorted[i]));
    }
    sorted = std::move(unique);
    entries = sorted;
  }
  if (!entries.empty() && entries.front().first <= 0) {
    return core::Fail(core::Code::kInvalidArgument, "患者IDが正しくありません",
                      "a patient id is not positive", std::to_string(entries.front().first));
  }
  ContributionLogBuilder builder;
  for (const auto& [id, bytes] : entries) builder.Add(id, bytes);
  return builder.Finish();
}

LogRecordSummary SummarizeLogRecord(std::string_view record) {
  LogRecordSummary summary;
  if (!ForEachEntry(record, [&](int64_t id, std::string_view) {
        if (summary.entries++ == 0) summary.first_id = id;
        summary.last_id = id;
      })) {
    return LogRecordSummary{};
  }
  return summary;
}

// A record is built in place: its entry count is written when it closes,
// into room left after the version byte (a varint padded to kCountBytes,
// which reads as the same number).
constexpr size_t kCountBytes = 3;
static_assert(kLogRecordEntries < (size_t{1} << (7 * kCountBytes)));

void ContributionLogBuilder::Add(int64_t id, std::string_view bytes) {
  // A record holds ascending ids: one out of order starts the next record.
  if (in_record_ > 0 && id <= previous_) Close();
  if (in_record_ == 0) {
    // Room for a record of typical entries (grown if they are larger).
    body_.reserve(std::max<size_t>(body_.capacity(), kLogRecordEntries * 160));
    body_.push_back(static_cast<char>(kLogVersion));
    body_.append(kCountBytes, '\0');
  }
  PutVarint(body_, static_cast<uint64_t>(id - previous_));
  PutVarint(body_, bytes.size());
  body_.append(bytes);
  previous_ = id;
  ++entries_;
  if (++in_record_ == kLogRecordEntries) Close();
}

void ContributionLogBuilder::Close() {
  if (in_record_ == 0) return;
  for (size_t i = 0; i < kCountBytes; ++i) {
    const auto group = static_cast<char>((in_record_ >> (7 * i)) & 0x7F);
    body_[1 + i] = static_cast<char>(group | (i + 1 < kCountBytes ? 0x80 : 0));
  }
  records_.push_back(std::move(body_));
  body_ = std::string();
  in_record_ = 0;
  previous_ = 0;
}

std::vector<std::string> ContributionLogBuilder::Finish() {
  Close();
  entries_ = 0;
  return std::move(records_);
}

core::Status ForEachLogEntry(std::string_view record,
                             const std::function<void(int64_t, std::string_view)>& fn) {
  return ForEachEntry(record, fn);
}

ContributionOverlay::ContributionOverlay(std::span<const int64_t> ids)
    : ids_(ids), views_(ids.size()), found_(ids.size(), 0) {}

core::Status ContributionOverlay::AddRecord(std::string record) {
  const std::string& kept = records_.emplace_back(std::move(record));
  size_t next = 0;
  return ForEachEntry(kept, [&](int64_t id, std::string_view bytes) {
    while (next < ids_.size() && ids_[next] < id) ++next;
    if (next < ids_.size() && ids_[next] == id) {
      views_[next] = bytes;
      found_[next] = 1;
    }
  });
}

core::Result<std::vector<std::pair<int64_t, std::string>>> LatestLogEntries(
    std::span<const std::string> records) {
  // Sorted by id, stably: the last entry of each id is the latest.
  struct Entry {
    int64_t id;
    uint32_t record;
    std::string_view bytes;
  };
  std::vector<Entry> all;
  for (size_t r = 0; r < records.size(); ++r) {
    RETURN_IF_ERROR(ForEachEntry(records[r], [&](int64_t id, std::string_view bytes) {
      all.push_back(Entry{id, static_cast<uint32_t>(r), bytes});
    }));
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const Entry& a, const Entry& b) { return a.id < b.id; });
  std::vector<std::pair<int64_t, std::string>> out;
  for (size_t i = 0; i < all.size(); ++i) {
    if (i + 1 < all.size() && all[i + 1].id == all[i].id) continue;  // a later one follows
    out.emplace_back(all[i].id, std::string(all[i].bytes));
  }
  return out;
}

}  // namespace ichigen::store
