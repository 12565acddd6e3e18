// Runs loglikelihood and loglikelihood_rolling tasks on the native engine.
//
// loglikelihood: one request (context, doc_to_target) per document; metrics perplexity
// (exp of minus the mean log-likelihood) and acc (the target is the greedy continuation).
//
// loglikelihood_rolling: the log-likelihood of a whole text (doc_to_target) in
// lm-evaluation-harness's rolling windows: the first window is predicted from the BOS
// token (EOS when the model has none), each later one from the tokens before it, every
// token predicted once with as much context as the model's window allows; metrics
// word_perplexity, byte_perplexity and bits_per_byte (weighted by the text's words and
// UTF-8 bytes).
#pragma once

#include <utility>
#include <vector>

#include "eval/task_run.h"

namespace kaif::eval {

Result<TaskResult> RunLoglikelihood(const TaskConfig& config, Backend& backend, const EvalOptions& options);

Result<TaskResult> RunLoglikelihoodRolling(const TaskConfig& config, Backend& backend, const EvalOptions& options);

// lm-evaluation-harness's rolling windows, made disjoint: (context, continuation) pairs
// whose continuations cover `tokens` once, each context + continuation at most
// max_length + 1 tokens.
std::vector<engine::ScoreRequest> RollingWindows(const std::vector<int>& tokens, int prefix_token, size_t max_length);

// len(re.split(r"\s+", text)): whitespace runs + 1.
size_t CountWords(const std::string& text);

}  // namespace kaif::eval
