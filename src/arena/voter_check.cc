#include "arena/voter_check.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace kaif::arena {

double VoterFlagThreshold(const VoterCheckOptions& options) { return std::log((1 - options.beta) / options.alpha); }

std::vector<VoterVerdict> CheckVoters(const std::vector<VoterVote>& votes,
                                      const std::function<double(const std::string& a, const std::string& b)>& p_a_beats_b,
                                      const VoterCheckOptions& options) {
  const double threshold = VoterFlagThreshold(options);
  const double floor = -options.floor_depth * threshold;  // -inf for an infinite depth
  // Never quite 0 or 1: one vote must not weigh infinitely.
  const double low = std::clamp(options.min_probability, 1e-12, 0.5), high = 1 - low;
  std::vector<VoterVerdict> verdicts;
  std::unordered_map<std::string, size_t> index;
  for (const VoterVote& v : votes) {
    auto [it, added] = index.try_emplace(v.voter, verdicts.size());
    if (added) verdicts.push_back(VoterVerdict{v.voter});
    if (v.outcome != Outcome::kModelA && v.outcome != Outcome::kModelB) continue;
    VoterVerdict& verdict = verdicts[it->second];
    double p = p_a_beats_b(v.model_a, v.model_b);
    if (!std::isfinite(p)) p = 0.5;
    if (v.outcome == Outcome::kModelB) p = 1 - p;  // the chosen model's chance
    p = std::clamp(p, low, high);
    verdict.llr = std::max(floor, verdict.llr + std::log((1 - p) / p));
    ++verdict.votes;
    if (!verdict.flagged && verdict.llr >= threshold) {
      verdict.flagged = true;
      verdict.flagged_after = verdict.votes;
    }
  }
  std::sort(verdicts.begin(), verdicts.end(), [](const VoterVerdict& a, const VoterVerdict& b) {
    return a.llr != b.llr ? a.llr > b.llr : a.voter < b.voter;
  });
  return verdicts;
}

}  // namespace kaif::arena
