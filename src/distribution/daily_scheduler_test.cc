#include "distribution/daily_scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace ichigen::distribution {
namespace {

int64_t Jst(std::string_view iso_minute) {
  auto cutoff = ParseCutoff(iso_minute);
  EXPECT_TRUE(cutoff.has_value()) << iso_minute;
  return cutoff->UnixSeconds();
}

struct Fixture {
  std::atomic<int64_t> now{0};
  std::vector<std::string> runs;
  std::atomic<int> run_count{0};
  std::vector<std::string> failures;
  bool fail = false;
  DailyScheduler scheduler{[this] { return now.load(); }, 9 * 60,
                           [this](const Cutoff& c) -> core::Status {
                             runs.push_back(c.Compact());
                             ++run_count;
                             if (fail) {
                               return core::Fail(core::Code::kUnavailable, "失敗", "failed");
                             }
                             return core::Ok();
                           },
                           [this](const Cutoff& c, const core::Error&) {
                             failures.push_back(c.Compact());
                           }};
};

TEST(DailyScheduler, RunsOncePerDayAtTheCutoffWeekendsIncluded) {
  Fixture f;
  f.now = Jst("2022-07-29T08:59");  // a Friday, before the cutoff: catch up with Thursday's
  EXPECT_TRUE(f.scheduler.RunDue());
  EXPECT_FALSE(f.scheduler.RunDue());
  f.now = Jst("2022-07-29T09:00");
  EXPECT_TRUE(f.scheduler.RunDue());
  f.now = Jst("2022-07-29T23:59");
  EXPECT_FALSE(f.scheduler.RunDue());
  f.now = Jst("2022-07-30T09:01");  // Saturday
  EXPECT_TRUE(f.scheduler.RunDue());
  f.now = Jst("2022-07-31T09:00");  // Sunday
  EXPECT_TRUE(f.scheduler.RunDue());
  EXPECT_EQ(f.runs, (std::vector<std::string>{"20220728T0900", "20220729T0900",
                                              "20220730T0900", "20220731T0900"}));
  EXPECT_TRUE(f.failures.empty());
}

TEST(DailyScheduler, FailureIsReportedOnceAndRetried) {
  Fixture f;
  f.fail = true;
  f.now = Jst("2022-08-01T09:00");
  EXPECT_TRUE(f.scheduler.RunDue());
  EXPECT_TRUE(f.scheduler.RunDue());  // retried at the next poll
  EXPECT_EQ(f.failures, std::vector<std::string>{"20220801T0900"});  // said once
  f.fail = false;
  EXPECT_TRUE(f.scheduler.RunDue());
  EXPECT_FALSE(f.scheduler.RunDue());
  EXPECT_EQ(f.runs.size(), 3u);
}

TEST(DailyScheduler, ThreadPollsUntilStopped) {
  Fixture f;
  f.now = Jst("2022-08-01T09:00");
  f.scheduler.Start(std::chrono::milliseconds(1));
  for (int i = 0; i < 5000 && f.run_count.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // many more polls
  f.scheduler.Stop();
  ASSERT_EQ(f.runs.size(), 1u);
  EXPECT_EQ(f.runs[0], "20220801T0900");
}

}  // namespace
}  // namespace ichigen::distribution
