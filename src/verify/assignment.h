// The linear assignment problem: a one-to-one matching of n rows to n columns with the
// largest total score (e.g. the cosine similarity of two models' hidden units), solved
// exactly by shortest augmenting paths with dual potentials (Jonker and Volgenant's
// approach). The verify tests match hidden units with it before asking whether the
// matching is the identity.
#pragma once

#include <cstddef>
#include <vector>

#include "util/status.h"

namespace kaif::verify {

// `score` is n x n, row-major. Returns column[i] for each row i, maximizing the sum of
// score[i][column[i]]. InvalidInput for a size that is not n x n or a NaN score.
Result<std::vector<size_t>> MaximumAssignment(const std::vector<float>& score, size_t n);

}  // namespace kaif::verify
