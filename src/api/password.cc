#include "api/password.h"
#include "text/normalize.h"

#include <sodium.h>

namespace ichigen::api {

namespace {


}  // namespace

PasswordParams PasswordParams::Interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

PasswordParams PasswordParams::Minimum() {
  return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

core::Result<std::string> HashPassword(std::string_view password, const PasswordParams& params) {
  if (sodium_init() < 0) {
    return core::Fail(core::Code::kInternal, "暗号ライブラリを初期化できません",
                      "libsodium initialisation failed");
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params.opslimit,
                            params.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return core::Fail(core::Code::kResourceExhausted, "パスワードのハッシュ化に失敗しました（メモリ不足）",
                      "password hashing failed (out of memory)");
  }
  return std::string(out);
}

bool VerifyPassword(const std::string& hash, std::string_view password) {
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

core::Status CheckPasswordPolicy(std::string_view password, std::string_view login) {
  if (!text::IsValidUtf8(password)) {
    return core::Fail(core::Code::kInvalidArgument, "パスワードに不正な文字が含まれています",
                      "the password is not valid UTF-8");
  }
  if (password.size() < kMinPasswordLength) {
    return core::Fail(core::Code::kInvalidArgument,
                      "パスワードは " + std::to_string(kMinPasswordLength) + " 文字以上にしてください",
                      "the password must have at least " + std::to_string(kMinPasswordLength) +
                          " characters");
  }
  if (password.size() > kMaxPasswordLength) {
    return core::Fail(core::Code::kInvalidArgument, "パスワードが長すぎます",
                      "the password is too long");
  }
  if (password == login) {
    return core::Fail(core::Code::kInvalidArgument, "ログイン名と同じパスワードは使えません",
                      "the password must differ from the login");
  }
  return core::Ok();
}

std::string GeneratePassword(Random& random) {
  static constexpr std::string_view kAlphabet =
      "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string out;
  while (out.size() < 16) {
    for (unsigned char c : random.Bytes(32)) {
      // Rejection sampling keeps the distribution uniform.
      if (c >= 256 / kAlphabet.size() * kAlphabet.size()) continue;
      out += kAlphabet[c % kAlphabet.size()];
      if (out.size() == 16) break;
    }
  }
  return out;
}

}  // namespace ichigen::api
