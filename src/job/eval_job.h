// The job behind `kaif eval`: run tasks (by name from the task folders, or task and group
// files) on a model with the native engine or on an OpenAI-compatible endpoint, aggregate
// groups, and write the results (job/eval_results.h). Also `kaif eval merge`: one result
// from the shards of a run.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "eval/task_run.h"
#include "job/eval_results.h"
#include "net/http_client_pool.h"
#include "util/status.h"

namespace kaif::job {

// An OpenAI-compatible endpoint that answers the requests instead of local weights
// (eval/endpoint_backend.h).
struct EndpointTarget {
  std::string url;    // the API base: http://host:8000/v1
  std::string model;  // the served model's name
  bool chat = false;  // generation through /chat/completions (always without a tokenizer)
  size_t max_length = 0;  // 0: the server's max_model_len, else 2048
  // The environment variable holding the API key; unset or empty: no key is sent.
  std::string api_key_env = "OPENAI_API_KEY";
  net::HttpClientPoolOptions http;
};

struct EvalJob {
  // The model's weights; or, with `endpoint`, nothing (the endpoint serves the model).
  std::filesystem::path model;
  // The model's tokenizer: empty for the model folder's. With an endpoint, the served
  // model's tokenizer (needed for log-likelihoods; without it, generation goes through chat).
  std::filesystem::path tokenizer;
  std::optional<EndpointTarget> endpoint;
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

struct EvalOutcome {
  std::vector<std::filesystem::path> written;
  // Documents left out by continue_on_error, by task: {"doc_id", "error"}.
  std::map<std::string, std::vector<nlohmann::json>> failures;
};

// Writes OUT/results.json, OUT/samples_<task>.jsonl (and the cache, and the kaif.results/1
// document when a target is set).
Result<EvalOutcome> RunEval(const EvalJob& job);

// Merges the shard folders of one run into `out`.
Result<std::vector<std::filesystem::path>> MergeEval(const std::vector<std::filesystem::path>& shards,
                                                     const std::filesystem::path& out);

}  // namespace kaif::job
