#include "api/random.h"

#include <sodium.h>

namespace ichigen::api {

SodiumRandom::SodiumRandom() {
  // Safe to call more than once; a failure leaves randombytes on its default source.
  if (sodium_init() < 0) return;
}

std::string SodiumRandom::Bytes(size_t n) {
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

std::string RandomHex(Random& random, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::string bytes = random.Bytes(n);
  std::string out;
  out.reserve(2 * n);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace ichigen::api
