#include "audit/clock.h"

#include <gtest/gtest.h>

namespace ichigen::audit {
namespace {

TEST(ClockTest, FormatsAndParsesIsoUtc) {
  auto at = ParseIsoUtc("2024-02-29T23:59:58Z");
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(IsoUtc(*at), "2024-02-29T23:59:58Z");
  EXPECT_EQ(IsoUtc(*at + std::chrono::milliseconds(1500), true), "2024-02-29T23:59:59.500Z");
  auto with_ms = ParseIsoUtc("2024-02-29T23:59:59.500Z");
  ASSERT_TRUE(with_ms.has_value());
  EXPECT_EQ(*with_ms - *at, std::chrono::milliseconds(1500));
}

TEST(ClockTest, RejectsWhatItDoesNotWrite) {
  EXPECT_FALSE(ParseIsoUtc("2023-02-29T00:00:00Z").has_value());
  EXPECT_FALSE(ParseIsoUtc("2024-05-01 00:00:00").has_value());
  EXPECT_FALSE(ParseIsoUtc("2024-05-01T00:00:00+09:00").has_value());
  EXPECT_FALSE(ParseIsoUtc("").has_value());
}

}  // namespace
}  // namespace ichigen::audit
