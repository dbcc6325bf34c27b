#include "geo/address.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace ichigen::geo {
namespace {

struct Fixture {
  std::unique_ptr<Registry> registry;
  std::unique_ptr<AddressResolver> resolver;
};

const Fixture& Get() {
  static const Fixture fixture = [] {
    Fixture f;
    auto registry = Registry::Load();
    EXPECT_TRUE(registry.has_value());
    f.registry = std::move(*registry);
    auto resolver = AddressResolver::Create(*f.registry);
    EXPECT_TRUE(resolver.has_value());
    f.resolver = std::move(*resolver);
    return f;
  }();
  return fixture;
}

bool HasFlag(const Residence& r, std::string_view flag) {
  return std::find(r.flags.begin(), r.flags.end(), flag) != r.flags.end();
}

std::string Flags(const Residence& r) {
  std::string out;
  for (const std::string& f : r.flags) out += f + " ";
  return out;
}

struct Case {
  std::string_view address;
  std::string_view code6;       // expected municipality, empty for none
  Confidence confidence;
  std::string_view flag = {};   // a flag that must be present
  std::string_view rest = "-";  // expected rest, "-" for "not checked"
  std::string_view given_code = {};
  std::string_view postal = {};
};

void Check(const Case& c) {
  const Residence r = Get().resolver->Resolve(c.address, c.given_code, c.postal);
  SCOPED_TRACE(std::string(c.address) + " code=" + std::string(c.given_code) + " flags=" + Flags(r));
  if (c.code6.empty()) {
    EXPECT_EQ(r.municipality, nullptr) << r.municipality->full_name;
  } else {
    ASSERT_NE(r.municipality, nullptr);
    EXPECT_EQ(r.municipality->code6, c.code6) << r.municipality->full_name;
  }
  EXPECT_EQ(r.confidence, c.confidence) << ConfidenceName(r.confidence);
  if (!c.flag.empty()) {
    EXPECT_TRUE(HasFlag(r, c.flag)) << c.flag;
  }
  if (c.rest != "-") {
    EXPECT_EQ(r.rest, c.rest);
  }
}

TEST(AddressResolverTest, WrittenForms) {
  const Case cases[] = {
      {"東京都千代田区霞が関1-2-2", "131016", Confidence::kHigh, {}, "霞が関1-2-2"},
      {"東京都千代田区霞ヶ関一丁目二番二号", "131016", Confidence::kHigh, {}, "霞ヶ関1-2-2"},
      {"東京都 千代田区　霞が関 １－２－２", "131016", Confidence::kHigh, {}, "霞が関1-2-2"},
      {"〒100-8916 東京都千代田区霞が関1-2-2", "131016", Confidence::kHigh, {}, "霞が関1-2-2"},
      {"千代田区霞が関1‐2‐2", "131016", Confidence::kMedium, "prefecture_inferred"},
      {"東京港区芝公園4-2-8", "131032", Confidence::kHigh},
      {"神奈川県横浜市中区本町6丁目50番地の10", "141046", Confidence::kHigh, {}, "本町6-50-10"},
      {"横浜市中区本町6-50-10", "141046", Confidence::kMedium, "prefecture_inferred"},
      {"神奈川県中区本町6-50-10", "141046", Confidence::kMedium, "city_inferred"},
      {"神奈川県南区", "", Confidence::kLow, "ambiguous_municipality"},  // 横浜市 and 相模原市
      {"中区本町6-50-10", "", Confidence::kLow, "ambiguous_municipality"},
      {"中央区銀座1-1", "", Confidence::kLow, "ambiguous_municipality"},
      {"北区", "", Confidence::kLow, "ambiguous_municipality"},
      {"府中市宮西町2-24", "", Confidence::kLow, "ambiguous_municipality"},
      {"伊達市", "", Confidence::kLow, "ambiguous_municipality"},
      {"東京都府中市宮西町2-24", "132063", Confidence::kHigh},
      {"広島県府中市府川町315", "342084", Confidence::kHigh},
      {"大和町", "044211", Confidence::kMedium, "prefecture_inferred"},  // only 宮城県 has one
      {"北海道虻田郡洞爺湖町栄町58", "015849", Confidence::kHigh, "gun_skipped", "栄町58"},
      {"虻田郡洞爺湖町栄町58", "015849", Confidence::kMedium, "gun_skipped"},
      {"奈良県大和郡山市北郡山町248-4", "292036", Confidence::kHigh},  // 郡 inside a city name
      {"福島県郡山市朝日1-23-7", "072036", Confidence::kHigh},
      {"埼玉県鶴ケ島市三ツ木新町1-1-1", "112411", Confidence::kHigh},
      {"鶴ヶ島市三ツ木新町1-1-1", "112411", Confidence::kMedium},
      {"鶴が島市", "112411", Confidence::kMedium},
      {"茨城県竜ヶ崎市3710", "082082", Confidence::kHigh},  // 龍ケ崎市, 竜 and ヶ written
      {"千葉県袖ヶ浦市坂戸市場1-1", "122297", Confidence::kHigh},
      {"東京都東村山市本町1-2-3", "132136", Confidence::kHigh},  // not 東村 (沖縄)
      {"京都市中京区寺町通御池上る上本能寺前町488", "261041", Confidence::kMedium},
      {"京都府京都市中京区寺町通御池上る", "261041", Confidence::kHigh},
      {"千葉市川市八幡1-1-1", "", Confidence::kLow, "two_readings"},
      {"横浜市", "141003", Confidence::kMedium, "ward_missing"},
      {"東京都横浜市中区", "141046", Confidence::kLow, "prefecture_mismatch"},
      {"東京都", "", Confidence::kLow, "municipality_not_found"},
      {"どこか遠く", "", Confidence::kNone, "not_found"},
      {"", "", Confidence::kNone, "not_found"},
      {"静岡県浜松市中央区元城町103-2", "221384", Confidence::kHigh},
      {"静岡県浜松市中区元城町103-2", "221384", Confidence::kHigh, "retired_name"},
      {"静岡県浜松市天竜区二俣町", "221406", Confidence::kHigh},
      {"静岡県浜松市北区細江町", "221392", Confidence::kLow, "split_municipality"},
      {"静岡県中央区", "221384", Confidence::kMedium, "city_inferred"},  // only Hamamatsu's
      {"静岡県浜松市浜名区", "221392", Confidence::kHigh},
      {"北海道上ノ国町", "013625", Confidence::kHigh},
      {"北海道上の国町", "013625", Confidence::kHigh},
      {"青森県鰺ヶ沢町", "023213", Confidence::kHigh},
      {"青森県鯵ケ沢町", "023213", Confidence::kHigh},
  };
  for (const Case& c : cases) Check(c);
}

TEST(AddressResolverTest, GivenCodeAndPostalCode) {
  const Case cases[] = {
      // An ambiguous name decided by the code or the postal code.
      {"府中市宮西町2-24", "132063", Confidence::kMedium, "decided_by_code", "-", "132063"},
      {"府中市宮西町2-24", "132063", Confidence::kMedium, "decided_by_code", "-", "13206"},
      {"府中市宮西町2-24", "342084", Confidence::kMedium, "decided_by_postal_code", "-", {}, "726-0005"},
      {"〒183-0055 府中市宮西町2-24", "132063", Confidence::kMedium, "decided_by_postal_code"},
      {"伊達市", "", Confidence::kLow, "code_disagrees", "-", "131016"},
      // The code agrees.
      {"東京都千代田区霞が関1-2-2", "131016", Confidence::kHigh, {}, "-", "131016"},
      {"神奈川県横浜市中区本町", "141046", Confidence::kHigh, "code_is_city", "-", "141003"},
      {"神奈川県横浜市本町", "141046", Confidence::kMedium, "ward_from_code", "-", "141046"},
      // A hotel in another city: the written address wins when it is sure.
      {"東京都千代田区霞が関1-2-2", "131016", Confidence::kHigh, "address_wins", "-", "141046"},
      {"千代田区霞が関1-2-2", "131016", Confidence::kLow, "needs_review", "-", "141046"},
      // Nothing in the address: the code is used, with a flag.
      {"住所不定", "141046", Confidence::kMedium, "municipality_from_code", "-", "141046"},
      {"東京都", "", Confidence::kLow, "code_disagrees", "-", "141046"},
      // Old Hamamatsu codes still resolve.
      {"静岡県浜松市中央区元城町", "221384", Confidence::kHigh, "code_retired", "-", "221317"},
      {"住所不定", "221384", Confidence::kMedium, "code_retired", "-", "22131"},
      {"住所不定", "221392", Confidence::kLow, "municipality_from_code", "-", "22135"},
      {"静岡県浜松市中央区三方原町", "221384", Confidence::kHigh, "code_retired", "-", "221350"},
      // Bad codes are flagged and ignored.
      {"東京都千代田区", "131016", Confidence::kHigh, "code_invalid", "-", "131017"},
      {"東京都千代田区", "131016", Confidence::kHigh, "code_invalid", "-", "abc"},
      // A postal code from another prefecture lowers confidence.
      {"東京都千代田区", "131016", Confidence::kMedium, "postal_code_disagrees", "-", {}, "231-0005"},
  };
  for (const Case& c : cases) Check(c);
}

TEST(AddressResolverTest, NormalizedAddressAndHealthCenter) {
  const Residence r = Get().resolver->Resolve("横浜市 中区 本町 六丁目 五十番地 の 十");
  ASSERT_NE(r.municipality, nullptr);
  EXPECT_EQ(r.normalized, "神奈川県横浜市中区本町6-50-10");
  EXPECT_EQ(r.prefecture->name, "神奈川県");
  EXPECT_EQ(r.municipality->health_center, "横浜市");
  const Residence amb = Get().resolver->Resolve("府中市");
  EXPECT_EQ(amb.candidates.size(), 2u);
}

TEST(AddressResolverTest, GarbageIsSafe) {
  const std::string inputs[] = {std::string("\xFF\xFE\x00\x80", 4), std::string(5000, 'x'),
                                "東京都" + std::string(3000, '1'), "〒", "〒123", "-----"};
  for (const std::string& in : inputs) {
    const Residence r = Get().resolver->Resolve(in, "\xFF", "\xE3");
    EXPECT_LE(r.confidence, Confidence::kLow);
  }
}

// Every ward of all 20 designated cities, read from the data, with and
// without its city (and without the prefecture).
TEST(AddressResolverTest, EveryDesignatedCityWard) {
  const Registry& registry = *Get().registry;
  int cities = 0;
  int wards = 0;
  for (const Municipality& city : registry.municipalities()) {
    if (!city.is_designated_city) continue;
    ++cities;
    const std::string pref = registry.FindPrefecture(city.prefecture_code)->name;
    // How many current wards of the prefecture share each ward name.
    for (const Municipality* ward : registry.WardsOf(city)) {
      if (ward->retired()) continue;
      ++wards;
      SCOPED_TRACE(ward->full_name);
      const Residence with_city = Get().resolver->Resolve(pref + city.name + ward->name + "1-2-3");
      ASSERT_NE(with_city.municipality, nullptr);
      EXPECT_EQ(with_city.municipality->code6, ward->code6);
      EXPECT_EQ(with_city.confidence, Confidence::kHigh);
      EXPECT_EQ(with_city.rest, "1-2-3");
      const Residence no_pref = Get().resolver->Resolve(city.name + ward->name + "1-2-3");
      ASSERT_NE(no_pref.municipality, nullptr);
      EXPECT_EQ(no_pref.municipality->code6, ward->code6);
      EXPECT_EQ(no_pref.confidence, Confidence::kMedium);

      int same_name = 0;
      for (const Municipality* m : registry.InPrefecture(city.prefecture_code)) {
        if (!m->retired() && m->name == ward->name) ++same_name;
      }
      const Residence alone = Get().resolver->Resolve(pref + ward->name + "1-2-3");
      if (same_name == 1) {
        ASSERT_NE(alone.municipality, nullptr);
        EXPECT_EQ(alone.municipality->code6, ward->code6);
        EXPECT_EQ(alone.confidence, Confidence::kMedium);
        EXPECT_TRUE(HasFlag(alone, "city_inferred"));
      } else {
        EXPECT_EQ(alone.municipality, nullptr);
        EXPECT_EQ(alone.confidence, Confidence::kLow);
        EXPECT_NE(std::find(alone.candidates.begin(), alone.candidates.end(), ward),
                  alone.candidates.end());
      }
    }
  }
  EXPECT_EQ(cities, 20);
  EXPECT_EQ(wards, 175 - 7 + 3);  // localgovjp's wards, Hamamatsu's seven → three
}

}  // namespace
}  // namespace ichigen::geo
