// Random: the injectable source of secrets (session ids, CSRF tokens, API
// tokens, generated passwords), so tests can be hermetic. SodiumRandom draws
// from libsodium's CSPRNG. Thread-safety: implementations are thread-safe.
#pragma once

#include <cstddef>
#include <string>

namespace ichigen::api {

class Random {
 public:
  virtual ~Random() = default;
  virtual std::string Bytes(size_t n) = 0;
};

class SodiumRandom final : public Random {
 public:
  SodiumRandom();
  std::string Bytes(size_t n) override;
};

// n random bytes as lower-case hex (2n characters).
std::string RandomHex(Random& random, size_t n);

}  // namespace ichigen::api
