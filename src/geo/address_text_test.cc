#include "geo/address_text.h"

#include <gtest/gtest.h>

namespace ichigen::geo {
namespace {

struct TextCase {
  std::string_view input;
  std::string_view expected;
};

TEST(AddressTextTest, RestForms) {
  const TextCase cases[] = {
      {"霞が関3丁目4番5号", "霞が関3-4-5"},
      {"霞が関三丁目四番五号", "霞が関3-4-5"},
      {"霞が関3-4-5", "霞が関3-4-5"},
      {"霞が関3の4の5", "霞が関3-4-5"},
      {"本町二十三丁目十番地十一", "本町23-10-11"},
      {"本町4番地", "本町4"},
      {"本町4番地の5", "本町4-5"},
      {"西新宿二丁目", "西新宿2丁目"},
      {"一番町3-1", "一番町3-1"},  // a town name keeps its numeral
      {"北一番丁5-6", "北一番丁5-6"},
      {"三田1-2-3 コーポ101", "三田1-2-3 コーポ101"},
      {"栄町5号室", "栄町5号室"},
      {"大字上野1234番地", "大字上野1234"},
      {"1-2-3-", "1-2-3"},
      {"3-四-五", "3-4-5"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(NormalizeAddressRest(c.input), c.expected) << c.input;
}

TEST(AddressTextTest, DisplayForm) {
  const auto fold = KanjiFold::Load();
  ASSERT_TRUE(fold.has_value());
  const TextCase cases[] = {
      {"３－４－５", "3-4-5"},
      {"3‐4−5", "3-4-5"},
      {"3ー4ｰ5", "3-4-5"},
      {"コーポ ３０１", "コーポ301"},
      {"1-2-3　101", "1-2-3 101"},
      {" 東京都 千代田区 ", "東京都千代田区"},
      {"ｶﾞｰﾃﾞﾝﾊﾟﾚｽ", "ガーデンパレス"},
      {"葛\xEF\xB8\x80飾区", "葛飾区"},  // variation selector dropped
      {"\xFF", "\xEF\xBF\xBD"},          // a bad byte becomes U+FFFD, no crash
  };
  for (const auto& c : cases) {
    std::string display;
    AddressKey key;
    NormalizeAddressText(c.input, *fold, display, key);
    EXPECT_EQ(display, c.expected) << c.input;
  }
}

TEST(AddressTextTest, KeyFoldsVariants) {
  const auto fold = KanjiFold::Load();
  ASSERT_TRUE(fold.has_value());
  const std::pair<std::string_view, std::string_view> same[] = {
      {"鶴ヶ島市", "鶴ケ島市"}, {"鶴が島市", "鶴ヵ島市"}, {"霞ヶ関", "霞が関"},
      {"上ノ国町", "上の国町"}, {"龍ケ崎市", "竜ヶ崎市"}, {"澤内", "沢内"}, {"髙松", "高松"}};
  for (const auto& [a, b] : same) EXPECT_EQ(NameKey(a, *fold), NameKey(b, *fold)) << a << " " << b;
  // Different characters in place names stay different.
  const std::pair<std::string_view, std::string_view> different[] = {
      {"埼玉", "崎玉"}, {"大阪", "大坂"}, {"広島", "弘島"}};
  for (const auto& [a, b] : different) EXPECT_NE(NameKey(a, *fold), NameKey(b, *fold)) << a;
}

TEST(AddressTextTest, KanjiNumbers) {
  const std::pair<std::u32string_view, int> cases[] = {
      {U"三", 3}, {U"十", 10}, {U"十二", 12}, {U"二十", 20}, {U"二十三", 23}, {U"百五", 105},
      {U"一〇五", 105}, {U"千二百三十四", 1234}, {U"二三十", -1}, {U"十百", -1}, {U"", -1}};
  for (const auto& [text, value] : cases) EXPECT_EQ(ParseKanjiNumber(text), value);
}

}  // namespace
}  // namespace ichigen::geo
