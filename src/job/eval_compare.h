// `kaif eval compare A B`: are A's scores different from B's, and is A within a given
// fraction of B ("95% of the frontier")? Documents are paired by doc_id, so the
// comparison is paired: a paired bootstrap of the difference A - B and of the ratio A / B
// (groups resample within each task and aggregate as the group does), the closed-form
// standard error of a paired mean difference, and McNemar's exact test for right/wrong
// metrics.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "job/eval_results.h"
#include "util/status.h"

namespace kaif::job {

struct CompareOptions {
  size_t bootstrap_iters = 10000;
  uint64_t seed = 1234;
  double confidence = 0.95;
  double threshold = 0.95;  // the ratio A / B asked about
  std::string metric;       // "acc,none"; empty: each task's and group's headline metric
};

struct Interval {
  double low = 0, high = 0;
};

struct Comparison {
  std::string name;    // task or group
  std::string metric;  // "acc,none"
  size_t documents = 0;
  double a = 0, b = 0;
  double difference = 0;
  Interval difference_interval;
  std::optional<double> difference_stderr;  // closed form, for a mean over one task's documents
  double p_value = 1;                       // paired bootstrap, two-sided, of A - B = 0
  std::optional<double> ratio;              // A / B (none when B is 0)
  std::optional<Interval> ratio_interval;
  // "yes" when the whole ratio interval is at or above the threshold, "no" when it is
  // below, "undecided" otherwise.
  std::string reaches_threshold;
  struct McNemar {
    size_t a_only = 0, b_only = 0;  // right in A but not B, and the reverse
    double p_value = 1;             // exact binomial, two-sided
  };
  std::optional<McNemar> mcnemar;
};

// Compares every task and group the two runs share (the same documents, paired by doc_id).
Result<std::vector<Comparison>> CompareRuns(const EvalRecord& a, const EvalRecord& b, const CompareOptions& options);

}  // namespace kaif::job
