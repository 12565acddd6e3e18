// What every task runner shares: the options of a run, a task's result, the documents
// and few-shot sampler of a task, log-likelihood requests through the result cache a chunk
// at a time, and the dispatch on output_type.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "eval/backend.h"
#include "eval/metrics.h"
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
  // Shard `shard_index` of `shard_count`: documents d with d % count == index.
  size_t shard_index = 0, shard_count = 1;
  uint64_t fewshot_seed = 1234;    // lm-evaluation-harness's default
  bool add_special_tokens = false;  // BOS before each context (lm-evaluation-harness: only for Gemma)
  PromptFormat format;              // plain text, or the model's chat template
  size_t bootstrap_iters = 100000;  // lm-evaluation-harness's default; 0: no bootstrap standard errors
  // A document whose prompt cannot be built (a missing field, a target out of range, ...)
  // stops the run, unless this is set: then it is recorded in TaskResult::failures,
  // left out of the metrics, and counted in the results.
  bool continue_on_error = false;
  ResultCache* cache = nullptr;    // finished requests; a rerun computes only the rest
  size_t chunk_requests = 512;     // requests computed and committed to the cache together
  std::function<void(const Progress&)> progress;
};

struct TaskDocuments;

struct TaskResult {
  std::string task;
  int num_fewshot = 0;
  size_t documents = 0;        // evaluated
  size_t split_documents = 0;  // in the split
  std::map<std::string, MetricValue> metrics;  // by "metric,filter": "acc,none", "exact_match,strict-match"
  // Per-document items of each metric and their aggregation, kept so that shards can be
  // merged and groups aggregated exactly.
  std::map<std::string, std::vector<MetricItem>> items;
  std::map<std::string, std::string> aggregations;
  std::vector<nlohmann::json> samples;  // one per document: doc_id, requests, results, metric values
  std::vector<nlohmann::json> failures;  // {"doc_id", "error"} of documents left out
  uint64_t request_tokens = 0, computed_tokens = 0;
  size_t requests = 0, cached_requests = 0;  // found in the cache instead of computed

  // Adds one document's item of metric `key` ("acc,none") aggregated by `aggregation`.
  void Add(const std::string& key, const std::string& aggregation, MetricItem item);
  // An empty result for `config` over `docs`.
  static TaskResult Start(const TaskConfig& config, const TaskDocuments& docs);
  // A document whose requests could not be built (`error`, or Ok when they could): with
  // `continue_on_error` recorded (Ok), otherwise the error naming the task and document.
  Status DocumentBuilt(size_t doc_id, const Status& error, bool continue_on_error);
  // Computes `metrics` from `items`.
  Status Aggregate(size_t bootstrap_iters);
};

// The documents a task evaluates (the first `limit`, then this shard's), their indices in
// the split, and the few-shot sampler over the few-shot split (fewshot_split, else
// training, validation, test) when it needs one. Few-shot draws follow document order
// over every document up to the limit, so a shard draws what an unsharded run draws.
struct TaskDocuments {
  std::vector<nlohmann::json> docs;
  std::vector<size_t> doc_ids;
  std::vector<std::vector<const nlohmann::json*>> fewshot;  // per document, into the sampler's pool
  size_t split_documents = 0;
  int num_fewshot = 0;
  std::optional<FewshotSampler> sampler;
};
Result<TaskDocuments> LoadTaskDocuments(const TaskConfig& config, const EvalOptions& options);

// Scores `requests` (all of a task at once, so the engine shares prefixes), and generates,
// through the cache: requests it holds are not computed, the rest go to the backend a
// chunk at a time, each chunk committed before the next. Both count requests and tokens
// in `result` and report progress.
Result<std::vector<engine::ScoreResult>> ScoreRequests(const std::vector<engine::ScoreRequest>& requests,
                                                      Backend& backend, const EvalOptions& options,
                                                      TaskResult& result);
Result<std::vector<engine::GenerateResult>> GenerateRequests(const std::vector<engine::GenerateRequest>& requests,
                                                            Backend& backend, const EvalOptions& options,
                                                            TaskResult& result);

// Runs a task by its output_type.
Result<TaskResult> RunTask(const TaskConfig& config, Backend& backend, const EvalOptions& options);

}  // namespace kaif::eval
