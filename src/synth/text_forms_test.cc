#include "synth/text_forms.h"

#include <gtest/gtest.h>

#include <set>

#include "synth/random.h"

namespace ichigen::synth {
namespace {

core::Date D(int y, int m, int d) { return *core::Date::FromYmd(y, m, d); }

TEST(TextFormsTest, DatesInEveryStyle) {
  const core::Date date = D(2022, 8, 1);
  EXPECT_EQ(FormatDate(date, DateStyle::kSlash), "2022/8/1");
  EXPECT_EQ(FormatDate(date, DateStyle::kSlashPadded), "2022/08/01");
  EXPECT_EQ(FormatDate(date, DateStyle::kIso), "2022-08-01");
  EXPECT_EQ(FormatDate(date, DateStyle::kCompact), "20220801");
  EXPECT_EQ(FormatDate(date, DateStyle::kKanji), "2022年8月1日");
  EXPECT_EQ(FormatDate(date, DateStyle::kWareki), "令和4年8月1日");
  EXPECT_EQ(FormatDate(date, DateStyle::kWarekiShort), "R4.8.1");
}

TEST(TextFormsTest, EraBoundariesAndGannen) {
  EXPECT_EQ(FormatDate(D(1970, 3, 2), DateStyle::kWarekiShort), "S45.3.2");
  EXPECT_EQ(FormatDate(D(1970, 3, 2), DateStyle::kWareki), "昭和45年3月2日");
  EXPECT_EQ(FormatDate(D(1989, 1, 7), DateStyle::kWareki), "昭和64年1月7日");
  EXPECT_EQ(FormatDate(D(1989, 1, 8), DateStyle::kWareki), "平成元年1月8日");
  EXPECT_EQ(FormatDate(D(2019, 4, 30), DateStyle::kWarekiShort), "H31.4.30");
  EXPECT_EQ(FormatDate(D(2019, 5, 1), DateStyle::kWareki), "令和元年5月1日");
  EXPECT_EQ(FormatDate(D(1920, 5, 5), DateStyle::kWarekiShort), "T9.5.5");
  // Before 明治 there is no era to write: the Western form is used.
  EXPECT_EQ(FormatDate(D(1800, 1, 2), DateStyle::kWareki), "1800/1/2");
}

TEST(TextFormsTest, Phones) {
  const PhoneNumber mobile{"09012345678", 3};
  const PhoneNumber fixed{"0451234567", 3};
  const PhoneNumber tokyo{"0312345678", 2};
  auto format = [](const PhoneNumber& p, PhoneStyle s) {
    std::string out;
    AppendPhone(p, s, out);
    return out;
  };
  EXPECT_EQ(format(mobile, PhoneStyle::kHyphen), "090-1234-5678");
  EXPECT_EQ(format(mobile, PhoneStyle::kPlain), "09012345678");
  EXPECT_EQ(format(mobile, PhoneStyle::kInternational), "+81-90-1234-5678");
  EXPECT_EQ(format(mobile, PhoneStyle::kFullWidth), "０９０－１２３４－５６７８");
  EXPECT_EQ(format(fixed, PhoneStyle::kHyphen), "045-123-4567");
  EXPECT_EQ(format(fixed, PhoneStyle::kParenthesized), "045(123)4567");
  EXPECT_EQ(format(tokyo, PhoneStyle::kHyphen), "03-1234-5678");
}

TEST(TextFormsTest, KanaAndNumerals) {
  std::string out;
  AppendHiragana("ヤマダ　タロウ", out);
  EXPECT_EQ(out, "やまだ　たろう");
  out.clear();
  AppendHalfWidthKana("ガッコウ　パン", out);
  EXPECT_EQ(out, "ｶﾞｯｺｳ ﾊﾟﾝ");
  out.clear();
  AppendKanjiNumber(3, out), out.push_back(','), AppendKanjiNumber(12, out), out.push_back(',');
  AppendKanjiNumber(45, out);
  EXPECT_EQ(out, "三,十二,四十五");
  out.clear();
  AppendFullWidth("3-4-5", out);
  EXPECT_EQ(out, "３－４－５");
}

TEST(RandomTest, SameSeedSameStreamDifferentSeedDifferent) {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    differs |= x != c.Next();
  }
  EXPECT_TRUE(differs);
  // Pinned: the generator's output must never change silently, or seeded
  // files would change between versions.
  Rng pinned(1);
  EXPECT_EQ(pinned.Next(), 18001451845637162709ULL);
  EXPECT_EQ(pinned.Next(), 15091038358276433251ULL);
  EXPECT_NE(StreamSeed(1, 2, 3), StreamSeed(1, 2, 4));
}

TEST(RandomTest, BelowStaysInRangeAndCoversIt) {
  Rng rng(7);
  std::set<uint64_t> seen;
  for (int i = 0; i < 10000; ++i) {
    const uint64_t v = rng.Below(10);
    ASSERT_LT(v, 10u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 10u);
}

TEST(RandomTest, AliasTableFollowsWeights) {
  const double weights[] = {1, 0, 3};
  const AliasTable table(weights);
  Rng rng(9);
  int counts[3] = {};
  for (int i = 0; i < 40000; ++i) ++counts[table.Sample(rng)];
  EXPECT_EQ(counts[1], 0);
  EXPECT_NEAR(counts[2] / static_cast<double>(counts[0]), 3.0, 0.2);
}

}  // namespace
}  // namespace ichigen::synth
