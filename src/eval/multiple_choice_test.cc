#include "eval/multiple_choice.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/model_fixtures.h"

namespace kaif::eval {
namespace {

std::filesystem::path EvalData() { return std::filesystem::path(KAIF_SOURCE_DIR) / "tests" / "data" / "eval"; }

struct Harness {
  std::unique_ptr<engine::Engine> engine;
  std::unique_ptr<tokenizer::Tokenizer> tokenizer;
  std::unique_ptr<NativeBackend> backend;
  TaskConfig task;
  EvalOptions options;
};

Harness Make(size_t batch_tokens) {
  Harness s;
  engine::EngineOptions options;
  options.batch_tokens = batch_tokens;
  s.engine = engine::Engine::Open(kaif::testing::ModelFixtures() / "llama3", options).value();
  s.tokenizer = tokenizer::Tokenizer::Load(kaif::testing::ModelFixtures() / "bytes").value();
  s.backend = std::make_unique<NativeBackend>(*s.engine, *s.tokenizer, "llama3");
  s.task = LoadTaskConfig(EvalData() / "tasks" / "kmmlu_law_sample.yaml").value();
  s.options.data_dir = EvalData() / "data";
  s.options.num_fewshot = 1;  // keeps contexts inside the tiny model's 256-token window
  return s;
}

TEST(MultipleChoiceTest, ScoresEveryChoiceAndComputesMetrics) {
  Harness s = Make(512);
  Result<TaskResult> r = RunMultipleChoice(s.task, *s.backend, s.options);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->documents, 6u);
  EXPECT_EQ(r->num_fewshot, 1);
  ASSERT_EQ(r->samples.size(), 6u);
  std::vector<double> acc;
  for (const auto& sample : r->samples) {
    const auto& lls = sample["loglikelihoods"];
    ASSERT_EQ(lls.size(), 4u);
    EXPECT_FALSE(sample.contains("truncated_context_tokens"));
    size_t best = 0;
    for (size_t c = 1; c < 4; ++c) {
      if (lls[c].get<double>() > lls[best].get<double>()) best = c;
    }
    acc.push_back(best == sample["target"].get<size_t>() ? 1.0 : 0.0);
    EXPECT_EQ(sample["acc"], acc.back());
    // Every choice is one character, so acc_norm picks the same answer.
    EXPECT_EQ(sample["acc_norm"], acc.back());
  }
  MetricValue expected = MeanWithStderr(acc);
  EXPECT_EQ(r->metrics["acc,none"].value, expected.value);
  EXPECT_EQ(r->metrics["acc,none"].stderr, expected.stderr);
  // The shared question and few-shot block are computed once for the four choices.
  EXPECT_LT(r->computed_tokens * 3, r->request_tokens);
}

// Results do not depend on the engine's batch size.
TEST(MultipleChoiceTest, ResultsDoNotDependOnBatching) {
  Harness a = Make(512), b = Make(7);
  auto ra = RunMultipleChoice(a.task, *a.backend, a.options);
  auto rb = RunMultipleChoice(b.task, *b.backend, b.options);
  ASSERT_TRUE(ra.ok() && rb.ok());
  EXPECT_EQ(ra->samples, rb->samples);
}

// A rerun takes every finished request from the cache and computes nothing; the numbers
// are the same bits. Another backend's entries are never used.
TEST(MultipleChoiceTest, ResultCacheServesFinishedRequests) {
  std::filesystem::path file = std::filesystem::path(::testing::TempDir()) / "kaif-mc-cache.sqlite";
  std::filesystem::remove(file);
  auto cache = ResultCache::Open(file, "backend-a");
  ASSERT_TRUE(cache.ok()) << cache.status().message();
  Harness first = Make(512);
  first.options.cache = cache->get();
  first.options.chunk_requests = 5;
  auto computed = RunMultipleChoice(first.task, *first.backend, first.options);
  ASSERT_TRUE(computed.ok()) << computed.status().message();
  EXPECT_EQ(computed->cached_requests, 0u);
  EXPECT_EQ(computed->requests, 24u);

  Harness again = Make(512);
  auto reopened = ResultCache::Open(file, "backend-a");
  again.options.cache = reopened->get();
  auto cached = RunMultipleChoice(again.task, *again.backend, again.options);
  ASSERT_TRUE(cached.ok());
  EXPECT_EQ(cached->cached_requests, 24u);
  EXPECT_EQ(cached->computed_tokens, 0u);
  EXPECT_EQ(cached->samples, computed->samples);

  Harness other = Make(512);
  auto other_cache = ResultCache::Open(file, "backend-b");
  other.options.cache = other_cache->get();
  auto fresh = RunMultipleChoice(other.task, *other.backend, other.options);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->cached_requests, 0u);

  std::filesystem::path not_sqlite = std::filesystem::path(::testing::TempDir()) / "kaif-mc-cache.txt";
  std::ofstream(not_sqlite) << "this is not a database, but it is long enough to look like one's header........";
  auto bad = ResultCache::Open(not_sqlite, "x");
  EXPECT_FALSE(bad.ok());
}

TEST(MultipleChoiceTest, BadDocumentsAndTasksAreClearErrors) {
  Harness s = Make(512);
  std::filesystem::path data = std::filesystem::path(::testing::TempDir()) / "kaif-mc-bad";
  std::filesystem::remove_all(data);
  std::filesystem::create_directories(data / "HAERAE-HUB/KMMLU/Law");
  std::ofstream(data / "HAERAE-HUB/KMMLU/Law/test.jsonl")
      << R"({"question": "q", "A": "a", "B": "b", "C": "c", "D": "d", "answer": 7})" << "\n";
  std::ofstream(data / "HAERAE-HUB/KMMLU/Law/dev.jsonl")
      << R"({"question": "q", "A": "a", "B": "b", "C": "c", "D": "d", "answer": 1})" << "\n";
  s.options.data_dir = data;
  auto out_of_range = RunMultipleChoice(s.task, *s.backend, s.options);
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_NE(out_of_range.status().message().find("kmmlu_law_sample document 0"), std::string::npos)
      << out_of_range.status().message();
  s.options.num_fewshot = 3;  // the dev split has one document
  std::ofstream(data / "HAERAE-HUB/KMMLU/Law/test.jsonl")
      << R"({"question": "q", "A": "a", "B": "b", "C": "c", "D": "d", "answer": 1})" << "\n";
  auto too_few = RunMultipleChoice(s.task, *s.backend, s.options);
  ASSERT_FALSE(too_few.ok());
  EXPECT_NE(too_few.status().message().find("3 few-shot examples were asked for; the few-shot split has 1"),
            std::string::npos);
  s.options.data_dir = data / "nowhere";
  EXPECT_EQ(RunMultipleChoice(s.task, *s.backend, s.options).status().code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace kaif::eval
