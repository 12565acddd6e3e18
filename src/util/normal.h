// The standard normal distribution, for confidence intervals.
#pragma once

namespace kaif {

// z such that P(|Z| <= z) = confidence, e.g. 1.959964 for 0.95. REQUIRES: 0 < confidence < 1.
double TwoSidedZ(double confidence);

// Inverse of the standard normal CDF. REQUIRES: 0 < p < 1.
double NormalQuantile(double p);

}  // namespace kaif
