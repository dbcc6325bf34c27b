#include "identity/noise.h"

#include <gtest/gtest.h>

#include "identity/compare.h"

namespace ichigen::identity {
namespace {

RawPerson Person() {
  return {.name = "髙橋 優子",
          .name_kana = "タカハシ ユウコ",
          .birth_date = "1960-05-07",
          .sex = "女",
          .phone = "090-1234-5678",
          .municipality_code = "13101",
          .address_rest = "緑ケ丘3丁目4-5"};
}

// What each noise kind must leave for matching to find: the comparison
// level the noisy copy gets against the original.
TEST(NoiseTest, EachKindGivesTheLevelMatchingExpects) {
  RawPerson base = Person();
  base.name = "高橋 優子";
  const PersonKeys original = MakeKeys(base);
  NoiseRng rng(42);
  for (int trial = 0; trial < 20; ++trial) {
    for (size_t k = 0; k < kNoiseKindCount; ++k) {
      const auto kind = static_cast<NoiseKind>(k);
      auto noisy = ApplyNoise(kind, base, rng);
      if (kind == NoiseKind::kBirthSwap) {
        ASSERT_TRUE(noisy.has_value()) << NoiseKindName(kind);
      }
      if (!noisy) continue;
      const ComparisonVector v = Compare(MakeKeys(*noisy), original);
      switch (kind) {
        case NoiseKind::kKanjiVariant: EXPECT_EQ(v.name(), NameLevel::kVariantFold); break;
        case NoiseKind::kKanaVariant: EXPECT_LE(v.kana(), KanaLevel::kPhonetic); break;
        case NoiseKind::kNameTypo:
          EXPECT_TRUE(v.name() == NameLevel::kEdit1 || v.name() == NameLevel::kConfusable)
              << noisy->name;
          break;
        case NoiseKind::kKanaTypo: EXPECT_EQ(v.kana(), KanaLevel::kEdit1) << noisy->name_kana; break;
        case NoiseKind::kNameNoSpace: EXPECT_EQ(v.name(), NameLevel::kExact); break;
        case NoiseKind::kBirthSwap: EXPECT_EQ(v.birth(), BirthLevel::kDayMonthSwap); break;
        case NoiseKind::kBirthDigit: EXPECT_EQ(v.birth(), BirthLevel::kOneDigit) << noisy->birth_date; break;
        case NoiseKind::kBirthEra: EXPECT_EQ(v.birth(), BirthLevel::kEraMixup) << noisy->birth_date; break;
        case NoiseKind::kPhoneFormat: EXPECT_EQ(v.phone(), PhoneLevel::kExact) << noisy->phone; break;
        case NoiseKind::kAddressFormat:
          EXPECT_EQ(v.address(), AddressLevel::kSameTown) << noisy->address_rest;
          break;
        case NoiseKind::kKanaMissing: EXPECT_EQ(v.kana(), KanaLevel::kMissing); break;
        case NoiseKind::kPhoneMissing: EXPECT_EQ(v.phone(), PhoneLevel::kMissing); break;
        case NoiseKind::kAddressMissing: EXPECT_EQ(v.address(), AddressLevel::kMissing); break;
        case NoiseKind::kSexMissing: EXPECT_EQ(v.sex(), SexLevel::kMissing); break;
      }
    }
  }
}

TEST(NoiseTest, InapplicableKindsSayNo) {
  NoiseRng rng(1);
  RawPerson p = Person();
  p.birth_date = "1960-05-20";  // day above 12: no swap possible
  EXPECT_FALSE(ApplyNoise(NoiseKind::kBirthSwap, p, rng).has_value());
  p.name = "山田 一";  // no kanji with a listed variant
  EXPECT_FALSE(ApplyNoise(NoiseKind::kKanjiVariant, p, rng).has_value());
  p.phone.clear();
  EXPECT_FALSE(ApplyNoise(NoiseKind::kPhoneFormat, p, rng).has_value());
  EXPECT_FALSE(ApplyNoise(NoiseKind::kPhoneMissing, p, rng).has_value());
}

TEST(NoiseTest, SameSeedSameNoise) {
  NoiseRng a(99), b(99);
  for (int i = 0; i < 50; ++i) {
    auto x = ApplyNoise(NoiseKind::kNameTypo, Person(), a);
    auto y = ApplyNoise(NoiseKind::kNameTypo, Person(), b);
    ASSERT_EQ(x.has_value(), y.has_value());
    if (x) {
      EXPECT_EQ(x->name, y->name);
    }
  }
}

}  // namespace
}  // namespace ichigen::identity
