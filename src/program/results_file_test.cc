#include "program/results_file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/example_paths.h"

namespace kaif::program {
namespace {

std::string Doc(const std::string& kind, const std::string& body, const std::string& extra = "") {
  return R"({"schema": "kaif.results/1", "kind": ")" + kind + R"(", "team": "t", "stage": 1, )" + extra + "\"" + kind +
         "\": " + body + "}";
}

struct BadDoc {
  const char* name;
  std::string text;
  const char* message;
};

class BadResultsTest : public ::testing::TestWithParam<BadDoc> {};

TEST_P(BadResultsTest, GivesAClearErrorWithFileAndPointer) {
  Result<ResultsDocument> doc = ParseResultsDocument(GetParam().text, "x.json");
  ASSERT_FALSE(doc.ok()) << GetParam().name;
  EXPECT_EQ(doc.status().ExitCode(), 2);
  EXPECT_EQ(doc.status().message().rfind("x.json", 0), 0u) << doc.status().message();
  EXPECT_NE(doc.status().message().find(GetParam().message), std::string::npos)
      << GetParam().name << ": " << doc.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadResultsTest,
    ::testing::Values(
        BadDoc{"empty", "", "JSON syntax error"},
        BadDoc{"truncated", R"({"schema": "kaif.results/1", "kind": )", "JSON syntax error"},
        BadDoc{"syntax_line", "{\n\"schema\": \"kaif.results/1\",\n\"kind\" \"arena\"}", "x.json:3:"},
        BadDoc{"not_object", "[1, 2]", "must be a JSON object"},
        BadDoc{"schema", R"({"schema": "kaif.results/2", "kind": "arena", "team": "t", "stage": 1})", "kaif.results/1"},
        BadDoc{"unknown_kind", R"({"schema": "kaif.results/1", "kind": "vibes", "team": "t", "stage": 1})",
               "is not a results kind"},
        BadDoc{"missing_team", R"({"schema": "kaif.results/1", "kind": "arena", "stage": 1})", "/team is missing"},
        BadDoc{"stage_zero", Doc("arena", R"({"pool": "p", "rating": 1, "stderr": 1})").replace(
                                 Doc("arena", "").find("\"stage\": 1"), 10, "\"stage\": 0"),
               "must be 1 or more"},
        BadDoc{"stage_fraction", R"({"schema": "kaif.results/1", "kind": "arena", "team": "t", "stage": 1.5})",
               "must be a whole number"},
        BadDoc{"unknown_key", Doc("arena", R"({"pool": "p", "rating": 1, "stderr": 1, "ratnig": 2})"),
               "/arena/ratnig is not a known key"},
        BadDoc{"negative_stderr", Doc("arena", R"({"pool": "p", "rating": 1000, "stderr": -3})"), "must not be negative"},
        BadDoc{"string_score", Doc("benchmarks", R"({"kmmlu": {"score": "high"}})"), "/benchmarks/kmmlu/score must be a number"},
        BadDoc{"empty_benchmarks", Doc("benchmarks", "{}"), "is empty"},
        BadDoc{"passed_more_than_items", Doc("safety", R"({"categories": {"a": {"items": 10, "passed": 11}}})"),
               "is more than items"},
        BadDoc{"zero_items", Doc("safety", R"({"categories": {"a": {"items": 0, "passed": 0}}})"), "is 0"},
        BadDoc{"expert_over_max", Doc("expert", R"({"panel": "p", "max_score": 35, "scores": [30, 36]})"),
               "/expert/scores/1 must be a number between 0 and max_score"},
        BadDoc{"expert_empty", Doc("expert", R"({"panel": "p", "max_score": 35, "scores": []})"), "non-empty list"},
        BadDoc{"negative_count", Doc("derivatives", R"({"counts": {"fine_tune": -1}})"), "must be a whole number >= 0"},
        BadDoc{"p_value", Doc("independence", R"({"verdict": "independent", "p_value": 2})"), "between 0 and 1"},
        BadDoc{"huge_number", Doc("arena", R"({"pool": "p", "rating": 1e999, "stderr": 1})"), "JSON syntax error"},
        BadDoc{"negative_parameters", Doc("arena", R"({"pool": "p", "rating": 1, "stderr": 1})", R"("model": {"parameters": -5}, )"),
               "must not be negative"}),
    [](const ::testing::TestParamInfo<BadDoc>& info) { return std::string(info.param.name); });

TEST(ResultsFileTest, ReadsEveryKind) {
  Result<ResultsDocument> arena = ParseResultsDocument(
      Doc("arena", R"({"pool": "public", "rating": 1012.5, "stderr": 7.5, "battles": 900})",
          R"("model": {"weights_sha256": "ab", "parameters": 7e9}, )"),
      "a.json");
  ASSERT_TRUE(arena.ok()) << arena.status().message();
  EXPECT_EQ(arena->kind, ResultsKind::kArena);
  EXPECT_EQ(arena->pool, "public");
  EXPECT_EQ(arena->arena_rating.value, 1012.5);
  EXPECT_EQ(arena->arena_rating.n, 900);
  EXPECT_EQ(arena->model_weights_sha256, "ab");
  EXPECT_EQ(arena->parameters, 7e9);
  EXPECT_EQ(arena->sha256.size(), 64u);
  Result<ResultsDocument> expert =
      ParseResultsDocument(Doc("expert", R"({"panel": "plans", "max_score": 10, "scores": [7, 8.5]})"), "e.json");
  ASSERT_TRUE(expert.ok());
  EXPECT_EQ(expert->pool, "plans");
  EXPECT_EQ(expert->expert_scores, (std::vector<double>{7, 8.5}));
}

TEST(ResultsFileTest, LoadsTheExampleDirectoryInNameOrder) {
  Result<ResultsSet> set = LoadResultsDirectory(testing::ExampleDir() / "results" / "stage1");
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ(set->documents().size(), 35u);
  EXPECT_EQ(set->documents().front().source, "dasom.arena-public.json");
  EXPECT_NE(set->Find("hanbit", ResultsKind::kExpert, "plans"), nullptr);
  EXPECT_EQ(set->Find("hanbit", ResultsKind::kExpert, "nobody"), nullptr);
}

TEST(ResultsFileTest, DuplicateDocumentsAndMissingFoldersFail) {
  testing::ScratchDir dir("results-dup");
  std::string doc = Doc("arena", R"({"pool": "public", "rating": 1000, "stderr": 5})");
  std::ofstream(dir.path() / "a.json") << doc;
  std::ofstream(dir.path() / "b.json") << doc;
  Result<ResultsSet> set = LoadResultsDirectory(dir.path());
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.status().message().find("b.json: duplicate arena results for team 't'"), std::string::npos)
      << set.status().message();
  EXPECT_EQ(LoadResultsDirectory(dir.path() / "absent").status().code(), Status::Code::kNotFound);
  testing::ScratchDir empty("results-empty");
  EXPECT_NE(LoadResultsDirectory(empty.path()).status().message().find("holds no *.json"), std::string::npos);
}

TEST(ResultsFileTest, WhatIfOverridesEditOneValue) {
  Result<ResultsSet> set = LoadResultsDirectory(testing::ExampleDir() / "results" / "stage1",
                                                {{"hanbit.arena-public.json", "/arena/rating", "1300"}});
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ(set->Find("hanbit", ResultsKind::kArena, "public")->arena_rating.value, 1300);
  EXPECT_FALSE(LoadResultsDirectory(testing::ExampleDir() / "results" / "stage1",
                                    {{"nobody.json", "/arena/rating", "1300"}})
                   .ok());
  EXPECT_FALSE(LoadResultsDirectory(testing::ExampleDir() / "results" / "stage1",
                                    {{"hanbit.arena-public.json", "/arena/nothing", "1"}})
                   .ok());
  EXPECT_FALSE(LoadResultsDirectory(testing::ExampleDir() / "results" / "stage1",
                                    {{"hanbit.arena-public.json", "arena", "1"}})
                   .ok());
}

}  // namespace
}  // namespace kaif::program
