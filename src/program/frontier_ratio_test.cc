#include "program/frontier_ratio.h"

#include <gtest/gtest.h>

#include <cmath>

namespace kaif::program {
namespace {

Program TwoBenchmarkProgram() {
  Program p;
  p.benchmarks = {{"a", "A", "g", 0, 100, true}, {"err", "Error rate", "g", 0, 100, false}};
  p.frontier.window_months = 6;
  p.frontier.target_ratio = 0.95;
  p.frontier.models = {
      {"old", "Old", Date{2025, 1, 10}, {{"a", 99}, {"err", 1}}, {}},
      {"x", "X", Date{2025, 9, 1}, {{"a", 80}, {"err", 10}}, {{"a", 1.0}}},
      {"y", "Y", Date{2025, 11, 1}, {{"a", 90}, {"err", 20}}, {{"a", 2.0}}},
      {"future", "Future", Date{2026, 2, 1}, {{"a", 99}}, {}},
  };
  return p;
}

ResultsDocument Team(double a, double a_se, double err) {
  ResultsDocument doc;
  doc.source = "t.json";
  doc.benchmarks["a"] = {a, a_se, 100};
  doc.benchmarks["err"] = {err, 0, 100};
  return doc;
}

TEST(FrontierRatioTest, WindowHoldsOnlyModelsReleasedInTheMonthsBeforeEvaluation) {
  Program p = TwoBenchmarkProgram();
  Stage stage;
  stage.number = 1;
  stage.evaluation_date = Date{2025, 12, 31};
  Result<std::vector<const FrontierModel*>> models = ReferenceModels(p, stage);
  ASSERT_TRUE(models.ok());
  ASSERT_EQ(models->size(), 2u);
  EXPECT_EQ((*models)[0]->id, "x");
  EXPECT_EQ((*models)[1]->id, "y");
  stage.evaluation_date = Date{2027, 12, 31};
  Result<std::vector<const FrontierModel*>> none = ReferenceModels(p, stage);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("widen window_months"), std::string::npos);
}

TEST(FrontierRatioTest, BestReferenceWithDeltaMethodError) {
  Program p = TwoBenchmarkProgram();
  std::vector<const FrontierModel*> reference = {&p.frontier.models[1], &p.frontier.models[2]};
  Result<FrontierResult> r = ComputeFrontierRatio(p, reference, {"a", "err"}, Team(81, 1.5, 30), 2.0);
  ASSERT_TRUE(r.ok()) << r.status().message();
  const BenchmarkRatio& a = r->per_benchmark[0];
  EXPECT_EQ(a.reference_model, "y");
  EXPECT_DOUBLE_EQ(a.ratio.value, 81.0 / 90.0);
  double se = (81.0 / 90.0) * std::sqrt(std::pow(1.5 / 81, 2) + std::pow(2.0 / 90, 2));
  EXPECT_NEAR(a.ratio.stderr_, se, 1e-12);
  EXPECT_NEAR(a.ratio.low, a.ratio.value - 2 * se, 1e-12);
  // Lower is better: the best model has the lowest error; ratios compare distance from the worst value.
  const BenchmarkRatio& err = r->per_benchmark[1];
  EXPECT_EQ(err.reference_model, "x");
  EXPECT_DOUBLE_EQ(err.ratio.value, (100.0 - 30) / (100.0 - 10));
  EXPECT_DOUBLE_EQ(r->overall.value, (81.0 / 90.0 + 70.0 / 90.0) / 2);
  EXPECT_FALSE(r->meets_target);
}

TEST(FrontierRatioTest, MeanReferenceAndGeometricAggregate) {
  Program p = TwoBenchmarkProgram();
  p.frontier.reference = FrontierReference::kMean;
  p.frontier.aggregate = FrontierAggregate::kGeometricMean;
  std::vector<const FrontierModel*> reference = {&p.frontier.models[1], &p.frontier.models[2]};
  Result<FrontierResult> r = ComputeFrontierRatio(p, reference, {"a", "err"}, Team(85, 0, 15), 1.96);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->per_benchmark[0].reference_model, "mean of 2 models");
  EXPECT_DOUBLE_EQ(r->per_benchmark[0].reference_score, 85);
  EXPECT_NEAR(r->per_benchmark[0].reference_stderr, std::sqrt(1.0 + 4.0) / 2, 1e-12);
  EXPECT_NEAR(r->overall.value, std::sqrt(1.0 * (85.0 / 85.0)), 1e-12);
  EXPECT_TRUE(r->meets_target);
}

TEST(FrontierRatioTest, MissingScoresAreErrorsNotZeros) {
  Program p = TwoBenchmarkProgram();
  std::vector<const FrontierModel*> reference = {&p.frontier.models[1]};
  ResultsDocument doc = Team(80, 0, 10);
  doc.benchmarks.erase("err");
  EXPECT_FALSE(ComputeFrontierRatio(p, reference, {"a", "err"}, doc, 2).ok());
  p.benchmarks.push_back({"b", "B", "g", 0, 100, true});
  doc.benchmarks["b"] = {50, 0, 1};
  Result<FrontierResult> r = ComputeFrontierRatio(p, reference, {"b"}, doc, 2);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no reference model in the window has a score for benchmark 'b'"),
            std::string::npos);
}

}  // namespace
}  // namespace kaif::program
