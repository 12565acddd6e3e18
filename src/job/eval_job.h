// The job behind `kaif eval`: run tasks (by name from the task folders, or task and group
// files) on a model with the native engine, aggregate groups, and write the results
// (job/eval_results.h). Also `kaif eval merge`: one result from the shards of a run.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "eval/task_run.h"
#include "job/eval_results.h"
#include "util/status.h"

namespace kaif::job {

struct EvalJob {
  std::filesystem::path model, tokenizer;  // tokenizer empty: the model folder's
  std::vector<std::string> tasks;          // task, group or tag names, or task/group files
  std::vector<std::filesystem::path> task_dirs;  // where names are looked up
  std::filesystem::path out;
  // Finished requests, so that a killed run resumes: OUT/cache.sqlite unless set; off
  // when `use_cache` is false.
  std::filesystem::path cache;
  bool use_cache = true;
  std::optional<ProgramTarget> target;
  // Render prompts through the model's chat template (tokenizer_config.json), few-shot
  // examples as one user turn or, with fewshot_as_multiturn, as separate turns.
  bool apply_chat_template = false;
  eval::EvalOptions options;
  engine::EngineOptions engine;
};

// Writes OUT/results.json, OUT/samples_<task>.jsonl (and the cache, and the kaif.results/1
// document when a target is set); returns the paths written.
Result<std::vector<std::filesystem::path>> RunEval(const EvalJob& job);

// Merges the shard folders of one run into `out`.
Result<std::vector<std::filesystem::path>> MergeEval(const std::vector<std::filesystem::path>& shards,
                                                     const std::filesystem::path& out);

}  // namespace kaif::job
