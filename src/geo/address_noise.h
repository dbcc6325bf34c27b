// Noisy address generator: deterministic synthetic addresses over every
// current municipality and ward of the registry, written the ways clerks
// and patients write them (prefecture missing, a 郡 inserted before a town
// or village, a ward without its city, full-width digits, kanji numerals,
// 丁目/番地/号 and hyphen variants, ヶ/ケ/が/ヵ swaps, old kanji forms,
// spaces anywhere). Used by geo_test's accuracy test and bench_address;
// the same seed gives the same addresses on every platform (own PRNG, no
// std distributions). Only a share `ambiguous_share` of the addresses is
// deliberately made ambiguous (a name shared by several municipalities,
// written without what would tell them apart); those are marked
// `expect_uncertain`, the rest keep enough to decide.
// Thread-safety: pure function of its arguments.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "geo/address_text.h"
#include "geo/registry.h"

namespace ichigen::geo {

struct NoisyAddress {
  std::string address;
  std::string expected_code6;
  bool expect_uncertain = false;  // deliberately ambiguous: must not be confident
  std::string noise;              // the noise kinds applied, comma-separated
};

struct NoiseOptions {
  uint64_t seed = 20240101;
  double ambiguous_share = 0.002;
};

std::vector<NoisyAddress> GenerateNoisyAddresses(const Registry& registry, const KanjiFold& fold,
                                                 int count, NoiseOptions options = {});

}  // namespace ichigen::geo
