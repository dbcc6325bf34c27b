#include "identity/blocking.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace ichigen::identity {
namespace {

RawPerson Taro() {
  return {.name = "佐藤 太郎",
          .name_kana = "サトウ タロウ",
          .birth_date = "1970-03-02",
          .sex = "男",
          .phone = "090-1234-5678",
          .municipality_code = "13101",
          .address_rest = "本町3丁目4-5"};
}

std::set<std::string> Keys(const RawPerson& p) {
  std::set<std::string> out;
  for (const BlockingKey& k : BlockingKeys(MakeKeys(p))) out.insert(k.key);
  return out;
}

bool Meet(const RawPerson& a, const RawPerson& b) {
  const auto x = Keys(a), y = Keys(b);
  return std::any_of(x.begin(), x.end(), [&](const std::string& k) { return y.contains(k); });
}

TEST(BlockingTest, EveryRuleYieldsAKeyForACompleteRecord) {
  const auto keys = BlockingKeys(MakeKeys(Taro()));
  std::set<BlockingRule> rules;
  for (const auto& k : keys) rules.insert(k.rule);
  EXPECT_EQ(rules.size(), kBlockingRuleCount);
  std::set<std::string> names;
  for (const auto& k : keys) names.insert(std::string(BlockingRuleName(k.rule)));
  EXPECT_EQ(names.size(), kBlockingRuleCount) << "rule names are distinct";
}

TEST(BlockingTest, MissingFieldsYieldNoKeyForTheirRules) {
  RawPerson p = Taro();
  p.phone.clear();
  p.municipality_code.clear();
  p.address_rest.clear();
  for (const auto& k : BlockingKeys(MakeKeys(p))) {
    EXPECT_NE(k.rule, BlockingRule::kPhone);
    EXPECT_NE(k.rule, BlockingRule::kBirthPlace);
    EXPECT_NE(k.rule, BlockingRule::kKanaPlace);
  }
}

// The rows the first six rules lost: two errors, each in a field of its own.
TEST(BlockingTest, RowsWithTwoErrorsStillMeetTheirPatient) {
  struct Case {
    const char* why;
    RawPerson row;
  };
  std::vector<Case> cases;
  {
    RawPerson r = Taro();  // birth-date slip and no address: phone, kana, name
    r.birth_date = "H45.3.2";
    r.municipality_code.clear();
    r.address_rest.clear();
    cases.push_back({"era mix-up, no address", r});
  }
  {
    RawPerson r = Taro();  // name and kana typos, birth-date slip: phone
    r.name = "佐藤 大郎";
    r.name_kana = "サトウ タロク";
    r.birth_date = "1970-03-12";
    cases.push_back({"name, kana and birth errors", r});
  }
  {
    RawPerson r = Taro();  // kana typo, name typo, no phone: birth + municipality
    r.name = "佐籐 太朗";
    r.name_kana = "サドウ タロウ";
    r.phone.clear();
    cases.push_back({"two name errors, no phone", r});
  }
  {
    RawPerson r = Taro();  // birth-date slip, no address, no phone: the whole kana
    r.birth_date = "1970-03-22";
    r.phone.clear();
    r.municipality_code.clear();
    r.address_rest.clear();
    r.name = "佐藤太朗";
    cases.push_back({"birth slip, kanji typo, nothing else", r});
  }
  for (const Case& c : cases) EXPECT_TRUE(Meet(c.row, Taro())) << c.why;
}

TEST(BlockingTest, StrangersDoNotMeet) {
  RawPerson other{.name = "鈴木 花子",
                  .name_kana = "スズキ ハナコ",
                  .birth_date = "1988-12-24",
                  .sex = "女",
                  .phone = "03-5555-6666",
                  .municipality_code = "13102",
                  .address_rest = "栄町1-2"};
  EXPECT_FALSE(Meet(other, Taro()));
}

}  // namespace
}  // namespace ichigen::identity
