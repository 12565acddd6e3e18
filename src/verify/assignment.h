// The linear assignment problem: a one-to-one matching of rows to columns with the
// largest total score (e.g. the cosine similarity of two models' hidden units), solved
// exactly by shortest augmenting paths with dual potentials (Jonker and Volgenant's
// approach). The verify tests match hidden units with it before asking whether the
// matching is the identity.
#pragma once

#include <cstddef>
#include <vector>

#include "util/status.h"

namespace kaif::verify {

// `score` is rows x cols (rows <= cols), row-major. Returns a distinct column[i] for each
// row i, maximizing the sum of score[i][column[i]]. InvalidInput for a size that is not
// rows x cols, more rows than columns, or a NaN score.
Result<std::vector<size_t>> MaximumAssignment(const std::vector<float>& score, size_t rows, size_t cols);
inline Result<std::vector<size_t>> MaximumAssignment(const std::vector<float>& score, size_t n) {
  return MaximumAssignment(score, n, n);
}

}  // namespace kaif::verify
