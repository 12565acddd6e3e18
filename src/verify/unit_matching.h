// The weight-only, permutation-robust test of one MLP layer (after Zhu, Ahmed, Kuditipudi
// and Liang, "Independence Tests for Language Models", 2025). The hidden units of the two
// models' layer are matched twice, once by the cosine similarity of their gate-projection
// rows and once by their up-projection rows (each the optimal assignment). For models
// initialised independently the two matchings are independent random permutations; for a
// model derived from the other they agree, whatever permutation of its units the
// candidate applied. The statistic is Spearman's rho between the two matchings, with its
// one-sided p-value. A sample of the reference's units is matched to all of the
// candidate's (a rectangular assignment), so 11,008-unit layers cost a fraction of a second.
#pragma once

#include <cstddef>
#include <vector>

#include "util/status.h"
#include "verify/unit_blocks.h"

namespace kaif::verify {

struct UnitAgreement {
  std::vector<size_t> gate_matching, up_matching;
  double rho = 0;    // Spearman's rho between the two matchings
  double log_p = 0;  // ln p under "independently initialised"
};

// Some units of the reference (rows of `reference`) matched to all units of the candidate,
// by each view (both sides' rows unit length, on the same coordinates): each reference
// unit gets a distinct candidate unit. rho compares the two matchings over the reference's
// units. InvalidInput when the widths differ or the reference has more rows.
Result<UnitAgreement> RowsAgreement(const UnitRows& reference, const UnitRows& candidate);

// A cheap look before the matching: the first `units` reference rows, each with its most
// similar candidate unit by each view. `agreements` counts the units whose two nearest
// candidate units are the same unit (near 0 for independent models, near `units` for a
// derived layer); `similarity` is the mean of the two views' best cosines.
struct ScreenScore {
  size_t agreements = 0;
  double similarity = 0;
  bool operator<(const ScreenScore& o) const {
    return agreements != o.agreements ? agreements < o.agreements : similarity < o.similarity;
  }
};
ScreenScore Screen(const UnitRows& reference, size_t units, const UnitRows& candidate);

}  // namespace kaif::verify
