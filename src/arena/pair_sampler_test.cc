#include "arena/pair_sampler.h"

#include <gtest/gtest.h>

#include <random>

namespace kaif::arena {
namespace {

TEST(PairSamplerTest, UniformGivesEveryPairAndSideItsShare) {
  const std::vector<std::string> models = {"a", "b", "c", "d"};
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  std::map<std::pair<std::string, std::string>, int> seen;
  const int n = 60000;
  for (int i = 0; i < n; ++i) ++seen[ChoosePair(PairSampling::kUniform, models, {}, u(rng), u(rng))];
  EXPECT_EQ(seen.size(), 12u);  // 6 pairs, both orders
  for (const auto& [pair, count] : seen) {
    EXPECT_NE(pair.first, pair.second);
    EXPECT_NEAR(count, n / 12.0, 5 * std::sqrt(n / 12.0)) << pair.first << " " << pair.second;
  }
}

TEST(PairSamplerTest, UncertaintyFavoursPairsWithFewBattles) {
  const std::vector<std::string> models = {"a", "b", "c"};
  PairCounts counts = {{{"a", "b"}, 99}, {{"a", "c"}, 0}, {{"b", "c"}, 0}};
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  int ab = 0;
  const int n = 30000;
  for (int i = 0; i < n; ++i) {
    auto [x, y] = ChoosePair(PairSampling::kUncertainty, models, counts, u(rng), u(rng));
    ab += (x == "a" && y == "b") || (x == "b" && y == "a");
  }
  // Weights 1/10, 1, 1: a-b has probability 0.1 / 2.1.
  EXPECT_NEAR(ab / static_cast<double>(n), 0.1 / 2.1, 0.01);
  EXPECT_NE(SamplingRule(PairSampling::kUncertainty, true).find("1 / sqrt"), std::string::npos);
}

}  // namespace
}  // namespace kaif::arena
