#include "api/password.h"

#include <gtest/gtest.h>

namespace ichigen::api {
namespace {

TEST(PasswordTest, HashesWithArgon2idAndVerifies) {
  auto hash = HashPassword("correct horse", PasswordParams::Minimum());
  ASSERT_TRUE(hash.has_value());
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifyPassword(*hash, "correct horse"));
  EXPECT_FALSE(VerifyPassword(*hash, "correct horsE"));
  EXPECT_FALSE(VerifyPassword("", "x"));
  EXPECT_FALSE(VerifyPassword("$argon2id$garbage", "x"));
  EXPECT_NE(*HashPassword("correct horse", PasswordParams::Minimum()), *hash);  // salted
}

TEST(PasswordTest, PolicyRefusesWeakPasswords) {
  EXPECT_EQ(CheckPasswordPolicy("short", "u").error().code, core::Code::kInvalidArgument);
  EXPECT_FALSE(CheckPasswordPolicy("operator01", "operator01").has_value());
  EXPECT_FALSE(CheckPasswordPolicy(std::string("abcdefghij\xff"), "u").has_value());
  EXPECT_FALSE(CheckPasswordPolicy(std::string(300, 'a'), "u").has_value());
  EXPECT_TRUE(CheckPasswordPolicy("パスワードは十文字以上", "u").has_value());
}

class FixedRandom final : public Random {
 public:
  std::string Bytes(size_t n) override { return std::string(n, static_cast<char>(200)); }
};

TEST(PasswordTest, GeneratedPasswordsAvoidLookAlikes) {
  SodiumRandom random;
  const std::string a = GeneratePassword(random);
  EXPECT_EQ(a.size(), 16u);
  EXPECT_NE(a, GeneratePassword(random));
  EXPECT_EQ(a.find_first_of("0O1lI"), std::string::npos);
  FixedRandom fixed;
  EXPECT_EQ(RandomHex(fixed, 2), "c8c8");
}

}  // namespace
}  // namespace ichigen::api
