// Passwords: argon2id (libsodium crypto_pwhash_str_alg with
// crypto_pwhash_ALG_ARGON2ID13) at the interactive limits by default; tests
// pass lower limits. The encoded hash carries its own parameters, so a hash
// made with other limits still verifies. Also the password policy and the
// generator of initial passwords. Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "api/random.h"
#include "core/result.h"

namespace ichigen::api {

struct PasswordParams {
  unsigned long long opslimit;
  size_t memlimit;
  static PasswordParams Interactive();  // crypto_pwhash_*_INTERACTIVE
  static PasswordParams Minimum();      // for tests only
};

core::Result<std::string> HashPassword(std::string_view password, const PasswordParams& params);
bool VerifyPassword(const std::string& hash, std::string_view password);

inline constexpr size_t kMinPasswordLength = 10;
inline constexpr size_t kMaxPasswordLength = 256;
// kInvalidArgument (with the reason in Japanese) when too short, too long,
// equal to the login, or not valid UTF-8.
core::Status CheckPasswordPolicy(std::string_view password, std::string_view login);

// 16 characters from an alphabet without look-alikes (no 0/O, 1/l/I).
std::string GeneratePassword(Random& random);

}  // namespace ichigen::api
