#include "util/normal.h"

#include <cmath>

#include "util/status.h"

namespace kaif {

double NormalQuantile(double p) {
  KAIF_CHECK(p > 0 && p < 1);
  // Start from a logistic approximation and polish with Newton steps on erfc, which
  // converges to double precision in a few iterations for any p in (0, 1).
  double x = std::sqrt(3.0) / M_PI * std::log(p / (1 - p));
  for (int i = 0; i < 50; ++i) {
    double cdf = 0.5 * std::erfc(-x / std::sqrt(2.0));
    double pdf = std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI);
    double step = (cdf - p) / pdf;
    x -= step;
    if (std::fabs(step) < 1e-14) break;
  }
  return x;
}

double TwoSidedZ(double confidence) { return NormalQuantile(0.5 + confidence / 2); }

}  // namespace kaif
