#include "verify/activation_match.h"

#include <cmath>
#include <random>

namespace kaif::verify {
namespace {

// [positions x units] activations as [units x positions] rows (the `only` units, or all),
// each centred and scaled to unit length: neurons are matched by how their activation
// moves over the tokens, not by its offset or size.
std::vector<float> CentredUnits(const std::vector<float>& a, size_t positions, size_t units,
                                const std::vector<size_t>& only) {
  const size_t rows = only.empty() ? units : only.size();
  std::vector<float> out(rows * positions);
  for (size_t r = 0; r < rows; ++r) {
    const size_t u = only.empty() ? r : only[r];
    double mean = 0, norm = 0;
    for (size_t p = 0; p < positions; ++p) mean += a[p * units + u];
    mean /= static_cast<double>(positions);
    for (size_t p = 0; p < positions; ++p) norm += (a[p * units + u] - mean) * (a[p * units + u] - mean);
    const double scale = norm > 0 ? 1 / std::sqrt(norm) : 0;
    for (size_t p = 0; p < positions; ++p) out[r * positions + p] = static_cast<float>((a[p * units + u] - mean) * scale);
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
                                                         const std::vector<int>& ids, size_t reference_units) {
  KAIF_ASSIGN_OR_RETURN(engine::Engine::MlpActivations a, candidate.ComputeMlpActivations(ids));
  KAIF_ASSIGN_OR_RETURN(engine::Engine::MlpActivations b, reference.ComputeMlpActivations(ids));
  std::map<int, UnitAgreement> out;
  if (a.intermediate != b.intermediate) return out;
  const size_t units = a.intermediate, positions = ids.size();
  // As in the weight test, a sample of the reference's neurons against all of the
  // candidate's: 11,008-neuron layers cost a rectangular matching, not a square one.
  const std::vector<size_t> sample = SampleIndices(units, reference_units, 5);
  for (size_t layer = 0; layer < std::min(a.gate.size(), b.gate.size()); ++layer) {
    UnitRows candidate_rows, reference_rows;
    candidate_rows.first = CentredUnits(a.gate[layer], positions, units, {});
    candidate_rows.second = CentredUnits(a.up[layer], positions, units, {});
    reference_rows.first = CentredUnits(b.gate[layer], positions, units, sample);
    reference_rows.second = CentredUnits(b.up[layer], positions, units, sample);
    candidate_rows.rows = units, reference_rows.rows = sample.size();
    candidate_rows.cols = reference_rows.cols = positions;
    KAIF_ASSIGN_OR_RETURN(UnitAgreement t, RowsAgreement(reference_rows, candidate_rows));
    out[static_cast<int>(layer)] = std::move(t);
  }
  return out;
}

}  // namespace kaif::verify
