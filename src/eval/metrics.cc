#include "eval/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "eval/python_random.h"

namespace kaif::eval {
namespace {

double Mean(const std::vector<MetricItem>& items) {
  double sum = 0;
  for (const MetricItem& i : items) sum += i.a;
  return sum / static_cast<double>(items.size());
}

double WeightedMean(const std::vector<MetricItem>& items) {
  double a = 0, b = 0;
  for (const MetricItem& i : items) a += i.a, b += i.b;
  return a / b;
}

// Per-label counts of a classification: true positives, predicted and true totals.
struct LabelCounts {
  double tp = 0, predicted = 0, actual = 0;
};

std::map<double, LabelCounts> CountLabels(const std::vector<MetricItem>& items) {
  std::map<double, LabelCounts> labels;
  for (const MetricItem& i : items) {
    labels[i.a].actual += 1;
    labels[i.b].predicted += 1;
    if (i.a == i.b) labels[i.a].tp += 1;
  }
  return labels;
}

// scikit-learn's F1 of one label (0 when it has no true or predicted items).
double LabelF1(const LabelCounts& c) {
  double denominator = c.predicted + c.actual;
  return denominator == 0 ? 0 : 2 * c.tp / denominator;
}

double MatthewsCorrcoef(const std::vector<MetricItem>& items) {
  const double n = static_cast<double>(items.size());
  double correct = 0, tp_dot = 0, pp_dot = 0, tt_dot = 0;
  for (const auto& [label, c] : CountLabels(items)) {
    correct += c.tp;
    tp_dot += c.actual * c.predicted;
    pp_dot += c.predicted * c.predicted;
    tt_dot += c.actual * c.actual;
  }
  const double cov_tp = correct * n - tp_dot, cov_pp = n * n - pp_dot, cov_tt = n * n - tt_dot;
  if (cov_pp * cov_tt == 0) return 0;
  return cov_tp / std::sqrt(cov_tt * cov_pp);
}

Result<double> BinaryF1(const std::vector<MetricItem>& items) {
  for (const MetricItem& i : items) {
    if ((i.a != 0 && i.a != 1) || (i.b != 0 && i.b != 1)) {
      return Status::InvalidInput(fmt::format("f1 is binary F1 of label 1, but a label is {}; use aggregation "
                                              "macro_f1 (or !function utils.macro_f1_score) for more than two labels",
                                              i.a != 0 && i.a != 1 ? i.a : i.b));
    }
  }
  auto labels = CountLabels(items);
  auto one = labels.find(1.0);
  return one == labels.end() ? 0.0 : LabelF1(one->second);
}

double F1Average(const std::vector<MetricItem>& items, const std::string& average) {
  auto labels = CountLabels(items);
  double sum = 0, weights = 0, tp = 0;
  for (const auto& [label, c] : labels) {
    if (average == "macro_f1") sum += LabelF1(c), weights += 1;
    if (average == "weighted_f1") sum += LabelF1(c) * c.actual, weights += c.actual;
    tp += c.tp;
  }
  if (average == "micro_f1") return tp / static_cast<double>(items.size());
  return weights == 0 ? 0 : sum / weights;
}

double SampleStddev(const std::vector<double>& values) {
  double mean = 0;
  for (double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  double ss = 0;
  for (double v : values) ss += (v - mean) * (v - mean);
  return std::sqrt(ss / static_cast<double>(values.size() - 1));
}

}  // namespace

std::string DefaultAggregation(const std::string& metric) {
  static const std::map<std::string, std::string> kDefaults = {
      {"acc", "mean"},           {"acc_norm", "mean"},           {"acc_bytes", "mean"},
      {"acc_mutual_info", "mean"}, {"exact_match", "mean"},      {"f1", "f1"},
      {"mcc", "matthews_corrcoef"}, {"perplexity", "perplexity"}, {"word_perplexity", "weighted_perplexity"},
      {"byte_perplexity", "weighted_perplexity"}, {"bits_per_byte", "bits_per_byte"},
      {"prompt_level_strict_acc", "mean"}, {"prompt_level_loose_acc", "mean"},
      {"inst_level_strict_acc", "weighted_mean"}, {"inst_level_loose_acc", "weighted_mean"}};
  auto it = kDefaults.find(metric);
  return it == kDefaults.end() ? "" : it->second;
}

bool IsKnownAggregation(const std::string& a) {
  return a == "mean" || a == "weighted_mean" || a == "median" || a == "f1" || a == "macro_f1" || a == "micro_f1" || a == "weighted_f1" ||
         a == "matthews_corrcoef" || a == "perplexity" || a == "weighted_perplexity" || a == "bits_per_byte";
}

Result<double> Aggregate(const std::string& aggregation, const std::vector<MetricItem>& items) {
  if (items.empty()) return Status::InvalidInput("no documents to aggregate " + aggregation + " over");
  if (aggregation == "mean") return Mean(items);
  if (aggregation == "median") {
    std::vector<double> v;
    for (const MetricItem& i : items) v.push_back(i.a);
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  }
  if (aggregation == "weighted_mean") return WeightedMean(items);
  if (aggregation == "perplexity") return std::exp(-Mean(items));
  if (aggregation == "weighted_perplexity") return std::exp(-WeightedMean(items));
  if (aggregation == "bits_per_byte") return -WeightedMean(items) / std::log(2.0);
  if (aggregation == "matthews_corrcoef") return MatthewsCorrcoef(items);
  if (aggregation == "f1") return BinaryF1(items);
  if (aggregation == "macro_f1" || aggregation == "micro_f1" || aggregation == "weighted_f1") {
    return F1Average(items, aggregation);
  }
  return Status::InvalidInput("unknown aggregation " + aggregation);
}

Result<MetricValue> AggregateWithStderr(const std::string& aggregation, const std::vector<MetricItem>& items,
                                        size_t bootstrap_iters) {
  MetricValue m;
  KAIF_ASSIGN_OR_RETURN(m.value, Aggregate(aggregation, items));
  if (aggregation == "mean") {
    std::vector<double> v;
    for (const MetricItem& i : items) v.push_back(i.a);
    return MeanWithStderr(v);
  }
  // lm-evaluation-harness: iters / chunk seeds 0, 1, ..., each drawing `chunk` resamples
  // with Random(seed).choices(items, k=n).
  const size_t chunk = std::min<size_t>(1000, bootstrap_iters);
  if (chunk == 0 || items.size() < 2) {
    m.has_stderr = false;
    return m;
  }
  std::vector<double> replicates;
  std::vector<MetricItem> draw(items.size());
  const double n = static_cast<double>(items.size());
  for (size_t seed = 0; seed < bootstrap_iters / chunk; ++seed) {
    PythonRandom random(seed);
    for (size_t r = 0; r < chunk; ++r) {
      for (MetricItem& d : draw) d = items[static_cast<size_t>(std::floor(random.Random() * n))];
      KAIF_ASSIGN_OR_RETURN(double v, Aggregate(aggregation, draw));
      replicates.push_back(v);
    }
  }
  m.stderr = SampleStddev(replicates);
  return m;
}

MetricValue MeanWithStderr(const std::vector<double>& values) {
  MetricValue m;
  if (values.empty()) return m;
  double sum = 0;
  for (double v : values) sum += v;
  m.value = sum / static_cast<double>(values.size());
  if (values.size() > 1) {
    m.stderr = SampleStddev(values);
    m.stderr /= std::sqrt(static_cast<double>(values.size()));
  } else {
    m.has_stderr = false;
  }
  return m;
}


}  // namespace kaif::eval
