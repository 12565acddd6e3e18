#include "report/decision_json.h"

#include <gtest/gtest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "support/sample_decision.h"

namespace kaif::report {
namespace {

TEST(DecisionJsonTest, HostileAndBrokenInputsFailCleanly) {
  EXPECT_FALSE(ParseDecisionJson("", "d.json").ok());
  EXPECT_FALSE(ParseDecisionJson("{\"schema\": \"kaif.decision/1\"", "d.json").ok());
  EXPECT_FALSE(ParseDecisionJson("[]", "d.json").ok());
  Result<program::StageDecision> other = ParseDecisionJson(R"({"schema": "kaif.results/1"})", "d.json");
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("not a kaif decision"), std::string::npos);
  std::string text = RenderDecisionJson(testing::SampleDecision());
  std::string bad_outcome = text;
  bad_outcome.replace(bad_outcome.find("\"advances\""), 10, "\"promoted\"");
  Result<program::StageDecision> r = ParseDecisionJson(bad_outcome, "d.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("d.json: /teams/0/outcome"), std::string::npos) << r.status().message();
}

TEST(DecisionJsonTest, RoundTripsWhatTheNextStageNeeds) {
  program::StageDecision d = testing::SampleDecision();
  std::string text = RenderDecisionJson(d);
  EXPECT_EQ(text.back(), '\n');
  Result<program::StageDecision> back = ParseDecisionJson(text, "d.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->stage, 2);
  ASSERT_EQ(back->teams.size(), d.teams.size());
  for (size_t i = 0; i < d.teams.size(); ++i) {
    EXPECT_EQ(back->teams[i].team, d.teams[i].team);
    EXPECT_EQ(back->teams[i].team_name, d.teams[i].team_name);
    EXPECT_EQ(back->teams[i].outcome, d.teams[i].outcome);
    EXPECT_EQ(back->teams[i].composite.value, d.teams[i].composite.value);
  }
  nlohmann::json j = nlohmann::json::parse(text);
  EXPECT_EQ(j["schema"], "kaif.decision/1");
  EXPECT_EQ(j["teams"][0]["allocation"]["gpus"][0]["nodes"], 64);
  EXPECT_EQ(j["teams"][0]["parameters"], 7e9);
  EXPECT_TRUE(j["teams"][3]["parameters"].is_null());
  EXPECT_EQ(text, RenderDecisionJson(d));  // same decision, same bytes
}

TEST(DecisionJsonTest, NonFiniteNumbersBecomeNull) {
  program::StageDecision d = testing::SampleDecision();
  d.teams[0].composite.value = std::nan("");
  d.teams[0].composite.high = INFINITY;
  nlohmann::json j = nlohmann::json::parse(RenderDecisionJson(d));
  EXPECT_TRUE(j["teams"][0]["composite"]["value"].is_null());
  EXPECT_TRUE(j["teams"][0]["composite"]["high"].is_null());
}

}  // namespace
}  // namespace kaif::report
