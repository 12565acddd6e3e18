#include "program/round.h"

#include <gtest/gtest.h>

#include "program/program_file.h"
#include "program/results_file.h"
#include "report/text_summary.h"
#include "support/example_paths.h"
#include "util/sha256.h"

namespace kaif::program {
namespace {

struct Example {
  Program program;
  ResultsSet results;
  RoundInputs inputs;
};

std::unique_ptr<Example> LoadExample(int stage, const StageDecision* previous,
                                     const std::vector<ProgramOverride>& overrides = {}) {
  auto e = std::make_unique<Example>();
  std::string text = testing::ExampleProgramText();
  Result<Program> program = ParseProgram(text, "program.toml", overrides);
  EXPECT_TRUE(program.ok()) << program.status().message();
  e->program = *program;
  Result<ResultsSet> results =
      LoadResultsDirectory(testing::ExampleDir() / "results" / ("stage" + std::to_string(stage)));
  EXPECT_TRUE(results.ok()) << results.status().message();
  e->results = *results;
  e->inputs.program = &e->program;
  e->inputs.program_source = "program.toml";
  e->inputs.program_sha256 = Sha256Hex(text);
  e->inputs.stage = stage;
  e->inputs.results = &e->results;
  Status s = SetParticipants(e->program, stage, previous, e->inputs);
  EXPECT_TRUE(s.ok()) << s.message();
  return e;
}

const TeamDecision& Team(const StageDecision& d, const std::string& id) {
  for (const TeamDecision& t : d.teams) {
    if (t.team == id) return t;
  }
  ADD_FAILURE() << "no team " << id;
  return d.teams.front();
}

TEST(RoundTest, ExampleStageOneFollowsTheProgramsRules) {
  auto e = LoadExample(1, nullptr);
  Result<StageDecision> result = DecideRound(e->inputs);
  ASSERT_TRUE(result.ok()) << result.status().message();
  const StageDecision& d = *result;
  // The moving target: frontier-a is older than six months, frontier-d not yet released.
  EXPECT_EQ(d.frontier_reference_models, (std::vector<std::string>{"frontier-b", "frontier-c"}));
  ASSERT_EQ(d.teams.size(), 5u);
  // Nuri scores among the top four but fails independence: excluded, ranked last.
  const TeamDecision& nuri = Team(d, "nuri");
  EXPECT_TRUE(nuri.excluded);
  EXPECT_EQ(nuri.outcome, Outcome::kEliminatedByGate);
  EXPECT_EQ(nuri.rank, 5);
  EXPECT_NE(nuri.outcome_reason.find("independence"), std::string::npos);
  EXPECT_GT(nuri.composite.value, Team(d, "gaon").composite.value);
  // Dasom has a slot (4 survivors) but is below advance_min_composite.
  const TeamDecision& dasom = Team(d, "dasom");
  EXPECT_EQ(dasom.outcome, Outcome::kEliminatedOnScore);
  EXPECT_NE(dasom.outcome_reason.find("advance_min_composite"), std::string::npos);
  EXPECT_TRUE(dasom.allocation.gpus.empty());
  EXPECT_EQ(dasom.allocation.data_money, 0);
  EXPECT_GT(dasom.allocation.talent_money, 0);  // talent money continues after elimination
  // Ranks are by composite; the winner gets base 512 x 2.0 = 1024 H100e as 512 B200, its first choice.
  EXPECT_EQ(d.teams[0].team, "hanbit");
  EXPECT_EQ(d.teams[0].rank, 1);
  ASSERT_EQ(d.teams[0].allocation.gpus.size(), 1u);
  EXPECT_EQ(d.teams[0].allocation.gpus[0].gpu_type, "B200");
  EXPECT_EQ(d.teams[0].allocation.gpus[0].gpus, 512);
  EXPECT_EQ(d.teams[0].allocation.gpus[0].nodes, 64);
  EXPECT_EQ(Team(d, "saebyeol").allocation.gpus_h100e, 768);
  EXPECT_EQ(Team(d, "gaon").allocation.gpus_h100e, 512);
  for (size_t i = 1; i < 3; ++i) EXPECT_GE(d.teams[i - 1].composite_rounded, d.teams[i].composite_rounded);
  // Composite = sum of contributions, each = score x weight / 100.
  for (const TeamDecision& t : d.teams) {
    if (t.outcome == Outcome::kNotParticipating) continue;
    double sum = 0;
    for (const AxisScore& a : t.axes) {
      EXPECT_NEAR(a.contribution, a.score.value * a.weight / 100, 1e-9);
      EXPECT_GE(a.score.value, 0);
      EXPECT_LE(a.score.value, 100);
      EXPECT_FALSE(a.explanation.empty());
      sum += a.contribution;
    }
    EXPECT_NEAR(t.composite.value, sum, 1e-9);
    EXPECT_LE(t.composite.low, t.composite.value);
    EXPECT_GE(t.composite.high, t.composite.value);
    EXPECT_GT(t.composite.stderr_, 0);
    EXPECT_EQ(t.frontier.per_benchmark.size(), 5u);
  }
  // Data: January-June is half a year; each team gets min(request, 2.8B cap) / 2.
  EXPECT_NEAR(Team(d, "hanbit").allocation.data_money, 1.4e9, 1);
  // Certification requires a frontier ratio of 0.90 among others.
  EXPECT_EQ(Team(d, "hanbit").certified, Team(d, "hanbit").frontier.overall.value >= 0.90);
  EXPECT_FALSE(nuri.certified);
  // Pools are never exceeded.
  for (const PoolUse& pool : d.pools) EXPECT_LE(pool.granted, pool.pool + 1e-6) << pool.resource;
  EXPECT_EQ(d.inputs.size(), 36u);
  EXPECT_EQ(d.inputs[0].name, "program.toml");
}

TEST(RoundTest, SameInputsGiveTheSameDecision) {
  auto a = LoadExample(1, nullptr);
  auto b = LoadExample(1, nullptr);
  Result<StageDecision> da = DecideRound(a->inputs), db = DecideRound(b->inputs);
  ASSERT_TRUE(da.ok() && db.ok());
  EXPECT_EQ(report::RenderTextSummary(*da), report::RenderTextSummary(*db));
  EXPECT_EQ(report::RenderTeamExplanation(*da, "gaon").value(), report::RenderTeamExplanation(*db, "gaon").value());
}

TEST(RoundTest, LaterStagesTakeTheAdvancingTeamsAndNewcomers) {
  auto one = LoadExample(1, nullptr);
  Result<StageDecision> first = DecideRound(one->inputs);
  ASSERT_TRUE(first.ok());
  auto two = LoadExample(2, &*first);
  EXPECT_EQ(two->inputs.participants, (std::vector<std::string>{"hanbit", "saebyeol", "gaon", "mirae"}));
  EXPECT_EQ(two->inputs.eliminated_before, (std::vector<std::string>{"nuri", "dasom"}));
  Result<StageDecision> second = DecideRound(two->inputs);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(second->frontier_reference_models, (std::vector<std::string>{"frontier-d"}));
  int advancing = 0;
  for (const TeamDecision& t : second->teams) advancing += t.outcome == Outcome::kAdvances;
  EXPECT_EQ(advancing, 3);
  EXPECT_EQ(Team(*second, "nuri").outcome, Outcome::kNotParticipating);
  // Stage 2 without the stage 1 decision cannot know who advanced.
  RoundInputs inputs;
  Status missing = SetParticipants(two->program, 2, nullptr, inputs);
  EXPECT_NE(missing.message().find("--previous"), std::string::npos);
  EXPECT_FALSE(SetParticipants(two->program, 3, &*first, inputs).ok());
}

TEST(RoundTest, WhatIfRulesMoveTheDecision) {
  auto base = LoadExample(1, nullptr);
  auto strict = LoadExample(1, nullptr, {{"gates.independence.on_fail", "\"flag\""}});
  Result<StageDecision> before = DecideRound(base->inputs), after = DecideRound(strict->inputs);
  ASSERT_TRUE(before.ok() && after.ok());
  // Flagging instead of excluding lets nuri compete on score.
  EXPECT_EQ(Team(*after, "nuri").outcome, Outcome::kAdvances);
  EXPECT_TRUE(Team(*after, "nuri").flagged);
  EXPECT_GT(Team(*after, "nuri").allocation.gpus_h100e, 0);
}

struct BadRound {
  const char* name;
  const char* file;
  const char* from;
  const char* to;
  const char* message;
};

class BadRoundTest : public ::testing::TestWithParam<BadRound> {};

TEST_P(BadRoundTest, RejectsInconsistentResults) {
  const BadRound& c = GetParam();
  auto e = LoadExample(1, nullptr);
  ResultsSet edited;
  for (const ResultsDocument& doc : e->results.documents()) {
    if (doc.source != c.file) {
      ASSERT_TRUE(edited.Add(doc).ok());
      continue;
    }
    if (std::string(c.from).empty()) continue;  // drop the file
    std::string text = ReadFile(testing::ExampleDir() / "results" / "stage1" / c.file).value();
    size_t at = text.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    text.replace(at, std::string(c.from).size(), c.to);
    Result<ResultsDocument> changed = ParseResultsDocument(text, c.file);
    ASSERT_TRUE(changed.ok()) << changed.status().message();
    ASSERT_TRUE(edited.Add(*changed).ok());
  }
  e->inputs.results = &edited;
  Result<StageDecision> d = DecideRound(e->inputs);
  ASSERT_FALSE(d.ok()) << c.name;
  EXPECT_EQ(d.status().ExitCode(), 2);
  EXPECT_NE(d.status().message().find(c.message), std::string::npos) << c.name << ": " << d.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadRoundTest,
    ::testing::Values(
        BadRound{"unknown_team", "gaon.arena-public.json", "\"team\": \"gaon\"", "\"team\": \"goan\"",
                 "results for unknown team 'goan'"},
        BadRound{"late_team", "gaon.arena-public.json", "\"team\": \"gaon\"", "\"team\": \"mirae\"",
                 "joins at a later stage"},
        BadRound{"wrong_stage", "gaon.safety.json", "\"stage\": 1", "\"stage\": 2", "results are for stage 2"},
        BadRound{"switched_weights", "gaon.benchmarks.json", "0a1b2c3d", "ffffffff", "registers"},
        BadRound{"unknown_benchmark", "gaon.benchmarks.json", "\"kmmlu\"", "\"kmmlu_v2\"",
                 "/benchmarks/kmmlu_v2 is not a benchmark of the program"},
        BadRound{"score_out_of_range", "gaon.benchmarks.json", "\"score\": ", "\"score\": 1", "outside the benchmark's range"},
        BadRound{"missing_axis_results", "gaon.expert-plans.json", "", "", "which axis 'plans' needs"},
        BadRound{"missing_benchmarks", "gaon.benchmarks.json", "", "", "no benchmarks results for team 'gaon'"}),
    [](const ::testing::TestParamInfo<BadRound>& info) { return std::string(info.param.name); });

TEST(RoundTest, TooFewExpertsToTrimIsAnError) {
  auto e = LoadExample(1, nullptr, {{"axes.expert.trim", "5"}});
  Result<StageDecision> d = DecideRound(e->inputs);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("10 expert scores, but axis 'expert' trims 5 from each end"), std::string::npos)
      << d.status().message();
}

TEST(RoundTest, MissingIndependenceReportFailsTheGateWhenTheProgramSaysSo) {
  auto e = LoadExample(1, nullptr);
  ResultsSet without;
  for (const ResultsDocument& doc : e->results.documents()) {
    if (doc.source != "gaon.independence.json") ASSERT_TRUE(without.Add(doc).ok());
  }
  e->inputs.results = &without;
  Result<StageDecision> d = DecideRound(e->inputs);
  ASSERT_TRUE(d.ok()) << d.status().message();
  const TeamDecision& gaon = Team(*d, "gaon");
  EXPECT_EQ(gaon.outcome, Outcome::kEliminatedByGate);
  EXPECT_TRUE(gaon.gates[0].missing_evidence);
  // The same with when_missing = "error" is a bad input, not a decision.
  auto strict = LoadExample(1, nullptr, {{"gates.independence.when_missing", "\"error\""}});
  strict->inputs.results = &without;
  Result<StageDecision> refused = DecideRound(strict->inputs);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("gate 'independence' needs"), std::string::npos);
}

}  // namespace
}  // namespace kaif::program
