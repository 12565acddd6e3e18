#include "verify/unit_matching.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace kaif::verify {
namespace {

constexpr size_t kUnits = 96, kDim = 48;

std::vector<float> Random(std::mt19937& rng, float scale = 0.05f) {
  std::normal_distribution<float> d(0, scale);
  std::vector<float> m(kUnits * kDim);
  for (float& x : m) x = d(rng);
  return m;
}

// Both views of every unit, rows scaled to unit length.
UnitRows Rows(const std::vector<float>& gate, const std::vector<float>& up) {
  UnitRows r{gate, up, kUnits, kDim};
  for (auto* v : {&r.first, &r.second}) {
    for (size_t i = 0; i < kUnits; ++i) {
      double n = 0;
      for (size_t k = 0; k < kDim; ++k) n += (*v)[i * kDim + k] * (*v)[i * kDim + k];
      for (size_t k = 0; k < kDim; ++k) (*v)[i * kDim + k] /= static_cast<float>(std::sqrt(n));
    }
  }
  return r;
}

// Rows permuted by `order`, plus noise (a fine-tune).
std::vector<float> Derived(const std::vector<float>& m, const std::vector<size_t>& order, std::mt19937& rng,
                           float noise) {
  std::normal_distribution<float> d(0, noise);
  std::vector<float> out(m.size());
  for (size_t i = 0; i < kUnits; ++i) {
    for (size_t k = 0; k < kDim; ++k) out[i * kDim + k] = m[order[i] * kDim + k] + d(rng);
  }
  return out;
}

// Under the null the p-values are uniform: no more false positives than alpha allows, and
// a Kolmogorov-Smirnov distance within the 1% critical value.
TEST(UnitMatchingTest, IndependentModelsGiveUniformPValues) {
  std::mt19937 rng(17);
  std::vector<double> p;
  for (int pair = 0; pair < 200; ++pair) {
    auto a_gate = Random(rng), a_up = Random(rng), b_gate = Random(rng), b_up = Random(rng);
    UnitAgreement t = RowsAgreement(Rows(b_gate, b_up), Rows(a_gate, a_up)).value();
    p.push_back(std::exp(t.log_p));
  }
  const size_t false_positives = static_cast<size_t>(std::count_if(p.begin(), p.end(), [](double x) { return x < 0.01; }));
  EXPECT_LE(false_positives, 2u);  // 1% of 200
  std::sort(p.begin(), p.end());
  double ks = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    const double n = static_cast<double>(p.size());
    ks = std::max({ks, std::fabs(p[i] - static_cast<double>(i) / n), std::fabs(p[i] - static_cast<double>(i + 1) / n)});
  }
  EXPECT_LT(ks, 1.63 / std::sqrt(200.0));  // Kolmogorov-Smirnov at alpha = 0.01
}

TEST(UnitMatchingTest, DerivedModelsAreFoundEvenWithPermutedUnits) {
  std::mt19937 rng(23);
  auto gate = Random(rng), up = Random(rng);
  std::vector<size_t> order(kUnits);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  // A fine-tune whose units were also permuted: noise at half the weights' scale.
  UnitAgreement t =
      RowsAgreement(Rows(gate, up), Rows(Derived(gate, order, rng, 0.025f), Derived(up, order, rng, 0.025f))).value();
  EXPECT_GT(t.rho, 0.9);
  EXPECT_LT(t.log_p / std::log(10.0), -20);
  for (size_t j = 0; j < kUnits; ++j) EXPECT_EQ(order[t.gate_matching[j]], j);  // reference unit j found
  UnitRows narrow = Rows(gate, up);
  narrow.cols = kDim - 1;
  EXPECT_FALSE(RowsAgreement(narrow, Rows(gate, up)).ok());
}

}  // namespace
}  // namespace kaif::verify
