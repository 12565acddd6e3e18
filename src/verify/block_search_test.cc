// The weight test at scale: references kept as fingerprints (a sample of units on a sample
// of coordinates), the layer search screened, mixture-of-experts layers, vision towers and
// pruned widths. Random-weight models stand in for real ones; the shapes are small but
// the sampled and screened code paths are the ones a 7B pair takes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include <fmt/format.h>

#include "support/checkpoint_writer.h"
#include "support/example_paths.h"
#include "verify/pair_verdict.h"
#include "verify/unit_matching.h"

namespace kaif::verify {
namespace {

using kaif::testing::Tensors;
using kaif::testing::WriteModel;

constexpr size_t kDim = 128, kUnits = 256;

// Options that force the sampled, screened path on these small shapes.
VerifyOptions Sampled() {
  VerifyOptions o;
  o.fingerprint.units = 48;
  o.fingerprint.coordinates = 64;
  o.fingerprint.embedding_dims = 32;
  o.full_search_pairs = 0;
  o.screen_units = 16;
  return o;
}

std::vector<float> Gaussian(size_t n, float sd, std::mt19937& rng) {
  std::normal_distribution<float> g(0, sd);
  std::vector<float> v(n);
  for (float& x : v) x = g(rng);
  return v;
}

// A dense model: `layers` gated MLPs, norms, an embedding table.
Tensors Dense(int layers, std::mt19937& rng) {
  Tensors t;
  t["model.embed_tokens.weight"] = {{200, kDim}, Gaussian(200 * kDim, 0.02f, rng)};
  for (int l = 0; l < layers; ++l) {
    const std::string p = fmt::format("model.layers.{}.", l);
    t[p + "mlp.gate_proj.weight"] = {{kUnits, kDim}, Gaussian(kUnits * kDim, 0.02f, rng)};
    t[p + "mlp.up_proj.weight"] = {{kUnits, kDim}, Gaussian(kUnits * kDim, 0.02f, rng)};
  }
  return t;
}

// Every value moved by noise of `scale` times the tensor's spread.
void Perturb(Tensors& t, double scale, std::mt19937& rng) {
  for (auto& [name, tensor] : t) {
    double sd = 0;
    for (float x : tensor.second) sd += x * x;
    sd = std::sqrt(sd / static_cast<double>(tensor.second.size()));
    std::normal_distribution<float> noise(0, static_cast<float>(scale * sd));
    for (float& x : tensor.second) x += noise(rng);
  }
}

// Rows of a [rows x cols] matrix in a new order (out row i = in row order[i]).
std::vector<float> Reordered(const std::vector<float>& m, size_t cols, const std::vector<size_t>& order) {
  std::vector<float> out(order.size() * cols);
  for (size_t i = 0; i < order.size(); ++i) std::copy_n(m.begin() + static_cast<long>(order[i] * cols), cols, out.begin() + static_cast<long>(i * cols));
  return out;
}

std::vector<size_t> Shuffled(size_t n, std::mt19937& rng) {
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  return order;
}

PairVerdict Compare(const std::filesystem::path& candidate, const std::filesystem::path& reference,
                    const VerifyOptions& options = Sampled()) {
  auto c = CheckpointTensors::Open(candidate).value();
  auto r = CheckpointTensors::Open(reference).value();
  return ComparePair(*c, *r, options).value();
}

// Sampled reference units against all candidate units: for independent weights the
// matching's p-values are uniform; with the units permuted and trained a little, found.
TEST(BlockSearchTest, SampledMatchingIsCalibratedAndPowerful) {
  std::mt19937 rng(5);
  auto rows = [&](const std::vector<float>& gate, const std::vector<float>& up, const std::vector<size_t>& units) {
    UnitRows r;
    const auto coords = SampleCoordinates(kDim, 64);
    r.rows = units.size(), r.cols = coords.size();
    for (size_t u : units) {
      for (size_t c : coords) r.first.push_back(gate[u * kDim + c]), r.second.push_back(up[u * kDim + c]);
    }
    for (auto* v : {&r.first, &r.second}) {
      for (size_t i = 0; i < r.rows; ++i) {
        double n = 0;
        for (size_t c = 0; c < r.cols; ++c) n += (*v)[i * r.cols + c] * (*v)[i * r.cols + c];
        for (size_t c = 0; c < r.cols; ++c) (*v)[i * r.cols + c] /= static_cast<float>(std::sqrt(n));
      }
    }
    return r;
  };
  std::vector<size_t> all(kUnits);
  std::iota(all.begin(), all.end(), 0);
  std::vector<double> p;
  for (int pair = 0; pair < 200; ++pair) {
    const auto g1 = Gaussian(kUnits * kDim, 1, rng), u1 = Gaussian(kUnits * kDim, 1, rng);
    const auto g2 = Gaussian(kUnits * kDim, 1, rng), u2 = Gaussian(kUnits * kDim, 1, rng);
    const UnitAgreement t = RowsAgreement(rows(g1, u1, SampleIndices(kUnits, 48, 4)), rows(g2, u2, all)).value();
    p.push_back(std::exp(t.log_p));
  }
  std::sort(p.begin(), p.end());
  double ks = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    ks = std::max({ks, std::fabs(p[i] - static_cast<double>(i) / 200), std::fabs(p[i] - static_cast<double>(i + 1) / 200)});
  }
  EXPECT_LT(ks, 1.63 / std::sqrt(200.0));

  const auto gate = Gaussian(kUnits * kDim, 1, rng), up = Gaussian(kUnits * kDim, 1, rng);
  const auto order = Shuffled(kUnits, rng);
  auto tuned_gate = Reordered(gate, kDim, order), tuned_up = Reordered(up, kDim, order);
  for (auto* v : {&tuned_gate, &tuned_up}) {
    const auto noise = Gaussian(v->size(), 0.5f, rng);
    for (size_t i = 0; i < v->size(); ++i) (*v)[i] += noise[i];
  }
  const UnitAgreement t = RowsAgreement(rows(gate, up, SampleIndices(kUnits, 48, 4)), rows(tuned_gate, tuned_up, all)).value();
  EXPECT_LT(t.log_p / std::log(10.0), -20);
  for (size_t i = 0; i < t.gate_matching.size(); ++i) EXPECT_EQ(order[t.gate_matching[i]], SampleIndices(kUnits, 48, 4)[i]);
}

// Whole checkpoints through the screened search: independent pairs are called derived no
// more often than alpha (the search is Bonferroni-corrected, so p is conservative: its
// distribution may not lie above the uniform's), a derivative whose layers were
// reordered, units permuted and weights trained a little is found layer by layer.
TEST(BlockSearchTest, ScreenedLayerSearchKeepsTheLevelAndFindsReorderedLayers) {
  kaif::testing::ScratchDir dir("kaif-block-search");
  std::mt19937 rng(17);
  std::vector<double> p;
  size_t derived = 0;
  for (int pair = 0; pair < 100; ++pair) {
    PairVerdict v = Compare(WriteModel(dir.path() / "a", Dense(3, rng)), WriteModel(dir.path() / "b", Dense(3, rng)));
    derived += v.verdict == "derived";
    p.push_back(std::exp(v.log_p));
  }
  EXPECT_LE(derived, 2u);
  std::sort(p.begin(), p.end());
  double above = 0;  // how far the empirical CDF rises above the uniform's
  for (size_t i = 0; i < p.size(); ++i) above = std::max(above, static_cast<double>(i + 1) / 100 - p[i]);
  EXPECT_LT(above, 1.52 / std::sqrt(100.0));

  Tensors base = Dense(3, rng), tuned;
  const int source[] = {2, 0, 1};
  for (int l = 0; l < 3; ++l) {
    const auto order = Shuffled(kUnits, rng);
    for (const char* m : {"mlp.gate_proj.weight", "mlp.up_proj.weight"}) {
      const auto& from = base[fmt::format("model.layers.{}.{}", source[l], m)];
      tuned[fmt::format("model.layers.{}.{}", l, m)] = {from.first, Reordered(from.second, kDim, order)};
    }
  }
  tuned["model.embed_tokens.weight"] = {{200, kDim}, Gaussian(200 * kDim, 0.02f, rng)};  // a new table
  Perturb(tuned, 0.3, rng);
  PairVerdict v = Compare(WriteModel(dir.path() / "tuned", tuned), WriteModel(dir.path() / "base", base));
  EXPECT_EQ(v.verdict, "derived") << v.explanation;
  int found = 0;
  for (const Evidence& e : v.evidence) {
    if (e.test != "mlp_units") continue;
    EXPECT_EQ(e.reference_layer, source[e.tensor[5] - '0']) << e.tensor;
    EXPECT_LT(e.log_p / std::log(10.0), -10) << e.tensor;
    ++found;
  }
  EXPECT_EQ(found, 3);
  ASSERT_EQ(v.layer_log_p.size(), 3u);
  EXPECT_LT(v.layer_log_p[0][2], std::log(1e-10));
}

// Pruning: a candidate keeping 200 of each layer's 256 units is found (a fifth of the
// reference's sampled units have no counterpart left, so the evidence is weaker).
TEST(BlockSearchTest, APrunedWidthIsFound) {
  kaif::testing::ScratchDir dir("kaif-block-pruned");
  std::mt19937 rng(23);
  Tensors base = Dense(2, rng), pruned = base;
  for (int l = 0; l < 2; ++l) {
    std::vector<size_t> keep = Shuffled(kUnits, rng);
    keep.resize(200);
    for (const char* m : {"mlp.gate_proj.weight", "mlp.up_proj.weight"}) {
      auto& t = pruned[fmt::format("model.layers.{}.{}", l, m)];
      t = {{200, kDim}, Reordered(t.second, kDim, keep)};
    }
  }
  Perturb(pruned, 0.2, rng);
  PairVerdict v = Compare(WriteModel(dir.path() / "pruned", pruned), WriteModel(dir.path() / "base", base));
  EXPECT_EQ(v.verdict, "derived") << v.explanation;
  for (const Evidence& e : v.evidence) {
    if (e.test == "mlp_units") {
      EXPECT_LT(e.log_p / std::log(10.0), -6) << e.tensor;
    }
  }
}

// A mixture-of-experts layer (Qwen-MoE names): 4 experts, a router, a shared expert.
Tensors Moe(int layers, std::mt19937& rng) {
  Tensors t;
  for (int l = 0; l < layers; ++l) {
    const std::string p = fmt::format("model.layers.{}.mlp.", l);
    t[p + "gate.weight"] = {{4, kDim}, Gaussian(4 * kDim, 0.02f, rng)};
    for (int e = 0; e < 4; ++e) {
      for (const char* m : {"gate_proj", "up_proj"}) {
        t[fmt::format("{}experts.{}.{}.weight", p, e, m)] = {{kUnits, kDim}, Gaussian(kUnits * kDim, 0.02f, rng)};
      }
      t[fmt::format("{}experts.{}.down_proj.weight", p, e)] = {{kDim, kUnits}, Gaussian(kUnits * kDim, 0.02f, rng)};
    }
    for (const char* m : {"gate_proj", "up_proj"}) {
      t[fmt::format("{}shared_expert.{}.weight", p, m)] = {{kUnits, kDim}, Gaussian(kUnits * kDim, 0.02f, rng)};
    }
  }
  return t;
}

// Experts permuted within each layer (and their units), trained a little: each candidate
// expert is matched to the reference expert it came from.
TEST(BlockSearchTest, MixtureOfExpertsExpertsAreMatchedBeforeComparing) {
  kaif::testing::ScratchDir dir("kaif-block-moe");
  std::mt19937 rng(29);
  Tensors base = Moe(2, rng), tuned;
  std::vector<std::vector<size_t>> expert_order;
  for (int l = 0; l < 2; ++l) {
    const std::string p = fmt::format("model.layers.{}.mlp.", l);
    expert_order.push_back(Shuffled(4, rng));
    for (int e = 0; e < 4; ++e) {
      const auto units = Shuffled(kUnits, rng);
      const size_t from = expert_order[l][static_cast<size_t>(e)];
      for (const char* m : {"gate_proj", "up_proj"}) {
        const auto& src = base[fmt::format("{}experts.{}.{}.weight", p, from, m)];
        tuned[fmt::format("{}experts.{}.{}.weight", p, e, m)] = {src.first, Reordered(src.second, kDim, units)};
      }
      tuned[fmt::format("{}experts.{}.down_proj.weight", p, e)] = base[fmt::format("{}experts.{}.down_proj.weight", p, from)];
    }
    for (const char* m : {"gate.weight", "shared_expert.gate_proj.weight", "shared_expert.up_proj.weight"}) {
      tuned[p + m] = base[p + m];
    }
  }
  Perturb(tuned, 0.3, rng);
  PairVerdict v = Compare(WriteModel(dir.path() / "tuned", tuned), WriteModel(dir.path() / "base", base));
  EXPECT_EQ(v.verdict, "derived") << v.explanation;
  int experts = 0;
  for (const Evidence& e : v.evidence) {
    if (e.test != "mlp_units" || e.tensor.find("/moe.") == std::string::npos || e.tensor.find("shared") != std::string::npos) continue;
    const int layer = e.tensor[5] - '0', expert = e.tensor.back() - '0';
    const size_t from = expert_order[static_cast<size_t>(layer)][static_cast<size_t>(expert)];
    const std::string expected = fmt::format("text/{}/moe.{}", layer, from);
    EXPECT_EQ(e.reference_tensor.empty() ? e.tensor : e.reference_tensor, expected) << e.tensor;
    EXPECT_LT(e.log_p / std::log(10.0), -10) << e.tensor;
    ++experts;
  }
  EXPECT_EQ(experts, 8);

  PairVerdict independent = Compare(WriteModel(dir.path() / "other", Moe(2, rng)), dir.path() / "base");
  EXPECT_EQ(independent.verdict, "independent") << independent.explanation;
}

// The 2026 elimination: a new language model with another model's vision encoder, lightly
// trained. The vision component is derived, the text component independent, and the
// verdict says which.
TEST(BlockSearchTest, AReusedVisionEncoderIsFoundByComponent) {
  kaif::testing::ScratchDir dir("kaif-block-vision");
  std::mt19937 rng(31);
  auto vision = [&]() {
    Tensors t;
    for (int l = 0; l < 2; ++l) {
      const std::string p = fmt::format("vision_model.encoder.layers.{}.", l);
      t[p + "mlp.fc1.weight"] = {{kUnits, kDim}, Gaussian(kUnits * kDim, 0.02f, rng)};
      t[p + "mlp.fc2.weight"] = {{kDim, kUnits}, Gaussian(kUnits * kDim, 0.02f, rng)};
    }
    return t;
  };
  Tensors reference = Dense(2, rng), candidate = Dense(2, rng), encoder = vision();
  for (const auto& [name, t] : encoder) reference[name] = t;
  Tensors reused = encoder;
  for (int l = 0; l < 2; ++l) {  // the encoder's units permuted: fc1 rows and fc2 columns alike
    const auto order = Shuffled(kUnits, rng);
    const std::string p = fmt::format("vision_model.encoder.layers.{}.", l);
    auto& fc1 = reused[p + "mlp.fc1.weight"].second;
    fc1 = Reordered(fc1, kDim, order);
    auto& fc2 = reused[p + "mlp.fc2.weight"].second;
    std::vector<float> moved(fc2.size());
    for (size_t d = 0; d < kDim; ++d)
      for (size_t u = 0; u < kUnits; ++u) moved[d * kUnits + u] = fc2[d * kUnits + order[u]];
    fc2 = moved;
  }
  Perturb(reused, 0.3, rng);
  for (const auto& [name, t] : reused) candidate[name] = t;

  PairVerdict v = Compare(WriteModel(dir.path() / "candidate", candidate), WriteModel(dir.path() / "reference", reference));
  EXPECT_EQ(v.verdict, "derived") << v.explanation;
  EXPECT_NE(v.explanation.find("vision"), std::string::npos) << v.explanation;
  std::map<std::string, std::string> by_component;
  for (const ComponentVerdict& c : v.components) by_component[c.component] = c.verdict;
  EXPECT_EQ(by_component["vision"], "derived");
  EXPECT_EQ(by_component["text"], "independent");

  VerifyOptions text_only = Sampled();
  text_only.components = {"text"};
  EXPECT_EQ(Compare(dir.path() / "candidate", dir.path() / "reference", text_only).verdict, "independent");
}

}  // namespace
}  // namespace kaif::verify
