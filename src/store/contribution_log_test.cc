#include "store/contribution_log.h"

#include <gtest/gtest.h>

namespace ichigen::store {
namespace {

using Entries = std::vector<std::pair<int64_t, std::string>>;

TEST(ContributionLogTest, OverlayFindsTheLatestEntryOfEachPatientAsked) {
  auto first = PackContributionLog(Entries{{3, "a3"}, {7, "a7"}, {900000, "a9"}});
  auto second = PackContributionLog(Entries{{7, ""}, {8, "b8"}});
  ASSERT_TRUE(first && second);
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ(LogRecordEntries(first->front()), 3);
  const std::vector<int64_t> ids = {1, 3, 7, 8, 900000};
  ContributionOverlay overlay(ids);
  ASSERT_TRUE(overlay.AddRecord(first->front()));
  ASSERT_TRUE(overlay.AddRecord(second->front()));
  EXPECT_FALSE(overlay.Of(0).has_value()) << "not in the log: the table holds it";
  EXPECT_EQ(overlay.Of(1), std::optional<std::string>("a3"));
  EXPECT_EQ(overlay.Of(2), std::optional<std::string>("")) << "the later entry: none any more";
  EXPECT_EQ(overlay.Of(3), std::optional<std::string>("b8"));
  EXPECT_EQ(overlay.Of(4), std::optional<std::string>("a9"));

  std::vector<std::string> records = {first->front(), second->front()};
  auto latest = LatestLogEntries(records);
  ASSERT_TRUE(latest) << latest.error().ToString();
  EXPECT_EQ(*latest, (Entries{{3, "a3"}, {7, ""}, {8, "b8"}, {900000, "a9"}}));
}

TEST(ContributionLogTest, UnsortedInputIsPackedInIdOrderKeepingTheLaterWrite) {
  auto packed = PackContributionLog(Entries{{5, "x"}, {2, "y"}, {5, "z"}});
  ASSERT_TRUE(packed);
  auto latest = LatestLogEntries(*packed);
  ASSERT_TRUE(latest);
  EXPECT_EQ(*latest, (Entries{{2, "y"}, {5, "z"}}));
  auto refused = PackContributionLog(Entries{{0, "x"}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::Code::kInvalidArgument);
}

TEST(ContributionLogTest, LargeWritesAreSplitIntoRecords) {
  Entries many;
  for (int64_t id = 1; id <= static_cast<int64_t>(kLogRecordEntries) + 10; ++id) {
    many.emplace_back(id, std::string(static_cast<size_t>(id % 20), 'c'));
  }
  auto packed = PackContributionLog(many);
  ASSERT_TRUE(packed);
  ASSERT_EQ(packed->size(), 2u);
  EXPECT_EQ(LogRecordEntries((*packed)[0]), static_cast<int64_t>(kLogRecordEntries));
  EXPECT_EQ(LogRecordEntries((*packed)[1]), 10);
  auto latest = LatestLogEntries(*packed);
  ASSERT_TRUE(latest);
  EXPECT_EQ(*latest, many);
}

TEST(ContributionLogTest, ADamagedRecordIsDataLossNotACrash) {
  auto packed = PackContributionLog(Entries{{3, "abc"}, {9, "defg"}});
  ASSERT_TRUE(packed);
  const std::string good = packed->front();
  const std::vector<int64_t> ids = {3, 9};
  for (size_t cut = 0; cut < good.size(); ++cut) {
    ContributionOverlay overlay(ids);
    auto status = overlay.AddRecord(std::string_view(good).substr(0, cut));
    ASSERT_FALSE(status) << "cut at " << cut;
    EXPECT_EQ(status.error().code, core::Code::kDataLoss);
  }
  std::string wrong_version = good;
  wrong_version[0] = 9;
  ContributionOverlay overlay(ids);
  EXPECT_FALSE(overlay.AddRecord(wrong_version));
  std::string trailing = good + "x";
  EXPECT_FALSE(overlay.AddRecord(trailing));
  std::vector<std::string> records = {trailing};
  EXPECT_FALSE(LatestLogEntries(records));
  EXPECT_EQ(LogRecordEntries(trailing), 0);
}

}  // namespace
}  // namespace ichigen::store
