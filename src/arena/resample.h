// Bootstrap resampling: how many times each distinct result appears when N battles are
// drawn with replacement (a multinomial), by a chain of conditional binomials. The
// binomial sampler is Hörmann's transformed rejection with squeeze (BTRS) for large means
// and inversion for small ones: exact, and without the per-draw setup of the standard
// library's (which dominated a 1,000-round bootstrap of a million battles).
#pragma once

#include <cstdint>
#include <vector>

namespace kaif::arena {

// A small, fast generator (SplitMix64): 64 bits per call; Uniform() in [0, 1).
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

// A draw from Binomial(n, p).
int64_t Binomial(int64_t n, double p, Random& rng);

// Counts for each category when `total` items are drawn with probabilities proportional
// to `weight` (whose sum is `total` for a bootstrap of counts).
std::vector<double> Multinomial(const std::vector<double>& weight, int64_t total, Random& rng);

}  // namespace kaif::arena
