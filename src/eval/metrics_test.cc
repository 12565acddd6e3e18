#include "eval/metrics.h"

#include <gtest/gtest.h>

#include "eval/loglikelihood.h"

namespace kaif::eval {
namespace {

std::vector<MetricItem> Pairs(const std::vector<int>& gold, const std::vector<int>& pred) {
  std::vector<MetricItem> items;
  for (size_t i = 0; i < gold.size(); ++i) items.push_back({static_cast<double>(gold[i]), static_cast<double>(pred[i])});
  return items;
}

// Reference values from scikit-learn 1.2 (f1_score, matthews_corrcoef) and from
// lm-evaluation-harness's bootstrap (Random(seed).choices, 1,000 draws per seed).
TEST(MetricsTest, ClassificationAggregationsEqualScikitLearn) {
  auto items = Pairs({0, 1, 2, 1, 0, 2, 2, 1, 0, 1}, {0, 2, 2, 1, 0, 1, 2, 1, 1, 1});
  EXPECT_DOUBLE_EQ(*Aggregate("macro_f1", items), 0.7111111111111111);
  EXPECT_DOUBLE_EQ(*Aggregate("micro_f1", items), 0.7);
  EXPECT_DOUBLE_EQ(*Aggregate("weighted_f1", items), 0.7066666666666667);
  EXPECT_DOUBLE_EQ(*Aggregate("matthews_corrcoef", items), 0.5471422245456321);
  EXPECT_DOUBLE_EQ(*Aggregate("f1", Pairs({0, 1, 1, 0, 1, 1, 0, 0}, {0, 1, 0, 0, 1, 1, 1, 0})), 0.75);
  Result<double> multiclass = Aggregate("f1", items);
  ASSERT_FALSE(multiclass.ok());
  EXPECT_NE(multiclass.status().message().find("use aggregation macro_f1"), std::string::npos);
  EXPECT_DOUBLE_EQ(*Aggregate("matthews_corrcoef", Pairs({1, 1, 1}, {1, 1, 1})), 0.0);  // no variance

  Result<MetricValue> mcc = AggregateWithStderr("matthews_corrcoef", items, 2000);
  ASSERT_TRUE(mcc.ok());
  EXPECT_NEAR(mcc->stderr, 0.23496230826474218, 1e-12);
}

TEST(MetricsTest, PerplexitiesAndMeans) {
  std::vector<MetricItem> lls = {{-1.5, 0}, {-2.25, 0}, {-0.75, 0}, {-3.0, 0}};
  EXPECT_DOUBLE_EQ(*Aggregate("perplexity", lls), 6.5208191203301125);
  EXPECT_NEAR(AggregateWithStderr("perplexity", lls, 3000)->stderr, 3.0451428029888343, 1e-12);
  std::vector<MetricItem> weighted = {{-10, 4}, {-6, 3}, {-20, 9}};
  EXPECT_DOUBLE_EQ(*Aggregate("weighted_perplexity", weighted), 9.487735836358526);
  EXPECT_DOUBLE_EQ(*Aggregate("bits_per_byte", weighted), 3.2460638420001677);

  MetricValue mean = *AggregateWithStderr("mean", {{1, 0}, {0, 0}, {1, 0}, {1, 0}}, 0);
  EXPECT_DOUBLE_EQ(mean.value, 0.75);
  EXPECT_DOUBLE_EQ(mean.stderr, 0.25);
  EXPECT_FALSE(AggregateWithStderr("perplexity", lls, 0)->has_stderr);
  EXPECT_FALSE(Aggregate("mean", {}).ok());
  EXPECT_FALSE(Aggregate("bleu", lls).ok());
  EXPECT_EQ(DefaultAggregation("word_perplexity"), "weighted_perplexity");
  EXPECT_EQ(DefaultAggregation("mcc"), "matthews_corrcoef");
}

TEST(MetricsTest, WordsAndRollingWindowsLikeLmEvaluationHarness) {
  // len(re.split(r"\s+", text))
  EXPECT_EQ(CountWords("a b  c"), 3u);
  EXPECT_EQ(CountWords(" lead"), 2u);
  EXPECT_EQ(CountWords("x\u3000y\n"), 3u);
  EXPECT_EQ(CountWords("하나 둘"), 2u);

  // lm_eval.utils.get_rolling_token_windows(range(10), prefix=-1, max_seq_len=4,
  // context_len=1) made disjoint.
  std::vector<int> tokens = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  auto windows = RollingWindows(tokens, 99, 4);
  ASSERT_EQ(windows.size(), 3u);
  EXPECT_EQ(windows[0].context, std::vector<int>({99}));
  EXPECT_EQ(windows[0].continuation, std::vector<int>({0, 1, 2, 3}));
  EXPECT_EQ(windows[1].context, std::vector<int>({3}));
  EXPECT_EQ(windows[1].continuation, std::vector<int>({4, 5, 6, 7}));
  EXPECT_EQ(windows[2].context, std::vector<int>({5, 6, 7}));
  EXPECT_EQ(windows[2].continuation, std::vector<int>({8, 9}));
  EXPECT_EQ(RollingWindows({5}, 99, 4).size(), 1u);
  EXPECT_TRUE(RollingWindows({}, 99, 4).empty());
}

}  // namespace
}  // namespace kaif::eval
