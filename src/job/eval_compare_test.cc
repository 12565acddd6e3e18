#include "job/eval_compare.h"

#include <gtest/gtest.h>

namespace kaif::job {
namespace {

// A run of one task whose documents score `right` (1) or wrong (0).
EvalRecord OneTaskRun(const std::vector<int>& right) {
  TaskRecord t;
  t.name = "quiz";
  t.higher_is_better = {{"acc", true}};
  for (size_t d = 0; d < right.size(); ++d) {
    t.result.samples.push_back({{"doc_id", d}});
    t.result.Add("acc,none", "mean", {static_cast<double>(right[d]), 0});
  }
  EvalRecord r;
  r.tasks.push_back(std::move(t));
  return r;
}

TEST(EvalCompareTest, PairedDifferenceRatioAndMcNemar) {
  // 2 documents only A gets right, 9 only B, 9 both: McNemar's exact p = 0.0654296875.
  std::vector<int> a, b;
  for (int i = 0; i < 2; ++i) a.push_back(1), b.push_back(0);
  for (int i = 0; i < 9; ++i) a.push_back(0), b.push_back(1);
  for (int i = 0; i < 9; ++i) a.push_back(1), b.push_back(1);
  Result<std::vector<Comparison>> c = CompareRuns(OneTaskRun(a), OneTaskRun(b), CompareOptions{});
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->size(), 1u);
  const Comparison& q = (*c)[0];
  EXPECT_EQ(q.documents, 20u);
  EXPECT_DOUBLE_EQ(q.a, 0.55);
  EXPECT_DOUBLE_EQ(q.b, 0.9);
  EXPECT_DOUBLE_EQ(q.difference, -0.35);
  ASSERT_TRUE(q.mcnemar);
  EXPECT_EQ(q.mcnemar->a_only, 2u);
  EXPECT_EQ(q.mcnemar->b_only, 9u);
  EXPECT_DOUBLE_EQ(q.mcnemar->p_value, 0.0654296875);
  EXPECT_LT(q.difference_interval.high, 0);  // the bootstrap interval excludes 0
  EXPECT_LT(q.difference_interval.low, q.difference);
  ASSERT_TRUE(q.ratio_interval);
  EXPECT_EQ(q.reaches_threshold, "no");
  EXPECT_NEAR(*q.difference_stderr, 0.15, 1e-12);  // sd(a - b) / sqrt(20)

  // The same run against itself reaches any threshold up to 1.
  Result<std::vector<Comparison>> same = CompareRuns(OneTaskRun(a), OneTaskRun(a), CompareOptions{});
  EXPECT_EQ((*same)[0].reaches_threshold, "yes");
  EXPECT_EQ((*same)[0].p_value, 1.0);

  // Different documents cannot be paired.
  std::vector<int> fewer(a.begin(), a.end() - 1);
  Result<std::vector<Comparison>> unpaired = CompareRuns(OneTaskRun(a), OneTaskRun(fewer), CompareOptions{});
  ASSERT_FALSE(unpaired.ok());
  EXPECT_NE(unpaired.status().message().find("different documents"), std::string::npos);
}

}  // namespace
}  // namespace kaif::job
