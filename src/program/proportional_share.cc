#include "program/proportional_share.h"

#include <cstddef>

namespace kaif::program {

std::vector<double> ShareByWeight(double pool, const std::vector<double>& weights, const std::vector<double>& ceilings) {
  std::vector<double> share(weights.size(), 0);
  std::vector<bool> fixed(weights.size(), false);
  double remaining = pool;
  for (std::size_t round = 0; round <= weights.size(); ++round) {
    double weight_sum = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) weight_sum += fixed[i] ? 0 : weights[i];
    if (weight_sum <= 0) break;
    bool capped = false;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (!fixed[i] && remaining * weights[i] / weight_sum >= ceilings[i]) {
        share[i] = ceilings[i];
        remaining -= ceilings[i];
        fixed[i] = capped = true;
      }
    }
    if (!capped) {
      for (std::size_t i = 0; i < weights.size(); ++i) {
        if (!fixed[i]) share[i] = remaining * weights[i] / weight_sum;
      }
      break;
    }
  }
  return share;
}

}  // namespace kaif::program
