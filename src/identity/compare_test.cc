#include "identity/compare.h"

#include <gtest/gtest.h>

namespace ichigen::identity {
namespace {

PersonKeys Keys(const char* name, const char* kana = "", const char* birth = "",
                const char* phone = "", const char* muni = "", const char* rest = "",
                const char* sex = "") {
  return MakeKeys(RawPerson{.name = name,
                            .name_kana = kana,
                            .birth_date = birth,
                            .sex = sex,
                            .phone = phone,
                            .municipality_code = muni,
                            .address_rest = rest});
}

TEST(CompareTest, KanjiNameLevels) {
  struct Case {
    const char* a;
    const char* b;
    NameLevel want;
  };
  const Case cases[] = {
      {"高橋 太郎", "高橋 太郎", NameLevel::kExact},
      {"高橋 太郎", "高橋太郎", NameLevel::kExact},
      {"髙橋 太郎", "高橋 太郎", NameLevel::kVariantFold},
      {"渡邊 花子", "渡辺 花子", NameLevel::kVariantFold},
      {"斎藤 一郎", "斉藤 一郎", NameLevel::kConfusable},
      {"山崎 健", "山埼 健", NameLevel::kConfusable},
      {"高橋 太郎", "高橋 太朗", NameLevel::kEdit1},
      {"高橋 太郎", "高橋 郎", NameLevel::kEdit1},
      {"高橋 太郎", "佐藤 花子", NameLevel::kDifferent},
      {"", "佐藤 花子", NameLevel::kMissing},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CompareKanjiName(Keys(c.a), Keys(c.b)), c.want) << c.a << " / " << c.b;
  }
}

TEST(CompareTest, KanaLevels) {
  struct Case {
    const char* a;
    const char* b;
    KanaLevel want;
  };
  const Case cases[] = {
      {"サトウ ユウコ", "サトウ ユウコ", KanaLevel::kExact},
      {"サトウ ユウコ", "さとう ゆうこ", KanaLevel::kExact},
      {"サトウ ユウコ", "サトウ ユーコ", KanaLevel::kPhonetic},
      {"オオノ", "オーノ", KanaLevel::kPhonetic},
      {"サトウ ユウコ", "サトウ ユウカ", KanaLevel::kEdit1},
      {"サトウ ユウコ", "スズキ ハナコ", KanaLevel::kDifferent},
      {"サトウ ユウコ", "", KanaLevel::kMissing},
      {"サトウ ユウコ", "佐藤", KanaLevel::kMissing},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CompareKana(Keys("x", c.a), Keys("x", c.b)), c.want) << c.a << " / " << c.b;
  }
}

TEST(CompareTest, ConsistencyLevels) {
  EXPECT_EQ(CompareConsistency(NameLevel::kVariantFold, KanaLevel::kPhonetic),
            ConsistencyLevel::kBothAgree);
  EXPECT_EQ(CompareConsistency(NameLevel::kEdit1, KanaLevel::kExact), ConsistencyLevel::kKanaOnly);
  EXPECT_EQ(CompareConsistency(NameLevel::kConfusable, KanaLevel::kExact),
            ConsistencyLevel::kKanaOnly);
  EXPECT_EQ(CompareConsistency(NameLevel::kExact, KanaLevel::kDifferent),
            ConsistencyLevel::kKanjiOnly);
  EXPECT_EQ(CompareConsistency(NameLevel::kExact, KanaLevel::kMissing),
            ConsistencyLevel::kKanaMissing);
  EXPECT_EQ(CompareConsistency(NameLevel::kDifferent, KanaLevel::kEdit1),
            ConsistencyLevel::kNeither);
  EXPECT_EQ(CompareConsistency(NameLevel::kMissing, KanaLevel::kExact),
            ConsistencyLevel::kMissing);
}

TEST(CompareTest, BirthDateLevels) {
  struct Case {
    const char* a;
    const char* b;
    BirthLevel want;
  };
  const Case cases[] = {
      {"1970-03-02", "S45.3.2", BirthLevel::kExact},
      {"1970-03-02", "1970-02-03", BirthLevel::kDayMonthSwap},
      {"1970-03-02", "1970-03-05", BirthLevel::kOneDigit},
      {"1970-03-02", "1971-03-02", BirthLevel::kOneDigit},
      {"1930-05-06", "H5.5.6", BirthLevel::kEraMixup},      // 昭和5年 written 平成5年
      {"1990-07-01", "令和2年7月1日", BirthLevel::kEraMixup},  // 平成2年 written 令和2年
      {"1969-03-02", "1970-03-02", BirthLevel::kYearOff1},
      {"1970-03-02", "1985-11-20", BirthLevel::kDifferent},
      {"1970-03-02", "", BirthLevel::kMissing},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CompareBirthDate(Keys("x", "", c.a).birth_date, Keys("x", "", c.b).birth_date),
              c.want)
        << c.a << " / " << c.b;
  }
}

TEST(CompareTest, EraYear) {
  const EraYear s45 = ToEraYear(*core::Date::FromYmd(1970, 3, 2));
  EXPECT_EQ(s45.era, 3);
  EXPECT_EQ(s45.year, 45);
  const EraYear s64 = ToEraYear(*core::Date::FromYmd(1989, 1, 7));
  EXPECT_EQ(s64.era, 3);
  EXPECT_EQ(s64.year, 64);
  const EraYear h1 = ToEraYear(*core::Date::FromYmd(1989, 1, 8));
  EXPECT_EQ(h1.era, 4);
  EXPECT_EQ(h1.year, 1);
}

TEST(CompareTest, SexLevels) {
  EXPECT_EQ(CompareSex("男", "男"), SexLevel::kAgree);
  EXPECT_EQ(CompareSex("男", "女"), SexLevel::kDisagree);
  EXPECT_EQ(CompareSex("", "女"), SexLevel::kMissing);
}

TEST(CompareTest, PhoneLevels) {
  PersonKeys a = Keys("x", "", "", "090-1234-5678");
  PersonKeys b = Keys("x", "", "", "09012345678");
  EXPECT_EQ(ComparePhone(a, b, 2), PhoneLevel::kExact);
  b.phone_shared_count = 4;  // a household or a facility
  EXPECT_EQ(ComparePhone(a, b, 2), PhoneLevel::kExactShared);
  EXPECT_EQ(ComparePhone(a, Keys("x", "", "", "03-1111-2222"), 2), PhoneLevel::kDifferent);
  EXPECT_EQ(ComparePhone(a, Keys("x"), 2), PhoneLevel::kMissing);
}

TEST(CompareTest, AddressLevels) {
  const PersonKeys a = Keys("x", "", "", "", "13101", "本町3丁目4-5");
  EXPECT_EQ(CompareAddress(a, Keys("x", "", "", "", "131016", "本町三丁目4番5号")),
            AddressLevel::kSameTown);
  EXPECT_EQ(CompareAddress(a, Keys("x", "", "", "", "13101", "")), AddressLevel::kSameMunicipality);
  EXPECT_EQ(CompareAddress(a, Keys("x", "", "", "", "13101", "栄町1-1")),
            AddressLevel::kTownDiffers);
  EXPECT_EQ(CompareAddress(a, Keys("x", "", "", "", "13102", "本町3丁目4-5")),
            AddressLevel::kDifferent);
  EXPECT_EQ(CompareAddress(a, Keys("x")), AddressLevel::kMissing);
}

TEST(CompareTest, VectorPacksEveryField) {
  const PersonKeys a = Keys("髙橋 太郎", "タカハシ タロウ", "1970-03-02", "090-1234-5678", "13101",
                            "本町3-4-5", "男");
  const PersonKeys b = Keys("高橋 太郎", "タカハシ タロウ", "1970-02-03", "", "13101", "栄町1", "女");
  const ComparisonVector v = Compare(a, b);
  EXPECT_EQ(v.name(), NameLevel::kVariantFold);
  EXPECT_EQ(v.kana(), KanaLevel::kExact);
  EXPECT_EQ(v.consistency(), ConsistencyLevel::kBothAgree);
  EXPECT_EQ(v.birth(), BirthLevel::kDayMonthSwap);
  EXPECT_EQ(v.sex(), SexLevel::kDisagree);
  EXPECT_EQ(v.phone(), PhoneLevel::kMissing);
  EXPECT_EQ(v.address(), AddressLevel::kTownDiffers);
  EXPECT_NE(v.Pack(), Compare(a, a).Pack());
}

TEST(CompareTest, SplitNamesBorrowsTheOtherSidesSplit) {
  const NameParts p = SplitNames(Keys("佐藤太郎"), Keys("佐藤 次郎"));
  ASSERT_TRUE(p.known);
  EXPECT_EQ(p.family_a, "佐藤");
  EXPECT_EQ(p.given_a, "太郎");
  EXPECT_EQ(p.given_b, "次郎");
  EXPECT_FALSE(SplitNames(Keys("佐藤太郎"), Keys("鈴木 次郎")).known);
}

}  // namespace
}  // namespace ichigen::identity
