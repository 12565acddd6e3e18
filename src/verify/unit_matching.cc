#include "verify/unit_matching.h"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include "engine/kernels.h"

#include "verify/assignment.h"
#include "verify/p_values.h"

namespace kaif::verify {
namespace {

// cos[i * b_rows + j] = a_i . b_j: every product at once with the engine's vectorized kernel.
std::vector<float> Products(const float* a, size_t a_rows, const float* b, size_t b_rows, size_t dim) {
  engine::WeightMatrix rows{"reference", tensor::DType::kF32, b_rows, dim, reinterpret_cast<const uint8_t*>(b),
                            dim * sizeof(float)};
  std::vector<float> out(a_rows * b_rows);
  engine::MatMul(rows, a, a_rows, out.data(), b_rows, omp_get_max_threads());
  return out;
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

}  // namespace

Result<UnitAgreement> RowsAgreement(const UnitRows& reference, const UnitRows& candidate) {
  if (reference.cols != candidate.cols) return Status::InvalidInput("the two blocks are read on different coordinates");
  if (reference.rows > candidate.rows) return Status::InvalidInput("more reference units than candidate units");
  const size_t m = reference.rows, n = candidate.rows, k = reference.cols;
  KAIF_ASSIGN_OR_RETURN(std::vector<size_t> first,
                        MaximumAssignment(Products(reference.first.data(), m, candidate.first.data(), n, k), m, n));
  KAIF_ASSIGN_OR_RETURN(std::vector<size_t> second,
                        MaximumAssignment(Products(reference.second.data(), m, candidate.second.data(), n, k), m, n));
  return AgreementOf(std::move(first), std::move(second));
}

ScreenScore Screen(const UnitRows& reference, size_t units, const UnitRows& candidate) {
  ScreenScore score;
  units = std::min(units, reference.rows);
  if (units == 0 || candidate.rows == 0 || reference.cols != candidate.cols) return score;
  const size_t n = candidate.rows, k = reference.cols;
  const std::vector<float> first = Products(reference.first.data(), units, candidate.first.data(), n, k);
  const std::vector<float> second = Products(reference.second.data(), units, candidate.second.data(), n, k);
  for (size_t i = 0; i < units; ++i) {
    const float* f = first.data() + i * n;
    const float* s = second.data() + i * n;
    const size_t best_f = static_cast<size_t>(std::max_element(f, f + n) - f);
    const size_t best_s = static_cast<size_t>(std::max_element(s, s + n) - s);
    score.agreements += best_f == best_s;
    score.similarity += (f[best_f] + s[best_s]) / 2.0;
  }
  score.similarity /= static_cast<double>(units);
  return score;
}

}  // namespace kaif::verify
