#include "job/eval_results.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <sstream>

#include "util/file.h"

namespace kaif::job {
namespace {

using nlohmann::json;

json MetricsJson(const std::string& alias, const std::map<std::string, eval::MetricValue>& metrics) {
  json entry = {{"alias", alias}};
  for (const auto& [key, m] : metrics) {
    const size_t comma = key.find(',');
    entry[key] = m.value;
    entry[key.substr(0, comma) + "_stderr" + key.substr(comma)] = m.has_stderr ? json(m.stderr) : json("N/A");
  }
  return entry;
}

json GroupJson(const eval::SelectedGroup& g) {
  json aggregate = json::array();
  for (const eval::GroupMetric& m : g.config.aggregate) {
    aggregate.push_back({{"metric", m.metric}, {"weight_by_size", m.weight_by_size}, {"filters", m.filters}});
  }
  return {{"file", g.config.source.string()}, {"members", g.config.members}, {"leaves", g.leaves},
          {"aggregate", aggregate}, {"metadata", g.config.metadata}};
}

eval::SelectedGroup GroupFromJson(const std::string& name, const json& j) {
  eval::SelectedGroup g;
  g.config.group = name;
  g.config.source = j.value("file", "");
  g.config.members = j.value("members", std::vector<std::string>());
  g.config.metadata = j.value("metadata", json::object());
  for (const json& m : j.value("aggregate", json::array())) {
    g.config.aggregate.push_back(
        {m.value("metric", ""), m.value("weight_by_size", true), m.value("filters", std::vector<std::string>())});
  }
  g.leaves = j.value("leaves", std::vector<std::string>());
  return g;
}

bool IsRate(const std::string& aggregation) {
  return aggregation == "mean" || aggregation == "weighted_mean" || aggregation == "median" ||
         aggregation.find("f1") != std::string::npos || aggregation == "matthews_corrcoef";
}

Result<json> ProgramResults(const EvalRecord& record, const std::map<std::string, const TaskRecord*>& tasks,
                            const std::map<std::string, std::pair<eval::GroupResult, std::string>>& groups) {
  json benchmarks = json::object();
  for (const std::string& name : record.named) {
    double value = 0, stderr = 0;
    size_t n = 0;
    bool percent = true;
    if (auto g = groups.find(name); g != groups.end()) {
      const auto& metric = g->second.first.metrics.at(g->second.second);
      value = metric.value, stderr = metric.stderr, n = g->second.first.documents;
    } else if (auto t = tasks.find(name); t != tasks.end()) {
      const std::string key = HeadlineKey(*t->second);
      if (key.empty()) return Status::InvalidInput(name + ": no metric to report");
      const eval::MetricValue& m = t->second->result.metrics.at(key);
      value = m.value, stderr = m.stderr, n = t->second->result.documents;
      percent = IsRate(t->second->result.aggregations.at(key));
    } else {
      continue;  // a tag: its tasks have no score of their own
    }
    const double scale = percent ? 100.0 : 1.0;
    benchmarks[name] = {{"score", value * scale}, {"stderr", stderr * scale}, {"n", n}};
  }
  json model = json::object();
  for (const char* key : {"weights_sha256", "tokenizer_sha256", "endpoint"}) {
    if (record.model.contains(key)) model[key] = record.model[key];
  }
  return json{{"schema", "kaif.results/1"},
              {"kind", "benchmarks"},
              {"team", record.target->team},
              {"stage", record.target->stage},
              {"model", model},
              {"producer", {{"name", "kaif eval"}, {"version", KAIF_VERSION}}},
              {"benchmarks", benchmarks}};
}

}  // namespace

std::string HeadlineKey(const TaskRecord& t) {
  std::vector<std::string> filters;
  if (t.config.is_object()) filters = t.config.value("filters", filters);
  filters.push_back("none");
  for (const auto& [metric, higher] : t.higher_is_better) {
    for (const std::string& filter : filters) {
      if (t.result.aggregations.count(metric + "," + filter)) return metric + "," + filter;
    }
  }
  return "";
}

std::string HeadlineKey(const eval::SelectedGroup& g, const std::map<std::string, eval::MetricValue>& metrics) {
  if (g.config.aggregate.empty()) return "";
  for (const std::string& filter : g.config.aggregate.front().filters) {
    const std::string key = g.config.aggregate.front().metric + "," + filter;
    if (metrics.count(key)) return key;
  }
  for (const auto& [key, value] : metrics) {
    if (key.substr(0, key.find(',')) == g.config.aggregate.front().metric) return key;
  }
  return "";
}

Result<std::vector<std::filesystem::path>> WriteEvalOutputs(const std::filesystem::path& out, const EvalRecord& record) {
  json results = json::object(), groups = json::object(), subtasks = json::object(), nshot = json::object(),
       nsamples = json::object(), configs = json::object(), versions = json::object(), higher = json::object(),
       aggregations = json::object(), counts = json::object(), group_defs = json::object(), failures = json::object();
  std::map<std::string, eval::LeafMetrics> leaves;
  std::map<std::string, const TaskRecord*> by_name;
  for (const TaskRecord& t : record.tasks) {
    const eval::TaskResult& r = t.result;
    results[t.name] = MetricsJson(t.name, r.metrics);
    nshot[t.name] = r.num_fewshot;
    nsamples[t.name] = {{"original", r.split_documents}, {"effective", r.documents}};
    configs[t.name] = t.config;
    versions[t.name] = t.version;
    higher[t.name] = json::object();
    for (const auto& [metric, h] : t.higher_is_better) higher[t.name][metric] = h;
    aggregations[t.name] = r.aggregations;
    counts[t.name] = {{"requests", r.requests}, {"cached_requests", r.cached_requests},
                      {"request_tokens", r.request_tokens}, {"computed_tokens", r.computed_tokens}};
    leaves[t.name] = {r.metrics, r.documents};
    if (!r.failures.empty()) failures[t.name] = r.failures;
    by_name[t.name] = &t;
  }
  std::map<std::string, std::pair<eval::GroupResult, std::string>> group_results;
  for (const eval::SelectedGroup& g : record.groups) {
    KAIF_ASSIGN_OR_RETURN(eval::GroupResult gr, eval::AggregateGroup(g.config, g.leaves, leaves));
    results[g.config.group] = MetricsJson(g.config.group, gr.metrics);
    groups[g.config.group] = results[g.config.group];
    subtasks[g.config.group] = g.leaves;
    group_defs[g.config.group] = GroupJson(g);
    std::string headline = HeadlineKey(g, gr.metrics);
    group_results[g.config.group] = {std::move(gr), headline};
  }
  json kaif = record.kaif;
  kaif["named"] = record.named;
  kaif["task_order"] = json::array();
  for (const TaskRecord& t : record.tasks) kaif["task_order"].push_back(t.name);
  kaif["bootstrap_iters"] = record.bootstrap_iters;
  kaif["aggregations"] = aggregations;
  kaif["task_counts"] = counts;
  kaif["groups"] = group_defs;
  kaif["failures"] = failures;  // documents left out with --continue-on-error
  if (record.target) kaif["target"] = {{"team", record.target->team}, {"stage", record.target->stage}};
  json doc = {{"results", results},         {"groups", groups},   {"group_subtasks", subtasks},
              {"configs", configs},         {"versions", versions}, {"n-shot", nshot},
              {"n-samples", nsamples},      {"higher_is_better", higher}, {"model", record.model},
              {"kaif", kaif}};

  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) return Status::IoError(out.string() + ": " + ec.message());
  std::vector<std::filesystem::path> written;
  for (const TaskRecord& t : record.tasks) {
    std::string lines;
    for (size_t i = 0; i < t.result.samples.size(); ++i) {
      json s = t.result.samples[i];
      json items = json::object();
      for (const auto& [key, values] : t.result.items) {
        if (i < values.size()) items[key] = {values[i].a, values[i].b};
      }
      s["items"] = items;
      lines += s.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
    }
    std::filesystem::path file = out / ("samples_" + t.name + ".jsonl");
    KAIF_RETURN_IF_ERROR(WriteFileAtomic(file, lines));
    written.push_back(file);
  }
  if (record.target) {
    KAIF_ASSIGN_OR_RETURN(json program, ProgramResults(record, by_name, group_results));
    std::filesystem::path file = out / (record.target->team + ".benchmarks.json");
    KAIF_RETURN_IF_ERROR(WriteFileAtomic(file, program.dump(2) + "\n"));
    written.push_back(file);
  }
  std::filesystem::path file = out / "results.json";
  KAIF_RETURN_IF_ERROR(WriteFileAtomic(file, doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n"));
  written.push_back(file);
  return written;
}

Result<EvalRecord> ReadEvalOutputs(const std::filesystem::path& dir) {
  KAIF_ASSIGN_OR_RETURN(std::string text, ReadFile(dir / "results.json"));
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("kaif") || !doc["kaif"].contains("aggregations")) {
    return Status::InvalidInput((dir / "results.json").string() + ": not a results file kaif eval wrote");
  }
  EvalRecord record;
  try {
    const json& kaif = doc["kaif"];
    record.model = doc["model"];
    record.kaif = kaif;
    for (const char* key : {"named", "task_order", "bootstrap_iters", "aggregations", "task_counts", "groups", "target", "failures"}) {
      record.kaif.erase(key);
    }
    record.named = kaif["named"].get<std::vector<std::string>>();
    record.bootstrap_iters = kaif["bootstrap_iters"].get<size_t>();
    if (kaif.contains("target")) record.target = ProgramTarget{kaif["target"]["team"], kaif["target"]["stage"]};
    for (auto& [name, g] : kaif["groups"].items()) record.groups.push_back(GroupFromJson(name, g));
    for (auto& [name, aggregations] : kaif["aggregations"].items()) {
      TaskRecord t;
      t.name = name;
      t.config = doc["configs"][name];
      t.version = doc["versions"][name];
      for (auto& [metric, h] : doc["higher_is_better"][name].items()) t.higher_is_better.emplace_back(metric, h.get<bool>());
      eval::TaskResult& r = t.result;
      r.task = name;
      r.num_fewshot = doc["n-shot"][name];
      r.documents = doc["n-samples"][name]["effective"];
      r.split_documents = doc["n-samples"][name]["original"];
      r.aggregations = aggregations.get<std::map<std::string, std::string>>();
      if (kaif.contains("failures") && kaif["failures"].contains(name)) {
        r.failures = kaif["failures"][name].get<std::vector<json>>();
      }
      const json& counts = kaif["task_counts"][name];
      r.requests = counts["requests"], r.cached_requests = counts["cached_requests"];
      r.request_tokens = counts["request_tokens"], r.computed_tokens = counts["computed_tokens"];
      for (auto& [key, value] : doc["results"][name].items()) {
        if (!r.aggregations.count(key)) continue;
        const size_t comma = key.find(',');
        const json& se = doc["results"][name][key.substr(0, comma) + "_stderr" + key.substr(comma)];
        r.metrics[key] = {value.get<double>(), se.is_number() ? se.get<double>() : 0.0, se.is_number()};
      }
      KAIF_ASSIGN_OR_RETURN(std::string lines, ReadFile(dir / ("samples_" + name + ".jsonl")));
      std::istringstream in(lines);
      for (std::string line; std::getline(in, line);) {
        json s = json::parse(line, nullptr, false);
        if (s.is_discarded() || !s.contains("items")) {
          return Status::InvalidInput((dir / ("samples_" + name + ".jsonl")).string() + ": a malformed record");
        }
        for (auto& [key, item] : s["items"].items()) r.items[key].push_back({item[0].get<double>(), item[1].get<double>()});
        s.erase("items");
        r.samples.push_back(std::move(s));
      }
      record.tasks.push_back(std::move(t));
    }
  } catch (const json::exception& e) {
    return Status::InvalidInput((dir / "results.json").string() + ": " + e.what());
  }
  // Tasks in the order they ran (results.json's maps are sorted by name).
  std::vector<std::string> order = doc["kaif"].value("task_order", std::vector<std::string>());
  std::stable_sort(record.tasks.begin(), record.tasks.end(), [&](const TaskRecord& a, const TaskRecord& b) {
    return std::find(order.begin(), order.end(), a.name) < std::find(order.begin(), order.end(), b.name);
  });
  return record;
}

Result<EvalRecord> MergeShards(std::vector<EvalRecord> shards) {
  if (shards.empty()) return Status::InvalidInput("no shards to merge");
  auto shard_of = [](const EvalRecord& r) { return r.kaif.value("shard", json::array({0, 1})); };
  const size_t count = shard_of(shards[0])[1].get<size_t>();
  std::vector<bool> seen(count, false);
  for (const EvalRecord& s : shards) {
    json shard = shard_of(s);
    const size_t index = shard[0].get<size_t>();
    if (shard[1].get<size_t>() != count || index >= count) {
      return Status::InvalidInput(fmt::format("shard {} does not belong to a run of {} shards", shard.dump(), count));
    }
    if (seen[index]) return Status::InvalidInput(fmt::format("shard {}/{} is given twice", index, count));
    seen[index] = true;
    if (s.model != shards[0].model) return Status::InvalidInput("the shards evaluated different models");
    if (s.named != shards[0].named || s.tasks.size() != shards[0].tasks.size()) {
      return Status::InvalidInput("the shards ran different tasks");
    }
    for (size_t t = 0; t < s.tasks.size(); ++t) {
      if (s.tasks[t].config != shards[0].tasks[t].config || s.tasks[t].name != shards[0].tasks[t].name) {
        return Status::InvalidInput("the shards ran different task files for " + s.tasks[t].name);
      }
    }
  }
  for (size_t i = 0; i < count; ++i) {
    if (!seen[i]) return Status::InvalidInput(fmt::format("shard {}/{} is missing", i, count));
  }
  EvalRecord merged = std::move(shards[0]);
  merged.kaif.erase("shard");
  merged.kaif["merged_shards"] = count;
  for (size_t k = 1; k < shards.size(); ++k) {
    for (const char* key : {"seconds", "requests", "cached_requests", "request_tokens", "computed_tokens"}) {
      if (merged.kaif.contains(key) && shards[k].kaif.contains(key)) {
        merged.kaif[key] = merged.kaif[key].get<double>() + shards[k].kaif[key].get<double>();
      }
    }
  }
  for (size_t t = 0; t < merged.tasks.size(); ++t) {
    eval::TaskResult& r = merged.tasks[t].result;
    // (doc_id, shard, index) for every document, then everything in doc_id order.
    std::vector<std::tuple<size_t, size_t, size_t>> order;
    for (size_t k = 0; k < shards.size(); ++k) {
      const eval::TaskResult& part = k == 0 ? r : shards[k].tasks[t].result;
      for (size_t i = 0; i < part.samples.size(); ++i) order.emplace_back(part.samples[i].value("doc_id", size_t{0}), k, i);
    }
    std::sort(order.begin(), order.end());
    eval::TaskResult out = r;
    out.samples.clear();
    out.items.clear();
    out.documents = order.size();
    for (size_t k = 1; k < shards.size(); ++k) {
      const eval::TaskResult& part = shards[k].tasks[t].result;
      out.failures.insert(out.failures.end(), part.failures.begin(), part.failures.end());
      out.requests += part.requests, out.cached_requests += part.cached_requests;
      out.request_tokens += part.request_tokens, out.computed_tokens += part.computed_tokens;
    }
    for (const auto& [doc_id, k, i] : order) {
      const eval::TaskResult& part = k == 0 ? r : shards[k].tasks[t].result;
      out.samples.push_back(part.samples[i]);
      for (const auto& [key, values] : part.items) out.items[key].push_back(values[i]);
    }
    KAIF_RETURN_IF_ERROR(out.Aggregate(merged.bootstrap_iters));
    r = std::move(out);
  }
  return merged;
}

}  // namespace kaif::job
