// bench_address: resolves 1,000,000 generated noisy addresses (see
// geo/address_noise.h) single-threaded and prints one JSON line with the
// rate and the accuracy. Generation is outside the timed loop.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "geo/address.h"
#include "geo/address_noise.h"

int main(int argc, char** argv) {
  using ichigen::geo::AddressResolver;
  using ichigen::geo::Confidence;
  const int count = argc > 1 ? std::atoi(argv[1]) : 1000000;
  auto registry = ichigen::geo::Registry::Load();
  if (!registry) {
    std::fprintf(stderr, "%s\n", registry.error().ToString().c_str());
    return 1;
  }
  auto resolver = AddressResolver::Create(**registry);
  auto fold = ichigen::geo::KanjiFold::Load();
  if (!resolver || !fold) {
    std::fprintf(stderr, "cannot load geo tables\n");
    return 1;
  }
  const auto set = ichigen::geo::GenerateNoisyAddresses(**registry, *fold, count);
  long right = 0;
  long uncertain = 0;
  long wrong_confident = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& a : set) {
    const ichigen::geo::Residence r = (*resolver)->Resolve(a.address);
    const bool is_right = r.municipality != nullptr && r.municipality->code6 == a.expected_code6;
    if (is_right && !a.expect_uncertain) {
      ++right;
    } else if (r.confidence <= Confidence::kLow) {
      ++uncertain;
    } else {
      ++wrong_confident;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "{\"benchmark\":\"address_resolution\",\"addresses\":%d,\"seconds\":%.3f,"
      "\"addresses_per_s\":%.0f,\"accuracy\":%.5f,\"uncertain\":%.5f,\"wrong_confident\":%ld}\n",
      count, seconds, count / seconds, static_cast<double>(right) / count,
      static_cast<double>(uncertain) / count, wrong_confident);
  return 0;
}
