#include "eval/task_config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/example_paths.h"

namespace kaif::eval {
namespace {


// A KMMLU-style subject file including its suite's defaults, written as in
// lm-evaluation-harness (fullwidth colon, a template computing the target).
TEST(TaskConfigTest, ReadsIncludesAndDefaults) {
  kaif::testing::ScratchDir scratch("kmmlu");
  const std::filesystem::path dir = scratch.path();
  std::ofstream(dir / "_default_yaml") << R"(dataset_path: HAERAE-HUB/KMMLU
output_type: multiple_choice
test_split: test
fewshot_split: dev
doc_to_text: "{{question.strip()}}\nA. {{A}}\nB. {{B}}\nC. {{C}}\nD. {{D}}\n정답："
doc_to_choice: ["A", "B", "C", "D"]
doc_to_target: "{{answer-1}}"
metric_list:
  - metric: acc
    aggregation: mean
    higher_is_better: true
metadata:
  version: 2.0
)";
  std::ofstream(dir / "kmmlu_law.yaml") << R"(dataset_name: Law
include: _default_yaml
task: kmmlu_law
tag: [kmmlu, kmmlu_social]
num_fewshot: 5
fewshot_config:
  sampler: first_n
)";
  Result<TaskConfig> c = LoadTaskConfig(dir / "kmmlu_law.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->task, "kmmlu_law");
  EXPECT_EQ(c->tags, (std::vector<std::string>{"kmmlu", "kmmlu_social"}));
  EXPECT_EQ(c->dataset_path, "HAERAE-HUB/KMMLU");
  EXPECT_EQ(c->dataset_name, "Law");
  EXPECT_EQ(c->eval_split(), "test");
  EXPECT_EQ(c->fewshot_split, "dev");
  EXPECT_EQ(c->output_type, OutputType::kMultipleChoice);
  EXPECT_EQ(c->doc_to_text.get<std::string>(), "{{question.strip()}}\nA. {{A}}\nB. {{B}}\nC. {{C}}\nD. {{D}}\n정답：");
  EXPECT_EQ(c->doc_to_choice, nlohmann::json({"A", "B", "C", "D"}));
  EXPECT_EQ(c->target_delimiter, " ");
  EXPECT_EQ(c->fewshot_delimiter, "\n\n");
  EXPECT_EQ(c->num_fewshot, 5);
  EXPECT_EQ(c->fewshot_sampler, "first_n");
  ASSERT_EQ(c->metrics.size(), 1u);
  EXPECT_EQ(c->metrics[0].metric, "acc");
  EXPECT_EQ(c->metadata["version"], 2.0);
}

TEST(TaskConfigTest, MapsKnownFunctionsToNativeAggregations) {
  Result<TaskConfig> c = ParseTaskConfig(R"(task: kobest_boolq
dataset_path: skt/kobest_v1
dataset_name: boolq
output_type: multiple_choice
training_split: train
validation_split: validation
test_split: test
doc_to_text: "{{paragraph}} 질문: {{question}} 답변: "
doc_to_target: "{{label}}"
doc_to_choice: ["아니오", "예"]
metric_list:
  - metric: acc
    aggregation: mean
    higher_is_better: True
  - metric: f1
    aggregation: !function utils.macro_f1_score
    average: macro
    hf_evaluate: true
    higher_is_better: True
)", "kobest_boolq.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->metrics.size(), 2u);
  EXPECT_EQ(c->metrics[1].aggregation, "macro_f1");
  EXPECT_EQ(c->metrics[1].options["average"], "macro");
  EXPECT_EQ(c->doc_to_text.get<std::string>(), "{{paragraph}} 질문: {{question}} 답변: ");
}

TEST(TaskConfigTest, GenerationAndFilters) {
  Result<TaskConfig> c = ParseTaskConfig(R"yaml(task: gsm8k
dataset_path: openai/gsm8k
dataset_name: main
test_split: test
doc_to_text: "Question: {{question}}\nAnswer:"
doc_to_target: "{{answer}}"
generation_kwargs:
  until: ["Question:", "</s>"]
  do_sample: false
  temperature: 0.0
filter_list:
  - name: strict-match
    filter:
      - function: regex
        regex_pattern: "#### (\\-?[0-9\\.\\,]+)"
      - function: take_first
metric_list:
  - metric: exact_match
    ignore_case: true
    ignore_punctuation: false
)yaml", "gsm8k.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->output_type, OutputType::kGenerateUntil);
  EXPECT_EQ(c->generation.until, (std::vector<std::string>{"Question:", "</s>"}));
  EXPECT_EQ(c->generation.max_gen_toks, 256);
  ASSERT_EQ(c->filters.size(), 1u);
  EXPECT_EQ(c->filters[0].name, "strict-match");
  EXPECT_EQ(c->filters[0].steps[0].args["regex_pattern"], "#### (\\-?[0-9\\.\\,]+)");
  EXPECT_EQ(c->metrics[0].options["ignore_case"], true);
}

// What kaif does not implement is named, never ignored.
TEST(TaskConfigTest, UnsupportedFeaturesAreClearErrors) {
  const std::string base = "task: t\ndataset_path: d\ntest_split: test\n";
  struct Case {
    std::string yaml, message;
  };
  for (const Case& c : std::vector<Case>{
           {base + "process_docs: !function utils.process_docs\n", "t.yaml: process_docs: preprocessing documents"},
           {base + "doc_to_text: !function utils.doc_to_text\n", "doc_to_text: !function utils.doc_to_text runs Python"},
           {base + "metric_list:\n  - metric: f1\n    aggregation: !function utils.custom\n",
            "metric_list[0].aggregation: !function utils.custom runs Python"},
           {base + "filter_list:\n  - name: x\n    filter:\n      - function: custom\n", "filter \"custom\" is not supported"},
           {base + "doc_to_txt: x\n", "doc_to_txt: unknown key"},
           {base + "output_type: ranking\n", "output_type: \"ranking\" is not an output type"},
           {base + "output_type: multiple_choice\n", "doc_to_choice: multiple_choice tasks need their choices"},
           {base + "num_fewshot: -1\n", "num_fewshot: must be a whole number"},
           {"task: t\ndataset_path: d\n", "no test, validation or training split"},
           {base + "doc_to_choice: [\"A\", \"B\"\n", "t.yaml: line"},
           {"- a\n- b\n", "a task file is a mapping"},
       }) {
    Result<TaskConfig> r = ParseTaskConfig(c.yaml, "t.yaml");
    ASSERT_FALSE(r.ok()) << c.yaml;
    EXPECT_NE(r.status().message().find(c.message), std::string::npos) << r.status().message();
  }
  kaif::testing::ScratchDir scratch("missing-include");
  const std::filesystem::path dir = scratch.path();
  std::ofstream(dir / "a.yaml") << "include: nowhere.yaml\ntask: a\n";
  EXPECT_FALSE(LoadTaskConfig(dir / "a.yaml").ok());
  std::ofstream(dir / "loop.yaml") << "include: loop.yaml\ntask: a\n";
  Result<TaskConfig> loop = LoadTaskConfig(dir / "loop.yaml");
  ASSERT_FALSE(loop.ok());
  EXPECT_NE(loop.status().message().find("nest too deep"), std::string::npos);
}

}  // namespace
}  // namespace kaif::eval
