// The tiny model fixtures (tests/data/models) and how their logits are compared.
#pragma once

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <vector>

namespace kaif::testing {

inline std::filesystem::path ModelFixtures() {
  return std::filesystem::path(KAIF_SOURCE_DIR) / "tests" / "data" / "models";
}

// The largest |got - want| / max(1, |want|) over rows of `vocab` logits.
inline double WorstRelativeError(const std::vector<float>& got, const std::vector<std::vector<float>>& want, size_t vocab) {
  double worst = 0;
  for (size_t t = 0; t < want.size(); ++t) {
    for (size_t j = 0; j < vocab; ++j) {
      double w = want[t][j], g = got[t * vocab + j];
      worst = std::max(worst, std::fabs(g - w) / std::max(1.0, std::fabs(w)));
    }
  }
  return worst;
}

}  // namespace kaif::testing
