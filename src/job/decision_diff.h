// Text comparisons of decisions: what a what-if moves, and each team's path over stages.
#pragma once

#include <string>
#include <vector>

#include "program/decision.h"

namespace kaif::job {

// One line per team whose rank, outcome, composite, allocation or certification moved,
// or a line saying nothing moved.
std::string DescribeDifferences(const program::StageDecision& before, const program::StageDecision& after);

// Each team's rank, composite, outcome and GPUs per stage, then the total spend.
std::string DescribePaths(const std::vector<program::StageDecision>& stages);

}  // namespace kaif::job
