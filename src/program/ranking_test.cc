#include "program/ranking.h"

#include <gtest/gtest.h>

namespace kaif::program {
namespace {

TeamDecision Make(const std::string& id, double composite, double low, double expert, bool excluded = false) {
  TeamDecision t;
  t.team = id;
  t.composite = {composite, 1, low, composite + 1};
  t.excluded = excluded;
  AxisScore a;
  a.axis = "expert";
  a.score.value = expert;
  t.axes.push_back(a);
  return t;
}

TEST(RankingTest, ExcludedLastThenCompositeThenTieRulesInOrder) {
  Program p;
  p.ranking.composite_decimals = 1;
  p.ranking.tie_breakers = {{TieBreaker::kLowerBound, ""}, {TieBreaker::kAxis, "expert"}, {TieBreaker::kTeamId, ""}};
  std::vector<TeamDecision> teams = {
      Make("zeta", 90.0, 80, 50, true),  // best score but excluded
      Make("beta", 80.04, 70, 60),       // rounds to 80.0, ties with alpha and gamma
      Make("alpha", 79.96, 70, 70),      // same lower end as beta; wins on the expert axis
      Make("gamma", 80.0, 71, 10),       // best lower end of the three
      Make("delta", 85, 70, 0),
      Make("omega", 75, 60, 70),
      Make("eps", 75, 60, 70),  // identical to omega: team id decides
  };
  RankTeams(p, teams);
  std::vector<std::string> order;
  for (const TeamDecision& t : teams) order.push_back(t.team);
  EXPECT_EQ(order, (std::vector<std::string>{"delta", "gamma", "alpha", "beta", "eps", "omega", "zeta"}));
  for (size_t i = 0; i < teams.size(); ++i) EXPECT_EQ(teams[i].rank, static_cast<int>(i) + 1);
  EXPECT_NE(teams[2].tie_note.find("tied with gamma at composite 80.0; broken by the composite interval's lower end"),
            std::string::npos)
      << teams[2].tie_note;
  EXPECT_NE(teams[2].tie_note.find("tied with beta at composite 80.0; ranked above by axis expert (70.0000 vs 60.0000)"),
            std::string::npos)
      << teams[2].tie_note;
  EXPECT_NE(teams[5].tie_note.find("team id"), std::string::npos) << teams[5].tie_note;
  EXPECT_TRUE(teams[0].tie_note.empty());
}

}  // namespace
}  // namespace kaif::program
