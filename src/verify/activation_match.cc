#include "verify/activation_match.h"

#include <random>

namespace kaif::verify {
namespace {

// [positions x units] activations as [units x positions] rows, each centred: neurons are
// matched by how their activation moves over the tokens, not by its offset.
std::vector<float> CentredUnits(const std::vector<float>& a, size_t positions, size_t units) {
  std::vector<float> out(units * positions);
  for (size_t u = 0; u < units; ++u) {
    double mean = 0;
    for (size_t p = 0; p < positions; ++p) mean += a[p * units + u];
    mean /= static_cast<double>(positions);
    for (size_t p = 0; p < positions; ++p) out[u * positions + p] = static_cast<float>(a[p * units + u] - mean);
  }
  return out;
}

}  // namespace

std::vector<int> ProbeTokens(size_t vocab, size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> id(0, static_cast<int>(vocab) - 1);
  std::vector<int> ids(count);
  for (int& t : ids) t = id(rng);
  return ids;
}

Result<std::map<int, UnitAgreement>> ActivationAgreement(engine::Engine& candidate, engine::Engine& reference,
                                                         const std::vector<int>& ids) {
  KAIF_ASSIGN_OR_RETURN(engine::Engine::MlpActivations a, candidate.ComputeMlpActivations(ids));
  KAIF_ASSIGN_OR_RETURN(engine::Engine::MlpActivations b, reference.ComputeMlpActivations(ids));
  std::map<int, UnitAgreement> out;
  if (a.intermediate != b.intermediate) return out;
  const size_t units = a.intermediate, positions = ids.size();
  for (size_t layer = 0; layer < std::min(a.gate.size(), b.gate.size()); ++layer) {
    KAIF_ASSIGN_OR_RETURN(UnitAgreement t, MatchingAgreement(CentredUnits(a.gate[layer], positions, units),
                                                             CentredUnits(b.gate[layer], positions, units),
                                                             CentredUnits(a.up[layer], positions, units),
                                                             CentredUnits(b.up[layer], positions, units), units, positions));
    out[static_cast<int>(layer)] = std::move(t);
  }
  return out;
}

}  // namespace kaif::verify
