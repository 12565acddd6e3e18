#include "eval/generation.h"

#include <gtest/gtest.h>

#include "support/model_fixtures.h"

namespace kaif::eval {
namespace {

std::filesystem::path EvalData() { return std::filesystem::path(KAIF_SOURCE_DIR) / "tests" / "data" / "eval"; }

Result<TaskResult> RunSample(size_t chunk) {
  auto engine = engine::Engine::Open(kaif::testing::ModelFixtures() / "gemma2").value();
  auto tokenizer = tokenizer::Tokenizer::Load(kaif::testing::ModelFixtures() / "bytes").value();
  TaskConfig task = LoadTaskConfig(EvalData() / "tasks" / "gsm8k_sample.yaml").value();
  EvalOptions options;
  options.data_dir = EvalData() / "data";
  options.chunk_requests = chunk;
  NativeBackend backend(*engine, *tokenizer, "gemma2");
  return RunGeneration(task, backend, options);
}

TEST(GenerationTest, GeneratesFiltersAndScores) {
  Result<TaskResult> r = RunSample(8);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->documents, 3u);
  ASSERT_EQ(r->samples.size(), 3u);
  EXPECT_EQ(r->samples[0]["target"], "140");
  EXPECT_EQ(r->samples[2]["target"], "3,000");
  for (const auto& s : r->samples) {
    EXPECT_TRUE(s["finish_reason"] == "stop" || s["finish_reason"] == "length");
    EXPECT_TRUE(s["filtered"].contains("strict-match"));
    EXPECT_TRUE(s["filtered"].contains("flexible-extract"));
  }
  EXPECT_TRUE(r->metrics.count("exact_match,strict-match"));
  EXPECT_TRUE(r->metrics.count("exact_match,flexible-extract"));
  // Generation in batches of one gives the same answers as all at once.
  Result<TaskResult> one = RunSample(1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->samples, r->samples);
}

}  // namespace
}  // namespace kaif::eval
