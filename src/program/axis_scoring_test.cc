#include "program/axis_scoring.h"

#include <gtest/gtest.h>

#include <cmath>

namespace kaif::program {
namespace {

struct Fixture {
  Program program;
  Team team;
  ResultsSet results;
  AxisContext context;

  Fixture() {
    program.weights_total = 100;
    program.benchmarks = {{"k1", "K1", "korean", 0, 100, true}, {"k2", "K2", "korean", 0, 1, true}};
    program.open_source_levels = {"open", "closed"};
    team.id = "t";
    team.open_source_level = "closed";
    context.program = &program;
    context.z = 2;
  }

  void Add(ResultsDocument doc) {
    doc.team = "t";
    doc.source = std::string(ToString(doc.kind)) + ".json";
    ASSERT_TRUE(results.Add(std::move(doc)).ok());
  }
};

Axis MakeAxis(AxisSource source, AxisMethod method, double weight = 20) {
  Axis a;
  a.id = "axis";
  a.source = source;
  a.method = method;
  a.weight = weight;
  return a;
}

TEST(AxisScoringTest, MeanScoreMapsEachBenchmarkByItsRange) {
  Fixture f;
  ResultsDocument doc;
  doc.kind = ResultsKind::kBenchmarks;
  doc.benchmarks["k1"] = {60, 3, 100};
  doc.benchmarks["k2"] = {0.8, 0.04, 100};
  f.Add(doc);
  Axis axis = MakeAxis(AxisSource::kBenchmarks, AxisMethod::kMeanScore);
  axis.benchmark_groups = {"korean"};
  Result<AxisScore> s = ScoreAxis(f.context, axis, f.team, f.results);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_DOUBLE_EQ(s->score.value, 70);
  EXPECT_NEAR(s->score.stderr_, std::sqrt(9.0 + 16.0) / 2, 1e-12);
  EXPECT_DOUBLE_EQ(s->contribution, 70 * 20 / 100.0);
  EXPECT_EQ(s->inputs.size(), 2u);
}

TEST(AxisScoringTest, PassRateAndLinear) {
  Fixture f;
  ResultsDocument doc;
  doc.kind = ResultsKind::kSafety;
  doc.safety["a"] = {300, 270};
  doc.safety["b"] = {100, 90};
  f.Add(doc);
  Result<AxisScore> pass = ScoreAxis(f.context, MakeAxis(AxisSource::kSafety, AxisMethod::kPassRate), f.team, f.results);
  ASSERT_TRUE(pass.ok());
  EXPECT_DOUBLE_EQ(pass->score.value, 90);
  EXPECT_NEAR(pass->score.stderr_, 100 * std::sqrt(0.9 * 0.1 / 400), 1e-12);
  Axis linear = MakeAxis(AxisSource::kSafety, AxisMethod::kLinear);
  linear.floor = 0.8;
  linear.ceiling = 1.0;
  Result<AxisScore> lin = ScoreAxis(f.context, linear, f.team, f.results);
  ASSERT_TRUE(lin.ok());
  EXPECT_NEAR(lin->score.value, 50, 1e-9);
  linear.floor = 0.95;  // below the floor clamps to 0, never negative
  EXPECT_EQ(ScoreAxis(f.context, linear, f.team, f.results)->score.value, 0);
}

TEST(AxisScoringTest, WinProbabilityAgainstAnchor) {
  Fixture f;
  ResultsDocument doc;
  doc.kind = ResultsKind::kArena;
  doc.pool = "public";
  doc.arena_rating = {1100, 10, 5000};
  f.Add(doc);
  Axis axis = MakeAxis(AxisSource::kArena, AxisMethod::kWinProbability);
  axis.pool = "public";
  f.context.anchor_rating = 1000;
  Result<AxisScore> s = ScoreAxis(f.context, axis, f.team, f.results);
  ASSERT_TRUE(s.ok()) << s.status().message();
  double p = 1 / (1 + std::pow(10, -100.0 / 400));
  EXPECT_NEAR(s->score.value, 100 * p, 1e-9);
  EXPECT_NEAR(s->score.stderr_, 100 * p * (1 - p) * std::log(10) / 400 * 10, 1e-9);
  axis.pool = "expert";
  Result<AxisScore> missing = ScoreAxis(f.context, axis, f.team, f.results);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("pool 'expert'"), std::string::npos);
}

TEST(AxisScoringTest, ExpertMeanTrimsBothEnds) {
  Fixture f;
  ResultsDocument doc;
  doc.kind = ResultsKind::kExpert;
  doc.pool = "panel";
  doc.expert_max_score = 35;
  doc.expert_scores = {0, 28, 30, 32, 35};
  f.Add(doc);
  Axis axis = MakeAxis(AxisSource::kExpert, AxisMethod::kExpertMean);
  axis.pool = "panel";
  axis.trim = 1;
  Result<AxisScore> s = ScoreAxis(f.context, axis, f.team, f.results);
  ASSERT_TRUE(s.ok());
  EXPECT_DOUBLE_EQ(s->raw, 30);
  EXPECT_NEAR(s->score.value, 100 * 30 / 35.0, 1e-12);
  EXPECT_NEAR(s->score.stderr_, 100 * (2.0 / std::sqrt(3.0)) / 35, 1e-12);  // sd 2 over 3 experts
}

TEST(AxisScoringTest, DerivativesAreLogScaledAndOpennessIsPoints) {
  Fixture f;
  ResultsDocument doc;
  doc.kind = ResultsKind::kDerivatives;
  doc.derivatives = {{"fine_tune", 10}, {"quantization", 40}, {"unlisted", 1000}};
  f.Add(doc);
  Axis axis = MakeAxis(AxisSource::kDerivatives, AxisMethod::kLogScaled);
  axis.derivative_weights = {{"fine_tune", 1}, {"quantization", 0.25}};
  axis.saturation = 100;
  Result<AxisScore> s = ScoreAxis(f.context, axis, f.team, f.results);
  ASSERT_TRUE(s.ok());
  EXPECT_DOUBLE_EQ(s->raw, 20);  // kinds the program does not weigh count zero
  EXPECT_NEAR(s->score.value, 100 * std::log(21.0) / std::log(101.0), 1e-12);
  axis.saturation = 5;
  EXPECT_EQ(ScoreAxis(f.context, axis, f.team, f.results)->score.value, 100);
  Axis open = MakeAxis(AxisSource::kOpenness, AxisMethod::kLevelPoints);
  open.level_points = {{"open", 100}, {"closed", 10}};
  EXPECT_EQ(ScoreAxis(f.context, open, f.team, f.results)->score.value, 10);
}

}  // namespace
}  // namespace kaif::program
