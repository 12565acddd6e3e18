#include "verify/pair_verdict.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "support/checkpoint_writer.h"
#include "support/example_paths.h"
#include "support/model_fixtures.h"

namespace kaif::verify {
namespace {

using kaif::testing::Tensors;
using kaif::testing::WriteModel;

Tensors Load(const std::filesystem::path& model) {
  auto c = tensor::SafetensorsCheckpoint::Open(model).value();
  Tensors out;
  for (const tensor::TensorView* t : c->tensors()) out[t->name] = {t->shape, Values(*t).value()};
  return out;
}

PairVerdict Compare(const std::filesystem::path& candidate, const std::filesystem::path& reference) {
  auto c = CheckpointTensors::Open(candidate).value();
  auto r = CheckpointTensors::Open(reference).value();
  return ComparePair(*c, *r, VerifyOptions{}).value();
}

// A fine-tune: every matrix moved by noise of `scale` times its own spread, the MLP units of
// each layer permuted (gate and up rows, down columns), norms perturbed.
Tensors FineTune(Tensors t, double scale, std::mt19937& rng) {
  for (auto& [name, tensor] : t) {
    auto& v = tensor.second;
    double sd = 0;
    for (float x : v) sd += x * x;
    sd = std::sqrt(sd / static_cast<double>(v.size()));
    std::normal_distribution<float> noise(0, static_cast<float>(scale * (sd > 0 ? sd : 1)));
    for (float& x : v) x += noise(rng);
  }
  for (int layer = 0; layer < 2; ++layer) {
    const std::string p = "model.layers." + std::to_string(layer) + ".mlp.";
    std::vector<size_t> order(128);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    for (const char* m : {"gate_proj.weight", "up_proj.weight"}) {
      auto& v = t[p + m].second;
      std::vector<float> copy = v;
      for (size_t i = 0; i < 128; ++i) std::copy_n(copy.begin() + static_cast<long>(order[i] * 64), 64, v.begin() + static_cast<long>(i * 64));
    }
  }
  return t;
}

TEST(PairVerdictTest, IndependentFixturesAreIndependent) {
  const auto models = kaif::testing::ModelFixtures();
  for (const char* other : {"llama2", "mistral", "qwen2"}) {
    PairVerdict v = Compare(models / "llama3", models / other);
    EXPECT_EQ(v.verdict, "independent") << other << ": " << v.explanation;
    EXPECT_EQ(v.copied_tensors, 0u);
    EXPECT_GT(v.informative_tests, 0u);
  }
}

TEST(PairVerdictTest, CopiesFineTunesAndUpscalingAreDerived) {
  const auto models = kaif::testing::ModelFixtures();
  kaif::testing::ScratchDir dir("kaif-verify");
  PairVerdict same = Compare(models / "llama3", models / "llama3");
  EXPECT_EQ(same.verdict, "derived");
  EXPECT_GT(same.copied_tensors, 10u);

  std::mt19937 rng(9);
  Tensors base = Load(models / "llama3");
  PairVerdict tuned = Compare(WriteModel(dir.path() / "tuned", FineTune(base, 0.3, rng)), models / "llama3");
  EXPECT_EQ(tuned.verdict, "derived") << tuned.explanation;
  EXPECT_EQ(tuned.copied_tensors, 0u);
  EXPECT_LT(tuned.log_p / std::log(10.0), -10);

  // Depth up-scaling: layers 0, 1, 0, 1 of a fine-tune; each is found at its source layer.
  Tensors tuned_base = FineTune(base, 0.2, rng), up;
  for (const auto& [name, t] : tuned_base) {
    if (name.find("layers.") == std::string::npos) {
      up[name] = t;
      continue;
    }
    for (int copy = 0; copy < 2; ++copy) {
      std::string renamed = name;
      const size_t at = renamed.find("layers.") + 7;
      const int layer = renamed[at] - '0';
      renamed[at] = static_cast<char>('0' + layer + 2 * copy);
      up[renamed] = t;
    }
  }
  PairVerdict upscaled = Compare(WriteModel(dir.path() / "upscaled", up), models / "llama3");
  EXPECT_EQ(upscaled.verdict, "derived");
  int found = 0;
  for (const Evidence& e : upscaled.evidence) {
    if (e.test != "mlp_units") continue;
    const int layer = e.tensor[5] - '0';
    EXPECT_EQ(e.reference_layer, layer % 2) << e.tensor;
    ++found;
  }
  EXPECT_EQ(found, 4);
}

// One reused component inside an otherwise new model: the embedding table of another
// model, lightly trained. With its hidden dimensions permuted as well, the weight tests
// do not claim it: a permutation-robust embedding test is not calibrated on trained
// models (TrainedFamilyTest), and the activation test needs the whole model reused.
TEST(PairVerdictTest, AReusedEmbeddingTableIsFound) {
  const auto models = kaif::testing::ModelFixtures();
  kaif::testing::ScratchDir dir("kaif-verify-embed");
  const std::vector<float> source = Load(models / "llama3").at("model.embed_tokens.weight").second;
  std::mt19937 rng(12);
  std::vector<size_t> order(64);
  std::iota(order.begin(), order.end(), 0);
  for (bool permuted : {false, true}) {
    if (permuted) std::shuffle(order.begin(), order.end(), rng);
    Tensors candidate = Load(models / "llama2");
    std::normal_distribution<float> noise(0, 0.005f);
    auto& embed = candidate["model.embed_tokens.weight"].second;
    for (size_t t = 0; t < 256; ++t) {
      for (size_t h = 0; h < 64; ++h) embed[t * 64 + h] = source[t * 64 + order[h]] + noise(rng);
    }
    PairVerdict v = Compare(WriteModel(dir.path() / "reuse", candidate), models / "llama3");
    EXPECT_EQ(v.verdict, permuted ? "independent" : "derived") << v.explanation;
    bool found = false;
    for (const Evidence& e : v.evidence) found = found || (e.test == "embedding_dims" && e.log_p < std::log(1e-6));
    EXPECT_EQ(found, !permuted);
  }
}

// Continued pretraining with a changed vocabulary: every token at a new id, 64 new tokens
// with new rows, the weights trained on. Embedding rows are aligned by token string.
TEST(PairVerdictTest, AChangedVocabularyIsAlignedByTokenString) {
  const auto models = kaif::testing::ModelFixtures();
  kaif::testing::ScratchDir dir("kaif-verify-vocab");
  std::mt19937 rng(41);
  const auto reference = dir.path() / "reference";
  std::filesystem::create_directories(reference);
  std::filesystem::copy_file(models / "llama3" / "model.safetensors", reference / "model.safetensors");
  std::filesystem::copy_file(models / "bytes" / "tokenizer.json", reference / "tokenizer.json");

  nlohmann::json tokenizer = nlohmann::json::parse(std::ifstream(models / "bytes" / "tokenizer.json"));
  nlohmann::json vocab = nlohmann::json::object();
  for (const auto& [text, id] : tokenizer["model"]["vocab"].items()) vocab[text] = 255 - id.get<int>();
  for (int i = 0; i < 64; ++i) vocab["new" + std::to_string(i)] = 256 + i;
  tokenizer["model"]["vocab"] = vocab;
  Tensors tuned = FineTune(Load(models / "llama3"), 0.2, rng);
  std::normal_distribution<float> fresh(0, 0.02f);
  for (const char* name : {"model.embed_tokens.weight", "lm_head.weight"}) {
    auto& [shape, values] = tuned[name];
    std::vector<float> moved(320 * 64);
    for (size_t id = 0; id < 320; ++id) {
      for (size_t h = 0; h < 64; ++h) moved[id * 64 + h] = id < 256 ? values[(255 - id) * 64 + h] : fresh(rng);
    }
    shape = {320, 64};
    values = moved;
  }
  const auto candidate = WriteModel(dir.path() / "candidate", tuned);
  std::ofstream(candidate / "tokenizer.json") << tokenizer.dump();

  PairVerdict v = Compare(candidate, reference);
  EXPECT_EQ(v.verdict, "derived") << v.explanation;
  ASSERT_TRUE(v.tokenizer_overlap);
  EXPECT_EQ(v.tokenizer_overlap->candidate_vocab, 320u);
  EXPECT_EQ(v.tokenizer_overlap->shared_strings, 256u);
  EXPECT_EQ(v.tokenizer_overlap->same_ids, 0u);
  int embeddings = 0;
  for (const Evidence& e : v.evidence) {
    if (e.test != "embedding_dims") continue;
    EXPECT_LT(e.log_p / std::log(10.0), -6) << e.tensor;
    ++embeddings;
  }
  EXPECT_EQ(embeddings, 2);
}

// An architecture whose names no role table knows: the MLP is found by its shapes (two
// [128 x 64] and one [64 x 128] per layer), whichever of the two is the gate.
TEST(PairVerdictTest, UnknownNamesAreMatchedByShape) {
  const auto models = kaif::testing::ModelFixtures();
  kaif::testing::ScratchDir dir("kaif-verify-shapes");
  std::mt19937 rng(43);
  Tensors renamed;
  for (auto& [name, t] : FineTune(Load(models / "llama3"), 0.2, rng)) {
    std::string n = name;
    for (auto [from, to] : {std::pair{"model.layers.", "transformer.blocks."}, {"mlp.gate_proj.weight", "ffn.w_b"},
                            {"mlp.up_proj.weight", "ffn.w_a"}, {"mlp.down_proj.weight", "ffn.w_c"}}) {
      if (const size_t at = n.find(from); at != std::string::npos) n.replace(at, std::string(from).size(), to);
    }
    renamed[n] = t;
  }
  PairVerdict v = Compare(WriteModel(dir.path() / "renamed", renamed), models / "llama3");
  EXPECT_EQ(v.verdict, "derived") << v.explanation;
  int found = 0;
  for (const Evidence& e : v.evidence) {
    if (e.test != "mlp_units") continue;
    EXPECT_EQ(e.reference_layer, e.tensor[5] - '0') << e.tensor;
    EXPECT_LT(e.log_p / std::log(10.0), -10) << e.tensor;
    ++found;
  }
  EXPECT_EQ(found, 2);
}

// Calibration: 200 pairs of independently initialised checkpoints. No more than 1% are
// called derived at alpha = 0.01, and the combined p-values are uniform.
TEST(PairVerdictTest, IndependentPairsAreCalibrated) {
  kaif::testing::ScratchDir dir("kaif-verify-null");
  std::mt19937 rng(31);
  auto model = [&](const std::string& name) {
    Tensors t;
    std::normal_distribution<float> w(0, 0.02f), norm(1, 0.1f);
    auto fill = [&](std::vector<uint64_t> shape, std::normal_distribution<float>& d) {
      std::vector<float> v(shape.size() == 1 ? shape[0] : shape[0] * shape[1]);
      for (float& x : v) x = d(rng);
      return std::make_pair(shape, v);
    };
    t["model.embed_tokens.weight"] = fill({96, 32}, w);
    t["model.norm.weight"] = fill({32}, norm);
    for (int l = 0; l < 2; ++l) {
      const std::string p = "model.layers." + std::to_string(l) + ".";
      t[p + "mlp.gate_proj.weight"] = fill({48, 32}, w);
      t[p + "mlp.up_proj.weight"] = fill({48, 32}, w);
      t[p + "input_layernorm.weight"] = fill({32}, norm);
    }
    return WriteModel(dir.path() / name, t);
  };
  std::vector<double> p;
  size_t derived = 0;
  for (int pair = 0; pair < 200; ++pair) {
    PairVerdict v = Compare(model(fmt::format("a{}", pair)), model(fmt::format("b{}", pair)));
    derived += v.verdict == "derived";
    p.push_back(std::exp(v.log_p));
  }
  EXPECT_LE(derived, 2u);
  std::sort(p.begin(), p.end());
  double ks = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    ks = std::max({ks, std::fabs(p[i] - static_cast<double>(i) / 200), std::fabs(p[i] - static_cast<double>(i + 1) / 200)});
  }
  EXPECT_LT(ks, 1.63 / std::sqrt(200.0));
}

// [rows x cols] times [cols x cols]^T, and [n x n] times [n x cols].
std::vector<float> TimesTransposed(const std::vector<float>& w, size_t rows, size_t cols, const std::vector<float>& r) {
  std::vector<float> out(rows * cols, 0);
  for (size_t i = 0; i < rows; ++i)
    for (size_t j = 0; j < cols; ++j)
      for (size_t k = 0; k < cols; ++k) out[i * cols + j] += w[i * cols + k] * r[j * cols + k];
  return out;
}
std::vector<float> Times(const std::vector<float>& r, size_t n, const std::vector<float>& w, size_t cols) {
  std::vector<float> out(n * cols, 0);
  for (size_t i = 0; i < n; ++i)
    for (size_t k = 0; k < n; ++k)
      for (size_t j = 0; j < cols; ++j) out[i * cols + j] += r[i * n + k] * w[k * cols + j];
  return out;
}

// The same function with its residual stream rotated: every norm weight folded into the
// projections that read it (then 1), a random orthogonal R applied to what writes the
// stream (embeddings, o, down) and undone by what reads it (q, k, v, gate, up, lm_head).
Tensors Rotated(Tensors t, std::mt19937& rng) {
  const size_t d = 64;
  std::normal_distribution<float> g(0, 1);
  std::vector<float> r(d * d);
  for (float& x : r) x = g(rng);
  for (size_t i = 0; i < d; ++i) {  // Gram-Schmidt: rows orthonormal
    for (size_t j = 0; j < i; ++j) {
      double dot = 0;
      for (size_t k = 0; k < d; ++k) dot += r[i * d + k] * r[j * d + k];
      for (size_t k = 0; k < d; ++k) r[i * d + k] -= static_cast<float>(dot) * r[j * d + k];
    }
    double norm = 0;
    for (size_t k = 0; k < d; ++k) norm += r[i * d + k] * r[i * d + k];
    for (size_t k = 0; k < d; ++k) r[i * d + k] /= static_cast<float>(std::sqrt(norm));
  }
  auto fold = [&](const std::string& norm, std::initializer_list<std::string> readers) {
    auto& gain = t[norm].second;
    for (const std::string& name : readers) {
      auto& w = t[name].second;
      const size_t rows = w.size() / d;
      for (size_t i = 0; i < rows; ++i)
        for (size_t k = 0; k < d; ++k) w[i * d + k] *= gain[k];
    }
    std::fill(gain.begin(), gain.end(), 1.0f);
  };
  auto read = [&](const std::string& name) { auto& w = t[name].second; w = TimesTransposed(w, w.size() / d, d, r); };
  auto write = [&](const std::string& name) { auto& w = t[name].second; w = Times(r, d, w, w.size() / d); };
  for (int l = 0; l < 2; ++l) {
    const std::string p = "model.layers." + std::to_string(l) + ".";
    fold(p + "input_layernorm.weight", {p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight", p + "self_attn.v_proj.weight"});
    fold(p + "post_attention_layernorm.weight", {p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight"});
    for (const char* m : {"self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight", "mlp.gate_proj.weight", "mlp.up_proj.weight"}) read(p + m);
    for (const char* m : {"self_attn.o_proj.weight", "mlp.down_proj.weight"}) write(p + m);
  }
  fold("model.norm.weight", {"lm_head.weight"});
  read("lm_head.weight");
  read("model.embed_tokens.weight");  // rows e -> R e
  return t;
}

// Zhu et al.'s unconstrained case: a derivative whose residual stream is rotated computes
// the same function, hides from the weight test, and is found by the activation test.
TEST(PairVerdictTest, ARotatedResidualStreamIsFoundByActivations) {
  const auto models = kaif::testing::ModelFixtures();
  kaif::testing::ScratchDir dir("kaif-verify-rotated");
  std::mt19937 rng(8);
  const auto rotated = WriteModel(dir.path() / "rotated", Rotated(Load(models / "llama3"), rng));
  std::filesystem::copy_file(models / "llama3" / "config.json", rotated / "config.json");
  auto original = engine::Engine::Open(models / "llama3").value();
  auto turned = engine::Engine::Open(rotated).value();
  const std::vector<int> ids = {1, 40, 41, 42, 43, 44, 45, 46};
  EXPECT_LT(kaif::testing::WorstRelativeError(turned->SequenceLogits(ids).value(),
                                              {original->SequenceLogits(ids).value()}, 256 * ids.size()),
            1e-3);  // the same function

  auto c = CheckpointTensors::Open(rotated).value();
  auto r = CheckpointTensors::Open(models / "llama3").value();
  PairVerdict weights = ComparePair(*c, *r, VerifyOptions{}).value();
  for (const Evidence& e : weights.evidence) {
    if (e.test == "mlp_units") {
      EXPECT_GT(e.log_p, std::log(0.001)) << e.tensor;  // the weight test sees nothing
    }
  }
  const ModelEngines engines{turned.get(), original.get()};
  PairVerdict both = ComparePair(*c, *r, VerifyOptions{}, &engines).value();
  EXPECT_EQ(both.verdict, "derived") << both.explanation;
  for (const Evidence& e : both.evidence) {
    if (e.test == "mlp_activations") {
      EXPECT_LT(e.log_p / std::log(10.0), -10) << e.tensor;
    }
  }
}

TEST(PairVerdictTest, TokenizerOverlapIsReported) {
  const auto models = kaif::testing::ModelFixtures();
  kaif::testing::ScratchDir dir("kaif-verify-tokenizers");
  for (const char* m : {"llama3", "llama2"}) {
    std::filesystem::create_directories(dir.path() / m);
    std::filesystem::copy_file(models / m / "model.safetensors", dir.path() / m / "model.safetensors");
    std::filesystem::copy_file(models / "bytes" / "tokenizer.json", dir.path() / m / "tokenizer.json");
  }
  PairVerdict v = Compare(dir.path() / "llama3", dir.path() / "llama2");
  ASSERT_TRUE(v.tokenizer_overlap);
  EXPECT_EQ(v.tokenizer_overlap->shared_strings, 256u);
  EXPECT_EQ(v.tokenizer_overlap->same_ids, 256u);
  EXPECT_EQ(v.verdict, "independent");  // a shared tokenizer is no evidence by itself
}

// Merges: shared ones are common between tokenizers trained on similar text; the same
// leading merges in the same order are the mark of a reused tokenizer.
TEST(PairVerdictTest, TokenizerMergesAreCompared) {
  const auto models = kaif::testing::ModelFixtures();
  kaif::testing::ScratchDir dir("kaif-verify-merges");
  auto with_merges = [&](const std::string& name, const std::vector<std::string>& merges) {
    nlohmann::json t = nlohmann::json::parse(std::ifstream(models / "bytes" / "tokenizer.json"));
    t["model"]["vocab"]["he"] = 256, t["model"]["vocab"]["th"] = 257, t["model"]["vocab"]["the"] = 258;
    t["model"]["merges"] = merges;
    std::filesystem::create_directories(dir.path() / name);
    std::filesystem::copy_file(models / "llama3" / "model.safetensors", dir.path() / name / "model.safetensors");
    std::ofstream(dir.path() / name / "tokenizer.json") << t.dump();
    return dir.path() / name;
  };
  const auto a = with_merges("a", {"h e", "t h", "th e"});
  const auto b = with_merges("b", {"t h", "h e", "th e"});
  const auto c = with_merges("c", {"h e", "t h", "th e"});
  PairVerdict reordered = Compare(a, b);
  ASSERT_TRUE(reordered.tokenizer_overlap);
  EXPECT_EQ(reordered.tokenizer_overlap->candidate_merges, 3u);
  EXPECT_EQ(reordered.tokenizer_overlap->shared_merges, 3u);
  EXPECT_EQ(reordered.tokenizer_overlap->same_leading_merges, 0u);
  EXPECT_EQ(Compare(a, c).tokenizer_overlap->same_leading_merges, 3u);
}

// The 2026 accusation: raw cosine of two models' norm weights near 0.97 "proved" copying.
// Norm weights sit near 1 in every model, so kaif uses their rank correlation only.
TEST(PairVerdictTest, RawNormCosineTrapIsRejected) {
  kaif::testing::ScratchDir dir("kaif-verify-norms");
  std::mt19937 rng(4);
  std::normal_distribution<float> spread(0, 0.25f);
  auto norms = [&]() {
    Tensors t;
    for (int layer = 0; layer < 4; ++layer) {
      std::vector<float> v(256);
      for (float& x : v) x = 1.0f + spread(rng);
      t["model.layers." + std::to_string(layer) + ".input_layernorm.weight"] = {{256}, v};
    }
    return t;
  };
  Tensors a = norms(), b = norms();
  double dot = 0, na = 0, nb = 0;
  const auto& va = a.begin()->second.second;
  const auto& vb = b.begin()->second.second;
  for (size_t i = 0; i < va.size(); ++i) dot += va[i] * vb[i], na += va[i] * va[i], nb += vb[i] * vb[i];
  EXPECT_GT(dot / std::sqrt(na * nb), 0.9);  // the raw cosine looks damning
  PairVerdict v = Compare(WriteModel(dir.path() / "a", a), WriteModel(dir.path() / "b", b));
  EXPECT_EQ(v.verdict, "independent") << v.explanation;

  // A real derivative's norms (small changes) are found by the rank correlation.
  Tensors c = a;
  std::normal_distribution<float> small(0, 0.05f);
  for (auto& [name, t] : c) {
    for (float& x : t.second) x += small(rng);
  }
  EXPECT_EQ(Compare(WriteModel(dir.path() / "c", c), dir.path() / "a").verdict, "derived");
}

}  // namespace
}  // namespace kaif::verify
