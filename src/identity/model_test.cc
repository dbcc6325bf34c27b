#include "identity/model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "identity/noise.h"

namespace ichigen::identity {
namespace {

ModelParameters Default() {
  auto m = LoadDefaultModel();
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().ToString());
  return *m;
}

TEST(ModelTest, DefaultModelLoadsAndWeighsAgreementAboveDisagreement) {
  const ModelParameters m = Default();
  for (Field f : kAllFields) {
    const auto& levels = DescribeField(f).levels;
    ASSERT_EQ(m.fields[static_cast<size_t>(f)].size(), levels.size());
    // The first level is the strongest agreement, the last real one before
    // kMissing the plain disagreement.
    EXPECT_GT(m.Weight(f, 0), 0) << DescribeField(f).key;
    EXPECT_LT(m.Weight(f, static_cast<uint8_t>(levels.size() - 2)), 0) << DescribeField(f).key;
    EXPECT_EQ(m.Weight(f, static_cast<uint8_t>(levels.size() - 1)), 0) << "missing weighs 0";
  }
  const LevelProbabilities& p = m.At(Field::kKanjiName, 0);
  EXPECT_DOUBLE_EQ(m.Weight(Field::kKanjiName, 0), std::log2(p.m / p.u));
  EXPECT_LT(m.Weight(Field::kKanjiName, static_cast<uint8_t>(NameLevel::kConfusable)),
            m.Weight(Field::kKanjiName, static_cast<uint8_t>(NameLevel::kEdit1)) + 1.0);
}

TEST(ModelTest, JsonRoundTrip) {
  ModelParameters m = Default();
  m.At(Field::kBirthDate, 1).m = 0.0123;
  m.At(Field::kPhone, 0).u = 0.000456;
  m.thresholds.auto_link = 33.5;
  m.thresholds.margin = 7.25;
  m.match_prior = 0.07;
  auto back = ModelFromJson(ModelToJson(m));
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  for (Field f : kAllFields) {
    for (size_t l = 0; l < m.fields[static_cast<size_t>(f)].size(); ++l) {
      EXPECT_DOUBLE_EQ(back->Weight(f, static_cast<uint8_t>(l)), m.Weight(f, static_cast<uint8_t>(l)));
    }
  }
  EXPECT_DOUBLE_EQ(back->thresholds.auto_link, 33.5);
  EXPECT_DOUBLE_EQ(back->thresholds.margin, 7.25);
  EXPECT_DOUBLE_EQ(back->match_prior, 0.07);
  EXPECT_EQ(ModelToJson(*back), ModelToJson(m));
}

TEST(ModelTest, BadJsonIsAnInvalidArgument) {
  const std::string good = ModelToJson(Default());
  struct Case {
    std::string json;
    const char* why;
  };
  std::string zero_m = good;
  zero_m.replace(zero_m.find("\"m\": 0.85"), 9, "\"m\": 0.0");
  std::string unknown = good;
  unknown.replace(unknown.find("\"exact\""), 7, "\"exakt\"");
  ModelParameters high_review = Default();
  high_review.thresholds.review = high_review.thresholds.auto_link + 1;
  const std::string inverted = ModelToJson(high_review);
  const Case cases[] = {{"{", "not JSON"},
                        {"{\"format\": \"other\"}", "wrong format"},
                        {zero_m, "probability 0"},
                        {unknown, "unknown level"},
                        {inverted, "review above auto_link"}};
  for (const Case& c : cases) {
    auto m = ModelFromJson(c.json);
    ASSERT_FALSE(m.has_value()) << c.why;
    EXPECT_EQ(m.error().code, core::Code::kInvalidArgument) << c.why;
    EXPECT_FALSE(m.error().message.empty());
  }
}

TEST(ModelTest, CommonFamilyNameEarnsLessThanARareOne) {
  const ModelParameters m = Default();
  NameFrequency freq;
  for (int i = 0; i < 300; ++i) freq.Add("佐藤");
  for (int i = 0; i < 200; ++i) freq.Add("鈴木");
  for (int i = 0; i < 500; ++i) freq.Add("姓" + std::to_string(i));
  freq.Add("勅使河原");
  EXPECT_EQ(freq.Count("佐藤"), 300);
  EXPECT_EQ(freq.Total(), 1001);
  const PersonKeys sato = MakeKeys({.name = "佐藤 太郎"});
  const PersonKeys rare = MakeKeys({.name = "勅使河原 太郎"});
  const double adj_sato = NameAdjustment(freq, sato, m.term_frequency);
  const double adj_rare = NameAdjustment(freq, rare, m.term_frequency);
  EXPECT_LT(adj_sato, 0);
  EXPECT_GT(adj_rare, 0);
  EXPECT_LE(adj_rare, m.term_frequency.max_bonus);
  ComparisonVector v = Compare(sato, sato);
  EXPECT_LT(TotalWeight(m, v, adj_sato), TotalWeight(m, v, adj_rare));
  // Only agreement is adjusted: a different name weighs the same either way.
  const ComparisonVector diff = Compare(sato, MakeKeys({.name = "鈴木 花子"}));
  EXPECT_DOUBLE_EQ(TotalWeight(m, diff, adj_sato), TotalWeight(m, diff, 0));
}

TEST(ModelTest, StoreCountsGiveTheSameAdjustment) {
  const ModelParameters m = Default();
  const TermFrequencyLimits& limits = m.term_frequency;
  // 佐藤 held by 1.87 % of a million patients: log2(0.0037 / 0.0187) ≈ -2.3.
  EXPECT_NEAR(TermFrequencyAdjustment(18'700, 1'000'000, limits), std::log2(0.0037 / 0.0187),
              1e-9);
  EXPECT_LT(TermFrequencyAdjustment(18'700, 1'000'000, limits), 0);
  // A name held by nobody counts as one holder, and the bonus is capped.
  EXPECT_DOUBLE_EQ(TermFrequencyAdjustment(0, 1'000'000, limits), limits.max_bonus);
  EXPECT_DOUBLE_EQ(TermFrequencyAdjustment(900'000, 1'000'000, limits),
                   std::max(-limits.max_penalty, std::log2(0.0037 / 0.9)));
  // A store too small to say how common a name is: no adjustment.
  EXPECT_EQ(TermFrequencyAdjustment(3, limits.min_patients - 1, limits), 0.0);

  // Whose family name is counted.
  const PersonKeys split_row = MakeKeys({.name = "佐藤 太郎"});
  const PersonKeys unsplit_row = MakeKeys({.name = "佐藤太郎"});
  const PersonKeys split_stored = MakeKeys({.name = "佐藤 太郎"});
  const PersonKeys unsplit_stored = MakeKeys({.name = "佐藤太郎"});
  EXPECT_EQ(FamilyNameForFrequency(unsplit_row, split_stored), "佐藤");
  EXPECT_EQ(FamilyNameForFrequency(split_row, unsplit_stored), "佐藤");
  EXPECT_EQ(FamilyNameForFrequency(unsplit_row, unsplit_stored), "");
  EXPECT_EQ(FamilyNameForFrequency(MakeKeys({.name = "鈴木 太郎"}), unsplit_stored), "");
  EXPECT_TRUE(NameAgreementAdjusted(Compare(split_row, unsplit_stored)));
  EXPECT_FALSE(NameAgreementAdjusted(Compare(split_row, MakeKeys({.name = "鈴木 花子"}))));
}

TEST(ModelTest, ScoreExplainsEveryField) {
  const ModelParameters m = Default();
  const PersonKeys a = MakeKeys({.name = "髙橋 太郎", .name_kana = "タカハシ タロウ",
                                 .birth_date = "1970-03-02", .sex = "男"});
  const PersonKeys b = MakeKeys({.name = "高橋 太郎", .name_kana = "タカハシ タロー",
                                 .birth_date = "1970-03-02", .sex = "男"});
  const ScoreResult r = Score(m, Compare(a, b), -1.5);
  ASSERT_EQ(r.fields.size(), kFieldCount);
  double sum = 0;
  for (const FieldContribution& c : r.fields) {
    sum += c.weight;
    EXPECT_FALSE(c.explanation_ja.empty());
    EXPECT_FALSE(c.explanation_en.empty());
  }
  EXPECT_NEAR(sum, r.total, 1e-9);
  EXPECT_NEAR(r.total, TotalWeight(m, Compare(a, b), -1.5), 1e-9);
  const std::string& name = r.fields[0].explanation_ja;
  EXPECT_EQ(name.rfind("氏名: 異体字を同一視して一致 (", 0), 0u) << name;
  EXPECT_NE(name.find("よくある姓 -1.5"), std::string::npos) << name;
  EXPECT_NE(r.fields[1].explanation_en.find("equal as pronounced"), std::string::npos);
  EXPECT_NE(r.fields[5].explanation_ja.find("片方なし (+0.0)"), std::string::npos);
}

// Pairs drawn from known m, u and match share must give them back.
TEST(EstimateTest, RecoversKnownParameters) {
  ModelParameters truth = Default();
  truth.match_prior = 0.25;
  for (Field f : kAllFields) {  // make each distribution sum to 1
    double sm = 0, su = 0;
    auto& levels = truth.fields[static_cast<size_t>(f)];
    for (size_t l = 0; l + 1 < levels.size(); ++l) {
      sm += levels[l].m;
      su += levels[l].u;
    }
    for (size_t l = 0; l + 1 < levels.size(); ++l) {
      levels[l].m /= sm;
      levels[l].u /= su;
    }
  }
  NoiseRng rng(7);
  const auto draw = [&](Field f, bool match) {
    const auto& levels = truth.fields[static_cast<size_t>(f)];
    double x = rng.Uniform();
    for (size_t l = 0; l + 1 < levels.size(); ++l) {
      x -= match ? levels[l].m : levels[l].u;
      if (x < 0) return static_cast<uint8_t>(l);
    }
    return static_cast<uint8_t>(levels.size() - 2);
  };
  std::vector<ComparisonVector> pairs(200000);
  for (ComparisonVector& v : pairs) {
    const bool match = rng.Chance(truth.match_prior);
    for (Field f : kAllFields) {
      // One pair in ten misses a field (weighs nothing, estimates nothing).
      const auto missing = static_cast<uint8_t>(DescribeField(f).levels.size() - 1);
      v.Set(f, rng.Chance(0.1) ? missing : draw(f, match));
    }
  }
  // Start from a blurred guess: every m and u pulled halfway to uniform.
  ModelParameters initial = truth;
  initial.match_prior = 0.1;
  for (Field f : kAllFields) {
    auto& levels = initial.fields[static_cast<size_t>(f)];
    const double flat = 1.0 / static_cast<double>(levels.size() - 1);
    for (auto& l : levels) {
      l.m = 0.5 * l.m + 0.5 * flat;
      l.u = 0.5 * l.u + 0.5 * flat;
    }
  }
  auto est = EstimateParameters(pairs, initial);
  ASSERT_TRUE(est.has_value()) << est.error().ToString();
  EXPECT_TRUE(est->converged);
  EXPECT_NEAR(est->parameters.match_prior, truth.match_prior, 0.01);
  for (Field f : kAllFields) {
    const auto& want = truth.fields[static_cast<size_t>(f)];
    const auto& got = est->parameters.fields[static_cast<size_t>(f)];
    for (size_t l = 0; l + 1 < want.size(); ++l) {
      EXPECT_NEAR(got[l].m, want[l].m, 0.015) << DescribeField(f).key << " level " << l;
      EXPECT_NEAR(got[l].u, want[l].u, 0.015) << DescribeField(f).key << " level " << l;
    }
  }
  EXPECT_DOUBLE_EQ(est->parameters.thresholds.auto_link, truth.thresholds.auto_link);
}

TEST(EstimateTest, EmptyInputIsAnError) {
  auto est = EstimateParameters(std::vector<ComparisonVector>{}, Default());
  ASSERT_FALSE(est.has_value());
  EXPECT_EQ(est.error().code, core::Code::kInvalidArgument);
}

TEST(ModelTest, KanjiNameAndKanaCountOnce) {
  const ModelParameters m = Default();
  RawPerson raw{.name = "佐藤 太郎", .name_kana = "サトウ タロウ", .birth_date = "1970-03-02",
                .sex = "男"};
  const PersonKeys a = MakeKeys(raw);
  const ComparisonVector both = Compare(a, a);
  RawPerson no_kana = raw;
  no_kana.name_kana.clear();
  const ComparisonVector kanji_only = Compare(MakeKeys(no_kana), a);
  // With both present only the stronger of the two name weights is added.
  const double name_w = m.Weight(Field::kKanjiName, both.Level(Field::kKanjiName));
  const double kana_w = m.Weight(Field::kKana, both.Level(Field::kKana));
  const double consistency = m.Weight(Field::kNameConsistency, both.Level(Field::kNameConsistency));
  EXPECT_NEAR(TotalWeight(m, both) - TotalWeight(m, kanji_only),
              std::max(name_w, kana_w) - name_w + consistency, 1e-9);
  const ScoreResult r = Score(m, both);
  EXPECT_NEAR(r.total, TotalWeight(m, both), 1e-9);
  int zero_name_fields = 0;
  for (const auto& f : r.fields) {
    if ((f.field == Field::kKanjiName || f.field == Field::kKana) && f.weight == 0) {
      ++zero_name_fields;
      EXPECT_NE(f.explanation_en.find("not added"), std::string::npos) << f.explanation_en;
    }
  }
  EXPECT_EQ(zero_name_fields, 1);
}

TEST(ModelTest, UFromRandomPairsFollowsThePopulation) {
  // 200 patients in two municipalities, ten family names, one birth date
  // shared by everyone: random pairs agree on birth date always, on the
  // municipality about half the time, and almost never on the phone.
  std::vector<PersonKeys> people;
  const char* families[] = {"佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"};
  for (int i = 0; i < 200; ++i) {
    RawPerson p{.name = std::string(families[i % 10]) + " 太郎" + std::to_string(i),
                .birth_date = "1970-03-02",
                .phone = "090-0000-" + std::to_string(1000 + i),
                .municipality_code = i % 2 ? "13101" : "13102",
                .address_rest = "本町1-1"};
    people.push_back(MakeKeys(p));
  }
  const ModelParameters initial = Default();
  RandomPairOptions options;
  options.pairs = 20000;
  options.seed = 42;
  auto est = EstimateUFromRandomPairs(people, initial, options);
  ASSERT_TRUE(est.has_value()) << est.error().ToString();
  const auto u = [&](Field f, auto level) { return est->At(f, static_cast<uint8_t>(level)).u; };
  EXPECT_GT(u(Field::kBirthDate, BirthLevel::kExact), 0.99);
  EXPECT_NEAR(u(Field::kAddress, AddressLevel::kSameTown), 0.5, 0.05);
  EXPECT_LT(u(Field::kPhone, PhoneLevel::kExact), 0.001);
  // m and the thresholds are untouched.
  EXPECT_DOUBLE_EQ(est->At(Field::kBirthDate, 0).m, initial.At(Field::kBirthDate, 0).m);
  EXPECT_DOUBLE_EQ(est->thresholds.auto_link, initial.thresholds.auto_link);
  // Deterministic for a seed.
  auto again = EstimateUFromRandomPairs(people, initial, options);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(ModelToJson(*again), ModelToJson(*est));
  // Too few patients is an invalid argument.
  auto none = EstimateUFromRandomPairs(std::span<const PersonKeys>(people.data(), 1), initial, options);
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code, core::Code::kInvalidArgument);
}

}  // namespace
}  // namespace ichigen::identity
