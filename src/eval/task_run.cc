#include "eval/task_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "eval/dataset.h"
#include "eval/generation.h"
#include "eval/loglikelihood.h"
#include "eval/multiple_choice.h"

namespace kaif::eval {

using nlohmann::json;

void TaskResult::Add(const std::string& key, const std::string& aggregation, MetricItem item) {
  items[key].push_back(item);
  aggregations[key] = aggregation;
}

TaskResult TaskResult::Start(const TaskConfig& config, const TaskDocuments& docs) {
  TaskResult result;
  result.task = config.task;
  result.split_documents = docs.split_documents;
  result.documents = docs.docs.size();
  result.num_fewshot = docs.num_fewshot;
  return result;
}

Status TaskResult::DocumentBuilt(size_t doc_id, const Status& error, bool continue_on_error) {
  if (error.ok()) return error;
  const Status named = error.WithContext(fmt::format("{} document {}", task, doc_id));
  if (!continue_on_error) return named;
  failures.push_back({{"doc_id", doc_id}, {"error", named.message()}});
  return Status::Ok();
}

Status TaskResult::Aggregate(size_t bootstrap_iters) {
  metrics.clear();
  documents = samples.size();
  for (const auto& [key, values] : items) {
    Result<MetricValue> m = AggregateWithStderr(aggregations[key], values, bootstrap_iters);
    if (!m.ok()) return m.status().WithContext(task + ": " + key);
    metrics[key] = *m;
  }
  return Status::Ok();
}

Result<TaskDocuments> LoadTaskDocuments(const TaskConfig& config, const EvalOptions& options) {
  if (options.shard_count == 0 || options.shard_index >= options.shard_count) {
    return Status::InvalidInput(fmt::format("shard {} of {} does not exist", options.shard_index, options.shard_count));
  }
  TaskDocuments out;
  KAIF_ASSIGN_OR_RETURN(std::vector<json> all,
                        LoadSplit(options.data_dir, config.dataset_path, config.dataset_name, config.eval_split()));
  out.split_documents = all.size();
  if (options.limit && *options.limit < all.size()) all.resize(*options.limit);
  out.num_fewshot = options.num_fewshot.value_or(config.num_fewshot.value_or(0));
  if (out.num_fewshot > 0) {
    std::string split = !config.fewshot_split.empty()       ? config.fewshot_split
                        : !config.training_split.empty()   ? config.training_split
                        : !config.validation_split.empty() ? config.validation_split
                                                           : config.test_split;
    KAIF_ASSIGN_OR_RETURN(std::vector<json> pool,
                          LoadSplit(options.data_dir, config.dataset_path, config.dataset_name, split));
    out.sampler.emplace(std::move(pool), config.fewshot_sampler, options.fewshot_seed, split == config.eval_split());
  }
  for (size_t d = 0; d < all.size(); ++d) {
    std::vector<const json*> fewshot;
    if (out.sampler) {
      auto drawn = out.sampler->Sample(static_cast<size_t>(out.num_fewshot), all[d]);
      if (!drawn.ok()) return drawn.status().WithContext(fmt::format("{} document {}", config.task, d));
      fewshot = std::move(*drawn);
    }
    if (d % options.shard_count != options.shard_index) continue;
    out.doc_ids.push_back(d);
    out.fewshot.push_back(std::move(fewshot));
  }
  out.docs.reserve(out.doc_ids.size());
  for (size_t d : out.doc_ids) out.docs.push_back(std::move(all[d]));
  return out;
}

namespace {

// Requests the cache holds are not computed; the rest go to `compute` a chunk at a time,
// each chunk committed to the cache before the next, so a killed run loses at most one
// chunk. Results do not depend on the chunking.
template <typename Request, typename Response, typename Compute>
Result<std::vector<Response>> ThroughCache(const std::vector<Request>& requests, Backend& backend,
                                           const EvalOptions& options, TaskResult& result, Compute compute) {
  std::vector<Response> responses(requests.size());
  std::vector<size_t> todo;
  for (size_t i = 0; i < requests.size(); ++i) {
    std::optional<Response> hit = options.cache ? options.cache->Find(requests[i]) : std::nullopt;
    if (hit) {
      responses[i] = std::move(*hit);
    } else {
      todo.push_back(i);
    }
  }
  const size_t cached = requests.size() - todo.size();
  result.requests += requests.size();
  result.cached_requests += cached;
  const engine::EngineStats before = backend.stats();
  const size_t chunk = std::max<size_t>(1, options.chunk_requests);
  const auto started = std::chrono::steady_clock::now();
  auto report = [&](size_t computed) {
    if (!options.progress) return;
    options.progress(Progress{result.task, cached + computed, requests.size(), cached,
                              backend.stats().computed_tokens - before.computed_tokens,
                              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()});
  };
  report(0);
  for (size_t start = 0; start < todo.size(); start += chunk) {
    std::vector<Request> batch;
    std::vector<const Request*> keys;
    for (size_t k = start; k < std::min(todo.size(), start + chunk); ++k) {
      batch.push_back(requests[todo[k]]);
      keys.push_back(&requests[todo[k]]);
    }
    KAIF_ASSIGN_OR_RETURN(std::vector<Response> computed, compute(batch));
    if (options.cache) KAIF_RETURN_IF_ERROR(options.cache->Store(keys, computed));
    for (size_t k = 0; k < computed.size(); ++k) responses[todo[start + k]] = std::move(computed[k]);
    report(std::min(todo.size(), start + chunk));
  }
  result.request_tokens += backend.stats().request_tokens - before.request_tokens;
  result.computed_tokens += backend.stats().computed_tokens - before.computed_tokens;
  return responses;
}

}  // namespace

Result<std::vector<engine::ScoreResult>> ScoreRequests(const std::vector<engine::ScoreRequest>& requests,
                                                      Backend& backend, const EvalOptions& options,
                                                      TaskResult& result) {
  return ThroughCache<engine::ScoreRequest, engine::ScoreResult>(
      requests, backend, options, result, [&](const auto& batch) { return backend.Loglikelihood(batch); });
}

Result<std::vector<engine::GenerateResult>> GenerateRequests(const std::vector<engine::GenerateRequest>& requests,
                                                            Backend& backend, const EvalOptions& options,
                                                            TaskResult& result) {
  return ThroughCache<engine::GenerateRequest, engine::GenerateResult>(
      requests, backend, options, result, [&](const auto& batch) { return backend.Generate(batch); });
}

Result<TaskResult> RunTask(const TaskConfig& config, Backend& backend, const EvalOptions& options) {
  switch (config.output_type) {
    case OutputType::kMultipleChoice:
      return RunMultipleChoice(config, backend, options);
    case OutputType::kGenerateUntil:
      return RunGeneration(config, backend, options);
    case OutputType::kLoglikelihood:
      return RunLoglikelihood(config, backend, options);
    case OutputType::kLoglikelihoodRolling:
      return RunLoglikelihoodRolling(config, backend, options);
  }
  return Status::Internal("unknown output_type");
}

}  // namespace kaif::eval
