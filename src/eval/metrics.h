// Metric aggregations over per-document items, with lm-evaluation-harness's definitions:
// means with their closed-form standard error, and the corpus-level aggregations (F1,
// Matthews correlation, perplexities, bits per byte) with a bootstrap standard error
// drawn the way lm-evaluation-harness draws it (CPython's Random(i).choices, 1,000 draws
// per seed), so the figures are the same.
#pragma once

#include <string>
#include <vector>

#include "util/status.h"

namespace kaif::eval {

// One document's contribution. For mean and median: `a` is the score. For f1, mcc and
// the F1 variants: `a` is the gold label, `b` the prediction. For perplexity: `a` is the
// log-likelihood. For weighted_perplexity and bits_per_byte: `a` is the log-likelihood,
// `b` the number of words or bytes it covers. For weighted_mean (IFEval's
// instruction-level accuracy): `a` over `b`, e.g. instructions followed of those given.
struct MetricItem {
  double a = 0, b = 0;
};

struct MetricValue {
  double value = 0;
  double stderr = 0;
  bool has_stderr = true;  // false for a single document, or with no bootstrap
};

// The aggregation lm-evaluation-harness registers for a metric: acc → mean, f1 → f1,
// mcc → matthews_corrcoef, word_perplexity → weighted_perplexity, ...; empty when unknown.
std::string DefaultAggregation(const std::string& metric);

// Whether kaif computes `aggregation`: mean, weighted_mean, median, f1, macro_f1, micro_f1, weighted_f1,
// matthews_corrcoef, perplexity, weighted_perplexity, bits_per_byte.
bool IsKnownAggregation(const std::string& aggregation);

// The aggregated value. InvalidInput for an unknown aggregation, no items, or labels a
// binary F1 cannot take.
Result<double> Aggregate(const std::string& aggregation, const std::vector<MetricItem>& items);

// The value and its standard error: closed form for mean (sample standard deviation /
// sqrt(n)), else the sample standard deviation of `bootstrap_iters` resampled values
// (none when bootstrap_iters is 0).
Result<MetricValue> AggregateWithStderr(const std::string& aggregation, const std::vector<MetricItem>& items,
                                        size_t bootstrap_iters);

// lm-evaluation-harness's mean and its standard error (sample standard deviation / sqrt(n)).
MetricValue MeanWithStderr(const std::vector<double>& values);

}  // namespace kaif::eval
