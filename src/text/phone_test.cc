#include "text/phone.h"

#include <gtest/gtest.h>

#include <string>

namespace ichigen::text {
namespace {

struct PhoneCase {
  const char* raw;
  const char* key;
  PhoneType type;
  bool valid;
};

class NormalizePhoneTest : public ::testing::TestWithParam<PhoneCase> {};

TEST_P(NormalizePhoneTest, Normalizes) {
  const PhoneCase& c = GetParam();
  const NormalizedPhone p = NormalizePhone(c.raw);
  EXPECT_EQ(p.key, c.key) << c.raw;
  EXPECT_EQ(PhoneTypeName(p.type), PhoneTypeName(c.type)) << c.raw;
  EXPECT_EQ(p.valid, c.valid) << c.raw << ": " << p.reason;
  EXPECT_EQ(p.reason.empty(), c.valid) << c.raw;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, NormalizePhoneTest,
    ::testing::Values(
        PhoneCase{"090-1234-5678", "09012345678", PhoneType::kMobile, true},
        PhoneCase{"09012345678", "09012345678", PhoneType::kMobile, true},
        PhoneCase{"０９０－１２３４－５６７８", "09012345678", PhoneType::kMobile, true},
        PhoneCase{"090ー1234ー5678", "09012345678", PhoneType::kMobile, true},
        PhoneCase{"(090)1234-5678", "09012345678", PhoneType::kMobile, true},
        PhoneCase{"080 1234 5678", "08012345678", PhoneType::kMobile, true},
        PhoneCase{"070-1234-5678", "07012345678", PhoneType::kMobile, true},
        PhoneCase{"060-1234-5678", "06012345678", PhoneType::kMobile, true},
        PhoneCase{"+81-90-1234-5678", "09012345678", PhoneType::kMobile, true},
        PhoneCase{"+81 (0)90 1234 5678", "09012345678", PhoneType::kMobile, true},
        PhoneCase{"＋８１９０１２３４５６７８", "09012345678", PhoneType::kMobile, true},
        PhoneCase{"81-90-1234-5678", "09012345678", PhoneType::kMobile, true},
        PhoneCase{"81-3-1234-5678", "0312345678", PhoneType::kFixed, true},
        PhoneCase{"050-1234-5678", "05012345678", PhoneType::kIp, true},
        PhoneCase{"03-1234-5678", "0312345678", PhoneType::kFixed, true},
        PhoneCase{"03(1234)5678", "0312345678", PhoneType::kFixed, true},
        PhoneCase{"0276-12-3456", "0276123456", PhoneType::kFixed, true},
        PhoneCase{"０２７（２２３）１１１１", "0272231111", PhoneType::kFixed, true},
        PhoneCase{"027-223-1111 内線1234", "0272231111", PhoneType::kFixed, true},
        PhoneCase{"027-223-1111(内線 1234)", "0272231111", PhoneType::kFixed, true},
        PhoneCase{"027-223-1111 ext.12", "0272231111", PhoneType::kFixed, true},
        PhoneCase{"TEL:03-1234-5678", "0312345678", PhoneType::kFixed, true},
        PhoneCase{"携帯 090-1234-5678（本人）", "09012345678", PhoneType::kMobile, true},
        PhoneCase{"0120-123-456", "0120123456", PhoneType::kTollFree, true},
        PhoneCase{"0800-123-4567", "08001234567", PhoneType::kTollFree, true},
        PhoneCase{"9012345678", "09012345678", PhoneType::kMobile, true},
        PhoneCase{"312345678", "0312345678", PhoneType::kFixed, true},
        // Invalid, with a reason.
        PhoneCase{"", "", PhoneType::kUnknown, false},
        PhoneCase{"不明", "", PhoneType::kUnknown, false},
        PhoneCase{"090-1234-567", "0901234567", PhoneType::kMobile, false},
        PhoneCase{"090-1234-56789", "090123456789", PhoneType::kMobile, false},
        PhoneCase{"03-1234-567", "031234567", PhoneType::kFixed, false},
        PhoneCase{"050-123-4567", "0501234567", PhoneType::kIp, false},
        PhoneCase{"0120-123-4567", "01201234567", PhoneType::kTollFree, false},
        PhoneCase{"0570-123-456", "0570123456", PhoneType::kUnknown, false},
        PhoneCase{"+1-212-555-1234", "+12125551234", PhoneType::kUnknown, false},
        PhoneCase{"1234", "1234", PhoneType::kUnknown, false}));

TEST(NormalizePhone, ExtensionIsKeptAside) {
  const NormalizedPhone p = NormalizePhone("027-223-1111 内線1234");
  EXPECT_EQ(p.extension, "1234");
  EXPECT_EQ(NormalizePhone("027-223-1111").extension, "");
}

TEST(NormalizePhone, MultipleNumbersKeepTheFirst) {
  const NormalizedPhone p = NormalizePhone("090-1234-5678／03-1234-5678");
  EXPECT_EQ(p.key, "09012345678");
  EXPECT_TRUE(p.multiple);
  EXPECT_TRUE(p.valid);
  EXPECT_FALSE(NormalizePhone("090-1234-5678").multiple);
  // Two numbers with only a space between them, or a word.
  for (const char* two : {"090-1234-5678 03-1234-5678", "090 1234 5678　0312345678",
                          "09012345678 または 0312345678", "03-1234-5678(自宅) 090-1234-5678"}) {
    const NormalizedPhone q = NormalizePhone(two);
    EXPECT_TRUE(q.multiple) << two;
    EXPECT_TRUE(q.valid) << two;
    EXPECT_TRUE(q.key == "09012345678" || q.key == "0312345678") << two << " -> " << q.key;
  }
  // Digit groups separated by spaces are one number; an extension is not a second one.
  EXPECT_FALSE(NormalizePhone("090 1234 5678").multiple);
  EXPECT_FALSE(NormalizePhone("027-223-1111 内線1234").multiple);
}

TEST(NormalizePhone, LeadingZeroRestoredIsFlagged) {
  EXPECT_TRUE(NormalizePhone("9012345678").leading_zero_restored);
  EXPECT_FALSE(NormalizePhone("09012345678").leading_zero_restored);
}

TEST(NormalizePhone, ReasonsAreJapanese) {
  EXPECT_NE(NormalizePhone("090-1234-567").reason.find("11桁"), std::string::npos);
  EXPECT_NE(NormalizePhone("03-1234-567").reason.find("10桁"), std::string::npos);
  EXPECT_NE(NormalizePhone("").reason.find("ありません"), std::string::npos);
}

TEST(PhoneFrequency, CountsAndShares) {
  PhoneFrequency freq;
  for (int i = 0; i < 5; ++i) freq.Add("0272231111");
  freq.Add("09012345678");
  freq.Add("");
  EXPECT_EQ(freq.Count("0272231111"), 5);
  EXPECT_EQ(freq.Count("09012345678"), 1);
  EXPECT_EQ(freq.Count("0000"), 0);
  EXPECT_EQ(freq.Count(""), 0);
  EXPECT_TRUE(freq.IsShared("0272231111"));
  EXPECT_FALSE(freq.IsShared("0272231111", 5));
  EXPECT_FALSE(freq.IsShared("09012345678"));
}

}  // namespace
}  // namespace ichigen::text
