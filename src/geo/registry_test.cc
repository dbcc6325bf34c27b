#include "geo/registry.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "geo/address_text.h"

namespace ichigen::geo {
namespace {

const Registry& TheRegistry() {
  static const std::unique_ptr<Registry> registry = [] {
    auto loaded = Registry::Load();
    EXPECT_TRUE(loaded.has_value()) << (loaded ? "" : loaded.error().ToString());
    return loaded ? std::move(*loaded) : nullptr;
  }();
  return *registry;
}

struct CheckDigitCase {
  std::string_view code5;
  std::string_view code6;
};

TEST(CheckDigitTest, KnownCodes) {
  // 13101 → 131016 is the worked example in data/ref/SOURCES.md; the others
  // are codes as printed in localgovjp and the MHLW crosswalk.
  const CheckDigitCase cases[] = {{"13101", "131016"}, {"01100", "011002"}, {"22138", "221384"},
                                  {"22139", "221392"}, {"22140", "221406"}, {"47201", "472018"},
                                  {"14131", "141313"}, {"40131", "401315"}};
  for (const auto& c : cases) {
    EXPECT_EQ(WithCheckDigit(c.code5), c.code6) << c.code5;
    EXPECT_TRUE(IsValidCode6(c.code6)) << c.code6;
  }
}

TEST(CheckDigitTest, RejectsMalformed) {
  const std::string_view bad[] = {"131017", "13101", "1310160", "", "13a016", "１３１０１６"};
  for (std::string_view code : bad) EXPECT_FALSE(IsValidCode6(code)) << code;
  EXPECT_EQ(WithCheckDigit("1310"), "");
  EXPECT_EQ(WithCheckDigit("1310x"), "");
}

TEST(CheckDigitTest, EveryRegistryCodeIsValid) {
  for (const Municipality& m : TheRegistry().municipalities()) {
    EXPECT_TRUE(IsValidCode6(m.code6)) << m.code6 << " " << m.full_name;
    EXPECT_EQ(WithCheckDigit(m.code5), m.code6);
  }
  for (const Prefecture& p : TheRegistry().prefectures()) EXPECT_TRUE(IsValidCode6(p.code6)) << p.name;
}

TEST(RegistryTest, LoadsPrefecturesAndMunicipalities) {
  const Registry& r = TheRegistry();
  ASSERT_EQ(r.prefectures().size(), 47u);
  EXPECT_EQ(r.FindPrefecture(13)->name, "東京都");
  EXPECT_EQ(r.FindPrefecture(1)->code6, "010006");
  EXPECT_EQ(r.FindPrefectureByName("東京")->code, 13);
  EXPECT_EQ(r.FindPrefectureByName("京都府")->code, 26);
  EXPECT_EQ(r.FindPrefectureByName("東京府"), nullptr);
  EXPECT_EQ(r.FindPrefecture(48), nullptr);
  // localgovjp's 1,916 rows plus the three Hamamatsu wards of 2024.
  EXPECT_EQ(r.municipalities().size(), 1916u + 3u);
  const Municipality* chiyoda = r.FindByCode("131016");
  ASSERT_NE(chiyoda, nullptr);
  EXPECT_EQ(chiyoda->name, "千代田区");
  EXPECT_FALSE(chiyoda->is_ward);  // a special ward is a municipality, not a ward
  EXPECT_EQ(r.FindByCode("13101"), chiyoda);
  EXPECT_EQ(r.FindByCode("131017"), nullptr);
  EXPECT_EQ(r.FindByCode("99999"), nullptr);
  EXPECT_EQ(r.InPrefecture(13).front()->name, "千代田区");
}

TEST(RegistryTest, WardsHaveTheirCityAndKana) {
  const Registry& r = TheRegistry();
  const Municipality* ward = r.FindByCode("011011");
  ASSERT_NE(ward, nullptr);
  EXPECT_TRUE(ward->is_ward);
  EXPECT_EQ(ward->name, "中央区");
  EXPECT_EQ(ward->full_name, "札幌市中央区");
  EXPECT_EQ(ward->kana, "ちゅうおうく");
  EXPECT_EQ(ward->full_kana, "さっぽろしちゅうおうく");
  EXPECT_EQ(r.RollUp(*ward).name, "札幌市");
  EXPECT_TRUE(r.RollUp(*ward).is_designated_city);
  int designated = 0;
  for (const Municipality& m : r.municipalities()) {
    if (m.is_designated_city) {
      ++designated;
      EXPECT_FALSE(r.WardsOf(m).empty()) << m.name;
    }
    if (m.is_ward) {
      const Municipality* parent = r.FindByCode(m.parent_code6);
      ASSERT_NE(parent, nullptr) << m.full_name;
      EXPECT_EQ(parent->name + m.name, m.full_name);
    }
    EXPECT_FALSE(m.kana.empty()) << m.full_name;
  }
  EXPECT_EQ(designated, 20);
}

TEST(RegistryTest, EveryCurrentMunicipalityHasAHealthCenter) {
  for (const Municipality& m : TheRegistry().municipalities()) {
    EXPECT_FALSE(m.health_center.empty()) << m.code6 << " " << m.full_name;
    EXPECT_EQ(m.health_center.find(' '), std::string::npos);
  }
  // Designated cities take their wards' health center.
  EXPECT_EQ(TheRegistry().FindByCode("141003")->health_center, "横浜市");
  // 「南　部」 in the crosswalk loses its ideographic space.
  EXPECT_EQ(TheRegistry().FindByCode("47208")->health_center, "南部");
}

TEST(RegistryTest, HamamatsuWardsOldAndNew) {
  const Registry& r = TheRegistry();
  struct Case {
    std::string_view old_code;
    std::string_view successor;
  };
  const Case cases[] = {{"22131", "221384"}, {"22132", "221384"}, {"22133", "221384"},
                        {"22134", "221384"}, {"22135", "221392"}, {"22136", "221392"},
                        {"22137", "221406"}};
  const core::Date last_day = *core::Date::FromYmd(2023, 12, 31);
  for (const Case& c : cases) {
    const Municipality* old_ward = r.FindByCode(c.old_code);
    ASSERT_NE(old_ward, nullptr) << c.old_code;
    EXPECT_TRUE(old_ward->retired());
    EXPECT_EQ(old_ward->valid_to, last_day);
    EXPECT_EQ(old_ward->successor_code6, c.successor);
    EXPECT_EQ(r.Current(*old_ward).code6, c.successor);
    EXPECT_EQ(old_ward->health_center, "浜松市");
  }
  EXPECT_EQ(r.FindByCode("22135")->other_successor_code6s, std::vector<std::string>{"221384"});
  const core::Date first_day = *core::Date::FromYmd(2024, 1, 1);
  const std::pair<std::string_view, std::string_view> added[] = {
      {"221384", "中央区"}, {"221392", "浜名区"}, {"221406", "天竜区"}};
  for (const auto& [code, name] : added) {
    const Municipality* m = r.FindByCode(code);
    ASSERT_NE(m, nullptr) << code;
    EXPECT_EQ(m->name, name);
    EXPECT_EQ(m->full_name, "浜松市" + std::string(name));
    EXPECT_EQ(m->parent_code6, "221309");
    EXPECT_EQ(m->valid_from, first_day);
    EXPECT_FALSE(m->retired());
    EXPECT_EQ(m->health_center, "浜松市");
    EXPECT_EQ(&r.Current(*m), m);
  }
  int current_wards = 0;
  for (const Municipality* w : r.WardsOf(*r.FindByCode("221309"))) current_wards += w->retired() ? 0 : 1;
  EXPECT_EQ(current_wards, 3);
}

TEST(RegistryTest, KanjiFoldMergesNoTwoMunicipalities) {
  const auto fold = KanjiFold::Load();
  ASSERT_TRUE(fold.has_value());
  std::map<std::string, std::set<std::string>> names_by_key;
  for (const Municipality& m : TheRegistry().municipalities()) {
    names_by_key[NameKey(m.full_name, *fold)].insert(m.full_name);
    names_by_key[NameKey(m.name, *fold)].insert(m.name);
  }
  for (const auto& [key, names] : names_by_key) EXPECT_EQ(names.size(), 1u) << key;
}

}  // namespace
}  // namespace ichigen::geo
