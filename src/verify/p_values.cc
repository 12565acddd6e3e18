#include "verify/p_values.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace kaif::verify {
namespace {

// The continued fraction of the incomplete beta function (modified Lentz), whose value is
// of moderate size even when I_x(a, b) itself is astronomically small.
double BetaContinuedFraction(double a, double b, double x) {
  const double tiny = 1e-300;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  if (std::fabs(d) < tiny) d = tiny;
  d = 1 / d;
  double f = d;
  for (int m = 1; m <= 10000; ++m) {
    const double m2 = 2.0 * m;
    double numerator = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
    for (int step = 0; step < 2; ++step) {
      d = 1 + numerator * d;
      if (std::fabs(d) < tiny) d = tiny;
      c = 1 + numerator / c;
      if (std::fabs(c) < tiny) c = tiny;
      d = 1 / d;
      const double delta = c * d;
      f *= delta;
      if (step == 1 && std::fabs(delta - 1) < 1e-15) return f;
      numerator = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
    }
  }
  return f;
}

// ln I_x(a, b), the regularized incomplete beta function.
double LogIncompleteBeta(double a, double b, double x) {
  if (x <= 0) return -std::numeric_limits<double>::infinity();
  if (x >= 1) return 0;
  const double log_front = a * std::log(x) + b * std::log1p(-x) - std::log(a) -
                           (std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b));
  if (x < (a + 1) / (a + b + 2)) return log_front + std::log(BetaContinuedFraction(a, b, x));
  // The symmetric form converges there: I_x(a, b) = 1 - I_{1-x}(b, a).
  const double other = std::exp(b * std::log1p(-x) + a * std::log(x) - std::log(b) -
                                (std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b))) *
                       BetaContinuedFraction(b, a, 1 - x);
  return std::log1p(-std::min(other, 1.0));
}

std::vector<double> Ranks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> ranks(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    const double average = (static_cast<double>(i) + static_cast<double>(j)) / 2 + 1;
    for (size_t k = i; k <= j; ++k) ranks[order[k]] = average;
    i = j + 1;
  }
  return ranks;
}

}  // namespace

double LogStudentTUpperTail(double t, double dof) {
  // P(T >= t) = I_{dof/(dof+t^2)}(dof/2, 1/2) / 2 for t >= 0.
  const double x = dof / (dof + t * t);
  const double log_two_tailed = LogIncompleteBeta(dof / 2, 0.5, x);
  if (t >= 0) return log_two_tailed - std::log(2.0);
  return std::log1p(-std::exp(log_two_tailed) / 2);
}

double LogChiSquaredEvenUpperTail(double x, size_t k) {
  // P(X >= x) = e^{-x/2} sum_{j<k} (x/2)^j / j!, summed with log-sum-exp.
  const double half = x / 2;
  if (half <= 0) return 0;
  std::vector<double> terms;
  for (size_t j = 0; j < k; ++j) terms.push_back(static_cast<double>(j) * std::log(half) - std::lgamma(j + 1.0));
  const double top = *std::max_element(terms.begin(), terms.end());
  double sum = 0;
  for (double t : terms) sum += std::exp(t - top);
  return std::min(0.0, -half + top + std::log(sum));
}

double FisherCombine(const std::vector<double>& log_p) {
  if (log_p.empty()) return 0;
  double statistic = 0;
  for (double l : log_p) statistic += -2 * l;
  if (std::isinf(statistic)) return -std::numeric_limits<double>::infinity();
  return LogChiSquaredEvenUpperTail(statistic, log_p.size());
}

double SpearmanRho(const std::vector<double>& x, const std::vector<double>& y) {
  const std::vector<double> rx = Ranks(x), ry = Ranks(y);
  const double n = static_cast<double>(x.size());
  const double mean = (n + 1) / 2;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (rx[i] - mean) * (ry[i] - mean);
    sxx += (rx[i] - mean) * (rx[i] - mean);
    syy += (ry[i] - mean) * (ry[i] - mean);
  }
  return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0;
}

double LogRankCorrelationPValue(double rho, size_t n) {
  if (n < 3) return 0;
  if (rho >= 1) return -std::numeric_limits<double>::infinity();
  const double dof = static_cast<double>(n) - 2;
  const double t = rho * std::sqrt(dof / ((1 - rho) * (1 + rho)));
  return LogStudentTUpperTail(t, dof);
}

double LogNormalUpperTail(double z) {
  if (z < 25) return std::log(0.5 * std::erfc(z / std::sqrt(2.0)));
  // ln(phi(z) / z) + ln(1 - 1/z^2 + 3/z^4): below erfc's range, exact to 1e-7 here.
  const double z2 = z * z;
  return -z2 / 2 - 0.5 * std::log(2 * M_PI) - std::log(z) + std::log1p(-1 / z2 + 3 / (z2 * z2));
}

}  // namespace kaif::verify
