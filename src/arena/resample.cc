#include "arena/resample.h"

#include <cmath>
#include <numeric>

namespace kaif::arena {
namespace {

// ln k! - [(k + 1/2) ln(k + 1) - (k + 1) + ln(2 pi) / 2]: Stirling's error, by series for k >= 10.
double StirlingError(double k) {
  if (k < 10) return std::lgamma(k + 1) - ((k + 0.5) * std::log(k + 1) - (k + 1) + 0.9189385332046727);
  const double k1 = k + 1, k1sq = k1 * k1;
  return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / k1sq) / k1sq) / k1;
}

// Inversion: walk the probabilities up from 0 (mean below 10, so few steps).
int64_t BinomialInversion(int64_t n, double p, Random& rng) {
  const double q = 1 - p, s = p / q, a = (static_cast<double>(n) + 1) * s;
  for (;;) {
    double r = std::pow(q, static_cast<double>(n)), u = rng.Uniform();
    int64_t x = 0;
    while (u > r) {
      u -= r;
      ++x;
      if (x > n) break;  // rounding left u above the total: draw again
      r *= a / static_cast<double>(x) - s;
    }
    if (x <= n) return x;
  }
}

// Hörmann (1993), "The generation of binomial random variates", algorithm BTRS; n p >= 10, p <= 1/2.
int64_t BinomialRejection(int64_t n, double p, Random& rng) {
  const double nd = static_cast<double>(n);
  const double spq = std::sqrt(nd * p * (1 - p));
  const double b = 1.15 + 2.53 * spq, a = -0.0873 + 0.0248 * b + 0.01 * p, c = nd * p + 0.5;
  const double v_r = 0.92 - 4.2 / b, r = p / (1 - p), alpha = (2.83 + 5.1 / b) * spq;
  const double m = std::floor((nd + 1) * p);
  for (;;) {
    const double u = rng.Uniform() - 0.5;
    double v = rng.Uniform();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2 * a / us + b) * u + c);
    if (k < 0 || k > nd) continue;
    if (us >= 0.07 && v <= v_r) return static_cast<int64_t>(k);
    v = std::log(v * alpha / (a / (us * us) + b));
    const double bound = (m + 0.5) * std::log((m + 1) / (r * (nd - m + 1))) +
                         (nd + 1) * std::log((nd - m + 1) / (nd - k + 1)) +
                         (k + 0.5) * std::log(r * (nd - k + 1) / (k + 1)) + StirlingError(m) + StirlingError(nd - m) -
                         StirlingError(k) - StirlingError(nd - k);
    if (v <= bound) return static_cast<int64_t>(k);
  }
}

}  // namespace

uint64_t Random::Next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

int64_t Binomial(int64_t n, double p, Random& rng) {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - Binomial(n, 1 - p, rng);
  return static_cast<double>(n) * p < 10 ? BinomialInversion(n, p, rng) : BinomialRejection(n, p, rng);
}

std::vector<double> Multinomial(const std::vector<double>& weight, int64_t total, Random& rng) {
  std::vector<double> out(weight.size(), 0);
  double mass_left = std::accumulate(weight.begin(), weight.end(), 0.0);
  int64_t remaining = total;
  for (size_t i = 0; i < weight.size() && remaining > 0; ++i) {
    // Category i's share of what is left, given the draws so far.
    const int64_t c = i + 1 == weight.size() || weight[i] >= mass_left
                          ? remaining
                          : Binomial(remaining, weight[i] / mass_left, rng);
    out[i] = static_cast<double>(c);
    remaining -= c;
    mass_left -= weight[i];
  }
  return out;
}

}  // namespace kaif::arena
