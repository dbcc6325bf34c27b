// Sha256: streaming SHA-256 over OpenSSL's EVP interface, for batch file
// hashes, row content hashes and the audit chain. Not thread-safe: one
// hasher per thread; the free function is safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace ichigen::core {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes);
  // Lower-case hex digest; the hasher is reset afterwards.
  std::string HexDigest();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string Sha256Hex(std::string_view bytes);

}  // namespace ichigen::core
