#include "verify/assignment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

namespace kaif::verify {
namespace {

double Total(const std::vector<float>& score, size_t n, const std::vector<size_t>& column) {
  double total = 0;
  for (size_t i = 0; i < n; ++i) total += score[i * n + column[i]];
  return total;
}

TEST(AssignmentTest, OptimalAgainstEveryPermutation) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> value(-1, 1);
  for (size_t n = 1; n <= 7; ++n) {
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<float> score(n * n);
      for (float& s : score) s = value(rng);
      Result<std::vector<size_t>> got = MaximumAssignment(score, n);
      ASSERT_TRUE(got.ok());
      std::vector<size_t> perm(n);
      std::iota(perm.begin(), perm.end(), 0);
      double best = -1e30;
      do best = std::max(best, Total(score, n, perm));
      while (std::next_permutation(perm.begin(), perm.end()));
      EXPECT_NEAR(Total(score, n, *got), best, 1e-5) << "n = " << n;
      std::vector<size_t> sorted = *got;
      std::sort(sorted.begin(), sorted.end());
      for (size_t i = 0; i < n; ++i) EXPECT_EQ(sorted[i], i);  // a permutation
    }
  }
}

TEST(AssignmentTest, RecoversAHiddenPermutationOfNoisyCopies) {
  // Rows of B are A's rows permuted plus noise; the matching finds the permutation.
  const size_t n = 300;
  std::mt19937 rng(5);
  std::vector<size_t> hidden(n);
  std::iota(hidden.begin(), hidden.end(), 0);
  std::shuffle(hidden.begin(), hidden.end(), rng);
  std::normal_distribution<float> noise(0, 0.1f);
  std::vector<float> score(n * n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) score[i * n + j] = (hidden[i] == j ? 1.0f : 0.0f) + noise(rng);
  }
  EXPECT_EQ(MaximumAssignment(score, n).value(), hidden);
  EXPECT_FALSE(MaximumAssignment({1, 2, 3}, 2).ok());
  EXPECT_FALSE(MaximumAssignment({1, NAN, 3, 4}, 2).ok());
}

TEST(AssignmentTest, MoreColumnsThanRows) {
  // Three rows, five columns: the best distinct columns, not each row's favourite.
  const std::vector<float> score = {0.9f, 0.8f, 0.0f, 0.0f, 0.0f,  //
                                    0.9f, 0.1f, 0.0f, 0.0f, 0.0f,  //
                                    0.0f, 0.0f, 0.0f, 0.0f, 0.5f};
  auto m = MaximumAssignment(score, 3, 5).value();
  EXPECT_EQ(m, (std::vector<size_t>{1, 0, 4}));
  EXPECT_FALSE(MaximumAssignment(score, 5, 3).ok());
}

}  // namespace
}  // namespace kaif::verify
