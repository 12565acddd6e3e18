// A sequential test per voter against the consensus: does this voter choose like
// everyone else, or against them far beyond chance? A voter paid to push a model up (or
// a rival down) keeps choosing the model the consensus rates weaker; an honest voter
// disagrees with the consensus too, but only as often as the ratings say.
//
// Wald's sequential probability ratio test, one per voter. For each decisive vote (ties
// and "both bad" say nothing about the order and are skipped), p is the consensus
// probability that the model the voter chose beats the other one (from the current
// ratings), clipped to [min_probability, 1 - min_probability] so that one surprising
// vote on a lopsided pair cannot decide alone:
//   H0: the voter votes like the consensus: chooses that model with probability p;
//   H1: the voter votes against it: chooses it with probability 1 - p.
// The log-likelihood ratio log P(vote | H1) / P(vote | H0) = log((1 - p) / p) adds up
// vote by vote (in the order given: oldest first), and the voter is flagged the first
// time it reaches log((1 - beta) / alpha) (6.86 at the defaults). Flagged stays flagged.
//
// The statistic is held at or above a floor, -floor_depth times that threshold, and is
// never cleared. Wald's test would stop at log(beta / (1 - alpha)) (-3.0) and call the
// voter honest; restarting there (or holding there) makes every later excursion a fresh
// chance of a false flag, so a heavy honest voter's chance grows with its votes (about 1%
// after 1,000 votes and 5% after 5,000 in simulation). Keeping the plain sum instead
// lets a saboteur bank credit with honest votes and then spend it. Holding at -6.86
// bounds the credit (one threshold's worth) and keeps an honest voter's chance near
// alpha however many votes it casts (simulated: 0.1% at 50, 1,000 and 5,000 votes). With
// the floor, a voter choosing at random is flagged too, where the consensus is clear
// (median 30 votes when the stronger model wins 90%): its votes are noise.
//
// alpha is per voter: among 10,000 honest voters, about 10 are expected to be flagged.
// Their votes are excluded, not deleted, and the leaderboard reports what the filter
// changed.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "arena/battles.h"

namespace kaif::arena {

struct VoterVote {
  std::string voter, model_a, model_b;
  Outcome outcome = Outcome::kTie;
};

struct VoterCheckOptions {
  double alpha = 1e-3;  // chance of flagging a voter who votes like the consensus
  double beta = 0.05;   // chance of missing a voter who votes against it
  double min_probability = 0.02;
  // The statistic's floor, in thresholds below zero (see above); infinity: no floor.
  double floor_depth = 1;
};

struct VoterVerdict {
  std::string voter;
  int votes = 0;        // decisive votes tested (ties and "both bad" not counted)
  double llr = 0;       // the statistic after the voter's last vote
  bool flagged = false;
  int flagged_after = 0;  // the decisive vote on which it was flagged; 0 if not flagged
};

// log((1 - beta) / alpha): where a voter is flagged.
double VoterFlagThreshold(const VoterCheckOptions& options);

// One verdict per voter who appears in `votes` (in the order cast), most suspicious
// first (highest llr, then by name). `p_a_beats_b(a, b)` is the consensus probability
// that a beats b (the model the voter saw as A is passed as `a`); 0.5 for a model without
// a rating (such a vote then weighs nothing), and NaN is read as 0.5.
std::vector<VoterVerdict> CheckVoters(const std::vector<VoterVote>& votes,
                                      const std::function<double(const std::string& a, const std::string& b)>& p_a_beats_b,
                                      const VoterCheckOptions& options);

}  // namespace kaif::arena
