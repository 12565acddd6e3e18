#include "arena/leaderboard.h"

#include <gtest/gtest.h>

namespace kaif::arena {
namespace {

BattleRecord Voted(int64_t id, const std::string& a, const std::string& b, Outcome o, const std::string& voter) {
  BattleRecord r;
  r.id = id, r.model_a = a, r.model_b = b, r.mode = "public";
  Turn t;
  t.prompt = "p" + std::to_string(id);
  t.finished = {AnswerStyle{10, 0, 0, 0}, AnswerStyle{12, 1, 0, 0}};
  r.turns.push_back(t);
  r.vote = Vote{o, voter, id};
  return r;
}

TEST(LeaderboardTest, FiltersExcludeAndTheirEffectIsReported) {
  std::vector<BattleRecord> battles;
  int64_t id = 1;
  // x beats y 2:1, y beats z 2:1, x beats z 3:1, among honest voters.
  for (auto [a, b, wins, losses] : {std::tuple{"x", "y", 20, 10}, std::tuple{"y", "z", 20, 10}, std::tuple{"x", "z", 30, 10}}) {
    for (int i = 0; i < wins; ++i) battles.push_back(Voted(id, a, b, Outcome::kModelA, "v" + std::to_string(id % 7))), ++id;
    for (int i = 0; i < losses; ++i) battles.push_back(Voted(id, a, b, Outcome::kModelB, "v" + std::to_string(id % 7))), ++id;
  }
  // Flagged battles, all won by z: they must not count, and switching their filter off moves z up.
  for (int i = 0; i < 15; ++i) {
    BattleRecord r = Voted(id++, "x", "z", Outcome::kModelB, "v1");
    r.flags["duplicate_prompt"] = "same as battle 1";
    battles.push_back(r);
  }
  const FilteredBattles f = ApplyFilters(battles, RatingOptions{});
  EXPECT_EQ(f.counted.size(), 100u);
  EXPECT_EQ(f.excluded.size(), 15u);
  const nlohmann::json board = LeaderboardJson("public", battles, {}, {}, DefaultRubric());
  ASSERT_EQ(board["models"].size(), 3u) << board.dump();
  EXPECT_EQ(board["models"][0]["model"], "x");
  std::map<std::string, double> rating;
  for (const auto& m : board["models"]) rating[m["model"]] = m["rating"];
  const auto& duplicate = board["filters"][0];
  EXPECT_EQ(duplicate["name"], "duplicate_prompt");
  EXPECT_EQ(duplicate["excluded"], 15);
  EXPECT_GT(duplicate["ratings_without"]["z"].get<double>(), rating["z"] + 20);
  EXPECT_LE(board["models"][0]["lower"].get<double>(), board["models"][0]["rating"].get<double>());
}

TEST(LeaderboardTest, AVoterAgainstTheConsensusIsFlaggedAndExcluded) {
  std::vector<BattleRecord> battles;
  int64_t id = 1;
  for (int i = 0; i < 300; ++i) {
    const bool upset = i % 5 == 0;  // the stronger model wins 80%, spread over the voters
    battles.push_back(Voted(id++, "strong", "weak", upset ? Outcome::kModelB : Outcome::kModelA, "honest" + std::to_string(i % 7)));
  }
  for (int i = 0; i < 40; ++i) battles.push_back(Voted(id++, "strong", "weak", Outcome::kModelB, "saboteur"));
  const FilteredBattles f = ApplyFilters(battles, RatingOptions{});
  bool saboteur_flagged = false, honest_flagged = false;
  for (const VoterVerdict& v : f.voters) {
    if (v.voter == "saboteur") saboteur_flagged = v.flagged;
    else honest_flagged |= v.flagged;
  }
  EXPECT_TRUE(saboteur_flagged);
  EXPECT_FALSE(honest_flagged);
  EXPECT_EQ(f.counted.size(), 300u);
}

TEST(LeaderboardTest, TooFewBattlesSayWhyInsteadOfRatings) {
  std::vector<BattleRecord> battles = {Voted(1, "a", "b", Outcome::kModelA, "v")};
  const nlohmann::json board = LeaderboardJson("public", battles, {}, {}, DefaultRubric());
  EXPECT_TRUE(board["models"].empty());
  EXPECT_NE(board["note"].get<std::string>().find("no ratings yet"), std::string::npos);
}

}  // namespace
}  // namespace kaif::arena
