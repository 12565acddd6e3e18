#include "program/program_file.h"

#include <gtest/gtest.h>

#include "support/example_paths.h"

namespace kaif::program {
namespace {

// Replaces the first occurrence of `from` in the example program; the test fails if absent.
std::string Edit(const std::string& from, const std::string& to) {
  std::string text = testing::ExampleProgramText();
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "example program has no '" << from << "'";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

int LineOf(const std::string& text, const std::string& needle) {
  size_t at = text.find(needle);
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

struct BadCase {
  const char* name;
  const char* from;
  const char* to;
  const char* message;  // a fragment the error must contain
};

class BadProgramTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadProgramTest, GivesOneClearErrorNamingFileAndKey) {
  const BadCase& c = GetParam();
  std::string text = Edit(c.from, c.to);
  Result<Program> program = ParseProgram(text, "program.toml");
  ASSERT_FALSE(program.ok()) << c.name;
  EXPECT_EQ(program.status().ExitCode(), 2) << c.name;
  EXPECT_NE(program.status().message().find(c.message), std::string::npos)
      << c.name << ": got '" << program.status().message() << "'";
  EXPECT_EQ(program.status().message().rfind("program.toml", 0), 0u) << program.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadProgramTest,
    ::testing::Values(
        BadCase{"syntax", "weights_total = 100", "weights_total = = 100", "TOML syntax error"},
        BadCase{"schema", "kaif.program/1", "kaif.program/9", "this kaif reads \"kaif.program/1\""},
        BadCase{"weights_do_not_sum", "weight = 30\n", "weight = 25\n", "axis weights sum to 95"},
        BadCase{"negative_weight", "weight = 30\n", "weight = -30\n", "[axes.expert] weight = -30 must be >= 0"},
        BadCase{"typo_key", "weight = 30\n", "wieght = 30\n", "did you mean 'weight'?"},
        BadCase{"duplicate_team", "[teams.gaon]", "[teams.hanbit]", "TOML syntax error"},
        BadCase{"duplicate_team_name", "name = \"Gaon Intelligence (example)\"", "name = \"Hanbit AI Consortium (example)\"",
                "is also the name of team 'hanbit'"},
        BadCase{"unknown_level", "open_source_level = \"closed\"", "open_source_level = \"secret\"",
                "is not in [program] open_source_levels"},
        BadCase{"unknown_size", "company_size = \"sme\"", "company_size = \"tiny\"", "is not one of \"large\", \"sme\", \"startup\""},
        BadCase{"unknown_gpu_in_pool", "gpu_pool = { H100 = 2048, B200 = 1536 }", "gpu_pool = { H100 = 2048, B300 = 1536 }",
                "did you mean 'B200'?"},
        BadCase{"pool_not_whole_nodes", "gpu_pool = { H100 = 2048, B200 = 1536 }", "gpu_pool = { H100 = 2044, B200 = 1536 }",
                "not a whole number of 8-GPU nodes"},
        BadCase{"pool_too_small", "gpu_pool = { H100 = 2048, B200 = 1536 }", "gpu_pool = { H100 = 896, B200 = 0 }",
                "smaller than 4 survivors x base_h100e 512"},
        BadCase{"talent_pool_too_small", "pool_per_year = 8_333_333_333", "pool_per_year = 1_000_000_000",
                "raise the pool or lower the minimum"},
        BadCase{"impossible_date", "evaluation_date = 2025-12-31", "evaluation_date = 2025-02-30", "TOML syntax error"},
        BadCase{"period_reversed", "period_end = 2026-06-30", "period_end = 2025-06-30", "is before period_start"},
        BadCase{"survivors_grow", "survivors = 3", "survivors = 6", "more than the 4 teams"},
        BadCase{"unknown_benchmark", "benchmark_groups = [\"korean\"]", "benchmarks = [\"kmlu\"]", "did you mean \"kmmlu\"?"},
        BadCase{"method_source_mismatch", "method = \"log_scaled\"", "method = \"pass_rate\"",
                "does not apply to source \"derivatives\""},
        BadCase{"missing_level_points", ", \"closed\" = 0 }", " }", "has no points for open-source level \"closed\""},
        BadCase{"self_pay_ratio", "\"closed\" = { large = 0.50", "\"closed\" = { large = 1.50", "must be between 0 and 1"},
        BadCase{"missing_self_pay_row", "\"closed\" = { large = 0.50, sme = 0.40, startup = 0.30 }\n", "",
                "[allocation.self_pay] closed is missing"},
        BadCase{"unknown_gate_in_certification", "required_gates = [\"independence\", \"safety\"]",
                "required_gates = [\"independence\", \"safty\"]", "names \"safty\", which is not in [gates]"},
        BadCase{"confidence", "confidence = 0.95", "confidence = 95", "must be between 0.5 and 1"},
        BadCase{"tie_breaker", "tie_breakers = [\"lower_bound\", \"axis:expert\", \"team_id\"]",
                "tie_breakers = [\"coin\"]", "use \"lower_bound\""},
        BadCase{"negative_request", "gpus_h100e = 768", "gpus_h100e = -768", "must be >= 0"},
        BadCase{"string_for_number", "team_cap_h100e = 1024", "team_cap_h100e = \"1024\"", "expected a number"},
        BadCase{"unknown_section", "[ranking]", "[rankings]", "did you mean 'ranking'?"},
        BadCase{"joins_after_end", "joins_stage = 2", "joins_stage = 9", "is not a stage of this program"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return std::string(info.param.name); });

TEST(ProgramFileTest, ErrorNamesTheLineOfTheBadKey) {
  std::string text = Edit("per_team_cap = 512", "per_team_cap = -512");
  Result<Program> program = ParseProgram(text, "p.toml");
  ASSERT_FALSE(program.ok());
  EXPECT_EQ(program.status().message().rfind("p.toml:" + std::to_string(LineOf(text, "per_team_cap = -512")) + ":", 0), 0u)
      << program.status().message();
}

TEST(ProgramFileTest, EmptyAndBinaryInputsFailCleanly) {
  EXPECT_FALSE(ParseProgram("", "p.toml").ok());
  EXPECT_FALSE(ParseProgram(std::string("\x00\xff\xfe", 3), "p.toml").ok());
  EXPECT_FALSE(ParseProgram("schema = \"kaif.program/1\"", "p.toml").ok());
  EXPECT_FALSE(ParseProgram("[[[", "p.toml").ok());
}

TEST(ProgramFileTest, ReadsTheExampleWithEveryRule) {
  Result<Program> program = ParseProgram(testing::ExampleProgramText(), "program.toml");
  ASSERT_TRUE(program.ok()) << program.status().message();
  const Program& p = *program;
  EXPECT_EQ(p.stages.size(), 3u);
  EXPECT_EQ(p.stages[0].survivors, 4);
  EXPECT_EQ(p.stages[0].gpu_pool.at("B200"), 1536);
  EXPECT_EQ(p.stages[1].procurement, Procurement::kPurchased);
  EXPECT_EQ(p.teams.size(), 6u);
  EXPECT_EQ(p.teams.front().id, "hanbit");  // file order, not alphabetical
  EXPECT_EQ(p.axes.front().id, "korean");
  EXPECT_EQ(p.FindTeam("mirae")->joins_stage, 2);
  EXPECT_EQ(p.FindGpuType("B200")->h100_equivalent, 2.0);
  EXPECT_EQ(p.self_pay.ratio.at("closed").at(CompanySize::kSme), 0.40);
  EXPECT_EQ(p.ranking.tie_breakers.back().kind, TieBreaker::kTeamId);
  EXPECT_EQ(p.frontier.models.size(), 5u);
  EXPECT_EQ(p.certification.min_open_source_level, "weights");
}

TEST(ProgramFileTest, OverridesChangeRulesBeforeValidation) {
  std::string text = testing::ExampleProgramText();
  Result<Program> changed = ParseProgram(text, "program.toml",
                                         {{"stages[0].survivors", "3"}, {"teams.dasom.open_source_level", "\"weights\""}});
  ASSERT_TRUE(changed.ok()) << changed.status().message();
  EXPECT_EQ(changed->stages[0].survivors, 3);
  EXPECT_EQ(changed->FindTeam("dasom")->open_source_level, "weights");
  // A what-if is validated like any program: weights must still sum.
  Result<Program> bad = ParseProgram(text, "program.toml", {{"axes.expert.weight", "25"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("axis weights sum to 95"), std::string::npos);
  EXPECT_FALSE(ParseProgram(text, "program.toml", {{"axes.nothing.weight", "1"}}).ok());
  EXPECT_FALSE(ParseProgram(text, "program.toml", {{"axes.expert.weight", "not toml"}}).ok());
  EXPECT_FALSE(ParseProgram(text, "program.toml", {{"stages[7].survivors", "1"}}).ok());
}

}  // namespace
}  // namespace kaif::program
