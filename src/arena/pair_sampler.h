// Which two models answer a battle: a published rule, the same for every team. Only the
// models' names as opaque keys and the battles each pair already has enter it; who built
// a model, how it is served and how it is rated do not.
//   uniform:     every pair of active models equally likely;
//   uncertainty: a pair's chance proportional to 1 / sqrt(1 + its battles so far), so
//                pairs with few battles, whose comparison is the least certain, come up
//                more often until the counts even out.
// Which model is shown on the left is a fair coin.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "arena/arena_config.h"

namespace kaif::arena {

using PairCounts = std::map<std::pair<std::string, std::string>, int64_t>;  // (lower, higher name) -> battles

// The rule in words, for the page and the export.
std::string SamplingRule(PairSampling rule, bool korean);

// `random` is two independent uniform draws in [0, 1). At least two models.
std::pair<std::string, std::string> ChoosePair(PairSampling rule, const std::vector<std::string>& models,
                                               const PairCounts& counts, double random_pair, double random_side);

}  // namespace kaif::arena
