#include "store/event_pack.h"

#include <gtest/gtest.h>

namespace ichigen::store {
namespace {

domain::Event MakeEvent(int64_t id, domain::EventType type, const char* day, int64_t received) {
  domain::Event e;
  e.id = id;
  e.type = type;
  e.effective_on = *core::Date::ParseIso(day);
  e.received_at = received;
  return e;
}

// What the figures derive from, compared field by field.
void ExpectSame(const domain::Event& a, const domain::Event& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.effective_on, b.effective_on);
  EXPECT_EQ(a.received_at, b.received_at);
  EXPECT_EQ(a.supersedes, b.supersedes);
  EXPECT_EQ(a.cancels, b.cancels);
  EXPECT_EQ(a.facility, b.facility);
  EXPECT_EQ(a.residence_code, b.residence_code);
  EXPECT_EQ(a.onset_on, b.onset_on);
  EXPECT_EQ(a.diagnosed_on, b.diagnosed_on);
  EXPECT_EQ(a.extended_until, b.extended_until);
  EXPECT_EQ(a.care_status, b.care_status);
  EXPECT_EQ(a.symptomatic, b.symptomatic);
}

std::vector<domain::Event> Sample() {
  std::vector<domain::Event> events;
  domain::Event notified = MakeEvent(1200345, domain::EventType::kNotified, "2022-08-01",
                                     1659312000);
  notified.onset_on = *core::Date::ParseIso("2022-07-29");
  notified.diagnosed_on = *core::Date::ParseIso("2022-08-01");
  notified.care_status = domain::CareStatus::kHomeRecuperation;
  notified.symptomatic = true;
  notified.residence_code = "141046";
  notified.source = "HER-SYS";  // not packed
  notified.batch_id = 7;        // not packed
  events.push_back(notified);
  domain::Event admitted = MakeEvent(1200346, domain::EventType::kAdmitted, "2022-08-04",
                                     1659312000 + 86400 * 5);
  admitted.facility = "横浜市立みなと赤十字病院";
  admitted.symptomatic = false;
  events.push_back(admitted);
  // Out of id and day order, a correction cancelling the admission.
  domain::Event cancel = MakeEvent(1200300, domain::EventType::kCorrected, "2019-12-30",
                                   1500000000);
  cancel.supersedes = 1200346;
  cancel.cancels = true;
  cancel.extended_until = *core::Date::ParseIso("2020-01-05");
  events.push_back(cancel);
  return events;
}

TEST(EventPackTest, ListsRoundTripEveryFieldTheFiguresUse) {
  const std::vector<domain::Event> events = Sample();
  std::string packed = "x";  // appended to
  PackEvents(events, packed);
  PackEvents({}, packed);
  std::string_view in = std::string_view(packed).substr(1);
  std::vector<domain::Event> out;
  ASSERT_TRUE(UnpackEvents(in, out));
  ASSERT_EQ(out.size(), events.size());
  for (size_t i = 0; i < out.size(); ++i) ExpectSame(out[i], events[i]);
  EXPECT_TRUE(out[0].source.empty()) << "the source only traces an event to its file";
  const size_t before = out.size();
  ASSERT_TRUE(UnpackEvents(in, out));  // the empty list
  EXPECT_EQ(out.size(), before);
  EXPECT_TRUE(in.empty());
}

TEST(EventPackTest, BatchPartsGroupEventsByPatientInIdOrder) {
  const std::vector<domain::Event> sample = Sample();
  std::vector<std::pair<int64_t, domain::Event>> added = {
      {9, sample[1]}, {3, sample[0]}, {9, sample[0]}, {3, sample[2]}};
  const std::vector<std::string> parts = PackBatchEvents(added);
  ASSERT_EQ(parts.size(), 1u);
  std::vector<std::pair<int64_t, std::vector<int64_t>>> seen;
  ASSERT_TRUE(ForEachPatientOfBatchPart(parts[0], [&](int64_t patient,
                                                      std::string_view packed) -> core::Status {
    std::vector<domain::Event> events;
    RETURN_IF_ERROR(UnpackEvents(packed, events));
    EXPECT_TRUE(packed.empty());
    std::vector<int64_t> ids;
    for (const auto& e : events) ids.push_back(e.id);
    seen.emplace_back(patient, ids);
    return core::Ok();
  }));
  EXPECT_EQ(seen, (std::vector<std::pair<int64_t, std::vector<int64_t>>>{
                      {3, {1200300, 1200345}}, {9, {1200345, 1200346}}}));
  // A batch that added nothing still leaves a part, with no patient.
  const std::vector<std::string> empty = PackBatchEvents({});
  ASSERT_EQ(empty.size(), 1u);
  int calls = 0;
  ASSERT_TRUE(ForEachPatientOfBatchPart(empty[0], [&](int64_t, std::string_view) -> core::Status {
    ++calls;
    return core::Ok();
  }));
  EXPECT_EQ(calls, 0);
}

// Parts written before lists carried their size (version 1) still read.
TEST(EventPackTest, UnsizedPartsOfEarlierBatchesStillRead) {
  const std::vector<domain::Event> sample = Sample();
  std::string part = {'\x01', '\x02'};  // version 1, two patients
  part += '\x03';                         // patient 3
  PackEvents({sample.data(), 2}, part);
  part += '\x06';  // patient 9
  PackEvents({sample.data() + 2, 1}, part);
  std::vector<std::pair<int64_t, size_t>> seen;
  ASSERT_TRUE(ForEachPatientOfBatchPart(part, [&](int64_t patient,
                                                  std::string_view packed) -> core::Status {
    std::vector<domain::Event> events;
    RETURN_IF_ERROR(UnpackEvents(packed, events));
    EXPECT_TRUE(packed.empty());
    seen.emplace_back(patient, events.size());
    return core::Ok();
  }));
  EXPECT_EQ(seen, (std::vector<std::pair<int64_t, size_t>>{{3, 2}, {9, 1}}));
  part[0] = '\x07';  // a version this build does not know
  EXPECT_FALSE(ForEachPatientOfBatchPart(part, [](int64_t, std::string_view) {
    return core::Ok();
  }));
}

TEST(EventPackTest, DamagedBytesAreDataLossNotACrash) {
  std::vector<std::pair<int64_t, domain::Event>> added;
  for (const auto& e : Sample()) added.emplace_back(4, e);
  const std::string part = PackBatchEvents(added).at(0);
  for (size_t cut = 0; cut < part.size(); ++cut) {
    auto status = ForEachPatientOfBatchPart(part.substr(0, cut), [](int64_t, std::string_view p)
                                                                      -> core::Status {
      std::vector<domain::Event> events;
      return UnpackEvents(p, events);
    });
    ASSERT_FALSE(status) << "cut at " << cut;
    EXPECT_EQ(status.error().code, core::Code::kDataLoss);
  }
  std::string list;
  PackEvents(Sample(), list);
  for (size_t cut = 0; cut < list.size(); ++cut) {
    std::string_view in = std::string_view(list).substr(0, cut);
    std::vector<domain::Event> events;
    EXPECT_FALSE(UnpackEvents(in, events)) << "cut at " << cut;
  }
  std::string bad_type;
  const domain::Event small = MakeEvent(3, domain::EventType::kAdmitted, "2022-08-04", 0);
  PackEvents({&small, 1}, bad_type);
  ASSERT_EQ(bad_type[2], static_cast<char>(domain::EventType::kAdmitted));  // count, id, type
  bad_type[2] = static_cast<char>(0x7F);  // not an event type
  std::string_view in = bad_type;
  std::vector<domain::Event> events;
  EXPECT_FALSE(UnpackEvents(in, events));
}

}  // namespace
}  // namespace ichigen::store
