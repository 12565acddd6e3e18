#include "eval/response_filter.h"

#include <gtest/gtest.h>

namespace kaif::eval {
namespace {

FilterChain Chain(const std::string& name, std::vector<FilterStep> steps) {
  return FilterChain::Compile(FilterPipeline{name, std::move(steps)}).value();
}

// multi_choice_regex's choice extraction; expected values from lm-evaluation-harness's
// MultiChoiceRegexFilter on the same responses.
TEST(ResponseFilterTest, MultiChoiceRegexLikeLmEvaluationHarness) {
  FilterChain choose = Chain("choice", {{"multi_choice_regex", {{"regex_pattern", "answer is \\(?([ABCD])\\)?"},
                                                                {"ignore_case", true},
                                                                {"ignore_punctuation", true}}}});
  const nlohmann::json doc = {{"choices", {"London", "Paris, France", "Rome", "Berlin"}}};
  EXPECT_EQ(choose.Apply("The answer is (B).", doc), "B");
  EXPECT_EQ(choose.Apply("I think it is PARIS FRANCE!", doc), "(B)");
  EXPECT_EQ(choose.Apply("Answer: C", doc), "(C)");
  EXPECT_EQ(choose.Apply("no idea", doc), "[invalid]");
  EXPECT_EQ(choose.Apply("Between rome and berlin: rome", doc), "(C)");
}

// What lm-evaluation-harness's filters make of answers (re.findall semantics).
TEST(ResponseFilterTest, RegexExtractionLikePython) {
  FilterChain strict = Chain("strict-match", {{"regex", {{"regex_pattern", "#### (\\-?[0-9\\.\\,]+)"}}}, {"take_first", {}}});
  EXPECT_EQ(strict.Apply("20 * 7 = 140\n#### 140"), "140");
  EXPECT_EQ(strict.Apply("no final answer"), "[invalid]");
  FilterChain flexible = Chain("flexible-extract", {{"regex", {{"group_select", -1},
                                                               {"regex_pattern", "(-?[$0-9.,]{2,})|(-?[0-9]+)"}}}});
  // Two groups: each match is a tuple; its first non-empty member is taken; -1 is the last.
  EXPECT_EQ(flexible.Apply("3개 더하기 5개는 8"), "8");
  EXPECT_EQ(flexible.Apply("1,200원에서 300원을 빼면 900"), "900");
  FilterChain plain = Chain("x", {{"regex", {{"regex_pattern", "[0-9]+"}, {"fallback", "없음"}}}});
  EXPECT_EQ(plain.Apply("a 12 b 34"), "12");
  EXPECT_EQ(plain.Apply("숫자 없음"), "없음");
  FilterChain tidy = Chain("tidy", {{"remove_whitespace", {}}, {"lowercase", {}}});
  EXPECT_EQ(tidy.Apply("\u3000 Answer: ÉTÉ \n"), "answer: été");
  EXPECT_FALSE(FilterChain::Compile(FilterPipeline{"bad", {{"regex", {{"regex_pattern", "("}}}}}).ok());
}

TEST(ResponseFilterTest, ExactMatchOptions) {
  nlohmann::json gsm8k = {{"ignore_case", true}, {"regexes_to_ignore", {",", "\\$", "(?s).*#### ", "\\.$"}}};
  EXPECT_EQ(ExactMatch("3,000", "3,000", gsm8k).value(), 1.0);
  EXPECT_EQ(ExactMatch("$3000.", "3,000", gsm8k).value(), 1.0);
  EXPECT_EQ(ExactMatch("steps\n#### 140", "140", gsm8k).value(), 1.0);
  EXPECT_EQ(ExactMatch("141", "140", gsm8k).value(), 0.0);
  EXPECT_EQ(ExactMatch("Seoul!", "seoul", {{"ignore_case", true}, {"ignore_punctuation", true}}).value(), 1.0);
  EXPECT_EQ(ExactMatch("Seoul!", "seoul", nlohmann::json::object()).value(), 0.0);
  EXPECT_FALSE(ExactMatch("a", "a", {{"regexes_to_ignore", {"("}}}).ok());
}

}  // namespace
}  // namespace kaif::eval
