// Groups of tasks in lm-evaluation-harness's format: `group`, `task` (names of tasks,
// tags or other groups), `aggregate_metric_list` (metric, aggregation mean, weight_by_size
// for a micro average over documents or a macro average over tasks, filter_list) and
// `metadata`; and their aggregation over the leaf tasks' results.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/metrics.h"
#include "util/status.h"

namespace kaif::eval {

struct GroupMetric {
  std::string metric;
  bool weight_by_size = true;        // micro (documents) or macro (tasks) average
  std::vector<std::string> filters;  // empty: every filter a leaf task has the metric for
};

struct GroupConfig {
  std::string group;
  std::filesystem::path source;
  std::vector<std::string> members;  // as written: tasks, tags or groups
  std::vector<GroupMetric> aggregate;
  nlohmann::json metadata = nlohmann::json::object();
};

// From a file's YAML (as ReadTaskYaml gives it); `source` names it in messages.
Result<GroupConfig> ParseGroupConfig(const nlohmann::json& doc, const std::filesystem::path& source);

// One leaf task's aggregated metrics and its number of documents.
struct LeafMetrics {
  std::map<std::string, MetricValue> metrics;  // "acc,none"
  size_t documents = 0;
};

struct GroupResult {
  std::map<std::string, MetricValue> metrics;  // "acc,none"
  size_t documents = 0;                        // over the leaf tasks
};

// The group's metrics over its leaf tasks, as lm-evaluation-harness aggregates them: the
// size-weighted (micro) or plain (macro) mean of the tasks' values. The standard error is
// lm-evaluation-harness's pooled one for a micro average and sqrt(sum se^2) / k, the
// standard error of a mean of k independent estimates, for a macro average. A metric
// some leaf task lacks is an error: the group average would silently mean something else.
Result<GroupResult> AggregateGroup(const GroupConfig& group, const std::vector<std::string>& leaves,
                                   const std::map<std::string, LeafMetrics>& results);

}  // namespace kaif::eval
