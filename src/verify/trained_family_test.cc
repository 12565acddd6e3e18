// The calibration family trained briefly (tests/data/verify/make_trained_family.py), so
// that the weights are not pure noise: trained weights share structure that random ones
// lack (the same data, the same optimiser), and a test calibrated on noise alone could
// call independently trained models derived. 21 independently trained models give 210
// independent pairs; a fine-tune of one of them, with or without its units permuted, is
// found at every layer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "verify/pair_verdict.h"

namespace kaif::verify {
namespace {

std::filesystem::path Family() {
  return std::filesystem::path(KAIF_SOURCE_DIR) / "tests" / "data" / "verify" / "trained";
}

TEST(TrainedFamilyTest, IndependentlyTrainedPairsAreCalibrated) {
  std::vector<std::unique_ptr<CheckpointTensors>> models;
  std::vector<Fingerprint> prints;
  for (int i = 0; i < 21; ++i) {
    models.push_back(CheckpointTensors::Open(Family() / fmt::format("base_{:02d}", i)).value());
    prints.push_back(TakeFingerprint(*models.back()).value());
  }
  const VerifyOptions options;
  std::vector<double> p;
  size_t derived = 0;
  for (size_t i = 0; i < models.size(); ++i) {
    std::vector<const Fingerprint*> later;
    for (size_t j = i + 1; j < models.size(); ++j) later.push_back(&prints[j]);
    if (later.empty()) continue;
    std::vector<PairVerdict> pairs = CompareWeights(*models[i], later, options).value();
    for (size_t k = 0; k < pairs.size(); ++k) {
      Decide(pairs[k], options, models[i]->by_key().size(), later[k]->tensors.size());
      derived += pairs[k].verdict == "derived";
      EXPECT_EQ(pairs[k].copied_tensors, 0u);
      p.push_back(std::exp(pairs[k].log_p));
    }
  }
  ASSERT_EQ(p.size(), 210u);
  EXPECT_LE(derived, 2u);
  std::sort(p.begin(), p.end());
  double ks = 0;
  const double n = static_cast<double>(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    ks = std::max({ks, std::fabs(p[i] - static_cast<double>(i) / n), std::fabs(p[i] - static_cast<double>(i + 1) / n)});
  }
  EXPECT_LT(ks, 1.63 / std::sqrt(n));
}

TEST(TrainedFamilyTest, AFineTuneIsFoundAtEveryLayer) {
  auto base = CheckpointTensors::Open(Family() / "base_00").value();
  auto other = CheckpointTensors::Open(Family() / "base_01").value();
  for (const char* name : {"tuned_00", "tuned_00_permuted"}) {
    auto tuned = CheckpointTensors::Open(Family() / name).value();
    PairVerdict v = ComparePair(*tuned, *base, VerifyOptions{}).value();
    EXPECT_EQ(v.verdict, "derived") << name << ": " << v.explanation;
    int layers = 0;
    for (const Evidence& e : v.evidence) {
      if (e.test != "mlp_units") continue;
      EXPECT_EQ(e.reference_layer, e.tensor[5] - '0') << name << " " << e.tensor;
      EXPECT_LT(e.log_p / std::log(10.0), -6) << name << " " << e.tensor;
      ++layers;
    }
    EXPECT_EQ(layers, 2) << name;
    EXPECT_EQ(ComparePair(*tuned, *other, VerifyOptions{}).value().verdict, "independent") << name;
  }
}

}  // namespace
}  // namespace kaif::verify
