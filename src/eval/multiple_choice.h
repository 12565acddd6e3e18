// Runs a multiple_choice task on the native engine: lm-evaluation-harness's prompts, one
// log-likelihood request per choice (all of a task at once, so the engine shares the
// few-shot block and each question between requests), and the metrics acc, acc_norm (per
// character), acc_bytes (per UTF-8 byte), exact_match (the gold choice is the greedy
// continuation), f1 and mcc (gold and predicted labels), with multiple-input documents
// (one context per choice, WinoGrande) and multiple targets (a list of right choices).
#pragma once

#include "eval/task_run.h"

namespace kaif::eval {

Result<TaskResult> RunMultipleChoice(const TaskConfig& config, Backend& backend, const EvalOptions& options);

}  // namespace kaif::eval
