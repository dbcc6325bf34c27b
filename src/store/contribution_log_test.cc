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
  const LogRecordSummary summary = SummarizeLogRecord(first->front());
  EXPECT_EQ(summary.entries, 3);
  EXPECT_EQ(summary.first_id, 3);
  EXPECT_EQ(summary.last_id, 900000);
  const std::vector<int64_t> ids = {1, 3, 7, 8, 900000};
  ContributionOverlay overlay(ids);
  ASSERT_TRUE(overlay.AddRecord(first->front()));
  ASSERT_TRUE(overlay.AddRecord(second->front()));
  EXPECT_FALSE(overlay.Of(0).has_value()) << "not in the log: the table holds it";
  EXPECT_EQ(overlay.Of(1), std::optional<std::string_view>("a3"));
  EXPECT_EQ(overlay.Of(2), std::optional<std::string_view>("")) << "the later entry: none any more";
  EXPECT_EQ(overlay.Of(3), std::optional<std::string_view>("b8"));
  EXPECT_EQ(overlay.Of(4), std::optional<std::string_view>("a9"));

  std::vector<std::string> records = {first->front(), second->front()};
  auto latest = LatestLogEntries(records);
  ASSERT_TRUE(latest) << latest.error().ToString();
  EXPECT_EQ(*latest, (Entries{{3, "a3"}, {7, ""}, {8, "b8"}, {900000, "a9"}}));
}

TEST(ContributionLogTest, TheBuilderWritesWhatPackWrites) {
  Entries many;
  for (int64_t id = 5; id <= static_cast<int64_t>(kLogRecordEntries) * 2 + 40; id += 1) {
    many.emplace_back(id, std::string(static_cast<size_t>(id % 7), 'x'));
  }
  ContributionLogBuilder builder;
  for (const auto& [id, bytes] : many) builder.Add(id, bytes);
  EXPECT_EQ(builder.entries(), static_cast<int64_t>(many.size()));
  auto packed = PackContributionLog(many);
  ASSERT_TRUE(packed);
  EXPECT_EQ(builder.Finish(), *packed);
  EXPECT_TRUE(ContributionLogBuilder().Finish().empty());
  // Out of order: a record of its own, still readable.
  ContributionLogBuilder mixed;
  mixed.Add(10, "a");
  mixed.Add(20, "b");
  mixed.Add(15, "c");
  const std::vector<std::string> records = mixed.Finish();
  ASSERT_EQ(records.size(), 2u);
  auto latest = LatestLogEntries(records);
  ASSERT_TRUE(latest) << latest.error().ToString();
  EXPECT_EQ(*latest, (Entries{{10, "a"}, {15, "c"}, {20, "b"}}));
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
  EXPECT_EQ(SummarizeLogRecord((*packed)[0]).entries, static_cast<int64_t>(kLogRecordEntries));
  EXPECT_EQ(SummarizeLogRecord((*packed)[1]).entries, 10);
  EXPECT_EQ(SummarizeLogRecord((*packed)[1]).first_id, static_cast<int64_t>(kLogRecordEntries) + 1);
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
    auto status = overlay.AddRecord(good.substr(0, cut));
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
  EXPECT_EQ(SummarizeLogRecord(trailing).entries, 0);
}

}  // namespace
}  // namespace ichigen::store
