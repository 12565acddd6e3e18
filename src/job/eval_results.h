// The files `kaif eval` writes, built the same way by a run and by `kaif eval merge`:
// OUT/results.json (lm-evaluation-harness's layout: "results", "groups",
// "group_subtasks", "configs", "versions", "n-shot", "n-samples", "higher_is_better",
// with "acc,none" / "acc_stderr,none" keys; plus "model" identity and "kaif" facts),
// OUT/samples_<task>.jsonl (one record per document, with its metric items so shards
// merge exactly), and optionally the kaif.results/1 document `kaif round` reads.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/task_registry.h"
#include "eval/task_run.h"
#include "util/status.h"

namespace kaif::job {

struct TaskRecord {
  std::string name;
  nlohmann::json config;   // file, sha256, dataset, splits, sampler, output_type
  nlohmann::json version;  // the task's metadata.version
  std::vector<std::pair<std::string, bool>> higher_is_better;  // per metric
  eval::TaskResult result;
};

// Which team and stage the run is for; set, the run also writes the kaif.results/1
// benchmarks document for `kaif round`.
struct ProgramTarget {
  std::string team;
  int stage = 0;
};

struct EvalRecord {
  std::vector<std::string> named;  // task, group or tag names as asked for
  std::vector<TaskRecord> tasks;
  std::vector<eval::SelectedGroup> groups;
  nlohmann::json model;  // weights_sha256, tokenizer_sha256, model_type, path
  nlohmann::json kaif;   // version, backend, seeds, counts, timing, shard
  size_t bootstrap_iters = 100000;
  std::optional<ProgramTarget> target;
};

// The metric a task or group is ranked by (and reported to kaif round): a task's first
// listed metric with its first filter; a group's first aggregated metric.
std::string HeadlineKey(const TaskRecord& task);
std::string HeadlineKey(const eval::SelectedGroup& group, const std::map<std::string, eval::MetricValue>& metrics);

// Writes every output file (each atomically); returns their paths, results.json last.
Result<std::vector<std::filesystem::path>> WriteEvalOutputs(const std::filesystem::path& out, const EvalRecord& record);

// Reads what WriteEvalOutputs wrote in `dir` back into a record (for merging shards).
Result<EvalRecord> ReadEvalOutputs(const std::filesystem::path& dir);

// Merges the shards of one run (the same tasks, model and shard count, every shard once)
// into the record an unsharded run produces.
Result<EvalRecord> MergeShards(std::vector<EvalRecord> shards);

}  // namespace kaif::job
