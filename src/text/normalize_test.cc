#include "text/normalize.h"

#include <gtest/gtest.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <string>

#include "text/unicode.h"

namespace ichigen::text {
namespace {

struct TextCase {
  const char* input;
  const char* expected;
};

class NormalizeTextTest : public ::testing::TestWithParam<TextCase> {};

TEST_P(NormalizeTextTest, Normalizes) {
  EXPECT_EQ(NormalizeText(GetParam().input), GetParam().expected) << GetParam().input;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, NormalizeTextTest,
    ::testing::Values(
        // ASCII path: white space folded and trimmed, controls dropped.
        TextCase{"  abc \t def\r\n", "abc def"}, TextCase{"", ""}, TextCase{"A-1", "A-1"},
        TextCase{"a\x01" "b", "ab"},
        // Full-width ASCII and U+3000.
        TextCase{"ＡＢＣ　１２３", "ABC 123"}, TextCase{"山田\u3000\u3000太郎", "山田 太郎"},
        TextCase{"山田\u00A0太郎", "山田 太郎"},
        // Half-width katakana widened, with voiced marks composed.
        TextCase{"ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ"}, TextCase{"ｶﾞｯｺｳ", "ガッコウ"},
        TextCase{"ﾊﾟｰｸ", "パーク"},
        // Variation selectors and invisible characters stripped.
        TextCase{"葛\U000E0100飾", "葛飾"}, TextCase{"辻\uFE00", "辻"},
        TextCase{"\uFEFF山\u200B田", "山田"},
        // Compatibility ideographs: 﨑 (NFKC leaves it) and 塚 (NFKC maps it);
        // radical-supplement forms from PDF copy-paste.
        TextCase{"山\uFA11", "山崎"}, TextCase{"\uFA10本", "塚本"},
        TextCase{"\u2ED1野県", "長野県"}, TextCase{"\u2F00", "一"},
        // Dash look-alikes resolved by context.
        TextCase{"ユ−コ", "ユーコ"}, TextCase{"ユ－コ", "ユーコ"}, TextCase{"ユ‐コ", "ユーコ"},
        TextCase{"ユ‑コ", "ユーコ"}, TextCase{"ユ–コ", "ユーコ"}, TextCase{"ユ—コ", "ユーコ"},
        TextCase{"ﾕｰｺ", "ユーコ"}, TextCase{"らーめん", "らーめん"}, TextCase{"ユ-コ", "ユーコ"},
        TextCase{"サ━ビス", "サービス"}, TextCase{"ユ−−コ", "ユーーコ"},
        TextCase{"090ー1234ー5678", "090-1234-5678"}, TextCase{"1丁目2−3", "1丁目2-3"},
        TextCase{"A—B", "A-B"}, TextCase{"３ー２", "3-2"}, TextCase{"１－２－３", "1-2-3"},
        TextCase{"3─5", "3-5"}, TextCase{"コーポ─101", "コーポ-101"},
        TextCase{"コーポ−２０１", "コーポ-201"}, TextCase{"コーポー101", "コーポー101"},
        TextCase{"山田ー", "山田ー"}, TextCase{"東京−大阪", "東京-大阪"},
        // Era ligatures and circled digits (NFKC).
        TextCase{"㍻3年", "平成3年"}, TextCase{"①", "1"}));

TEST(NormalizeText, IsIdempotent) {
  for (const char* s : {"ﾔﾏﾀﾞ　ﾀﾛｳ", "髙橋\uFA11", "ユ−コ　A－1", "㈱テスト", "  a  b  "}) {
    const std::string once = NormalizeText(s);
    EXPECT_EQ(NormalizeText(once), once) << s;
  }
}

TEST(NormalizeText, MalformedUtf8BecomesReplacementNotCrash) {
  const std::string bad = std::string("山") + "\xff" + "田";
  EXPECT_EQ(NormalizeText(bad), "山\uFFFD田");
  EXPECT_EQ(NormalizeText(std::string("\xe5\xb1")), "\uFFFD\uFFFD");
}

TEST(IsValidUtf8, Cases) {
  EXPECT_TRUE(IsValidUtf8("abc"));
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("山田\uFFFD"));
  EXPECT_TRUE(IsValidUtf8("\U00020BB7"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xe5\xb1"));      // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
}

TEST(FoldHeader, MatchesSynonymsWrittenDifferently) {
  EXPECT_EQ(FoldHeader("ＨＥＲ－ＳＹＳ　ＩＤ"), "her-sysid");
  EXPECT_EQ(FoldHeader("HER-SYS ID"), FoldHeader("her‐sys id"));
  EXPECT_EQ(FoldHeader("HER−SYS ID"), FoldHeader("HER-SYS ID"));
  EXPECT_EQ(FoldHeader(" 生年 月日 "), "生年月日");
  EXPECT_EQ(FoldHeader("生年\n月日"), "生年月日");
  EXPECT_EQ(FoldHeader("ﾌﾘｶﾞﾅ"), "フリガナ");
  EXPECT_EQ(FoldHeader("医療機関コード"), "医療機関コード");
  EXPECT_EQ(FoldHeader("\uFEFF届出日"), "届出日");
  EXPECT_EQ(FoldHeader("ー"), "-");
  EXPECT_NE(FoldHeader("氏名"), FoldHeader("氏名カナ"));
}

std::string IcuNfkc(const std::string& utf8) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  EXPECT_TRUE(U_SUCCESS(status));
  const icu::UnicodeString out =
      nfkc->normalize(icu::UnicodeString::fromUTF8(utf8), status);
  std::string result;
  out.toUTF8String(result);
  return result;
}

// NormalizeText skips ICU for text made of code points it knows NFKC leaves
// alone or maps trivially, and composes half-width katakana itself. Check
// every such code point (and every half-width kana with each voiced mark)
// against ICU, leaving out what the post-processing changes on purpose.
TEST(NormalizeText, FastPathAgreesWithIcuNfkc) {
  std::vector<std::string> inputs;
  auto add_range = [&](char32_t first, char32_t last) {
    for (char32_t c = first; c <= last; ++c) {
      if (internal::IsDashLike(c) || internal::IsSpaceLike(c) || internal::IsDropped(c)) {
        continue;
      }
      std::string s;
      internal::AppendUtf8(s, c);
      inputs.push_back(s);
    }
  };
  add_range(0x21, 0x7E);
  add_range(0x3041, 0x3096);
  add_range(0x30A1, 0x30FC);
  add_range(0x3400, 0x4DBF);
  add_range(0x4E00, 0x9FFF);
  add_range(0xFF01, 0xFF5E);
  add_range(0xFF61, 0xFF9F);
  for (char32_t c = 0xFF61; c <= 0xFF9D; ++c) {
    if (c == 0xFF70) continue;  // ｰ is resolved by context
    for (const char* mark : {"\uFF9E", "\uFF9F"}) {
      std::string s;
      internal::AppendUtf8(s, c);
      inputs.push_back(s + mark);
    }
  }
  ASSERT_GT(inputs.size(), 27000u);
  int mismatches = 0;
  for (const std::string& s : inputs) {
    if (NormalizeText(s) != IcuNfkc(s) && ++mismatches <= 10) {
      ADD_FAILURE() << "input " << s << ": ours " << NormalizeText(s) << ", ICU " << IcuNfkc(s);
    }
  }
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace ichigen::text
