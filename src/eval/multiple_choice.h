// Runs a multiple_choice task on the native engine: documents from the data directory,
// lm-evaluation-harness's prompts, one log-likelihood request per choice (all of a task
// at once, so the engine shares the few-shot block and each question between requests),
// and the metrics acc, acc_norm (log-likelihood per character) and acc_bytes (per UTF-8
// byte), with lm-evaluation-harness's standard errors.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "eval/prompt.h"
#include "eval/result_cache.h"
#include "eval/task_config.h"
#include "tokenizer/tokenizer.h"
#include "util/status.h"

namespace kaif::eval {

// Where a task stands, reported after each chunk of requests.
struct Progress {
  std::string task;
  size_t requests_done = 0, requests_total = 0, requests_cached = 0;
  uint64_t tokens_computed = 0;  // since the task started
  double seconds = 0;
};

struct EvalOptions {
  std::filesystem::path data_dir;
  std::optional<int> num_fewshot;  // overrides the task's
  std::optional<size_t> limit;     // the first N documents
  uint64_t fewshot_seed = 1234;    // lm-evaluation-harness's default
  bool add_special_tokens = false;  // BOS before each context (lm-evaluation-harness: only for Gemma)
  ResultCache* cache = nullptr;    // finished requests; a rerun computes only the rest
  size_t chunk_requests = 512;     // requests computed and committed to the cache together
  std::function<void(const Progress&)> progress;
};

struct MetricValue {
  double value = 0;
  double stderr = 0;
};

struct TaskResult {
  std::string task;
  int num_fewshot = 0;
  size_t documents = 0;        // evaluated
  size_t split_documents = 0;  // in the split
  std::map<std::string, MetricValue> metrics;  // by "metric,filter": "acc,none", "exact_match,strict-match"
  std::vector<nlohmann::json> samples;         // one per document: requests, log-likelihoods, target
  uint64_t request_tokens = 0, computed_tokens = 0;
  size_t requests = 0, cached_requests = 0;  // found in the cache instead of computed
};

// The documents a task evaluates (the first `limit`), and the few-shot sampler over its
// few-shot split (fewshot_split, else training, validation, test) when it needs one.
struct TaskDocuments {
  std::vector<nlohmann::json> docs;
  size_t split_documents = 0;
  int num_fewshot = 0;
  std::optional<FewshotSampler> sampler;
};
Result<TaskDocuments> LoadTaskDocuments(const TaskConfig& config, const EvalOptions& options);

Result<TaskResult> RunMultipleChoice(const TaskConfig& config, engine::Engine& engine,
                                     const tokenizer::Tokenizer& tokenizer, const EvalOptions& options);

// lm-evaluation-harness's mean and its standard error (sample standard deviation / sqrt(n)).
MetricValue MeanWithStderr(const std::vector<double>& values);

// Python's len() of a UTF-8 string: code points.
size_t CodePoints(const std::string& text);

}  // namespace kaif::eval
