// P-values that stay meaningful far in the tail: everything is in natural-log space, so a
// fine-tune's p of 1e-4000 is reported as log10 p = -4000 instead of underflowing to 0,
// and Fisher's combination of hundreds of layer tests keeps its precision.
#pragma once

#include <cstddef>
#include <vector>

namespace kaif::verify {

// ln P(T >= t) for Student's t with `dof` degrees of freedom (one-sided upper tail),
// through the regularized incomplete beta function evaluated in log space.
double LogStudentTUpperTail(double t, double dof);

// ln P(X >= x) for a chi-squared variable with 2k degrees of freedom (closed form).
double LogChiSquaredEvenUpperTail(double x, size_t k);

// ln P(Z >= z) for a standard normal Z (asymptotic series far in the tail).
double LogNormalUpperTail(double z);

// Fisher's method: the combined ln p of independent tests given their ln p-values.
double FisherCombine(const std::vector<double>& log_p);

// Spearman's rank correlation of two equally long samples (average ranks for ties).
double SpearmanRho(const std::vector<double>& x, const std::vector<double>& y);

// The one-sided ln p-value of a rank correlation at least `rho` among `n` pairs under
// independence, by the t approximation scipy uses: t = rho sqrt((n-2)/(1-rho^2)), n-2
// degrees of freedom. rho = 1 gives -infinity.
double LogRankCorrelationPValue(double rho, size_t n);

}  // namespace kaif::verify
