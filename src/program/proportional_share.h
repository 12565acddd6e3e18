// Water-filling: shares of a pool in proportion to weights with no share above its
// ceiling; what a capped share cannot take is shared again among the others. Used for
// proportional GPU and data allocation.
#pragma once

#include <vector>

namespace kaif::program {

// REQUIRES: weights and ceilings have the same size; all values >= 0. The shares sum to
// at most `pool` and each is at most its ceiling.
std::vector<double> ShareByWeight(double pool, const std::vector<double>& weights, const std::vector<double>& ceilings);

}  // namespace kaif::program
