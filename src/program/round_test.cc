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

TEST(RoundTest, ExampleStageOneDecision) {
  auto e = LoadExample(1, nullptr);
  Result<StageDecision> d = DecideRound(e->inputs);
  ASSERT_TRUE(d.ok()) << d.status().message();
  std::cout << report::RenderTextSummary(*d);
  std::cout << report::RenderTeamExplanation(*d, "hanbit").value();
}

}  // namespace
}  // namespace kaif::program
