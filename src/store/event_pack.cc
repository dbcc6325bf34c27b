#include "store/event_pack.h"

#include <algorithm>
#include <optional>

namespace ichigen::store {

namespace {

// Version 1 parts (written before) step over each patient's list event by
// event; version 2 gives each list's size in bytes first.
constexpr uint8_t kPartVersion = 2;
constexpr uint8_t kPartVersionUnsized = 1;

// Per-event flag bits: which optional fields follow (the common ones in the
// low seven bits, one varint byte).
constexpr uint16_t kCareStatus = 1;
constexpr uint16_t kFacility = 2;
constexpr uint16_t kOnset = 4;
constexpr uint16_t kDiagnosed = 8;
constexpr uint16_t kSymptomKnown = 16;
constexpr uint16_t kSymptomatic = 32;
constexpr uint16_t kResidence = 64;
constexpr uint16_t kExtended = 128;
constexpr uint16_t kCancels = 256;
constexpr uint16_t kSupersedes = 512;
constexpr uint16_t kKnownFlags = 1023;
// Days are written from 2020-01-01 (the first notifications), then from
// the previous event's day; received_at the first time from its event's
// day (seconds into it, JST or not), then from the previous one.
constexpr int64_t kEpochDay = 18262;  // 2020-01-01

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
uint64_t Zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t Unzigzag(uint64_t z) { return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1); }
void PutText(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}

core::Status Damaged() {
  return core::Fail(core::Code::kDataLoss, "集計用のイベント記録が壊れています",
                    "a packed event list is damaged");
}

struct Reader {
  std::string_view& in;
  bool ok = true;
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in.empty()) return ok = false, 0;
      const auto byte = static_cast<uint8_t>(in[0]);
      in.remove_prefix(1);
      v |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    return ok = false, 0;
  }
  int64_t Diff() { return Unzigzag(Varint()); }
  std::string Text() {
    const uint64_t n = Varint();
    if (!ok || n > in.size()) return ok = false, std::string();
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
  }
  std::optional<core::Date> Day(int64_t base) {
    const int64_t day = base + Diff();
    if (day < -1000000 || day > 1000000) return ok = false, std::nullopt;
    return core::Date::FromDays(static_cast<int32_t>(day));
  }
};

}  // namespace

namespace {

// Writes the events of one list one by one (each relative to the previous).
class ListWriter {
 public:
  explicit ListWriter(std::string& out) : out_(out) {}
  void Add(const domain::Event& e) {
    const uint16_t flags = static_cast<uint16_t>(
        (e.onset_on ? kOnset : 0) | (e.diagnosed_on ? kDiagnosed : 0) |
        (e.extended_until ? kExtended : 0) | (e.care_status ? kCareStatus : 0) |
        (e.symptomatic ? kSymptomKnown : 0) | (e.symptomatic.value_or(false) ? kSymptomatic : 0) |
        (e.cancels ? kCancels : 0) | (e.supersedes != 0 ? kSupersedes : 0) |
        (!e.facility.empty() ? kFacility : 0) | (!e.residence_code.empty() ? kResidence : 0));
    PutVarint(out_, Zigzag(e.id - previous_id_));
    previous_id_ = e.id;
    out_.push_back(static_cast<char>(e.type));
    PutVarint(out_, flags);
    const int64_t day = e.effective_on.days();
    PutVarint(out_, Zigzag(day - previous_day_));
    previous_day_ = day;
    PutVarint(out_, Zigzag(e.received_at - previous_received_.value_or(day * 86400)));
    previous_received_ = e.received_at;
    if (e.onset_on) PutVarint(out_, Zigzag(e.onset_on->days() - day));
    if (e.diagnosed_on) PutVarint(out_, Zigzag(e.diagnosed_on->days() - day));
    if (e.extended_until) PutVarint(out_, Zigzag(e.extended_until->days() - day));
    if (e.care_status) out_.push_back(static_cast<char>(*e.care_status));
    if (e.supersedes != 0) PutVarint(out_, Zigzag(e.supersedes - e.id));
    if (!e.facility.empty()) PutText(out_, e.facility);
    if (!e.residence_code.empty()) PutText(out_, e.residence_code);
  }

 private:
  std::string& out_;
  int64_t previous_id_ = 0;
  int64_t previous_day_ = kEpochDay;
  std::optional<int64_t> previous_received_;
};

}  // namespace

void PackEvents(std::span<const domain::Event> events, std::string& out) {
  PutVarint(out, events.size());
  ListWriter writer(out);
  for (const domain::Event& e : events) writer.Add(e);
}

namespace {

// Steps over one list written by PackEvents, checking its shape only.
core::Status SkipEvents(std::string_view& in) {
  Reader r{in};
  const uint64_t n = r.Varint();
  if (!r.ok || n > in.size()) return Damaged();
  for (uint64_t i = 0; i < n && r.ok; ++i) {
    r.Varint();  // id
    if (in.empty()) return Damaged();
    in.remove_prefix(1);  // type
    const uint64_t flags = r.Varint();
    if ((flags & ~uint64_t{kKnownFlags}) != 0) return Damaged();
    r.Varint();  // day
    r.Varint();  // received
    for (uint16_t bit : {kOnset, kDiagnosed, kExtended}) {
      if (flags & bit) r.Varint();
    }
    if (flags & kCareStatus) {
      if (in.empty()) return Damaged();
      in.remove_prefix(1);
    }
    if (flags & kSupersedes) r.Varint();
    for (uint16_t bit : {kFacility, kResidence}) {
      if (!(flags & bit)) continue;
      const uint64_t length = r.Varint();
      if (!r.ok || length > in.size()) return Damaged();
      in.remove_prefix(length);
    }
  }
  if (!r.ok) return Damaged();
  return core::Ok();
}

}  // namespace

core::Status UnpackEvents(std::string_view& in, std::vector<domain::Event>& out) {
  Reader r{in};
  const uint64_t n = r.Varint();
  if (!r.ok || n > in.size()) return Damaged();  // every event takes bytes
  int64_t previous_id = 0;
  int64_t previous_day = kEpochDay;
  std::optional<int64_t> previous_received;
  for (uint64_t i = 0; i < n; ++i) {
    domain::Event e;
    e.id = previous_id + r.Diff();
    previous_id = e.id;
    if (in.empty()) return Damaged();
    const auto type = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    if (type >= domain::kEventTypeCount) return Damaged();
    e.type = static_cast<domain::EventType>(type);
    const uint64_t flags = r.Varint();
    if ((flags & ~uint64_t{kKnownFlags}) != 0) return Damaged();
    const int64_t day = previous_day + r.Diff();
    if (day < -1000000 || day > 1000000) return Damaged();
    previous_day = day;
    e.effective_on = core::Date::FromDays(static_cast<int32_t>(day));
    e.received_at = previous_received.value_or(day * 86400) + r.Diff();
    previous_received = e.received_at;
    if (flags & kOnset) e.onset_on = r.Day(day);
    if (flags & kDiagnosed) e.diagnosed_on = r.Day(day);
    if (flags & kExtended) e.extended_until = r.Day(day);
    if (flags & kCareStatus) {
      if (in.empty()) return Damaged();
      const auto status = static_cast<uint8_t>(in[0]);
      in.remove_prefix(1);
      if (status >= domain::kCareStatusCount) return Damaged();
      e.care_status = static_cast<domain::CareStatus>(status);
    }
    if (flags & kSymptomKnown) e.symptomatic = (flags & kSymptomatic) != 0;
    e.cancels = (flags & kCancels) != 0;
    if (flags & kSupersedes) e.supersedes = e.id + r.Diff();
    if (flags & kFacility) e.facility = r.Text();
    if (flags & kResidence) e.residence_code = r.Text();
    if (!r.ok) return Damaged();
    out.push_back(std::move(e));
  }
  return core::Ok();
}

std::vector<std::string> PackBatchEvents(
    const std::vector<std::pair<int64_t, domain::Event>>& events) {
  // Sorted by reference: an event is not moved.
  std::vector<uint32_t> order(events.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return events[a].first != events[b].first ? events[a].first < events[b].first
                                              : events[a].second.id < events[b].second.id;
  });
  std::vector<std::string> parts;
  size_t patients = 0;
  std::string body;
  std::string list;  // one patient's
  int64_t previous_patient = 0;
  auto finish_part = [&] {
    std::string part;
    part.reserve(body.size() + 12);
    part.push_back(static_cast<char>(kPartVersion));
    PutVarint(part, patients);
    part += body;
    parts.push_back(std::move(part));
    body.clear();
    patients = 0;
    previous_patient = 0;
  };
  for (size_t i = 0; i < order.size();) {
    const int64_t patient = events[order[i]].first;
    size_t j = i;
    while (j < order.size() && events[order[j]].first == patient) ++j;
    PutVarint(body, static_cast<uint64_t>(patient - previous_patient));
    previous_patient = patient;
    list.clear();
    PutVarint(list, j - i);
    ListWriter writer(list);
    for (size_t k = i; k < j; ++k) writer.Add(events[order[k]].second);
    PutVarint(body, list.size());
    body += list;
    if (++patients == kBatchEventsPerPart) finish_part();
    i = j;
  }
  if (patients > 0 || parts.empty()) finish_part();
  return parts;
}

core::Status ForEachPatientOfBatchPart(
    std::string_view part, const std::function<core::Status(int64_t, std::string_view)>& fn) {
  if (part.empty()) return Damaged();
  const auto version = static_cast<uint8_t>(part[0]);
  if (version != kPartVersion && version != kPartVersionUnsized) return Damaged();
  part.remove_prefix(1);
  Reader r{part};
  const uint64_t patients = r.Varint();
  if (!r.ok || patients > part.size()) return Damaged();
  int64_t patient = 0;
  for (uint64_t i = 0; i < patients; ++i) {
    const uint64_t step = r.Varint();
    if (!r.ok || step == 0) return Damaged();
    patient += static_cast<int64_t>(step);
    if (version == kPartVersion) {
      const uint64_t size = r.Varint();
      if (!r.ok || size == 0 || size > part.size()) return Damaged();
      RETURN_IF_ERROR(fn(patient, part.substr(0, size)));
      part.remove_prefix(size);
      continue;
    }
    const std::string_view before = part;
    RETURN_IF_ERROR(SkipEvents(part));
    RETURN_IF_ERROR(fn(patient, before.substr(0, before.size() - part.size())));
  }
  if (!part.empty()) return Damaged();
  return core::Ok();
}

}  // namespace ichigen::store
