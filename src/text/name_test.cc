#include "text/name.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/resources.h"
#include "text/unicode.h"

namespace ichigen::text {
namespace {

bool HasFlag(const NormalizedName& n, const std::string& flag) {
  return std::find(n.flags.begin(), n.flags.end(), flag) != n.flags.end();
}

char32_t Cp(std::string_view utf8) {
  size_t pos = 0;
  return internal::DecodeNext(utf8, pos);
}

TEST(NameTables, LoadAndPassTheirChecks) {
  const core::Status status = CheckNameTables();
  EXPECT_TRUE(status.has_value()) << (status ? "" : status.error().ToString());
  EXPECT_GE(ConfusablePairs().size(), 10u);
}

struct NameCase {
  const char* raw;
  const char* display;
  const char* key;
  const char* folded_key;
  const char* family;
  const char* given;
  bool has_split;
};

class NormalizeNameTest : public ::testing::TestWithParam<NameCase> {};

TEST_P(NormalizeNameTest, Splits) {
  const NameCase& c = GetParam();
  const NormalizedName n = NormalizeName(c.raw);
  EXPECT_EQ(n.display, c.display) << c.raw;
  EXPECT_EQ(n.key, c.key) << c.raw;
  EXPECT_EQ(n.folded_key, c.folded_key) << c.raw;
  EXPECT_EQ(n.family, c.family) << c.raw;
  EXPECT_EQ(n.given, c.given) << c.raw;
  EXPECT_EQ(n.has_split, c.has_split) << c.raw;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, NormalizeNameTest,
    ::testing::Values(
        NameCase{"山田 太郎", "山田 太郎", "山田太郎", "山田太郎", "山田", "太郎", true},
        NameCase{"山田　太郎", "山田 太郎", "山田太郎", "山田太郎", "山田", "太郎", true},
        NameCase{" 山田　　太郎 ", "山田 太郎", "山田太郎", "山田太郎", "山田", "太郎", true},
        NameCase{"山田太郎", "山田太郎", "山田太郎", "山田太郎", "", "", false},
        NameCase{"髙橋　一郎", "髙橋 一郎", "髙橋一郎", "高橋一郎", "髙橋", "一郎", true},
        NameCase{"山\uFA11 花子", "山崎 花子", "山崎花子", "山崎花子", "山崎", "花子", true},
        NameCase{"渡邊 健", "渡邊 健", "渡邊健", "渡辺健", "渡邊", "健", true},
        NameCase{"渡邉 健", "渡邉 健", "渡邉健", "渡辺健", "渡邉", "健", true},
        NameCase{"齋藤 眞", "齋藤 眞", "齋藤眞", "斎藤真", "齋藤", "眞", true},
        NameCase{"ジョン・スミス", "ジョン スミス", "ジョンスミス", "ジョンスミス", "ジョン",
                 "スミス", true},
        NameCase{"ｽﾐｽ･ｼﾞｮﾝ", "スミス ジョン", "スミスジョン", "スミスジョン", "スミス",
                 "ジョン", true},
        NameCase{"Smith John", "Smith John", "SmithJohn", "SMITHJOHN", "Smith", "John", true},
        NameCase{"ＳＭＩＴＨ　Ｊｏｈｎ", "SMITH John", "SMITHJohn", "SMITHJOHN", "SMITH",
                 "John", true},
        NameCase{"やまだ はなこ", "やまだ はなこ", "やまだはなこ", "ヤマダハナコ", "やまだ",
                 "はなこ", true},
        NameCase{"葛\U000E0100西 太郎", "葛西 太郎", "葛西太郎", "葛西太郎", "葛西", "太郎",
                 true}));

TEST(NormalizeName, Flags) {
  EXPECT_TRUE(HasFlag(NormalizeName(""), "empty"));
  EXPECT_TRUE(HasFlag(NormalizeName("　 "), "empty"));
  EXPECT_TRUE(HasFlag(NormalizeName("・"), "empty"));
  EXPECT_TRUE(HasFlag(NormalizeName("髙橋"), "variant_folded"));
  EXPECT_FALSE(HasFlag(NormalizeName("高橋"), "variant_folded"));
  EXPECT_TRUE(HasFlag(NormalizeName("Smith"), "latin"));
  EXPECT_TRUE(HasFlag(NormalizeName("ヤマダ タロウ"), "kana"));
  EXPECT_FALSE(HasFlag(NormalizeName("山田 タロウ"), "kana"));
  EXPECT_TRUE(HasFlag(NormalizeName("Anna Maria Rossi"), "multiple_splits"));
  EXPECT_TRUE(HasFlag(NormalizeName("山田2"), "digits"));
  EXPECT_TRUE(HasFlag(NormalizeName(std::string("山\xff田")), "invalid_utf8"));
}

TEST(NormalizeName, MultipleSplitsKeepFirstAsFamily) {
  const NormalizedName n = NormalizeName("Anna Maria Rossi");
  EXPECT_EQ(n.family, "Anna");
  EXPECT_EQ(n.given, "Maria Rossi");
  EXPECT_EQ(n.key, "AnnaMariaRossi");
}

struct FoldCase {
  const char* in;
  const char* out;
};

class FoldKanjiVariantsTest : public ::testing::TestWithParam<FoldCase> {};

TEST_P(FoldKanjiVariantsTest, Folds) {
  EXPECT_EQ(FoldKanjiVariants(GetParam().in), GetParam().out) << GetParam().in;
}

// The pairs the brief names, one per row, plus text around them.
INSTANTIATE_TEST_SUITE_P(
    Cases, FoldKanjiVariantsTest,
    ::testing::Values(FoldCase{"髙", "高"}, FoldCase{"﨑", "崎"}, FoldCase{"邊", "辺"},
                      FoldCase{"邉", "辺"}, FoldCase{"齋", "斎"}, FoldCase{"齊", "斉"},
                      FoldCase{"澤", "沢"}, FoldCase{"濱", "浜"}, FoldCase{"廣", "広"},
                      FoldCase{"櫻", "桜"}, FoldCase{"國", "国"}, FoldCase{"嶋", "島"},
                      FoldCase{"嶌", "島"}, FoldCase{"冨", "富"}, FoldCase{"德", "徳"},
                      FoldCase{"惠", "恵"}, FoldCase{"瀨", "瀬"}, FoldCase{"眞", "真"},
                      FoldCase{"藏", "蔵"}, FoldCase{"𠮷", "吉"},
                      FoldCase{"東京都澤田区1-2", "東京都沢田区1-2"},
                      // Not folded: different names, and kana/ASCII untouched.
                      FoldCase{"龍", "龍"}, FoldCase{"竜", "竜"}, FoldCase{"弘", "弘"},
                      FoldCase{"宏", "宏"}, FoldCase{"埼", "埼"}, FoldCase{"阪", "阪"},
                      FoldCase{"畠", "畠"}, FoldCase{"薗", "薗"}, FoldCase{"边", "边"},
                      FoldCase{"かな ABC", "かな ABC"}));

TEST(FoldKanjiVariants, InvalidBytesDoNotCrash) {
  const std::string out = FoldKanjiVariants(std::string("\xe9\xab") + "髙");
  EXPECT_TRUE(out.ends_with("高"));
}

// Every row of the confusable table, read independently of the loader:
// the two sides must never fold to the same character, and AreConfusable
// must report them in both orders.
TEST(Confusable, NoListedPairIsFoldedTogether) {
  const auto text = core::LoadDataFile("text/kanji_confusable.tsv");
  ASSERT_TRUE(text.has_value());
  int rows = 0;
  size_t start = 0;
  while (start < text->size()) {
    size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    const std::string_view line(text->data() + start, end - start);
    start = end + 1;
    if (line.empty() || line[0] == '#' || line.starts_with("a\t")) continue;
    size_t pos = 0;
    const char32_t a = internal::DecodeNext(line, pos);
    ASSERT_EQ(line[pos], '\t') << line;
    ++pos;
    const char32_t b = internal::DecodeNext(line, pos);
    EXPECT_NE(FoldKanjiVariant(a), FoldKanjiVariant(b)) << line;
    EXPECT_TRUE(AreConfusable(a, b)) << line;
    EXPECT_TRUE(AreConfusable(b, a)) << line;
    ++rows;
  }
  EXPECT_EQ(static_cast<size_t>(rows), ConfusablePairs().size());
}

// The fold table, read independently: one-to-one, no chains, and the fold
// really applies each row.
TEST(VariantFold, TableIsOneToOneWithoutChains) {
  const auto text = core::LoadDataFile("text/kanji_variant_fold.tsv");
  ASSERT_TRUE(text.has_value());
  std::vector<std::pair<char32_t, char32_t>> rows;
  size_t start = 0;
  while (start < text->size()) {
    size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    const std::string_view line(text->data() + start, end - start);
    start = end + 1;
    if (line.empty() || line[0] == '#' || line.starts_with("variant\t")) continue;
    size_t pos = 0;
    const char32_t v = internal::DecodeNext(line, pos);
    ASSERT_EQ(line[pos], '\t') << line;
    ++pos;
    const char32_t s = internal::DecodeNext(line, pos);
    rows.emplace_back(v, s);
  }
  ASSERT_GE(rows.size(), 100u);
  for (const auto& [v, s] : rows) {
    EXPECT_NE(v, s);
    EXPECT_EQ(FoldKanjiVariant(v), s);
    EXPECT_EQ(FoldKanjiVariant(s), s) << "chain through a standard form";
    EXPECT_EQ(std::count_if(rows.begin(), rows.end(),
                            [&](const auto& r) { return r.first == v; }),
              1);
  }
}

TEST(Confusable, ThroughTheFold) {
  EXPECT_TRUE(AreConfusable(Cp("齋"), Cp("斉")));  // 齋 folds to 斎
  EXPECT_TRUE(AreConfusable(Cp("齊"), Cp("斎")));
  EXPECT_TRUE(AreConfusable(Cp("廣"), Cp("弘")));
  EXPECT_FALSE(AreConfusable(Cp("澤"), Cp("沢")));  // a fold, not a confusion
  EXPECT_FALSE(AreConfusable(Cp("高"), Cp("髙")));
  EXPECT_FALSE(AreConfusable(Cp("山"), Cp("川")));
}

TEST(NormalizeName, ConfusableNamesKeepDistinctKeys) {
  EXPECT_NE(NormalizeName("斎藤 一").folded_key, NormalizeName("斉藤 一").folded_key);
  EXPECT_NE(NormalizeName("齋藤 一").folded_key, NormalizeName("齊藤 一").folded_key);
  EXPECT_EQ(NormalizeName("齋藤 一").folded_key, NormalizeName("斎藤　一").folded_key);
  EXPECT_NE(NormalizeName("畑山 ").folded_key, NormalizeName("畠山").folded_key);
}

}  // namespace
}  // namespace ichigen::text
