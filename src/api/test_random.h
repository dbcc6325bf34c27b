// Tests only: a deterministic Random for servers under test (session ids,
// CSRF tokens and API tokens differ per call but are the same every run).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "api/random.h"

namespace ichigen::api {

class CountingRandom final : public Random {
 public:
  std::string Bytes(size_t n) override {
    std::lock_guard lock(mu_);
    std::string out(n, '\0');
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>((counter_ * 131 + i * 7 + 3) & 0xff);
    ++counter_;
    return out;
  }

 private:
  std::mutex mu_;
  uint64_t counter_ = 1;
};

}  // namespace ichigen::api
