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
  eval::EvalOptions options;
  engine::EngineOptions engine;
};

// Writes OUT/results.json and OUT/samples_<task>.jsonl; returns the paths written.
Result<std::vector<std::filesystem::path>> RunEval(const EvalJob& job);

}  // namespace kaif::job
