#include "arena/resample.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

namespace kaif::arena {
namespace {

double LogPmf(int64_t n, double p, int64_t k) {
  const double nd = static_cast<double>(n), kd = static_cast<double>(k);
  return std::lgamma(nd + 1) - std::lgamma(kd + 1) - std::lgamma(nd - kd + 1) + kd * std::log(p) + (nd - kd) * std::log1p(-p);
}

// Pearson's chi-squared against the exact probabilities, over cells with an expected
// count of at least 5 (the rest pooled): both samplers (inversion and rejection), both
// sides of p = 1/2.
TEST(ResampleTest, BinomialMatchesItsDistribution) {
  Random rng(11);
  for (auto [n, p] : {std::pair<int64_t, double>{20, 0.1}, {50, 0.5}, {1000, 0.03}, {1000000, 0.0005}, {300, 0.9}, {40, 0.99}}) {
    const int draws = 200000;
    std::vector<double> counts(static_cast<size_t>(n) + 1, 0);
    double mean = 0;
    for (int i = 0; i < draws; ++i) {
      const int64_t k = Binomial(n, p, rng);
      ASSERT_GE(k, 0);
      ASSERT_LE(k, n);
      counts[static_cast<size_t>(k)] += 1;
      mean += static_cast<double>(k);
    }
    EXPECT_NEAR(mean / draws, static_cast<double>(n) * p, 5 * std::sqrt(n * p * (1 - p) / draws) + 1e-12) << n << " " << p;
    double chi2 = 0, pooled_seen = 0, pooled_expected = 0;
    int cells = 0;
    for (int64_t k = 0; k <= n; ++k) {
      const double expected = draws * std::exp(LogPmf(n, p, k));
      if (expected < 5) {
        pooled_seen += counts[static_cast<size_t>(k)], pooled_expected += expected;
        continue;
      }
      chi2 += (counts[static_cast<size_t>(k)] - expected) * (counts[static_cast<size_t>(k)] - expected) / expected;
      ++cells;
    }
    if (pooled_expected >= 5) chi2 += (pooled_seen - pooled_expected) * (pooled_seen - pooled_expected) / pooled_expected, ++cells;
    // Far above the 99.99th percentile of chi-squared with `cells` - 1 degrees of freedom means wrong.
    const double dof = cells - 1;
    EXPECT_LT(chi2, dof + 6 * std::sqrt(2 * dof) + 20) << "n " << n << " p " << p << " cells " << cells;
  }
  EXPECT_EQ(Binomial(0, 0.3, rng), 0);
  EXPECT_EQ(Binomial(7, 0, rng), 0);
  EXPECT_EQ(Binomial(7, 1, rng), 7);
}

TEST(ResampleTest, MultinomialKeepsTheTotalAndTheShares) {
  Random rng(5);
  const std::vector<double> weight = {500, 0, 300, 150, 50};
  std::vector<double> sum(weight.size(), 0);
  for (int round = 0; round < 2000; ++round) {
    const std::vector<double> c = Multinomial(weight, 1000, rng);
    EXPECT_EQ(std::accumulate(c.begin(), c.end(), 0.0), 1000);
    EXPECT_EQ(c[1], 0);
    for (size_t i = 0; i < c.size(); ++i) sum[i] += c[i];
  }
  for (size_t i = 0; i < weight.size(); ++i) EXPECT_NEAR(sum[i] / 2000, weight[i], 2) << i;
}

}  // namespace
}  // namespace kaif::arena
