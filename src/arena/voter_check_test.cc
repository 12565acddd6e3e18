#include "arena/voter_check.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace kaif::arena {
namespace {

// Eight models 60 Elo points apart (a 1000-1420 field): pairs from nearly even (58%)
// to lopsided (92%), Bradley-Terry on the Elo scale as the leaderboard computes it.
class Field {
 public:
  Field() {
    for (int i = 0; i < 8; ++i) names_.push_back("m" + std::to_string(i));
  }
  double P(const std::string& a, const std::string& b) const {
    const double ra = Rating(a), rb = Rating(b);
    if (std::isnan(ra) || std::isnan(rb)) return 0.5;
    return 1 / (1 + std::pow(10.0, (rb - ra) / 400));
  }
  std::function<double(const std::string&, const std::string&)> Consensus() const {
    return [this](const std::string& a, const std::string& b) { return P(a, b); };
  }
  std::pair<const std::string&, const std::string&> Pair(std::mt19937_64& rng) const {
    std::uniform_int_distribution<int> pick(0, 7);
    const int a = pick(rng);
    int b = pick(rng);
    while (b == a) b = pick(rng);
    return {names_[a], names_[b]};
  }

 private:
  static double Rating(const std::string& name) {
    return name.size() == 2 && name[0] == 'm' && name[1] >= '0' && name[1] <= '7' ? 1000 + 60 * (name[1] - '0') : NAN;
  }
  std::vector<std::string> names_;
};

enum class Kind { kHonest, kAdversary, kCoin };

void Cast(const Field& field, const std::string& voter, Kind kind, int n, std::mt19937_64& rng, std::vector<VoterVote>& out) {
  std::uniform_real_distribution<double> u(0, 1);
  for (int i = 0; i < n; ++i) {
    auto [a, b] = field.Pair(rng);
    const double p = field.P(a, b);
    bool a_wins = false;
    switch (kind) {
      case Kind::kHonest: a_wins = u(rng) < p; break;
      case Kind::kAdversary: a_wins = p < 0.5; break;
      case Kind::kCoin: a_wins = u(rng) < 0.5; break;
    }
    out.push_back({voter, a, b, a_wins ? Outcome::kModelA : Outcome::kModelB});
  }
}

TEST(VoterCheckTest, ThresholdIsWalds) {
  EXPECT_NEAR(VoterFlagThreshold(VoterCheckOptions{}), std::log(0.95 / 1e-3), 1e-12);
  EXPECT_NEAR(VoterFlagThreshold(VoterCheckOptions{}), 6.856, 1e-3);
}

TEST(VoterCheckTest, HonestVotersAreFlaggedAtMostAboutAlpha) {
  const Field field;
  std::mt19937_64 rng(20260101);
  std::vector<VoterVote> votes;
  for (int v = 0; v < 2000; ++v) Cast(field, "honest" + std::to_string(v), Kind::kHonest, 50, rng, votes);
  const std::vector<VoterVerdict> verdicts = CheckVoters(votes, field.Consensus(), VoterCheckOptions{});
  ASSERT_EQ(verdicts.size(), 2000u);
  int flagged = 0;
  for (const VoterVerdict& v : verdicts) {
    EXPECT_EQ(v.votes, 50);
    flagged += v.flagged;
  }
  EXPECT_LT(flagged / 2000.0, 0.005);
  // Most honest voters sit at the floor, far from the threshold.
  EXPECT_LT(verdicts[1000].llr, -3);
}

// The floor keeps a heavy voter's chance from growing with its votes.
TEST(VoterCheckTest, HeavyHonestVotersStayUnflagged) {
  const Field field;
  std::mt19937_64 rng(99);
  std::vector<VoterVote> votes;
  for (int v = 0; v < 50; ++v) Cast(field, "heavy" + std::to_string(v), Kind::kHonest, 2000, rng, votes);
  int flagged = 0;
  for (const VoterVerdict& v : CheckVoters(votes, field.Consensus(), VoterCheckOptions{})) {
    flagged += v.flagged;
    EXPECT_GE(v.llr, -VoterFlagThreshold(VoterCheckOptions{}) - 1e-9);  // never below the floor
  }
  EXPECT_LE(flagged, 1);
}

TEST(VoterCheckTest, AVoterForTheWeakerModelIsFlaggedWithinTwentyVotes) {
  const Field field;
  std::mt19937_64 rng(5);
  std::vector<VoterVote> votes;
  for (int v = 0; v < 200; ++v) Cast(field, "adversary" + std::to_string(v), Kind::kAdversary, 40, rng, votes);
  for (const VoterVerdict& v : CheckVoters(votes, field.Consensus(), VoterCheckOptions{})) {
    EXPECT_TRUE(v.flagged) << v.voter;
    EXPECT_GE(v.flagged_after, 3);  // even the most lopsided pair (92%) weighs only 2.44
    EXPECT_LE(v.flagged_after, 20) << v.voter;
  }
}

TEST(VoterCheckTest, ACoinFlipperIsFlaggedWhereTheConsensusIsClear) {
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> u(0, 1);
  auto strong = [](const std::string& a, const std::string& b) { return a == "strong" ? 0.9 : 0.1; };
  auto even = [](const std::string&, const std::string&) { return 0.5; };
  std::vector<VoterVote> votes;
  for (int v = 0; v < 200; ++v) {
    for (int i = 0; i < 400; ++i) {
      const bool swap = u(rng) < 0.5;
      votes.push_back({"coin" + std::to_string(v), swap ? "weak" : "strong", swap ? "strong" : "weak",
                       u(rng) < 0.5 ? Outcome::kModelA : Outcome::kModelB});
    }
  }
  std::vector<int> when;
  for (const VoterVerdict& v : CheckVoters(votes, strong, VoterCheckOptions{})) {
    EXPECT_TRUE(v.flagged) << v.voter;
    when.push_back(v.flagged_after);
  }
  std::sort(when.begin(), when.end());
  EXPECT_LT(when[100], 80);  // the median: about 30 in simulation
  // Where the consensus has no opinion, a coin flip is as good as any vote.
  for (const VoterVerdict& v : CheckVoters(votes, even, VoterCheckOptions{})) {
    EXPECT_FALSE(v.flagged);
    EXPECT_EQ(v.llr, 0);
  }
}

TEST(VoterCheckTest, TiesAndBothBadAreIgnored) {
  auto p = [](const std::string& a, const std::string&) { return a == "strong" ? 0.9 : 0.1; };
  std::vector<VoterVote> votes;
  for (int i = 0; i < 100; ++i) {
    votes.push_back({"tier", "strong", "weak", i % 2 ? Outcome::kTie : Outcome::kBothBad});
    votes.push_back({"mixed", "strong", "weak", i % 2 ? Outcome::kTie : Outcome::kBothBad});
  }
  votes.push_back({"mixed", "strong", "weak", Outcome::kModelB});  // one vote for the weak model
  const std::vector<VoterVerdict> verdicts = CheckVoters(votes, p, VoterCheckOptions{});
  ASSERT_EQ(verdicts.size(), 2u);
  EXPECT_EQ(verdicts[0].voter, "mixed");
  EXPECT_EQ(verdicts[0].votes, 1);
  EXPECT_NEAR(verdicts[0].llr, std::log(0.9 / 0.1), 1e-12);
  EXPECT_FALSE(verdicts[0].flagged);
  EXPECT_EQ(verdicts[1].voter, "tier");
  EXPECT_EQ(verdicts[1].votes, 0);
  EXPECT_EQ(verdicts[1].llr, 0);
  EXPECT_FALSE(verdicts[1].flagged);
}

TEST(VoterCheckTest, ProbabilitiesAreClippedSoOneVoteNeverDecides) {
  // The consensus is certain; the voter disagrees: each vote weighs log(0.98 / 0.02) = 3.89.
  auto certain = [](const std::string& a, const std::string&) { return a == "strong" ? 1.0 : 0.0; };
  std::vector<VoterVote> votes = {{"v", "strong", "weak", Outcome::kModelB}};
  std::vector<VoterVerdict> one = CheckVoters(votes, certain, VoterCheckOptions{});
  EXPECT_NEAR(one[0].llr, std::log(49.0), 1e-12);
  EXPECT_FALSE(one[0].flagged);
  votes.push_back({"v", "weak", "strong", Outcome::kModelA});  // sides swapped
  std::vector<VoterVerdict> two = CheckVoters(votes, certain, VoterCheckOptions{});
  EXPECT_NEAR(two[0].llr, 2 * std::log(49.0), 1e-12);
  EXPECT_TRUE(two[0].flagged);
  EXPECT_EQ(two[0].flagged_after, 2);
  // Unknown models (0.5) and a NaN weigh nothing.
  auto unknown = [](const std::string&, const std::string&) { return std::nan(""); };
  EXPECT_EQ(CheckVoters(votes, unknown, VoterCheckOptions{})[0].llr, 0);
}

// A saboteur who first votes honestly cannot bank more than one threshold of credit.
TEST(VoterCheckTest, HonestHistoryBuysLittleCredit) {
  const Field field;
  std::mt19937_64 rng(3);
  std::vector<VoterVote> votes;
  Cast(field, "sleeper", Kind::kHonest, 1000, rng, votes);
  Cast(field, "sleeper", Kind::kAdversary, 60, rng, votes);
  const VoterVerdict held = CheckVoters(votes, field.Consensus(), VoterCheckOptions{})[0];
  EXPECT_TRUE(held.flagged);
  EXPECT_GT(held.flagged_after, 1000);
  EXPECT_LE(held.flagged_after, 1040);
  // Without the floor the plain sum hides the turn (the honest votes banked hundreds).
  VoterCheckOptions plain;
  plain.floor_depth = INFINITY;
  const VoterVerdict summed = CheckVoters(votes, field.Consensus(), plain)[0];
  EXPECT_FALSE(summed.flagged);
  EXPECT_LT(summed.llr, -100);
}

TEST(VoterCheckTest, FlaggedStaysFlaggedAndOrderIsMostSuspiciousFirst) {
  auto p = [](const std::string& a, const std::string&) { return a == "strong" ? 0.8 : 0.2; };
  std::vector<VoterVote> votes;
  for (int i = 0; i < 6; ++i) votes.push_back({"turncoat", "strong", "weak", Outcome::kModelB});
  for (int i = 0; i < 10; ++i) votes.push_back({"turncoat", "strong", "weak", Outcome::kModelA});
  votes.push_back({"b-honest", "strong", "weak", Outcome::kModelA});
  votes.push_back({"a-honest", "strong", "weak", Outcome::kModelA});
  const std::vector<VoterVerdict> verdicts = CheckVoters(votes, p, VoterCheckOptions{});
  ASSERT_EQ(verdicts.size(), 3u);
  EXPECT_EQ(verdicts[0].voter, "a-honest");  // equal statistics: by name
  EXPECT_EQ(verdicts[1].voter, "b-honest");
  EXPECT_EQ(verdicts[2].voter, "turncoat");
  EXPECT_TRUE(verdicts[2].flagged);  // 5 votes at log 4 = 6.93 crossed the threshold
  EXPECT_EQ(verdicts[2].flagged_after, 5);
  EXPECT_LT(verdicts[2].llr, 0);  // its later votes brought the statistic down; the flag stays
}

}  // namespace
}  // namespace kaif::arena
