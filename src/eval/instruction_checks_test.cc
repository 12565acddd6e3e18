#include "eval/instruction_checks.h"

#include <gtest/gtest.h>

#include <fstream>

namespace kaif::eval {
namespace {

// Each case's expected outcome comes from lm-evaluation-harness's own checkers.
TEST(InstructionChecksTest, AgreeWithLmEvaluationHarness) {
  std::ifstream in(std::string(KAIF_SOURCE_DIR) + "/tests/data/eval/ifeval_cases.jsonl");
  ASSERT_TRUE(in.good());
  size_t cases = 0;
  for (std::string line; std::getline(in, line); ++cases) {
    nlohmann::json c = nlohmann::json::parse(line);
    Result<bool> follows = FollowsInstruction(c["id"], c["kwargs"], c["response"], "", false);
    ASSERT_TRUE(follows.ok()) << follows.status().message();
    EXPECT_EQ(*follows, c["follows"].get<bool>()) << c["id"] << ": " << c["response"];
  }
  EXPECT_GE(cases, 30u);
}

TEST(InstructionChecksTest, LooseVariantsAndErrors) {
  // The first line is chatter; loose scoring drops it, strict does not.
  const std::string response = "Sure, here it is:\nTHE ANSWER IS FOUR.";
  EXPECT_FALSE(*FollowsInstruction("change_case:english_capital", {}, response, "", false));
  EXPECT_TRUE(*FollowsInstruction("change_case:english_capital", {}, response, "", true));
  // Loose scoring also tries the response without asterisks (markdown emphasis).
  EXPECT_FALSE(*FollowsInstruction("startend:quotation", {}, "*\"quoted\"*", "", false));
  EXPECT_TRUE(*FollowsInstruction("startend:quotation", {}, "*\"quoted\"*", "", true));
  EXPECT_FALSE(*FollowsInstruction("punctuation:no_comma", {}, "   ", "", false));  // empty responses never follow

  Result<bool> unknown = FollowsInstruction("detectable_format:haiku", {}, "x", "", false);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("detectable_format:haiku"), std::string::npos);
  Result<bool> missing = FollowsInstruction("length_constraints:number_words", {{"relation", "at least"}}, "x", "", false);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("num_words"), std::string::npos);
}

TEST(InstructionChecksTest, SentenceSplitterLikeIfEval) {
  EXPECT_EQ(SplitIntoSentences("Dr. Kim went home. He slept. It was 3.5 hours!"),
            std::vector<std::string>({"Dr. Kim went home.", "He slept.", "It was 3.5 hours!"}));
}

}  // namespace
}  // namespace kaif::eval
