#include "core/date.h"

#include <gtest/gtest.h>

namespace ichigen::core {
namespace {

TEST(DateTest, RoundTripsIsoAcrossCenturies) {
  for (const char* iso : {"1900-03-01", "1970-01-01", "2000-02-29", "2022-09-07", "2099-12-31"}) {
    auto date = Date::ParseIso(iso);
    ASSERT_TRUE(date.has_value()) << iso;
    EXPECT_EQ(date->ToIso(), iso);
  }
  EXPECT_EQ(Date::ParseIso("1970-01-01")->days(), 0);
}

TEST(DateTest, RejectsImpossibleDates) {
  EXPECT_FALSE(Date::ParseIso("2021-02-29"));
  EXPECT_FALSE(Date::ParseIso("2022-13-01"));
  EXPECT_FALSE(Date::ParseIso("2022-04-31"));
  EXPECT_FALSE(Date::ParseIso("2022/04/01"));
  EXPECT_FALSE(Date::FromYmd(2022, 0, 1));
}

TEST(DateTest, ExcelSerialsMatchExcel) {
  EXPECT_EQ(Date::FromExcelSerial(1)->ToIso(), "1900-01-01");
  EXPECT_EQ(Date::FromExcelSerial(59)->ToIso(), "1900-02-28");
  EXPECT_FALSE(Date::FromExcelSerial(60));  // Excel's phantom 1900-02-29
  EXPECT_EQ(Date::FromExcelSerial(61)->ToIso(), "1900-03-01");
  EXPECT_EQ(Date::FromExcelSerial(44774)->ToIso(), "2022-08-01");
  EXPECT_EQ(Date::ParseIso("2022-08-01")->ToExcelSerial(), 44774);
  EXPECT_FALSE(Date::FromExcelSerial(-3));
}

TEST(DateTest, AgeAndWeekday) {
  EXPECT_EQ(AgeOn(*Date::ParseIso("1980-08-02"), *Date::ParseIso("2022-08-01")), 41);
  EXPECT_EQ(AgeOn(*Date::ParseIso("1980-08-01"), *Date::ParseIso("2022-08-01")), 42);
  EXPECT_EQ(Date::ParseIso("2022-07-28")->Weekday(), 4);  // Thursday
}

}  // namespace
}  // namespace ichigen::core
