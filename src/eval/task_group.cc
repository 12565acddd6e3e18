#include "eval/task_group.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace kaif::eval {

using nlohmann::json;

Result<GroupConfig> ParseGroupConfig(const json& doc, const std::filesystem::path& source) {
  auto error = [&](const std::string& key, const std::string& why) {
    return Status::InvalidInput(fmt::format("{}: {}: {}", source.string(), key, why));
  };
  GroupConfig g;
  g.source = source;
  for (auto& [key, value] : doc.items()) {
    if (key == "group") {
      if (!value.is_string()) return error(key, "must be a name");
      g.group = value.get<std::string>();
    } else if (key == "task") {
      for (const json& m : value.is_array() ? value : json::array({value})) {
        if (!m.is_string()) {
          return error(key, "members are names of tasks, tags or groups; define a task in its own file");
        }
        g.members.push_back(m.get<std::string>());
      }
    } else if (key == "aggregate_metric_list") {
      for (const json& m : value.is_array() ? value : json::array({value})) {
        if (!m.is_object() || !m.contains("metric") || !m["metric"].is_string()) {
          return error(key, "each entry needs a metric name");
        }
        GroupMetric metric;
        metric.metric = m["metric"].get<std::string>();
        for (auto& [k, v] : m.items()) {
          if (k == "metric") continue;
          if (k == "aggregation") {
            if (v != "mean") return error(key + ".aggregation", "a group averages its tasks: only mean is defined");
          } else if (k == "weight_by_size") {
            if (!v.is_boolean()) return error(key + ".weight_by_size", "must be true or false");
            metric.weight_by_size = v.get<bool>();
          } else if (k == "filter_list") {
            for (const json& f : v.is_array() ? v : json::array({v})) {
              if (!f.is_string()) return error(key + ".filter_list", "must be filter names");
              metric.filters.push_back(f.get<std::string>());
            }
          } else {
            return error(key + "." + k, "unknown key");
          }
        }
        g.aggregate.push_back(std::move(metric));
      }
    } else if (key == "metadata") {
      g.metadata = value;
    } else if (key == "group_alias") {
      continue;  // display only
    } else {
      return error(key, "unknown key in a group file");
    }
  }
  if (g.group.empty()) return error("group", "missing");
  if (g.members.empty()) return error("task", "a group needs member tasks");
  return g;
}

Result<GroupResult> AggregateGroup(const GroupConfig& group, const std::vector<std::string>& leaves,
                                   const std::map<std::string, LeafMetrics>& results) {
  GroupResult out;
  for (const std::string& leaf : leaves) {
    auto r = results.find(leaf);
    if (r != results.end()) out.documents += r->second.documents;
  }
  for (const GroupMetric& m : group.aggregate) {
    std::vector<std::string> filters = m.filters;
    if (filters.empty()) {
      std::set<std::string> seen;
      for (const auto& [task, r] : results) {
        if (std::find(leaves.begin(), leaves.end(), task) == leaves.end()) continue;
        for (const auto& [key, value] : r.metrics) {
          if (key.substr(0, key.find(',')) == m.metric) seen.insert(key.substr(key.find(',') + 1));
        }
      }
      filters.assign(seen.begin(), seen.end());
    }
    if (filters.empty()) return Status::InvalidInput(fmt::format("group {}: no task computes {}", group.group, m.metric));
    for (const std::string& filter : filters) {
      const std::string key = m.metric + "," + filter;
      double weighted = 0, weights = 0, pooled = 0, squares = 0;
      size_t total = 0;
      for (const std::string& leaf : leaves) {
        auto r = results.find(leaf);
        if (r == results.end() || !r->second.metrics.count(key)) {
          return Status::InvalidInput(fmt::format("group {}: task {} has no {}", group.group, leaf, key));
        }
        const MetricValue& v = r->second.metrics.at(key);
        const double n = static_cast<double>(r->second.documents), w = m.weight_by_size ? n : 1.0;
        weighted += v.value * w;
        weights += w;
        pooled += (n - 1) * v.stderr * v.stderr * n;
        squares += v.stderr * v.stderr;
        total += r->second.documents;
      }
      MetricValue value;
      value.value = weighted / weights;
      const double k = static_cast<double>(leaves.size());
      if (m.weight_by_size) {
        value.stderr = total > leaves.size() ? std::sqrt(pooled / (static_cast<double>(total) - k) / static_cast<double>(total)) : 0;
      } else {
        value.stderr = std::sqrt(squares) / k;
      }
      out.metrics[key] = value;
    }
  }
  return out;
}

}  // namespace kaif::eval
