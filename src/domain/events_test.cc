#include "domain/events.h"

#include <gtest/gtest.h>

#include <string>

namespace ichigen::domain {
namespace {

TEST(EventTypeTest, EveryTypeRoundTripsThroughBothNames) {
  for (int i = 0; i < kEventTypeCount; ++i) {
    const auto type = static_cast<EventType>(i);
    auto ja = ParseEventType(EventTypeNameJa(type));
    ASSERT_TRUE(ja.has_value()) << EventTypeNameJa(type);
    EXPECT_EQ(*ja, type);
    auto en = ParseEventType(EventTypeNameEn(type));
    ASSERT_TRUE(en.has_value()) << EventTypeNameEn(type);
    EXPECT_EQ(*en, type);
  }
}

TEST(EventTypeTest, NamesAreDistinct) {
  for (int i = 0; i < kEventTypeCount; ++i) {
    for (int j = i + 1; j < kEventTypeCount; ++j) {
      EXPECT_NE(EventTypeNameJa(static_cast<EventType>(i)),
                EventTypeNameJa(static_cast<EventType>(j)));
      EXPECT_NE(EventTypeNameEn(static_cast<EventType>(i)),
                EventTypeNameEn(static_cast<EventType>(j)));
    }
  }
}

struct ParseCase {
  std::string text;
  EventType want;
};

TEST(EventTypeTest, AcceptsSpellingsFromRealSheets) {
  const ParseCase cases[] = {
      {"新規届出", EventType::kNotified},
      {" 入院 ", EventType::kAdmitted},
      {"\xE3\x80\x80退院\xE3\x80\x80", EventType::kDischarged},  // full-width spaces
      {"届出取り下げ", EventType::kWithdrawn},
      {"取下げ", EventType::kWithdrawn},
      {"療養期間延長", EventType::kExtended},
      {"Checked-In", EventType::kCheckedIn},
      {"checked_out", EventType::kCheckedOut},
      {"kHomeStarted", EventType::kHomeStarted},
      {"DIED", EventType::kDied},
  };
  for (const auto& c : cases) {
    auto got = ParseEventType(c.text);
    ASSERT_TRUE(got.has_value()) << c.text;
    EXPECT_EQ(*got, c.want) << c.text;
  }
}

TEST(EventTypeTest, RejectsUnknownWithInvalidArgument) {
  for (const std::string text : {"", "入院予定", "admit", "k"}) {
    auto got = ParseEventType(text);
    ASSERT_FALSE(got.has_value()) << text;
    EXPECT_EQ(got.error().code, core::Code::kInvalidArgument);
    EXPECT_NE(got.error().message.find(text), std::string::npos);
  }
}

TEST(CareStatusTest, EveryStatusRoundTripsThroughBothNames) {
  for (int i = 0; i < kCareStatusCount; ++i) {
    const auto status = static_cast<CareStatus>(i);
    auto ja = ParseCareStatus(CareStatusNameJa(status));
    ASSERT_TRUE(ja.has_value());
    EXPECT_EQ(*ja, status);
    auto en = ParseCareStatus(CareStatusNameEn(status));
    ASSERT_TRUE(en.has_value());
    EXPECT_EQ(*en, status);
  }
}

TEST(CareStatusTest, AcceptsHersysLongAndShortForms) {
  const std::pair<std::string, CareStatus> cases[] = {
      {"入院・療養等調整中", CareStatus::kArranging},
      {"入院", CareStatus::kHospitalized},
      {"宿泊療養", CareStatus::kLodging},
      {"自宅療養", CareStatus::kHomeRecuperation},
      {"退院等", CareStatus::kReleased},
      {"Home-Recuperation", CareStatus::kHomeRecuperation},
  };
  for (const auto& [text, want] : cases) {
    auto got = ParseCareStatus(text);
    ASSERT_TRUE(got.has_value()) << text;
    EXPECT_EQ(*got, want) << text;
  }
  auto bad = ParseCareStatus("重症");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, core::Code::kInvalidArgument);
}

TEST(EventTest, StaysCompact) {
  // The census holds millions of events: three strings, four ids and the
  // small payload. Growing past this means a field was added carelessly.
  EXPECT_LE(sizeof(Event), 176u);
}

}  // namespace
}  // namespace ichigen::domain
