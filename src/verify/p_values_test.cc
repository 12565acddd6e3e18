#include "verify/p_values.h"

#include <gtest/gtest.h>

#include <cmath>

namespace kaif::verify {
namespace {

// Reference values from scipy.stats 1.10 (t.logsf, chi2.logsf, combine_pvalues, spearmanr).
TEST(PValuesTest, TailsMatchScipyAndDoNotUnderflow) {
  EXPECT_NEAR(LogStudentTUpperTail(2, 10), -3.305141551232453, 1e-10);
  EXPECT_NEAR(LogStudentTUpperTail(50, 1000), -630.586713106949, 1e-8);
  EXPECT_NEAR(LogStudentTUpperTail(-1, 5), -0.2004147362303076, 1e-10);
  EXPECT_NEAR(LogStudentTUpperTail(0.5, 3), -1.1217049359318676, 1e-10);
  // scipy says -inf here; mpmath at 50 digits says -12204.230986276506.
  EXPECT_NEAR(LogStudentTUpperTail(300, 11006), -12204.230986276506, 1e-6);

  EXPECT_NEAR(LogChiSquaredEvenUpperTail(10, 3), -2.0822292679157215, 1e-12);
  EXPECT_NEAR(LogChiSquaredEvenUpperTail(2000, 100), -675.1623043733719, 1e-9);
  EXPECT_NEAR(LogChiSquaredEvenUpperTail(0.5, 1), -0.25, 1e-15);
  EXPECT_NEAR(FisherCombine({std::log(0.01), std::log(0.2), std::log(0.5)}), -3.449349401041043, 1e-12);
  // Combining p-values far below the smallest double.
  EXPECT_TRUE(std::isfinite(FisherCombine({-5000, -7000, -0.1})));
  EXPECT_LT(FisherCombine({-5000, -7000, -0.1}), -11000);
}

TEST(PValuesTest, SpearmanWithTiesAndItsPValue) {
  EXPECT_NEAR(SpearmanRho({1, 2, 2, 3, 5, 4, 7}, {2, 1, 3, 3, 6, 5, 4}), 0.8090909090909091, 1e-12);
  EXPECT_NEAR(LogRankCorrelationPValue(0.3, 100), -6.71476852208695, 1e-9);
  EXPECT_EQ(LogRankCorrelationPValue(1.0, 100), -INFINITY);
  EXPECT_EQ(LogRankCorrelationPValue(0.9, 2), 0);
}

TEST(PValuesTest, NormalTailInLogSpace) {
  // mpmath at 30 digits: ln(erfc(z / sqrt 2) / 2).
  for (auto [z, want] : {std::pair{1.96, -3.688963651729639}, {5.0, -15.06499839398873}, {24.9, -314.1404127616132},
                         {25.1, -319.1483874058886}, {40.0, -804.6084420137538}, {100.0, -5005.524208694205}}) {
    EXPECT_NEAR(LogNormalUpperTail(z), want, std::fabs(want) * 1e-7) << z;
  }
}

}  // namespace
}  // namespace kaif::verify
