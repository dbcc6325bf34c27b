// Rng: the synthetic generator's only source of randomness, a fixed
// algorithm (xoshiro256**, seeded through splitmix64) so that the same seed
// gives the same bytes on every compiler and standard library;
// std::uniform_*_distribution is avoided because its output is allowed to
// differ between library versions. StreamSeed derives independent streams
// (per patient, per household, per row) from one seed, so any patient can be
// regenerated alone. AliasTable draws weighted choices in O(1) (Vose).
// Thread-safety: an Rng is one thread's; an AliasTable is immutable after
// construction and safe to share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ichigen::synth {

// splitmix64 finalizer: a bijective 64-bit mix.
uint64_t Mix64(uint64_t x);

// Seed of an independent stream named by (seed, stream, index).
uint64_t StreamSeed(uint64_t seed, uint64_t stream, uint64_t index = 0);

class Rng {
 public:
  explicit Rng(uint64_t seed);

  uint64_t Next();
  // Uniform in [0, 1) with 53 random bits.
  double Unit();
  // Uniform in [0, n); n > 0.
  uint64_t Below(uint64_t n);
  // Uniform in [lo, hi], inclusive.
  int Between(int lo, int hi);
  bool Chance(double probability);

  template <typename T>
  const T& Pick(std::span<const T> items) {
    return items[Below(items.size())];
  }

 private:
  uint64_t s_[4];
};

class AliasTable {
 public:
  AliasTable() = default;
  // Weights must be non-negative with a positive sum.
  explicit AliasTable(std::span<const double> weights);

  size_t Sample(Rng& rng) const;
  size_t size() const { return probability_.size(); }

 private:
  std::vector<double> probability_;
  std::vector<uint32_t> alias_;
};

}  // namespace ichigen::synth
