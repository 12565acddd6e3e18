#include "job/eval_compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "eval/metrics.h"

namespace kaif::job {
namespace {

// One task's paired items: a[i] and b[i] are the same document.
struct PairedLeaf {
  std::string aggregation;
  std::vector<eval::MetricItem> a, b;
  double weight = 1;
};

const TaskRecord* FindTask(const EvalRecord& r, const std::string& name) {
  for (const TaskRecord& t : r.tasks) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

Result<PairedLeaf> Pair(const TaskRecord& a, const TaskRecord& b, const std::string& key) {
  auto aggregation = a.result.aggregations.find(key);
  if (aggregation == a.result.aggregations.end() || !b.result.aggregations.count(key)) {
    return Status::InvalidInput(fmt::format("{}: {} is not in both runs", a.name, key));
  }
  if (b.result.aggregations.at(key) != aggregation->second) {
    return Status::InvalidInput(fmt::format("{}: {} is aggregated differently in the two runs", a.name, key));
  }
  auto index = [&](const TaskRecord& t) {
    std::map<size_t, size_t> by_doc;
    for (size_t i = 0; i < t.result.samples.size(); ++i) by_doc[t.result.samples[i].value("doc_id", size_t{0})] = i;
    return by_doc;
  };
  const std::map<size_t, size_t> in_a = index(a), in_b = index(b);
  if (in_a.size() != in_b.size() ||
      !std::equal(in_a.begin(), in_a.end(), in_b.begin(), [](const auto& x, const auto& y) { return x.first == y.first; })) {
    return Status::InvalidInput(fmt::format("{}: the two runs evaluated different documents ({} and {}); compare runs "
                                            "with the same --limit and merged shards",
                                            a.name, in_a.size(), in_b.size()));
  }
  PairedLeaf leaf;
  leaf.aggregation = aggregation->second;
  const auto& items_a = a.result.items.at(key);
  const auto& items_b = b.result.items.at(key);
  for (const auto& [doc, i] : in_a) {
    leaf.a.push_back(items_a[i]);
    leaf.b.push_back(items_b[in_b.at(doc)]);
  }
  leaf.weight = static_cast<double>(leaf.a.size());
  return leaf;
}

// The unit's value on each side, for documents picked by `picks` (per leaf).
Result<std::pair<double, double>> Values(const std::vector<PairedLeaf>& leaves, bool weight_by_size,
                                         const std::vector<std::vector<size_t>>* picks) {
  double a = 0, b = 0, weights = 0;
  std::vector<eval::MetricItem> xa, xb;
  for (size_t l = 0; l < leaves.size(); ++l) {
    const PairedLeaf& leaf = leaves[l];
    const std::vector<eval::MetricItem>* ia = &leaf.a;
    const std::vector<eval::MetricItem>* ib = &leaf.b;
    if (picks) {
      xa.clear(), xb.clear();
      for (size_t i : (*picks)[l]) xa.push_back(leaf.a[i]), xb.push_back(leaf.b[i]);
      ia = &xa, ib = &xb;
    }
    KAIF_ASSIGN_OR_RETURN(double va, eval::Aggregate(leaf.aggregation, *ia));
    KAIF_ASSIGN_OR_RETURN(double vb, eval::Aggregate(leaf.aggregation, *ib));
    const double w = weight_by_size ? leaf.weight : 1.0;
    a += va * w, b += vb * w, weights += w;
  }
  return std::make_pair(a / weights, b / weights);
}

double Quantile(std::vector<double>& sorted, double q) {
  return sorted[static_cast<size_t>(std::floor(q * static_cast<double>(sorted.size() - 1)))];
}

// P(X <= k) * 2 for X ~ Binomial(n, 1/2), capped at 1: McNemar's exact two-sided p-value.
double ExactMcNemar(size_t b, size_t c) {
  const size_t n = b + c, k = std::min(b, c);
  if (n == 0) return 1;
  double p = 0;
  for (size_t i = 0; i <= k; ++i) {
    p += std::exp(std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(i) + 1) -
                  std::lgamma(static_cast<double>(n - i) + 1) - static_cast<double>(n) * std::log(2.0));
  }
  return std::min(1.0, 2 * p);
}

Result<Comparison> Compare(const std::string& name, const std::string& key, std::vector<PairedLeaf> leaves,
                           bool weight_by_size, const CompareOptions& options) {
  Comparison c;
  c.name = name;
  c.metric = key;
  for (const PairedLeaf& l : leaves) c.documents += l.a.size();
  KAIF_ASSIGN_OR_RETURN(auto point, Values(leaves, weight_by_size, nullptr));
  c.a = point.first, c.b = point.second, c.difference = c.a - c.b;
  if (c.b != 0) c.ratio = c.a / c.b;

  std::mt19937_64 rng(options.seed);
  std::vector<double> differences, ratios;
  std::vector<std::vector<size_t>> picks(leaves.size());
  size_t at_or_below = 0, at_or_above = 0;
  for (size_t r = 0; r < options.bootstrap_iters; ++r) {
    for (size_t l = 0; l < leaves.size(); ++l) {
      std::uniform_int_distribution<size_t> pick(0, leaves[l].a.size() - 1);
      picks[l].resize(leaves[l].a.size());
      for (size_t& i : picks[l]) i = pick(rng);
    }
    KAIF_ASSIGN_OR_RETURN(auto v, Values(leaves, weight_by_size, &picks));
    differences.push_back(v.first - v.second);
    at_or_below += v.first - v.second <= 0;
    at_or_above += v.first - v.second >= 0;
    if (v.second != 0) ratios.push_back(v.first / v.second);
  }
  const double tail = (1 - options.confidence) / 2;
  if (!differences.empty()) {
    std::sort(differences.begin(), differences.end());
    c.difference_interval = {Quantile(differences, tail), Quantile(differences, 1 - tail)};
    const double n = static_cast<double>(differences.size());
    c.p_value = std::min(1.0, 2 * std::min(static_cast<double>(at_or_below), static_cast<double>(at_or_above)) / n);
  }
  if (c.ratio && !ratios.empty()) {
    std::sort(ratios.begin(), ratios.end());
    c.ratio_interval = Interval{Quantile(ratios, tail), Quantile(ratios, 1 - tail)};
    c.reaches_threshold = c.ratio_interval->low >= options.threshold    ? "yes"
                          : c.ratio_interval->high < options.threshold ? "no"
                                                                       : "undecided";
  }

  bool binary = true;
  for (const PairedLeaf& l : leaves) {
    binary = binary && l.aggregation == "mean";
    for (size_t i = 0; binary && i < l.a.size(); ++i) {
      binary = (l.a[i].a == 0 || l.a[i].a == 1) && (l.b[i].a == 0 || l.b[i].a == 1);
    }
  }
  if (binary) {
    Comparison::McNemar m;
    for (const PairedLeaf& l : leaves) {
      for (size_t i = 0; i < l.a.size(); ++i) {
        m.a_only += l.a[i].a > l.b[i].a;
        m.b_only += l.a[i].a < l.b[i].a;
      }
    }
    m.p_value = ExactMcNemar(m.a_only, m.b_only);
    c.mcnemar = m;
  }
  if (leaves.size() == 1 && leaves[0].aggregation == "mean" && leaves[0].a.size() > 1) {
    std::vector<double> d;
    for (size_t i = 0; i < leaves[0].a.size(); ++i) d.push_back(leaves[0].a[i].a - leaves[0].b[i].a);
    c.difference_stderr = eval::MeanWithStderr(d).stderr;
  }
  return c;
}

}  // namespace

Result<std::vector<Comparison>> CompareRuns(const EvalRecord& a, const EvalRecord& b, const CompareOptions& options) {
  std::vector<Comparison> out;
  for (const TaskRecord& ta : a.tasks) {
    const TaskRecord* tb = FindTask(b, ta.name);
    if (!tb) continue;
    const std::string key = options.metric.empty() ? HeadlineKey(ta) : options.metric;
    if (!ta.result.aggregations.count(key)) continue;
    KAIF_ASSIGN_OR_RETURN(PairedLeaf leaf, Pair(ta, *tb, key));
    if (leaf.a.empty()) continue;
    KAIF_ASSIGN_OR_RETURN(Comparison c, Compare(ta.name, key, {std::move(leaf)}, true, options));
    out.push_back(std::move(c));
  }
  for (const eval::SelectedGroup& g : a.groups) {
    if (std::none_of(b.groups.begin(), b.groups.end(), [&](const auto& x) { return x.config.group == g.config.group; })) {
      continue;
    }
    std::string key = options.metric;
    if (key.empty()) {
      std::map<std::string, eval::MetricValue> keys;
      for (const std::string& leaf : g.leaves) {
        if (const TaskRecord* t = FindTask(a, leaf)) keys.insert(t->result.metrics.begin(), t->result.metrics.end());
      }
      key = HeadlineKey(g, keys);
    }
    const std::string metric = key.substr(0, key.find(','));
    auto spec = std::find_if(g.config.aggregate.begin(), g.config.aggregate.end(),
                             [&](const eval::GroupMetric& m) { return m.metric == metric; });
    if (spec == g.config.aggregate.end()) continue;
    std::vector<PairedLeaf> leaves;
    for (const std::string& leaf : g.leaves) {
      const TaskRecord* la = FindTask(a, leaf);
      const TaskRecord* lb = FindTask(b, leaf);
      if (!la || !lb) return Status::InvalidInput(fmt::format("group {}: task {} is not in both runs", g.config.group, leaf));
      KAIF_ASSIGN_OR_RETURN(PairedLeaf p, Pair(*la, *lb, key));
      if (!p.a.empty()) leaves.push_back(std::move(p));
    }
    if (leaves.empty()) continue;
    KAIF_ASSIGN_OR_RETURN(Comparison c, Compare(g.config.group, key, std::move(leaves), spec->weight_by_size, options));
    out.push_back(std::move(c));
  }
  if (out.empty()) return Status::InvalidInput("the two runs share no task with the metric to compare");
  return out;
}

}  // namespace kaif::job
