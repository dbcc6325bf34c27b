#include "identity/person.h"

#include <gtest/gtest.h>

#include "identity/string_distance.h"

namespace ichigen::identity {
namespace {

TEST(TownOfTest, CutsAtTheBlockNumberWhateverItsForm) {
  struct Case {
    const char* rest;
    const char* town;
  };
  const Case cases[] = {
      {"本町3丁目4-5", "本町"},
      {"本町三丁目4番5号", "本町"},
      {"本町３－４－５", "本町"},
      {"本町 3-4-5 101号室", "本町"},
      {"緑ヶ丘2丁目", "緑ケ丘"},
      {"緑が丘2-1", "緑ケ丘"},
      {"大字上野123番地", "上野"},
      {"一番町5-1", "一番町"},
      {"三軒茶屋二丁目1番", "三軒茶屋"},
      {"六本木", "六本木"},
      {"", ""},
  };
  for (const Case& c : cases) EXPECT_EQ(TownOf(c.rest), c.town) << c.rest;
}

TEST(MunicipalityCodeTest, AddsTheCheckDigit) {
  EXPECT_EQ(MunicipalityCode6("13101"), "131016");
  EXPECT_EQ(MunicipalityCode6("131016"), "131016");
  EXPECT_EQ(MunicipalityCode6("１３１０１"), "131016");
  EXPECT_EQ(MunicipalityCode6("1310"), "");
}

TEST(NormalizeSexTest, ReadsTheUsualForms) {
  const std::pair<const char*, const char*> cases[] = {
      {"男", "男"}, {"男性", "男"}, {"M", "男"}, {"1", "男"}, {"女", "女"}, {"女性", "女"},
      {"F", "女"},  {"２", "女"},   {"不明", ""}, {"その他", ""}, {"", ""}};
  for (const auto& [raw, want] : cases) EXPECT_EQ(NormalizeSex(raw), want) << raw;
}

TEST(MakeKeysTest, NormalizesEveryField) {
  RawPerson raw{.name = "髙橋　太郎",
                .name_kana = "たかはし たろう",
                .birth_date = "S45.3.2",
                .sex = "男性",
                .phone = "０９０－１２３４－５６７８",
                .municipality_code = "13101",
                .address_rest = "本町三丁目4番5号",
                .hersys_id = "1234567"};
  const PersonKeys k = MakeKeys(raw);
  EXPECT_EQ(k.name_key, "髙橋太郎");
  EXPECT_EQ(k.name_folded, "高橋太郎");
  EXPECT_TRUE(k.name_split);
  EXPECT_EQ(k.family_folded, "高橋");
  EXPECT_EQ(k.given_folded, "太郎");
  EXPECT_EQ(k.kana_key, "タカハシタロウ");
  EXPECT_FALSE(k.kana_family.empty());
  EXPECT_FALSE(k.kana_given.empty());
  ASSERT_TRUE(k.birth_date.has_value());
  EXPECT_EQ(k.birth_date->ToIso(), "1970-03-02");
  EXPECT_EQ(k.sex, "男");
  EXPECT_EQ(k.phone_key, "09012345678");
  EXPECT_EQ(k.municipality_code, "131016");
  EXPECT_EQ(k.town, "本町");
  EXPECT_EQ(k.hersys_id, "1234567");
}

TEST(MakeKeysTest, UnreadableValuesBecomeMissing) {
  const PersonKeys k = MakeKeys(RawPerson{.name = "佐藤花子", .name_kana = "佐藤", .birth_date = "2022-02-30"});
  EXPECT_FALSE(k.birth_date.has_value());
  EXPECT_TRUE(k.kana_phonetic.empty());  // kanji in the kana column
  EXPECT_FALSE(k.name_split);
  EXPECT_EQ(k.name_folded, "佐藤花子");
}

TEST(EditDistanceTest, CountsCodePointsNotBytes) {
  struct Case {
    const char* a;
    const char* b;
    int want;
  };
  const Case cases[] = {{"佐藤", "佐藤", 0},       {"佐藤", "佐籐", 1}, {"佐藤太郎", "佐藤郎太", 1},
                        {"佐藤太郎", "佐藤郎", 1}, {"abc", "", 3},    {"佐藤", "鈴木", 2}};
  for (const Case& c : cases) EXPECT_EQ(EditDistance(c.a, c.b), c.want) << c.a << " " << c.b;
  EXPECT_EQ(EditDistance("佐藤太郎", "鈴木花子", 1), 2);  // stops past the limit
}

}  // namespace
}  // namespace ichigen::identity
