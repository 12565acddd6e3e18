// The activation test for the unconstrained case (after Zhu et al.'s phi_MATCH): both
// models run on the same tokens with the native engine, and each MLP layer's neurons are
// matched by their activation patterns over the tokens, gate and up projections
// separately; the two matchings agree for a derived model and are independent random
// permutations for independently initialised ones. Unlike the weight test it does not
// compare weight rows coordinate by coordinate, so a rotated residual stream (norms folded
// into the projections) does not hide a derivative.
#pragma once

#include <map>
#include <vector>

#include "engine/engine.h"
#include "util/status.h"
#include "verify/unit_matching.h"

namespace kaif::verify {

// Token ids both models read: `count` seeded pseudo-random ids below `vocab`.
std::vector<int> ProbeTokens(size_t vocab, size_t count, uint64_t seed = 20260101);

// By layer index (layers of equal width in both models); `reference_units` of the
// reference's neurons (all when fewer) matched to all of the candidate's.
Result<std::map<int, UnitAgreement>> ActivationAgreement(engine::Engine& candidate, engine::Engine& reference,
                                                         const std::vector<int>& ids, size_t reference_units = 256);

}  // namespace kaif::verify
