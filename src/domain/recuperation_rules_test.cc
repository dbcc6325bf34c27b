#include "domain/recuperation_rules.h"

#include <gtest/gtest.h>

#include <string>

#include "domain/test_events.h"

namespace ichigen::domain {
namespace {

using testing::D;

const RecuperationRules& Default() {
  static const RecuperationRules kRules = *RecuperationRules::LoadDefault();
  return kRules;
}

TEST(RecuperationRulesTest, DefaultTableLoadsFromEmbeddedData) {
  auto rules = RecuperationRules::LoadDefault();
  ASSERT_TRUE(rules.has_value()) << rules.error().ToString();
  EXPECT_EQ(rules->rules().size(), 4u);
}

struct PeriodCase {
  std::string name;
  std::string day_zero;
  DayZeroBasis basis;
  std::string home_started;
  std::string want_last_day;
  std::string want_release;
};

// product.md: through day 10, or through day 7 when day 0 is on or after
// 2022-09-07; release the next day, never before the day after home began.
TEST(RecuperationRulesTest, DefaultTableBoundaries) {
  const PeriodCase cases[] = {
      {"onset day before the change: 10 days", "2022-09-06", DayZeroBasis::kOnset,
       "2022-09-07", "2022-09-16", "2022-09-17"},
      {"onset on the change day: 7 days", "2022-09-07", DayZeroBasis::kOnset, "2022-09-08",
       "2022-09-14", "2022-09-15"},
      {"diagnosis basis before the change", "2022-09-06", DayZeroBasis::kDiagnosis,
       "2022-09-06", "2022-09-16", "2022-09-17"},
      {"diagnosis basis after the change", "2022-09-07", DayZeroBasis::kDiagnosis,
       "2022-09-07", "2022-09-14", "2022-09-15"},
      {"home began after the period: next day", "2022-09-07", DayZeroBasis::kOnset,
       "2022-09-20", "2022-09-20", "2022-09-21"},
      {"home began on the last day", "2022-09-07", DayZeroBasis::kOnset, "2022-09-14",
       "2022-09-14", "2022-09-15"},
      {"home began the day after the last day", "2022-09-07", DayZeroBasis::kOnset,
       "2022-09-15", "2022-09-15", "2022-09-16"},
      {"first wave", "2020-04-01", DayZeroBasis::kOnset, "2020-04-03", "2020-04-11",
       "2020-04-12"},
  };
  for (const auto& c : cases) {
    auto p = Default().PeriodFor(D(c.day_zero), c.basis, std::nullopt, D(c.home_started));
    ASSERT_TRUE(p.has_value()) << c.name;
    EXPECT_EQ(p->last_day.ToIso(), c.want_last_day) << c.name;
    EXPECT_EQ(p->release_on.ToIso(), c.want_release) << c.name;
    EXPECT_EQ(p->day_zero, D(c.day_zero)) << c.name;
  }
}

TEST(RecuperationRulesTest, NoRuleBeforeTheTableBegins) {
  EXPECT_EQ(Default().Find(D("2019-12-31"), DayZeroBasis::kOnset, true), nullptr);
  EXPECT_FALSE(Default()
                   .PeriodFor(D("2019-12-31"), DayZeroBasis::kOnset, true, D("2020-01-02"))
                   .has_value());
  EXPECT_NE(Default().Find(D("2020-01-01"), DayZeroBasis::kOnset, true), nullptr);
}

constexpr std::string_view kWithAsymptomatic =
    "valid_from,basis,symptomatic,days,note\n"
    "2020-01-01,onset,any,10,\n"
    "2020-01-01,diagnosis,any,10,\n"
    "2022-09-07,onset,yes,7,有症状\n"
    "2022-09-07,diagnosis,no,7,無症状: 検体採取日から7日間\n"
    "2022-09-07,diagnosis,any,7,\n"
    "2023-01-01,diagnosis,no,5,test only\n";

TEST(RecuperationRulesTest, SymptomRowsAndSpecificity) {
  auto rules = RecuperationRules::Parse(kWithAsymptomatic, "t.csv");
  ASSERT_TRUE(rules.has_value()) << rules.error().ToString();
  struct Case {
    std::string day_zero;
    DayZeroBasis basis;
    std::optional<bool> symptomatic;
    int want_line;
  };
  const Case cases[] = {
      {"2022-09-07", DayZeroBasis::kOnset, true, 4},
      {"2022-09-07", DayZeroBasis::kOnset, std::nullopt, 4},  // presumed symptomatic
      {"2022-09-07", DayZeroBasis::kOnset, false, 2},         // no onset,no row: older any
      {"2022-09-07", DayZeroBasis::kDiagnosis, false, 5},     // specific beats any
      {"2022-09-07", DayZeroBasis::kDiagnosis, true, 6},
      {"2022-09-06", DayZeroBasis::kDiagnosis, false, 3},
      {"2023-01-01", DayZeroBasis::kDiagnosis, false, 7},
      {"2023-01-01", DayZeroBasis::kDiagnosis, std::nullopt, 6},
  };
  for (const auto& c : cases) {
    const RecuperationRule* r = rules->Find(D(c.day_zero), c.basis, c.symptomatic);
    ASSERT_NE(r, nullptr) << c.day_zero;
    EXPECT_EQ(r->line, c.want_line) << c.day_zero << " basis " << static_cast<int>(c.basis)
                                    << " sym " << c.symptomatic.value_or(true);
  }
  EXPECT_EQ(rules->rules()[3].note, "無症状: 検体採取日から7日間");
}

TEST(RecuperationRulesTest, AcceptsBomCrlfCommentsAndJapaneseWords) {
  const std::string csv =
      "\xEF\xBB\xBF# comment\r\n\r\nvalid_from,basis,symptomatic,days\r\n"
      "2020-01-01,発症日,全て,10\r\n2020-01-01,診断日,無症状,8\r\n";
  auto rules = RecuperationRules::Parse(csv);
  ASSERT_TRUE(rules.has_value()) << rules.error().ToString();
  ASSERT_EQ(rules->rules().size(), 2u);
  EXPECT_EQ(rules->rules()[0].line, 4);
  EXPECT_EQ(rules->rules()[1].basis, DayZeroBasis::kDiagnosis);
  EXPECT_EQ(rules->rules()[1].symptomatic, SymptomMatch::kAsymptomatic);
  EXPECT_EQ(rules->rules()[1].days, 8);
}

struct ErrorCase {
  std::string name;
  std::string csv;
  std::string want_context;  // "<source>:<line>" or "<source>"
  std::string want_in_message;
};

TEST(RecuperationRulesTest, ParseErrorsNameTheLine) {
  const std::string h = "valid_from,basis,symptomatic,days,note\n";
  const ErrorCase cases[] = {
      {"no header", "2020-01-01,onset,any,10\n", "r.csv:1", "見出し"},
      {"header only", "# c\n" + h, "r.csv", "規則"},
      {"empty file", "", "r.csv", "見出し"},
      {"bad date", h + "2020-01-01,onset,any,10\n2020-13-01,onset,any,7\n", "r.csv:3",
       "2020-13-01"},
      {"bad basis", h + "2020-01-01,specimen,any,10\n", "r.csv:2", "specimen"},
      {"bad symptomatic", h + "2020-01-01,onset,maybe,10\n", "r.csv:2", "maybe"},
      {"days not a number", h + "2020-01-01,onset,any,ten\n", "r.csv:2", "ten"},
      {"days trailing junk", h + "2020-01-01,onset,any,10d\n", "r.csv:2", "10d"},
      {"days negative", h + "2020-01-01,onset,any,-1\n", "r.csv:2", "-1"},
      {"days too large", h + "2020-01-01,onset,any,61\n", "r.csv:2", "61"},
      {"days empty", h + "2020-01-01,onset,any,\n", "r.csv:2", "days"},
      {"too few columns", "#x\n" + h + "2020-01-01,onset,any\n", "r.csv:3", "列"},
      {"duplicate key", h + "2020-01-01,onset,any,10\n#\n2020-01-01,onset,any,7\n",
       "r.csv:4", "2 行目"},
  };
  for (const auto& c : cases) {
    auto got = RecuperationRules::Parse(c.csv, "r.csv");
    ASSERT_FALSE(got.has_value()) << c.name;
    EXPECT_EQ(got.error().code, core::Code::kInvalidArgument) << c.name;
    EXPECT_NE(got.error().context.find(c.want_context), std::string::npos)
        << c.name << ": " << got.error().ToString();
    EXPECT_NE(got.error().message.find(c.want_in_message), std::string::npos)
        << c.name << ": " << got.error().message;
    EXPECT_FALSE(got.error().message_en.empty()) << c.name;
  }
}

}  // namespace
}  // namespace ichigen::domain
