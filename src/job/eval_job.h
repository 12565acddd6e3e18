// The job behind `kaif eval`: run task files on a model with the native engine and write
// the results (lm-evaluation-harness's results layout, "acc,none" keys, plus kaif's
// identity and token counts) and one JSONL of per-document records per task.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "eval/multiple_choice.h"
#include "util/status.h"

namespace kaif::job {

struct EvalJob {
  std::filesystem::path model, tokenizer;  // tokenizer empty: the model folder's
  std::vector<std::filesystem::path> tasks;  // task files
  std::filesystem::path out;
  // Finished requests, so that a killed run resumes: OUT/cache.sqlite unless set; off
  // when `use_cache` is false.
  std::filesystem::path cache;
  bool use_cache = true;
  eval::EvalOptions options;
  engine::EngineOptions engine;
};

// Writes OUT/results.json and OUT/samples_<task>.jsonl (and the cache); returns the
// paths written.
Result<std::vector<std::filesystem::path>> RunEval(const EvalJob& job);

}  // namespace kaif::job
