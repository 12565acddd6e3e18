// Flags of the verbs that run a model on the native engine (generate, score, eval), and
// evaluation progress on stderr.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "engine/engine.h"
#include "eval/task_run.h"
#include "job/text_job.h"

namespace kaif::cli {

struct ModelFlags {
  std::string model, tokenizer;
  int threads = 0;
  double kv_budget_mib = 4096;
  bool no_check = false;

  void Register(CLI::App& cmd, bool model_required = true);
  engine::EngineOptions EngineOptions() const;
  Result<job::TextModel> Open() const { return job::OpenTextModel(model, tokenizer, EngineOptions()); }
};

// One line per chunk on stderr; on a terminal, one line rewritten in place.
void PrintProgress(const eval::Progress& p);

}  // namespace kaif::cli
