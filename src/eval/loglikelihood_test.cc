#include "eval/loglikelihood.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "support/example_paths.h"
#include "support/model_fixtures.h"

namespace kaif::eval {
namespace {

struct Fixture {
  std::unique_ptr<engine::Engine> engine = engine::Engine::Open(kaif::testing::ModelFixtures() / "llama3").value();
  std::unique_ptr<tokenizer::Tokenizer> tokenizer =
      tokenizer::Tokenizer::Load(kaif::testing::ModelFixtures() / "bytes").value();
  NativeBackend backend{*engine, *tokenizer, "llama3"};
  kaif::testing::ScratchDir data{"kaif-loglikelihood"};
  EvalOptions options;
  Fixture() { options.data_dir = data.path(); }
};

TEST(LoglikelihoodTest, ScoresTargetsAfterTheirContext) {
  Fixture s;
  std::filesystem::create_directories(s.data.path() / "cloze");
  std::ofstream(s.data.path() / "cloze/test.jsonl") << R"({"text": "The capital of Korea is", "word": " Seoul"})" << "\n"
                                                    << R"({"text": "One, two,", "word": " three"})" << "\n";
  TaskConfig c = ParseTaskConfig(R"(task: cloze
dataset_path: cloze
test_split: test
output_type: loglikelihood
doc_to_text: "{{text}}"
doc_to_target: "{{word}}"
)", "cloze.yaml").value();
  Result<TaskResult> r = RunTask(c, s.backend, s.options);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->samples.size(), 2u);
  TokenPair pair = EncodePair(*s.tokenizer, "The capital of Korea is", " Seoul", false).value();
  engine::ScoreResult direct = s.engine->Loglikelihood({{pair.context, pair.continuation}}).value()[0];
  EXPECT_EQ(r->samples[0]["loglikelihood"].get<double>(), direct.logprob);
  const double ll0 = r->samples[0]["loglikelihood"], ll1 = r->samples[1]["loglikelihood"];
  EXPECT_DOUBLE_EQ(r->metrics["perplexity,none"].value, std::exp(-(ll0 + ll1) / 2));
  EXPECT_TRUE(r->metrics.count("acc,none"));
}

TEST(LoglikelihoodTest, RollingWindowsCoverLongTexts) {
  Fixture s;
  std::filesystem::create_directories(s.data.path() / "wiki");
  std::string long_text;
  for (int i = 0; i < 40; ++i) long_text += "kaif reads text. ";  // 680 bytes: three windows of the 256-token model
  std::ofstream(s.data.path() / "wiki/test.jsonl") << R"({"page": "A short page."})" << "\n"
                                                   << nlohmann::json{{"page", long_text}}.dump() << "\n";
  TaskConfig c = ParseTaskConfig(R"(task: wiki
dataset_path: wiki
test_split: test
output_type: loglikelihood_rolling
doc_to_text: ""
doc_to_target: "{{page}}"
)", "wiki.yaml").value();
  Result<TaskResult> r = RunTask(c, s.backend, s.options);
  ASSERT_TRUE(r.ok()) << r.status().message();
  // A text within the window is one request from the BOS token.
  std::vector<int> tokens = s.tokenizer->Encode("A short page.").value();
  engine::ScoreResult whole = s.engine->Loglikelihood({{{*s.engine->architecture().bos_token_id}, tokens}}).value()[0];
  EXPECT_EQ(r->samples[0]["loglikelihood"].get<double>(), whole.logprob);
  EXPECT_EQ(r->samples[0]["windows"], 1);
  EXPECT_EQ(r->samples[1]["windows"], 3);
  EXPECT_EQ(r->samples[0]["words"], 3);
  EXPECT_EQ(r->samples[1]["words"], 121);  // the trailing space ends an empty last word, as re.split does
  EXPECT_EQ(r->samples[1]["bytes"], long_text.size());
  const double ll = r->samples[0]["loglikelihood"].get<double>() + r->samples[1]["loglikelihood"].get<double>();
  const double bytes = 13.0 + static_cast<double>(long_text.size());
  EXPECT_DOUBLE_EQ(r->metrics["bits_per_byte,none"].value, -ll / bytes / std::log(2.0));
  EXPECT_DOUBLE_EQ(r->metrics["byte_perplexity,none"].value, std::exp(-ll / bytes));
  EXPECT_DOUBLE_EQ(r->metrics["word_perplexity,none"].value, std::exp(-ll / (3.0 + 121.0)));
}

TEST(LoglikelihoodTest, WrongMetricsAndEmptyTargetsAreClearErrors) {
  Fixture s;
  std::filesystem::create_directories(s.data.path() / "cloze");
  std::ofstream(s.data.path() / "cloze/test.jsonl") << R"({"text": "x", "word": ""})" << "\n";
  TaskConfig c = ParseTaskConfig(R"(task: cloze
dataset_path: cloze
test_split: test
output_type: loglikelihood
doc_to_text: "{{text}}"
doc_to_target: "{{word}}"
)", "cloze.yaml").value();
  Result<TaskResult> empty = RunTask(c, s.backend, s.options);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("cloze document 0: the target is empty"), std::string::npos);
  c.metrics = {MetricSpec{"acc_norm", "mean"}};
  Result<TaskResult> wrong = RunTask(c, s.backend, s.options);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("metric acc_norm does not apply to loglikelihood"), std::string::npos);
}

}  // namespace
}  // namespace kaif::eval
