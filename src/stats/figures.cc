#include "stats/figures.h"

#include <algorithm>
#include <cstring>

namespace ichigen::stats {

namespace {

constexpr std::string_view kSeriesNames[kSeriesCount] = {"notified", "published", "deaths"};
constexpr std::string_view kDimensionNames[kDimensionCount] = {"total", "municipality",
                                                               "age_band", "sex"};
constexpr int64_t kEverythingReceived = std::numeric_limits<int64_t>::max();
// A patient's state changes at most once per event and once per home period;
// the bound only guards the loop against a rule table gone wrong.
constexpr int kMaxBreakpoints = 4096;
// Version 1 (fixed-width days, strings in full) is still read; version 2 is
// written: about a third of the bytes, so an import rewrites fewer pages.
constexpr uint8_t kEncodingV1 = 1;
constexpr uint8_t kEncodingV2 = 2;
// Version 3 is version 2 with one more flag bit, kPublishedOnRecordBit.
constexpr uint8_t kEncodingV3 = 3;
// Version 2 writes days relative to 2020-01-01 (the first notifications).
const int32_t kEpochDay = core::Date::FromYmd(2020, 1, 1)->days();
// Version 2 flag bits.
constexpr uint8_t kSevereBit = 1;
constexpr uint8_t kNotifiedBit = 2;
constexpr uint8_t kPublishedBit = 4;
constexpr uint8_t kDiedBit = 8;
constexpr uint8_t kMunicipalityCodeBit = 16;  // six digits, stored as a number
constexpr uint8_t kPublishedSameBit = 32;     // published on the notification day
constexpr uint8_t kKnownFlagsV2 = 63;
constexpr uint8_t kPublishedOnRecordBit = 64;  // version 3
constexpr uint8_t kKnownFlagsV3 = 127;
// Each interval opens with a byte: its status, whether its start differs
// from the previous interval's end (the first: the notification day) and is
// written, and whether it is still open (no end written).
constexpr uint8_t kStatusMask = 7;
constexpr uint8_t kStartWrittenBit = 8;
constexpr uint8_t kOpenBit = 16;
static_assert(domain::kCareStatusCount <= kStatusMask + 1);
// The labels AgeBandOf and SexLabelOf return, stored as their index; anything
// else is kOtherLabel and the text.
constexpr std::string_view kAgeBandLabels[] = {"10歳未満", "10代", "20代", "30代",  "40代", "50代",
                                               "60代",     "70代", "80代", "90歳以上", "不明"};
constexpr std::string_view kSexLabels[] = {"男性", "女性", "その他", "不明"};
constexpr uint8_t kOtherLabel = 255;

void PutString(std::string& out, std::string_view s) {
  out.push_back(static_cast<char>(std::min<size_t>(s.size(), 255)));
  out.append(s.substr(0, 255));
}
void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
// Signed differences as zigzag varints (small either side of zero, small).
uint64_t Zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t Unzigzag(uint64_t z) { return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1); }
void PutDiff(std::string& out, int64_t v) { PutVarint(out, Zigzag(v)); }
template <size_t N>
void PutLabel(std::string& out, std::string_view value, const std::string_view (&labels)[N]) {
  for (size_t i = 0; i < N; ++i) {
    if (labels[i] == value) {
      out.push_back(static_cast<char>(i));
      return;
    }
  }
  out.push_back(static_cast<char>(kOtherLabel));
  PutString(out, value);
}
bool IsMunicipalityCode(std::string_view s) {
  return s.size() == 6 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

struct Reader {
  std::string_view in;
  bool ok = true;
  int32_t I32() {
    if (in.size() < 4) return ok = false, 0;
    int32_t v;
    std::memcpy(&v, in.data(), 4);
    in.remove_prefix(4);
    return v;
  }
  uint8_t U8() {
    if (in.empty()) return ok = false, 0;
    const auto v = static_cast<uint8_t>(in[0]);
    in.remove_prefix(1);
    return v;
  }
  std::string String() {
    const size_t n = U8();
    if (in.size() < n) return ok = false, std::string();
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
  }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const uint8_t byte = U8();
      if (!ok) return 0;
      v |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    return ok = false, 0;
  }
  int64_t Diff() { return Unzigzag(Varint()); }
  // A day written as a difference from `base`; it must be a real day.
  int32_t Day(int64_t base) {
    const int64_t day = base + Diff();
    if (day <= kNoDay || day >= kOpenEnd) return ok = false, 0;
    return static_cast<int32_t>(day);
  }
  template <size_t N>
  std::string Label(const std::string_view (&labels)[N]) {
    const uint8_t index = U8();
    if (index == kOtherLabel) return String();
    if (index >= N) return ok = false, std::string();
    return std::string(labels[index]);
  }
};

core::Result<Contribution> DecodeV1(Reader& r) {
  Contribution c;
  c.notified_day = r.I32();
  c.published_day = r.I32();
  c.died_day = r.I32();
  c.severe = r.U8() != 0;
  c.municipality = r.String();
  c.age_band = r.String();
  c.sex = r.String();
  const int32_t n = r.I32();
  if (r.ok && n >= 0 && n <= kMaxBreakpoints) {
    for (int32_t i = 0; i < n && r.ok; ++i) {
      StatusInterval interval;
      interval.start = r.I32();
      interval.end = r.I32();
      const uint8_t status = r.U8();
      if (status >= domain::kCareStatusCount) r.ok = false;
      interval.status = static_cast<domain::CareStatus>(status);
      c.intervals.push_back(interval);
    }
  }
  if (!r.ok || n < 0 || n > kMaxBreakpoints || !r.in.empty()) {
    return core::Fail(core::Code::kDataLoss, "統計の患者別寄与データが壊れています",
                      "a stored statistics contribution is damaged");
  }
  return c;
}

core::Result<Contribution> DecodeV2(Reader& r, uint8_t version) {
  Contribution c;
  const uint8_t flags = r.U8();
  if ((flags & ~(version == kEncodingV3 ? kKnownFlagsV3 : kKnownFlagsV2)) != 0) r.ok = false;
  c.severe = (flags & kSevereBit) != 0;
  c.published_on_record = (flags & kPublishedOnRecordBit) != 0;
  if (flags & kNotifiedBit) c.notified_day = r.Day(kEpochDay);
  const int64_t base = c.notified_day == kNoDay ? kEpochDay : c.notified_day;
  if (flags & kPublishedBit) c.published_day = r.Day(base);
  if (flags & kPublishedSameBit) {
    if ((flags & kPublishedBit) || c.notified_day == kNoDay) r.ok = false;
    c.published_day = c.notified_day;
  }
  if (c.published_on_record && c.published_day == kNoDay) r.ok = false;
  if (flags & kDiedBit) c.died_day = r.Day(base);
  if (flags & kMunicipalityCodeBit) {
    const uint64_t code = r.Varint();
    if (code > 999999) r.ok = false;
    std::string digits = std::to_string(code);
    c.municipality = std::string(6 - std::min<size_t>(digits.size(), 6), '0') + digits;
  } else {
    c.municipality = r.String();
  }
  c.age_band = r.Label(kAgeBandLabels);
  c.sex = r.Label(kSexLabels);
  const uint64_t n = r.Varint();
  if (n > static_cast<uint64_t>(kMaxBreakpoints)) r.ok = false;
  int64_t previous = base;
  for (uint64_t i = 0; i < n && r.ok; ++i) {
    StatusInterval interval;
    const uint8_t head = r.U8();
    if ((head & ~(kStatusMask | kStartWrittenBit | kOpenBit)) != 0) r.ok = false;
    if ((head & kStatusMask) >= domain::kCareStatusCount) r.ok = false;
    interval.status = static_cast<domain::CareStatus>(head & kStatusMask);
    if (head & kStartWrittenBit) {
      interval.start = r.Day(previous);
      if (interval.start == previous) r.ok = false;  // not canonical
    } else if (previous <= kNoDay || previous >= kOpenEnd) {
      r.ok = false;
    } else {
      interval.start = static_cast<int32_t>(previous);
    }
    if (!(head & kOpenBit)) interval.end = r.Day(interval.start);
    c.intervals.push_back(interval);
    previous = interval.end == kOpenEnd ? interval.start : interval.end;
  }
  if (!r.ok || !r.in.empty()) {
    return core::Fail(core::Code::kDataLoss, "統計の患者別寄与データが壊れています",
                      "a stored statistics contribution is damaged");
  }
  return c;
}

}  // namespace

std::string_view CensusSlotNameEn(int slot) {
  if (slot == kSevereSlot) return "severe";
  return domain::CareStatusNameEn(static_cast<domain::CareStatus>(slot));
}
std::string_view CensusSlotNameJa(int slot) {
  if (slot == kSevereSlot) return "重症";
  return domain::CareStatusNameJa(static_cast<domain::CareStatus>(slot));
}

std::string_view SeriesName(Series series) { return kSeriesNames[static_cast<int>(series)]; }

core::Result<Series> ParseSeries(std::string_view name) {
  if (name == "notification" || name == "notified") return Series::kNotified;
  if (name == "publication" || name == "published") return Series::kPublished;
  if (name == "deaths" || name == "death") return Series::kDeaths;
  return core::Fail(core::Code::kInvalidArgument,
                    "集計の基準は notification, publication, deaths のいずれかです",
                    "the basis is notification, publication or deaths", std::string(name));
}

std::string_view DimensionName(Dimension dimension) {
  return kDimensionNames[static_cast<int>(dimension)];
}

std::string AgeBandOf(const std::optional<int>& age, std::string_view published_band) {
  if (age && *age >= 0 && *age < 150) {
    if (*age < 10) return "10歳未満";
    if (*age >= 90) return "90歳以上";
    return std::to_string(*age / 10 * 10) + "代";
  }
  if (published_band.empty()) return "不明";
  if (published_band == "90代" || published_band == "100歳以上" || published_band == "90歳以上") {
    return "90歳以上";
  }
  if (published_band == "10歳未満" || published_band == "0代" || published_band == "0歳") {
    return "10歳未満";
  }
  for (int decade = 10; decade <= 80; decade += 10) {
    if (published_band == std::to_string(decade) + "代") return std::string(published_band);
  }
  return "不明";
}

std::string SexLabelOf(std::string_view stored_sex) {
  if (stored_sex == "男" || stored_sex == "男性") return "男性";
  if (stored_sex == "女" || stored_sex == "女性") return "女性";
  if (stored_sex == "その他") return "その他";
  return "不明";
}

std::string Contribution::Encode() const {
  std::string out;
  EncodeInto(out);
  return out;
}

void Contribution::EncodeInto(std::string& out) const {
  out.clear();
  out.push_back(static_cast<char>(kEncodingV3));
  const bool code = IsMunicipalityCode(municipality);
  const bool published_same = notified_day != kNoDay && published_day == notified_day;
  out.push_back(static_cast<char>((severe ? kSevereBit : 0) |
                                  (notified_day != kNoDay ? kNotifiedBit : 0) |
                                  (published_day != kNoDay && !published_same ? kPublishedBit : 0) |
                                  (published_same ? kPublishedSameBit : 0) |
                                  (died_day != kNoDay ? kDiedBit : 0) |
                                  (code ? kMunicipalityCodeBit : 0) |
                                  (published_on_record && published_day != kNoDay
                                       ? kPublishedOnRecordBit
                                       : 0)));
  if (notified_day != kNoDay) PutDiff(out, int64_t{notified_day} - kEpochDay);
  const int64_t base = notified_day == kNoDay ? kEpochDay : notified_day;
  if (published_day != kNoDay && !published_same) PutDiff(out, published_day - base);
  if (died_day != kNoDay) PutDiff(out, died_day - base);
  if (code) {
    uint64_t value = 0;
    for (char c : municipality) value = value * 10 + static_cast<uint64_t>(c - '0');
    PutVarint(out, value);
  } else {
    PutString(out, municipality);
  }
  PutLabel(out, age_band, kAgeBandLabels);
  PutLabel(out, sex, kSexLabels);
  PutVarint(out, intervals.size());
  int64_t previous = base;
  for (const StatusInterval& interval : intervals) {
    const bool start_written = interval.start != previous;
    const bool open = interval.end == kOpenEnd;
    out.push_back(static_cast<char>((static_cast<uint8_t>(interval.status) & kStatusMask) |
                                    (start_written ? kStartWrittenBit : 0) |
                                    (open ? kOpenBit : 0)));
    if (start_written) PutDiff(out, interval.start - previous);
    if (!open) PutDiff(out, int64_t{interval.end} - interval.start);
    previous = open ? interval.start : interval.end;
  }
}

bool Contribution::IsCurrentEncoding(std::string_view bytes) {
  return !bytes.empty() && static_cast<uint8_t>(bytes[0]) == kEncodingV3;
}

core::Result<Contribution> Contribution::Decode(std::string_view bytes) {
  Reader r{bytes};
  const uint8_t version = r.U8();
  if (r.ok && (version == kEncodingV2 || version == kEncodingV3)) return DecodeV2(r, version);
  if (r.ok && version == kEncodingV1) return DecodeV1(r);
  return core::Fail(core::Code::kDataLoss, "統計の患者別寄与データが壊れています",
                    "a stored statistics contribution is damaged");
}

PatientAttributes AttributesOf(const store::StatsPatient& patient) {
  PatientAttributes a;
  if (auto published = core::Date::ParseIso(patient.published_on)) {
    a.published_day = published->days();
  }
  a.severe = patient.severity == "重症";
  a.municipality = patient.municipality_code;
  a.age_band = AgeBandOf(patient.age, patient.age_band);
  a.sex = SexLabelOf(patient.sex);
  return a;
}

PatientAttributes AttributesOf(const Contribution& contribution) {
  PatientAttributes a;
  if (contribution.published_on_record) a.published_day = contribution.published_day;
  a.severe = contribution.severe;
  a.municipality = contribution.municipality;
  a.age_band = contribution.age_band;
  a.sex = contribution.sex;
  return a;
}

Contribution ComputeContribution(const store::StatsPatient& patient,
                                 std::span<const domain::Event> events,
                                 const domain::RecuperationRules& rules) {
  if (events.empty()) return Contribution{};
  return ComputeContribution(AttributesOf(patient), events, rules);
}

namespace {

// The breakpoint walk of ComputeContribution from `first_day` on, with the
// intervals before it already in `c` and `open` the status of the one still
// open there.
Contribution WalkFrom(Contribution c, std::optional<domain::CareStatus> open, int32_t first_day,
                      const PatientAttributes& attributes, std::span<const domain::Event> events,
                      const domain::RecuperationRules& rules) {
  // The days a state can change on: every event's date (a correction carries
  // the corrected date as its own), plus release days found on the way.
  std::vector<int32_t> days;
  days.reserve(events.size());
  for (const domain::Event& e : events) {
    if (e.effective_on.days() >= first_day) days.push_back(e.effective_on.days());
  }
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());

  size_t next_event_day = 0;
  int32_t day = days[0];
  domain::PatientState state;
  for (int step = 0; step < kMaxBreakpoints; ++step) {
    while (next_event_day < days.size() && days[next_event_day] <= day) ++next_event_day;
    state = domain::DeriveState(events, core::Date::FromDays(day), kEverythingReceived, rules);
    std::optional<domain::CareStatus> now;
    if (state.InCensus()) now = state.status;
    if (now != open) {
      if (open) c.intervals.back().end = day;
      if (now) c.intervals.push_back(StatusInterval{day, kOpenEnd, *now});
      open = now;
    }
    int32_t next = kOpenEnd;
    if (next_event_day < days.size()) next = days[next_event_day];
    if (state.status == domain::CareStatus::kHomeRecuperation && state.home_release_on &&
        state.home_release_on->days() > day) {
      next = std::min(next, state.home_release_on->days());
    }
    if (next == kOpenEnd) break;
    day = next;
  }
  // `state` is now the final state (everything known, after the last change).
  if (!state.InCensus() || !state.notified_on) {
    c.intervals.clear();
    return c;
  }
  c.notified_day = state.notified_on->days();
  c.published_day = c.notified_day;
  if (attributes.published_day != kNoDay) {
    c.published_day = attributes.published_day;
    c.published_on_record = true;
  }
  // Deaths are counted on the day the patient enters 死亡 in the census (the
  // death date, or the notification day of a death diagnosed afterwards), so
  // cumulative deaths always equal the census's 死亡.
  for (const StatusInterval& interval : c.intervals) {
    if (interval.status == domain::CareStatus::kDead) {
      c.died_day = interval.start;
      break;
    }
  }
  c.severe = attributes.severe;
  c.municipality = attributes.municipality;
  c.age_band = attributes.age_band;
  c.sex = attributes.sex;
  return c;
}

}  // namespace

Contribution ComputeContribution(const PatientAttributes& attributes,
                                 std::span<const domain::Event> events,
                                 const domain::RecuperationRules& rules) {
  if (events.empty()) return Contribution{};
  int32_t first = kOpenEnd;
  for (const domain::Event& e : events) first = std::min(first, e.effective_on.days());
  return WalkFrom(Contribution{}, std::nullopt, first, attributes, events, rules);
}

Contribution ComputeContributionAfter(const Contribution& before,
                                      const PatientAttributes& attributes,
                                      std::span<const domain::Event> events,
                                      std::span<const domain::Event> added,
                                      const domain::RecuperationRules& rules) {
  int32_t from = kOpenEnd;
  bool walkable = !before.Empty() && !added.empty();
  for (const domain::Event& e : added) {
    from = std::min(from, e.effective_on.days());
    // A notification, correction or withdrawal reaches back before its day.
    walkable = walkable && e.type != domain::EventType::kNotified &&
               e.type != domain::EventType::kCorrected &&
               e.type != domain::EventType::kWithdrawn;
  }
  // A correction may reach back to any event's day (even one named before
  // it was added): rare, and computed in full.
  for (const domain::Event& e : events) {
    walkable = walkable && e.type != domain::EventType::kCorrected;
  }
  if (!walkable) return ComputeContribution(attributes, events, rules);
  // Every state before `from` is what it was: keep the intervals before it,
  // the one reaching it left open, and walk on from there.
  Contribution c;
  std::optional<domain::CareStatus> open;
  for (const StatusInterval& interval : before.intervals) {
    if (interval.start >= from) break;
    c.intervals.push_back(interval);
    if (interval.end >= from) {
      c.intervals.back().end = kOpenEnd;
      open = interval.status;
    }
  }
  return WalkFrom(std::move(c), open, from, attributes, events, rules);
}

void FigureAccumulator::DaySeries::Add(int32_t day, int64_t n) {
  if (counts.empty()) {
    base = day;
    counts.assign(1, 0);
  } else if (day < base) {
    counts.insert(counts.begin(), static_cast<size_t>(base - day), 0);
    base = day;
  } else if (static_cast<size_t>(day - base) >= counts.size()) {
    counts.resize(static_cast<size_t>(day - base) + 1, 0);
  }
  counts[static_cast<size_t>(day - base)] += n;
}

void FigureAccumulator::DaySeries::AddAll(const DaySeries& other) {
  if (other.counts.empty()) return;
  // Widen once to cover both, then add in place.
  Add(other.base, 0);
  Add(other.base + static_cast<int32_t>(other.counts.size()) - 1, 0);
  for (size_t i = 0; i < other.counts.size(); ++i) {
    counts[static_cast<size_t>(other.base - base) + i] += other.counts[i];
  }
}

void FigureAccumulator::Merge(const FigureAccumulator& other) {
  for (int s = 0; s < kSeriesCount; ++s) {
    for (int d = 0; d < kDimensionCount; ++d) {
      const auto& theirs = other.flows_[s][d];
      for (size_t v = 0; v < theirs.size(); ++v) {
        const int index =
            d == 0 ? 0 : Intern(static_cast<Dimension>(d), other.names_[d][v]);
        auto& ours = flows_[s][d];
        if (ours.size() <= static_cast<size_t>(index)) ours.resize(static_cast<size_t>(index) + 1);
        ours[static_cast<size_t>(index)].AddAll(theirs[v]);
      }
    }
  }
  for (int slot = 0; slot < kCensusSlots; ++slot) census_[slot].AddAll(other.census_[slot]);
}

int FigureAccumulator::Intern(Dimension dimension, const std::string& value) {
  auto& map = values_[static_cast<int>(dimension)];
  auto it = map.find(value);
  if (it != map.end()) return it->second;
  const int index = static_cast<int>(names_[static_cast<int>(dimension)].size());
  names_[static_cast<int>(dimension)].push_back(value);
  map.emplace(value, index);
  return index;
}

void FigureAccumulator::AddFlow(Series series, const std::array<int, kDimensionCount>& index,
                                int32_t day, int sign) {
  if (day == kNoDay) return;
  for (int d = 0; d < kDimensionCount; ++d) {
    auto& per_value = flows_[static_cast<int>(series)][d];
    if (per_value.size() <= static_cast<size_t>(index[d])) {
      per_value.resize(static_cast<size_t>(index[d]) + 1);
    }
    per_value[static_cast<size_t>(index[d])].Add(day, sign);
  }
}

void FigureAccumulator::Apply(const Contribution& c, int sign) {
  ApplyFlows(c, sign);
  ApplyCensus(c, sign);
}

void FigureAccumulator::Replace(const Contribution& old, const Contribution& fresh) {
  const bool same_flows = old.notified_day == fresh.notified_day &&
                          old.published_day == fresh.published_day &&
                          old.died_day == fresh.died_day && old.municipality == fresh.municipality &&
                          old.age_band == fresh.age_band && old.sex == fresh.sex;
  if (!same_flows) {
    ApplyFlows(old, -1);
    ApplyFlows(fresh, +1);
  }
  ApplyCensus(old, -1);
  ApplyCensus(fresh, +1);
}

void FigureAccumulator::ApplyFlows(const Contribution& c, int sign) {
  if (c.notified_day != kNoDay || c.published_day != kNoDay || c.died_day != kNoDay) {
    // The dimension values are looked up once for the three series.
    const std::array<int, kDimensionCount> index = {
        0, Intern(Dimension::kMunicipality, c.municipality), Intern(Dimension::kAgeBand, c.age_band),
        Intern(Dimension::kSex, c.sex)};
    AddFlow(Series::kNotified, index, c.notified_day, sign);
    AddFlow(Series::kPublished, index, c.published_day, sign);
    AddFlow(Series::kDeaths, index, c.died_day, sign);
  }
}

void FigureAccumulator::ApplyCensus(const Contribution& c, int sign) {
  for (const StatusInterval& interval : c.intervals) {
    const int slot = static_cast<int>(interval.status);
    const bool severe = c.severe && interval.status == domain::CareStatus::kHospitalized;
    census_[slot].Add(interval.start, sign);
    if (severe) census_[kSevereSlot].Add(interval.start, sign);
    if (interval.end != kOpenEnd) {
      census_[slot].Add(interval.end, -sign);
      if (severe) census_[kSevereSlot].Add(interval.end, -sign);
    }
  }
}

Figures FigureAccumulator::Take() const {
  Figures out;
  for (int s = 0; s < kSeriesCount; ++s) {
    for (int d = 0; d < kDimensionCount; ++d) {
      const auto& per_value = flows_[s][d];
      for (size_t v = 0; v < per_value.size(); ++v) {
        std::string key = d == 0 ? std::string("total")
                                 : std::string(kDimensionNames[d]) + ":" + names_[d][v];
        const DaySeries& series = per_value[v];
        for (size_t i = 0; i < series.counts.size(); ++i) {
          if (series.counts[i] == 0) continue;
          out.flows[{std::string(kSeriesNames[s]), key,
                     series.base + static_cast<int32_t>(i)}] = series.counts[i];
        }
      }
    }
  }
  for (int slot = 0; slot < kCensusSlots; ++slot) {
    const DaySeries& series = census_[slot];
    for (size_t i = 0; i < series.counts.size(); ++i) {
      if (series.counts[i] == 0) continue;
      out.census_deltas[{slot, series.base + static_cast<int32_t>(i)}] = series.counts[i];
    }
  }
  return out;
}

std::vector<store::FlowCount> Figures::FlowRows() const {
  std::vector<store::FlowCount> rows;
  rows.reserve(flows.size());
  for (const auto& [key, count] : flows) {
    rows.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), count});
  }
  return rows;
}

std::vector<store::CensusDelta> Figures::CensusRows() const {
  std::vector<store::CensusDelta> rows;
  rows.reserve(census_deltas.size());
  for (const auto& [key, delta] : census_deltas) rows.push_back({key.first, key.second, delta});
  return rows;
}

Figures Figures::FromRows(std::span<const store::FlowCount> flow_rows,
                          std::span<const store::CensusDelta> census_rows) {
  Figures out;
  for (const store::FlowCount& row : flow_rows) {
    if (row.count != 0) out.flows[{row.series, row.key, row.day}] += row.count;
  }
  for (const store::CensusDelta& row : census_rows) {
    if (row.delta != 0) out.census_deltas[{row.slot, row.day}] += row.delta;
  }
  std::erase_if(out.flows, [](const auto& entry) { return entry.second == 0; });
  std::erase_if(out.census_deltas, [](const auto& entry) { return entry.second == 0; });
  return out;
}

int64_t CensusDay::Counted() const {
  int64_t total = 0;
  for (int s = 0; s < domain::kCareStatusCount; ++s) total += counts[s];
  return total;
}

std::vector<CensusDay> CensusSeries(std::span<const store::CensusDelta> deltas, core::Date from,
                                    core::Date to) {
  std::vector<CensusDay> out;
  if (to < from) return out;
  const int32_t n = to - from + 1;
  std::vector<std::array<int64_t, kCensusSlots>> change(static_cast<size_t>(n));
  std::array<int64_t, kCensusSlots> running{};
  for (const store::CensusDelta& d : deltas) {
    if (d.slot < 0 || d.slot >= kCensusSlots || d.day > to.days()) continue;
    if (d.day <= from.days()) {
      running[d.slot] += d.delta;
    } else {
      change[static_cast<size_t>(d.day - from.days())][d.slot] += d.delta;
    }
  }
  out.reserve(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i) {
    for (int s = 0; s < kCensusSlots; ++s) running[s] += change[static_cast<size_t>(i)][s];
    CensusDay day;
    day.day = from.AddDays(i);
    day.counts = running;
    out.push_back(day);
  }
  return out;
}

}  // namespace ichigen::stats
