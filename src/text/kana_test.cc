#include "text/kana.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace ichigen::text {
namespace {

bool HasFlag(const NormalizedKana& k, const std::string& flag) {
  return std::find(k.flags.begin(), k.flags.end(), flag) != k.flags.end();
}

struct KanaCase {
  const char* raw;
  const char* katakana;
  const char* key;
  bool has_split;
  bool valid;
};

class NormalizeKanaTest : public ::testing::TestWithParam<KanaCase> {};

TEST_P(NormalizeKanaTest, Normalizes) {
  const KanaCase& c = GetParam();
  const NormalizedKana k = NormalizeKana(c.raw);
  EXPECT_EQ(k.katakana, c.katakana) << c.raw;
  EXPECT_EQ(k.key, c.key) << c.raw;
  EXPECT_EQ(k.has_split, c.has_split) << c.raw;
  EXPECT_EQ(k.valid, c.valid) << c.raw;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, NormalizeKanaTest,
    ::testing::Values(
        KanaCase{"ヤマダ タロウ", "ヤマダ タロウ", "ヤマダタロウ", true, true},
        KanaCase{"やまだ　たろう", "ヤマダ タロウ", "ヤマダタロウ", true, true},
        KanaCase{"ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ", "ヤマダタロウ", true, true},
        KanaCase{"ﾔﾏﾀﾞﾀﾛｳ", "ヤマダタロウ", "ヤマダタロウ", false, true},
        KanaCase{"ｽｽﾞｷ･ﾕｰｺ", "スズキ ユーコ", "スズキユーコ", true, true},
        KanaCase{"ユ－コ", "ユーコ", "ユーコ", false, true},
        KanaCase{"サトウ ゆーこ", "サトウ ユーコ", "サトウユーコ", true, true},
        KanaCase{"山田 タロウ", "山田 タロウ", "山田タロウ", true, false},
        KanaCase{"Yamada Taro", "Yamada Taro", "YamadaTaro", true, false},
        KanaCase{"", "", "", false, true}));

TEST(NormalizeKana, Flags) {
  EXPECT_TRUE(HasFlag(NormalizeKana("やまだ"), "hiragana"));
  EXPECT_FALSE(HasFlag(NormalizeKana("ヤマダ"), "hiragana"));
  EXPECT_TRUE(HasFlag(NormalizeKana("ﾔﾏﾀﾞ"), "halfwidth"));
  EXPECT_FALSE(HasFlag(NormalizeKana("ヤマダ"), "halfwidth"));
  EXPECT_TRUE(HasFlag(NormalizeKana("山田"), "kanji"));
  EXPECT_TRUE(HasFlag(NormalizeKana("Taro"), "latin"));
  EXPECT_TRUE(HasFlag(NormalizeKana("ヤマダ1"), "not_kana"));
  EXPECT_TRUE(HasFlag(NormalizeKana(" "), "empty"));
}

TEST(NormalizeKana, SplitPhonetics) {
  const NormalizedKana k = NormalizeKana("おおの ゆうこ");
  EXPECT_EQ(k.family_phonetic, PhoneticKey("オーノ"));
  EXPECT_EQ(k.given_phonetic, PhoneticKey("ユーコ"));
  EXPECT_EQ(k.phonetic, PhoneticKey("オーノユーコ"));
  EXPECT_TRUE(NormalizeKana("オオノユウコ").family_phonetic.empty());
}

// Pairs that must share a phonetic key (the same reading written
// differently) and pairs that must not (different names).
struct PhoneticPair {
  const char* a;
  const char* b;
  bool same;
};

class PhoneticKeyTest : public ::testing::TestWithParam<PhoneticPair> {};

TEST_P(PhoneticKeyTest, Compares) {
  const PhoneticPair& p = GetParam();
  if (p.same) {
    EXPECT_EQ(PhoneticKey(p.a), PhoneticKey(p.b)) << p.a << " / " << p.b;
  } else {
    EXPECT_NE(PhoneticKey(p.a), PhoneticKey(p.b)) << p.a << " / " << p.b;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PhoneticKeyTest,
    ::testing::Values(
        PhoneticPair{"ユウコ", "ユーコ", true}, PhoneticPair{"オオノ", "オーノ", true},
        PhoneticPair{"オオノ", "オウノ", true}, PhoneticPair{"ヨウコ", "ヨーコ", true},
        PhoneticPair{"ケイコ", "ケーコ", true}, PhoneticPair{"イイダ", "イーダ", true},
        PhoneticPair{"キョウコ", "キヨウコ", true}, PhoneticPair{"キョーコ", "キヨウコ", true},
        PhoneticPair{"ハットリ", "ハツトリ", true}, PhoneticPair{"シュウジ", "シユウジ", true},
        PhoneticPair{"ヴァイオリン", "バイオリン", true}, PhoneticPair{"ヴィ", "ビ", true},
        PhoneticPair{"ヴ", "ブ", true}, PhoneticPair{"チヂミ", "チジミ", true},
        PhoneticPair{"ツヅキ", "ツズキ", true}, PhoneticPair{"ヲダ", "オダ", true},
        PhoneticPair{"ヱミ", "エミ", true}, PhoneticPair{"ヰダ", "イダ", true},
        PhoneticPair{"やまだ", "ヤマダ", true}, PhoneticPair{"ヤマダ タロウ", "ヤマダタロウ", true},
        PhoneticPair{"ササキ", "サヽキ", true}, PhoneticPair{"スズキ", "スヾキ", true},
        PhoneticPair{"ヶ", "ケ", true},
        // Different names: a missing vowel is not a spelling variant.
        PhoneticPair{"ユウコ", "ユコ", false}, PhoneticPair{"オオノ", "オノ", false},
        PhoneticPair{"サトウ", "サトー", true}, PhoneticPair{"サトウ", "サト", false},
        PhoneticPair{"カトウ", "ガトウ", false}, PhoneticPair{"ハヤシ", "バヤシ", false},
        PhoneticPair{"ユウコ", "ユウゴ", false}));

TEST(PhoneticKey, ExactForms) {
  EXPECT_EQ(PhoneticKey("ユーコ"), "ユウコ");
  EXPECT_EQ(PhoneticKey("オオノ"), "オウノ");
  EXPECT_EQ(PhoneticKey("キャー"), "キヤア");
  EXPECT_EQ(PhoneticKey("ンー"), "ン");
  EXPECT_EQ(PhoneticKey("ーア"), "ア");
  EXPECT_EQ(PhoneticKey(""), "");
}

}  // namespace
}  // namespace ichigen::text
