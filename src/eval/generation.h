// Runs a generate_until task on the native engine: lm-evaluation-harness's contexts,
// greedy generation (or seeded sampling when do_sample) up to max_gen_toks, stopped at
// any `until` string (default: the few-shot delimiter) or the end-of-sequence token, then
// each filter pipeline and exact_match against the target.
#pragma once

#include "eval/task_run.h"

namespace kaif::eval {

Result<TaskResult> RunGeneration(const TaskConfig& config, Backend& backend, const EvalOptions& options);

}  // namespace kaif::eval
