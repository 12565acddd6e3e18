#include "verify/unit_matching.h"

#include <omp.h>

#include <cmath>

#include "engine/kernels.h"

#include "verify/assignment.h"
#include "verify/p_values.h"

namespace kaif::verify {
namespace {

// Rows scaled to unit length (a zero row stays zero: it matches nothing better than anything).
std::vector<float> Normalised(const std::vector<float>& m, size_t rows, size_t dim) {
  std::vector<float> out(m);
  for (size_t r = 0; r < rows; ++r) {
    double norm = 0;
    for (size_t k = 0; k < dim; ++k) norm += static_cast<double>(m[r * dim + k]) * m[r * dim + k];
    const float scale = norm > 0 ? static_cast<float>(1 / std::sqrt(norm)) : 0.0f;
    for (size_t k = 0; k < dim; ++k) out[r * dim + k] *= scale;
  }
  return out;
}

}  // namespace

Result<std::vector<size_t>> MatchUnits(const std::vector<float>& candidate, const std::vector<float>& reference,
                                       size_t units, size_t dim) {
  if (candidate.size() != units * dim || reference.size() != units * dim) {
    return Status::InvalidInput("the two matrices are not both units x dim");
  }
  const std::vector<float> a = Normalised(candidate, units, dim), b = Normalised(reference, units, dim);
  // Every cosine at once with the engine's vectorized product: rows of `a` against rows of `b`.
  engine::WeightMatrix rows{"reference", tensor::DType::kF32, units, dim, reinterpret_cast<const uint8_t*>(b.data()),
                            dim * sizeof(float)};
  std::vector<float> cosine(units * units);
  engine::MatMul(rows, a.data(), units, cosine.data(), units, omp_get_max_threads());
  return MaximumAssignment(cosine, units);
}

UnitAgreement AgreementOf(std::vector<size_t> gate_matching, std::vector<size_t> up_matching) {
  UnitAgreement out;
  std::vector<double> g(gate_matching.begin(), gate_matching.end()), u(up_matching.begin(), up_matching.end());
  out.rho = SpearmanRho(g, u);
  out.log_p = LogRankCorrelationPValue(out.rho, g.size());
  out.gate_matching = std::move(gate_matching);
  out.up_matching = std::move(up_matching);
  return out;
}

Result<UnitAgreement> MatchingAgreement(const std::vector<float>& candidate_gate, const std::vector<float>& reference_gate,
                                        const std::vector<float>& candidate_up, const std::vector<float>& reference_up,
                                        size_t units, size_t dim) {
  KAIF_ASSIGN_OR_RETURN(std::vector<size_t> gate, MatchUnits(candidate_gate, reference_gate, units, dim));
  KAIF_ASSIGN_OR_RETURN(std::vector<size_t> up, MatchUnits(candidate_up, reference_up, units, dim));
  return AgreementOf(std::move(gate), std::move(up));
}

}  // namespace kaif::verify
