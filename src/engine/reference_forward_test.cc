#include "engine/reference_forward.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "model/config_file.h"
#include "support/model_fixtures.h"
#include "util/file.h"

namespace kaif::engine {
namespace {

std::filesystem::path Models() { return kaif::testing::ModelFixtures(); }

class ReferenceLogitsTest : public ::testing::TestWithParam<std::string> {};

// The forward pass reproduces the logits transformers computed for the same weights.
TEST_P(ReferenceLogitsTest, MatchesTransformers) {
  std::filesystem::path dir = Models() / GetParam();
  Result<model::Architecture> arch = model::LoadConfig(dir);
  ASSERT_TRUE(arch.ok()) << arch.status().message();
  auto weights = tensor::SafetensorsCheckpoint::Open(dir);
  ASSERT_TRUE(weights.ok()) << weights.status().message();
  auto reference = nlohmann::json::parse(ReadFile(dir / "reference.json").value());
  for (size_t k = 0; k < reference["input_ids"].size(); ++k) {
    auto ids = reference["input_ids"][k].get<std::vector<int>>();
    auto expected = reference["logits"][k].get<std::vector<std::vector<float>>>();
    Result<std::vector<float>> logits = ReferenceForward(*arch, **weights, ids);
    ASSERT_TRUE(logits.ok()) << logits.status().message();
    size_t vocab = static_cast<size_t>(arch->vocab_size);
    ASSERT_EQ(logits->size(), ids.size() * vocab);
    double worst = kaif::testing::WorstRelativeError(*logits, expected, vocab);
    EXPECT_LT(worst, 1e-3) << GetParam() << " sequence " << k;
  }
}

INSTANTIATE_TEST_SUITE_P(Architectures, ReferenceLogitsTest,
                         ::testing::Values("llama3", "llama2", "llama-linear-rope", "llama-dynamic-rope", "mistral", "qwen2",
                                           "qwen2-yarn", "qwen3", "gemma2", "gemma3", "exaone4"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(ReferenceForwardTest, RejectsTokensOutsideTheVocabulary) {
  auto arch = model::LoadConfig(Models() / "llama3");
  auto weights = tensor::SafetensorsCheckpoint::Open(Models() / "llama3");
  Result<std::vector<float>> bad = ReferenceForward(*arch, **weights, {1, 9999});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("token id 9999 is outside the vocabulary of 256"), std::string::npos);
}

}  // namespace
}  // namespace kaif::engine
