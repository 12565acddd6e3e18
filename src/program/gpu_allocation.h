// GPU allocation for the next period: how rank and scores become whole nodes of each GPU
// type, within every pool and cap. Two rules (program.h: GpuMethod):
//
// kRankPriority: a team's entitlement is base_h100e x rank_multipliers[rank], capped by
//   team_cap_h100e and by its request. Teams are served in rank order, each from its
//   preferred GPU type first, in whole nodes, within the type's per-team cap and what is
//   left of the pool. The result is optimal for the stated rule in the lexicographic
//   sense: no team can get one more node of a type it accepts without exceeding its
//   entitlement or a cap, or taking it from a team ranked above it.
// kProportional: the pool (in H100 equivalents) is shared in proportion to
//   composite^score_exponent, water-filling past each team's caps, then served as above
//   with the share as entitlement (rounded down to whole nodes).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "program/decision.h"
#include "program/program.h"

namespace kaif::program {

struct GpuCandidate {
  const Team* team = nullptr;
  double composite = 0;  // for kProportional
};

struct GpuAllocationResult {
  std::vector<Allocation> allocations;    // one per candidate, same order; GPU fields only
  std::map<std::string, int> pool_left;  // GPU type -> GPUs left unallocated
};

// `ranked` are the teams that advance, best first. REQUIRES: the program was validated.
GpuAllocationResult AllocateGpus(const Program& program, const Stage& stage, const std::vector<GpuCandidate>& ranked);

}  // namespace kaif::program
