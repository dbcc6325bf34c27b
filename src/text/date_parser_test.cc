#include "text/date_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace ichigen::text {
namespace {

struct DateCase {
  const char* raw;
  const char* iso;
  DateForm form;
};

class ParseDateTest : public ::testing::TestWithParam<DateCase> {};

TEST_P(ParseDateTest, Parses) {
  const DateCase& c = GetParam();
  const auto parsed = ParseDate(c.raw);
  ASSERT_TRUE(parsed.has_value()) << c.raw << ": " << parsed.error().ToString();
  EXPECT_EQ(parsed->date.ToIso(), c.iso) << c.raw;
  EXPECT_EQ(DateFormName(parsed->form), DateFormName(c.form)) << c.raw;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseDateTest,
    ::testing::Values(
        DateCase{"2022/8/1", "2022-08-01", DateForm::kSlash},
        DateCase{"2022/08/01", "2022-08-01", DateForm::kSlash},
        DateCase{"2022-08-01", "2022-08-01", DateForm::kIso},
        DateCase{"2022.8.1", "2022-08-01", DateForm::kSlash},
        DateCase{"20220801", "2022-08-01", DateForm::kCompact},
        DateCase{"2022年8月1日", "2022-08-01", DateForm::kKanji},
        DateCase{"2022年08月01日", "2022-08-01", DateForm::kKanji},
        DateCase{"２０２２年８月１日", "2022-08-01", DateForm::kKanji},
        DateCase{"２０２２／０８／０１", "2022-08-01", DateForm::kSlash},
        DateCase{"令和4年8月1日", "2022-08-01", DateForm::kWareki},
        DateCase{"令和４年８月１日", "2022-08-01", DateForm::kWareki},
        DateCase{"令和 4年 8月 1日", "2022-08-01", DateForm::kWareki},
        DateCase{"令和元年5月1日", "2019-05-01", DateForm::kWareki},
        DateCase{"㋿元年5月1日", "2019-05-01", DateForm::kWareki},
        DateCase{"㍻31年4月30日", "2019-04-30", DateForm::kWareki},
        DateCase{"R4.8.1", "2022-08-01", DateForm::kWarekiShort},
        DateCase{"r4.8.1", "2022-08-01", DateForm::kWarekiShort},
        DateCase{"Ｒ４．８．１", "2022-08-01", DateForm::kWarekiShort},
        DateCase{"R04.08.01", "2022-08-01", DateForm::kWarekiShort},
        DateCase{"R元.5.1", "2019-05-01", DateForm::kWarekiShort},
        DateCase{"H31.4.30", "2019-04-30", DateForm::kWarekiShort},
        DateCase{"H31/4/30", "2019-04-30", DateForm::kWarekiShort},
        DateCase{"S45.3.2", "1970-03-02", DateForm::kWarekiShort},
        DateCase{"S45-3-2", "1970-03-02", DateForm::kWarekiShort},
        DateCase{"s45.3.2", "1970-03-02", DateForm::kWarekiShort},
        DateCase{"S64.1.7", "1989-01-07", DateForm::kWarekiShort},
        DateCase{"昭和64年1月7日", "1989-01-07", DateForm::kWareki},
        DateCase{"平成1年1月8日", "1989-01-08", DateForm::kWareki},
        DateCase{"平成元年1月8日", "1989-01-08", DateForm::kWareki},
        DateCase{"T15.12.24", "1926-12-24", DateForm::kWarekiShort},
        DateCase{"昭和元年12月25日", "1926-12-25", DateForm::kWareki},
        DateCase{"M45.7.29", "1912-07-29", DateForm::kWarekiShort},
        DateCase{"大正元年7月30日", "1912-07-30", DateForm::kWareki},
        DateCase{"明治元年1月25日", "1868-01-25", DateForm::kWareki},
        DateCase{"44774", "2022-08-01", DateForm::kExcelSerial},
        DateCase{"４４７７４", "2022-08-01", DateForm::kExcelSerial},
        DateCase{"44774.0", "2022-08-01", DateForm::kExcelSerial},
        DateCase{"44774.5", "2022-08-01", DateForm::kExcelSerial},
        DateCase{"44774.999988426", "2022-08-01", DateForm::kExcelSerial},
        DateCase{"H.31.4.30", "2019-04-30", DateForm::kWarekiShort},
        DateCase{"r.4.8.1", "2022-08-01", DateForm::kWarekiShort},
        DateCase{"7306", "1920-01-01", DateForm::kExcelSerial},
        DateCase{"2022/8/1 0:00:00", "2022-08-01", DateForm::kSlash},
        DateCase{"2022/8/1 12:34", "2022-08-01", DateForm::kSlash},
        DateCase{"2022-08-01T00:00:00", "2022-08-01", DateForm::kIso},
        DateCase{"2022/8/1(月)", "2022-08-01", DateForm::kSlash},
        DateCase{"2022年8月1日（月曜日）", "2022-08-01", DateForm::kKanji},
        DateCase{"2024/2/29", "2024-02-29", DateForm::kSlash},
        DateCase{" 2022/8/1 ", "2022-08-01", DateForm::kSlash}));

struct BadCase {
  const char* raw;
  const char* why;  // a fragment the English message must contain
};

class ParseDateErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(ParseDateErrorTest, RejectsWithReason) {
  const BadCase& c = GetParam();
  const auto parsed = ParseDate(c.raw);
  ASSERT_FALSE(parsed.has_value()) << c.raw << " parsed as " << parsed->date.ToIso();
  EXPECT_EQ(parsed.error().code, core::Code::kInvalidArgument) << c.raw;
  EXPECT_FALSE(parsed.error().message.empty()) << c.raw;
  EXPECT_NE(parsed.error().message_en.find(c.why), std::string::npos)
      << c.raw << ": " << parsed.error().message_en;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseDateErrorTest,
    ::testing::Values(
        BadCase{"", "empty"}, BadCase{"  ", "empty"},
        BadCase{"平成1年1月7日", "outside the era"},
        BadCase{"平成元年1月7日", "outside the era"},
        BadCase{"平成31年5月1日", "outside the era"},
        BadCase{"H31.5.1", "outside the era"},
        BadCase{"令和1年4月30日", "outside the era"},
        BadCase{"昭和64年1月8日", "outside the era"},
        BadCase{"大正15年12月25日", "outside the era"},
        BadCase{"明治元年1月24日", "outside the era"},
        BadCase{"令和0年5月1日", "era year is 0"},
        BadCase{"2022-02-30", "no such date"},
        BadCase{"2023/2/29", "no such date"},
        BadCase{"2022/13/1", "month"},
        BadCase{"20221301", "month"},
        BadCase{"22/8/1", "two-digit year"},
        BadCase{"8/1/2022", "ambiguous"},
        BadCase{"220801", "ambiguous"},
        BadCase{"2022/8", "day is missing"},
        BadCase{"2022年8月", "day is missing"},
        BadCase{"2022/8-1", "mixed separators"},
        BadCase{"2022/8/1 朝", "unexpected"},
        BadCase{"2022/8/1 25:00x", "unexpected"},
        BadCase{"昨日", "unexpected character"},
        BadCase{"X4.8.1", "unexpected character"},
        BadCase{"0", "Excel serial out of range"},
        BadCase{"2022", "a year alone"},
        BadCase{"1985", "a year alone"},
        BadCase{"2022.8", "day is missing"},
        BadCase{"H.31.5.1", "outside the era"},
        BadCase{"2022/8/2(月)", "weekday"},
        BadCase{"17000101", "implausible"},
        BadCase{"1700/1/1", "year out of range"}));

TEST(ParseDate, ExcelSerialCanBeDisabled) {
  DateOptions options;
  options.allow_excel_serial = false;
  const auto parsed = ParseDate("44774", options);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().code, core::Code::kInvalidArgument);
  // 8 digits are YYYYMMDD whatever the option says.
  EXPECT_TRUE(ParseDate("20220801", options).has_value());
}

TEST(ParseDate, ErrorCarriesTheRawValue) {
  const auto parsed = ParseDate("平成1年1月7日");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_NE(parsed.error().context.find("平成1年1月7日"), std::string::npos);
  EXPECT_NE(parsed.error().message.find("期間外"), std::string::npos);
}

// Every era boundary: the last day of one era and the first of the next
// parse, and each era rejects the other side.
TEST(ParseDate, EraBoundariesRoundTrip) {
  struct Boundary {
    const char* last_of_old;
    const char* first_of_new;
    const char* old_beyond;
    const char* new_before;
  };
  for (const Boundary& b : {Boundary{"明治45年7月29日", "大正元年7月30日", "明治45年7月30日",
                                     "大正元年7月29日"},
                            Boundary{"大正15年12月24日", "昭和元年12月25日", "大正15年12月25日",
                                     "昭和元年12月24日"},
                            Boundary{"昭和64年1月7日", "平成元年1月8日", "昭和64年1月8日",
                                     "平成元年1月7日"},
                            Boundary{"平成31年4月30日", "令和元年5月1日", "平成31年5月1日",
                                     "令和元年4月30日"}}) {
    const auto last = ParseDate(b.last_of_old);
    const auto first = ParseDate(b.first_of_new);
    ASSERT_TRUE(last.has_value()) << b.last_of_old;
    ASSERT_TRUE(first.has_value()) << b.first_of_new;
    EXPECT_EQ(first->date - last->date, 1) << b.first_of_new;
    EXPECT_FALSE(ParseDate(b.old_beyond).has_value()) << b.old_beyond;
    EXPECT_FALSE(ParseDate(b.new_before).has_value()) << b.new_before;
  }
}

}  // namespace
}  // namespace ichigen::text
