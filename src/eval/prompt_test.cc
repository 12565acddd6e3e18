#include "eval/prompt.h"

#include <gtest/gtest.h>

#include "support/model_fixtures.h"

namespace kaif::eval {
namespace {

using nlohmann::json;

TaskConfig Kmmlu() {
  return ParseTaskConfig(R"(task: kmmlu_law
dataset_path: HAERAE-HUB/KMMLU
dataset_name: Law
output_type: multiple_choice
test_split: test
fewshot_split: dev
fewshot_config:
  sampler: first_n
doc_to_text: "{{question.strip()}}\nA. {{A}}\nB. {{B}}\nC. {{C}}\nD. {{D}}\n정답："
doc_to_choice: ["A", "B", "C", "D"]
doc_to_target: "{{answer-1}}"
)",
                         "kmmlu_law.yaml")
      .value();
}

json Question(const std::string& q, int answer) {
  return {{"question", q}, {"A", "a-" + q}, {"B", "b"}, {"C", "c"}, {"D", "d"}, {"answer", answer}};
}

// The context is few-shot examples (question, target delimiter, answer, few-shot
// delimiter) then the question; each choice is target delimiter + choice.
TEST(PromptTest, MultipleChoiceLikeLmEvaluationHarness) {
  auto prompts = TaskPrompts::Create(Kmmlu());
  ASSERT_TRUE(prompts.ok()) << prompts.status().message();
  json shot1 = Question(" 첫째 ", 2), shot2 = Question("둘째", 4), doc = Question("셋째?", 1);
  auto requests = prompts->MultipleChoice(doc, {&shot1, &shot2});
  ASSERT_TRUE(requests.ok()) << requests.status().message();
  const std::string context =
      "첫째\nA. a- 첫째 \nB. b\nC. c\nD. d\n정답： B\n\n"
      "둘째\nA. a-둘째\nB. b\nC. c\nD. d\n정답： D\n\n"
      "셋째?\nA. a-셋째?\nB. b\nC. c\nD. d\n정답：";
  ASSERT_EQ(requests->size(), 4u);
  EXPECT_EQ((*requests)[0].first, context);
  EXPECT_EQ((*requests)[0].second, " A");
  EXPECT_EQ((*requests)[3].second, " D");
  EXPECT_EQ(prompts->Target(doc).value(), 0);
  EXPECT_EQ(prompts->AnswerText(doc).value(), "A");
}

// --apply-chat-template: the description is the system turn; solved examples and the
// question are one user turn (delimiters kept) or, multi-turn, alternate with the answers;
// choices start the assistant's turn without the target delimiter. lm-evaluation-harness's
// fewshot_context and multiturn_to_singleturn, rendered with the test tokenizer's template.
TEST(PromptTest, ChatTemplateLikeLmEvaluationHarness) {
  auto chat = tokenizer::LoadChatTemplate(kaif::testing::ModelFixtures() / "bytes");
  ASSERT_TRUE(chat.ok()) << chat.status().message();
  TaskConfig c = Kmmlu();
  c.description = "법률 문제입니다.";
  json shot = Question("첫째", 2), doc = Question("둘째", 1);
  const std::string q1 = "첫째\nA. a-첫째\nB. b\nC. c\nD. d\n정답：", q2 = "둘째\nA. a-둘째\nB. b\nC. c\nD. d\n정답：";

  PromptFormat single{&*chat, false, ""};
  auto one = TaskPrompts::Create(c, single)->MultipleChoice(doc, {&shot});
  ASSERT_TRUE(one.ok()) << one.status().message();
  EXPECT_EQ((*one)[0].first, "<|system|>\n법률 문제입니다.\n<|user|>\n" + q1 + " B\n\n" + q2 + "\n<|assistant|>\n");
  EXPECT_EQ((*one)[0].second, "A");

  PromptFormat multi{&*chat, true, "Be brief."};
  auto turns = TaskPrompts::Create(c, multi)->MultipleChoice(doc, {&shot});
  ASSERT_TRUE(turns.ok()) << turns.status().message();
  EXPECT_EQ((*turns)[1].first, "<|system|>\nBe brief.\n\n법률 문제입니다.\n<|user|>\n" + q1 + "\n<|assistant|>\nB\n<|user|>\n" +
                                   q2 + "\n<|assistant|>\n");
  EXPECT_EQ((*turns)[1].second, "B");

  // Plain text with a system instruction: it precedes the description.
  PromptFormat plain{nullptr, false, "Be brief."};
  EXPECT_EQ(TaskPrompts::Create(c, plain)->Context(doc, {}).value(), "Be brief.\n\n법률 문제입니다." + q2);
}

TEST(PromptTest, ColumnsListsAndDescriptions) {
  TaskConfig c = ParseTaskConfig(R"(task: arc
dataset_path: allenai/ai2_arc
test_split: test
output_type: multiple_choice
description: "Science ({{subject}}):\n\n"
doc_to_text: "Question: {{question}}\nAnswer:"
doc_to_target: "{{choices.label.index(answerKey)}}"
doc_to_choice: "{{choices.text}}"
)",
                                 "arc.yaml")
                     .value();
  auto prompts = TaskPrompts::Create(c);
  ASSERT_TRUE(prompts.ok()) << prompts.status().message();
  json doc = {{"subject", "physics"},
              {"question", "빛은?"},
              {"choices", {{"text", {"파동", "입자 'p'", "둘 다"}}, {"label", {"A", "B", "C"}}}},
              {"answerKey", "C"}};
  EXPECT_EQ(prompts->Choices(doc).value(), (std::vector<std::string>{"파동", "입자 'p'", "둘 다"}));
  EXPECT_EQ(prompts->Target(doc).value(), 2);
  EXPECT_EQ(prompts->Context(doc, {}).value(), "Science (physics):\n\nQuestion: 빛은?\nAnswer:");
  // A column name as doc_to_text and an index literal as target.
  c.doc_to_text = "question";
  c.doc_to_target = 1;
  auto by_column = TaskPrompts::Create(c);
  EXPECT_EQ(by_column->Text(doc).value(), "빛은?");
  EXPECT_EQ(by_column->AnswerText(doc).value(), "입자 'p'");
}

// WinoGrande's partial evaluation: each choice is a context, the sentence's rest is the
// shared continuation, and a solved example shows the right context with that rest.
// Expected strings follow lm-evaluation-harness's preprocess_winogrande.py.
TEST(PromptTest, MultipleInputsLikeWinoGrande) {
  TaskConfig c = LoadTaskConfig(std::filesystem::path(KAIF_SOURCE_DIR) / "tasks/winogrande/winogrande.yaml").value();
  TaskPrompts p = TaskPrompts::Create(c).value();
  json doc = {{"sentence", "The cup fell off the table because the _ was slippery."},
              {"option1", "cup"}, {"option2", "table"}, {"answer", "2"}};
  json solved = {{"sentence", "Ann thanked Mia because _ had helped."}, {"option1", "Ann"}, {"option2", "Mia"},
                 {"answer", "2"}};
  EXPECT_EQ(p.InputIndex(doc).value(), std::optional<size_t>(1));
  auto pairs = p.MultipleChoice(doc, {&solved});
  ASSERT_TRUE(pairs.ok()) << pairs.status().message();
  const std::string shot = "Ann thanked Mia because Mia had helped.\n\n";
  ASSERT_EQ(pairs->size(), 2u);
  EXPECT_EQ((*pairs)[0].first, shot + "The cup fell off the table because the cup");
  EXPECT_EQ((*pairs)[1].first, shot + "The cup fell off the table because the table");
  EXPECT_EQ((*pairs)[0].second, " was slippery.");
  EXPECT_EQ((*pairs)[1].second, " was slippery.");
}

TEST(PromptTest, BadDocumentsAreClearErrors) {
  auto prompts = TaskPrompts::Create(Kmmlu());
  json missing = {{"question", "q"}, {"A", "a"}, {"answer", 1}};
  auto r = prompts->MultipleChoice(missing, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("kmmlu_law: doc_to_text"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("'B'"), std::string::npos) << r.status().message();
  json out_of_range = Question("q", 9);
  auto bad_target = prompts->AnswerText(out_of_range);
  ASSERT_FALSE(bad_target.ok());
  EXPECT_NE(bad_target.status().message().find("the target 8 is out of range for 4 choices"), std::string::npos);
  TaskConfig empty_choice = Kmmlu();
  empty_choice.doc_to_choice = {"A", ""};
  auto with_empty = TaskPrompts::Create(empty_choice)->MultipleChoice(Question("q", 1), {});
  ASSERT_FALSE(with_empty.ok());
  EXPECT_NE(with_empty.status().message().find("empty choice"), std::string::npos);
  EXPECT_FALSE(LiteralEval("['a', ").ok());
  EXPECT_EQ(LiteralEval("['a', \"b\", 3, (1, 2), True]").value(), json::parse(R"(["a", "b", 3, [1, 2], true])"));
}

// Few-shot draws follow CPython's random.Random(seed).sample, one stream per task.
TEST(PromptTest, FewshotSamplingLikeCPython) {
  std::vector<json> pool;
  for (int i = 0; i < 10; ++i) pool.push_back({{"i", i}});
  auto indices = [](const std::vector<const json*>& docs) {
    std::vector<int> out;
    for (const json* d : docs) out.push_back((*d)["i"].get<int>());
    return out;
  };
  FewshotSampler random(pool, "default", 1234, false);
  EXPECT_EQ(indices(random.Sample(5, json()).value()), (std::vector<int>{7, 1, 0, 9, 4}));
  EXPECT_EQ(indices(random.Sample(5, json()).value()), (std::vector<int>{0, 1, 8, 6, 2}));
  FewshotSampler from_test(pool, "default", 1234, true);
  EXPECT_EQ(indices(from_test.Sample(5, pool[1]).value()), (std::vector<int>{7, 0, 9, 4, 6}));
  FewshotSampler first(pool, "first_n", 1234, true);
  EXPECT_EQ(indices(first.Sample(3, pool[1]).value()), (std::vector<int>{0, 2, 3}));
  EXPECT_FALSE(first.Sample(11, json()).ok());
}

// Trailing whitespace of the context moves to the continuation before tokenizing (Python's
// rstrip, Unicode spaces included); the continuation is the whole encoding's tail.
TEST(PromptTest, EncodePairMovesTrailingWhitespace) {
  EXPECT_EQ(RstripLength(" 질문 "), std::string(" 질문").size());
  EXPECT_EQ(RstripLength("a\xE3\x80\x80 "), 1u);  // U+3000 ideographic space
  EXPECT_EQ(RstripLength("   "), 0u);
  auto bytes = tokenizer::Tokenizer::Load(kaif::testing::ModelFixtures() / "bytes" / "tokenizer.json");
  ASSERT_TRUE(bytes.ok());
  auto pair = EncodePair(**bytes, "답변: ", " 예", false);
  ASSERT_TRUE(pair.ok());
  EXPECT_EQ((*bytes)->Decode(pair->context), "답변:");
  EXPECT_EQ((*bytes)->Decode(pair->continuation), "  예");
}

}  // namespace
}  // namespace kaif::eval
