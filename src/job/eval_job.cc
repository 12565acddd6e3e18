#include "job/eval_job.h"

#include <chrono>
#include <cstdlib>

#include "engine/kernels.h"
#include "eval/endpoint_backend.h"
#include "eval/task_registry.h"
#include "job/text_job.h"
#include "model/weights.h"
#include "util/file.h"
#include "util/sha256.h"

namespace kaif::job {
namespace {

using nlohmann::json;

std::string FileSha256(const std::filesystem::path& path) {
  Result<std::string> text = ReadFile(path);
  return text.ok() ? Sha256Hex(*text) : "";
}

// The identity `kaif model info` prints, from the mapped tensors (never a copy of the file).
std::string WeightsSha256(const engine::ModelWeights& weights) {
  if (weights.safetensors) return model::WeightsContentHash(*weights.safetensors);
  std::vector<const tensor::TensorView*> tensors;
  for (const tensor::TensorView& t : weights.gguf->tensors()) tensors.push_back(&t);
  return model::WeightsContentHash(tensors);
}

// The file a tokenizer folder is read from (tokenizer.json, else tokenizer.model).
std::filesystem::path TokenizerFile(const std::filesystem::path& path) {
  if (!std::filesystem::is_directory(path)) return path;
  if (std::filesystem::exists(path / "tokenizer.json")) return path / "tokenizer.json";
  return path / "tokenizer.model";
}

// The token id of a special token named in config.json (an id or a list of ids) or in
// tokenizer_config.json (its text, or {"content": text}), when one id encodes it.
std::optional<int> SpecialTokenId(const std::filesystem::path& dir, const tokenizer::Tokenizer& tokenizer,
                                  const char* id_key, const char* text_key) {
  auto read = [](const std::filesystem::path& file) {
    Result<std::string> text = ReadFile(file);
    return text.ok() ? json::parse(*text, nullptr, false) : json();
  };
  const json config = read(dir / "config.json");
  if (config.is_object() && config.contains(id_key)) {
    const json& id = config[id_key];
    if (id.is_number_integer()) return id.get<int>();
    if (id.is_array() && !id.empty() && id[0].is_number_integer()) return id[0].get<int>();
  }
  const json tokenizer_config = read(dir / "tokenizer_config.json");
  if (tokenizer_config.is_object() && tokenizer_config.contains(text_key)) {
    json token = tokenizer_config[text_key];
    if (token.is_object()) token = token.value("content", json());
    if (token.is_string()) {
      Result<std::vector<int>> ids = tokenizer.Encode(token.get<std::string>(), false);
      if (ids.ok() && ids->size() == 1) return (*ids)[0];
    }
  }
  return std::nullopt;
}

// What answers the requests, and what results.json says about it.
struct OpenedBackend {
  TextModel native;  // the engine and tokenizer a NativeBackend refers to
  std::unique_ptr<eval::Backend> backend;
  json model;  // results.json's "model"
  json kaif;   // the backend's facts in results.json's "kaif"
  std::filesystem::path tokenizer_dir;  // where the chat template is, if known
};

Result<OpenedBackend> OpenNative(const EvalJob& job) {
  OpenedBackend opened;
  KAIF_ASSIGN_OR_RETURN(opened.native, OpenTextModel(job.model, job.tokenizer, job.engine));
  TextModel& model = opened.native;
  const std::string tokenizer_sha256 = FileSha256(TokenizerFile(model.tokenizer_dir));
  const std::string weights_sha256 = WeightsSha256(model.engine->weights());
  opened.backend = std::make_unique<eval::NativeBackend>(
      *model.engine, *model.tokenizer,
      "native weights=" + weights_sha256 + " tokenizer=" + tokenizer_sha256 +
          " bos=" + (job.options.add_special_tokens ? "1" : "0") + " kernels=" + engine::KernelIsa());
  opened.model = {{"path", job.model.string()},
                  {"model_type", model.engine->architecture().model_type},
                  {"weights_sha256", weights_sha256},
                  {"tokenizer_sha256", tokenizer_sha256}};
  opened.kaif = {{"backend", "native"}, {"kernels", engine::KernelIsa()}, {"threads", model.engine->threads()}};
  opened.tokenizer_dir = model.tokenizer_dir;
  return opened;
}

Result<OpenedBackend> OpenEndpoint(const EvalJob& job) {
  const EndpointTarget& target = *job.endpoint;
  eval::EndpointOptions options;
  options.url = target.url;
  options.model = target.model;
  options.chat = target.chat;
  options.max_length = target.max_length;
  options.http = target.http;
  options.api_key_env = target.api_key_env;
  if (const char* key = std::getenv(target.api_key_env.c_str()); key && *key) options.api_key = key;
  std::unique_ptr<tokenizer::Tokenizer> tokenizer;
  if (!job.tokenizer.empty()) {
    KAIF_ASSIGN_OR_RETURN(tokenizer, tokenizer::Tokenizer::Load(job.tokenizer));
    options.tokenizer_sha256 = FileSha256(TokenizerFile(job.tokenizer));
    const std::filesystem::path dir =
        std::filesystem::is_directory(job.tokenizer) ? job.tokenizer : job.tokenizer.parent_path();
    options.prefix_token = SpecialTokenId(dir, *tokenizer, "bos_token_id", "bos_token");
    if (!options.prefix_token) options.prefix_token = SpecialTokenId(dir, *tokenizer, "eos_token_id", "eos_token");
  }
  const json tokenizer_sha256 = tokenizer ? json(options.tokenizer_sha256) : json();
  KAIF_ASSIGN_OR_RETURN(std::unique_ptr<eval::EndpointBackend> backend,
                        eval::EndpointBackend::Open(std::move(options), std::move(tokenizer)));
  OpenedBackend opened;
  if (!job.tokenizer.empty()) {
    opened.tokenizer_dir = std::filesystem::is_directory(job.tokenizer) ? job.tokenizer : job.tokenizer.parent_path();
  }
  opened.model = {{"endpoint", net::RedactUrl(backend->base_url())},
                  {"model_name", target.model},
                  {"tokenizer_sha256", tokenizer_sha256}};
  opened.kaif = {{"backend", "endpoint"},
                 {"api", backend->chat() ? "chat" : "completions"},
                 {"max_length", backend->max_length()},
                 {"concurrency", target.http.concurrency}};
  opened.backend = std::move(backend);
  return opened;
}

TaskRecord StartRecord(const eval::TaskConfig& t) {
  TaskRecord record;
  record.name = t.task;
  record.config = {{"file", t.source.string()},
                   {"sha256", FileSha256(t.source)},
                   {"dataset_path", t.dataset_path},
                   {"dataset_name", t.dataset_name},
                   {"split", t.eval_split()},
                   {"fewshot_split", t.fewshot_split},
                   {"fewshot_sampler", t.fewshot_sampler},
                   {"output_type", eval::ToString(t.output_type)}};
  record.config["filters"] = json::array();
  for (const eval::FilterPipeline& f : t.filters) record.config["filters"].push_back(f.name);
  record.version = t.metadata.value("version", json());
  for (const eval::MetricSpec& m : t.metrics) record.higher_is_better.emplace_back(m.metric, m.higher_is_better);
  return record;
}

}  // namespace

Result<EvalOutcome> RunEval(const EvalJob& job) {
  KAIF_ASSIGN_OR_RETURN(eval::TaskRegistry registry, eval::TaskRegistry::Scan(job.task_dirs));
  KAIF_ASSIGN_OR_RETURN(eval::TaskSelection selection, registry.Select(job.tasks));
  if (job.endpoint.has_value() == !job.model.empty()) {
    return Status::InvalidInput("evaluate either a model's weights (--model) or an endpoint (--endpoint), not both");
  }
  KAIF_ASSIGN_OR_RETURN(OpenedBackend opened, job.endpoint ? OpenEndpoint(job) : OpenNative(job));
  eval::Backend& backend = *opened.backend;
  std::error_code ec;
  std::filesystem::create_directories(job.out, ec);
  if (ec) return Status::IoError(job.out.string() + ": " + ec.message());
  eval::EvalOptions options = job.options;
  std::optional<tokenizer::ModelChatTemplate> chat;
  if (job.apply_chat_template) {
    if (opened.tokenizer_dir.empty()) {
      return Status::InvalidInput("--apply-chat-template needs the model's tokenizer_config.json (--tokenizer)");
    }
    KAIF_ASSIGN_OR_RETURN(chat, tokenizer::LoadChatTemplate(opened.tokenizer_dir));
    options.format.chat = &*chat;
  }
  std::unique_ptr<eval::ResultCache> cache;
  if (job.use_cache) {
    KAIF_ASSIGN_OR_RETURN(cache, eval::ResultCache::Open(job.cache.empty() ? job.out / "cache.sqlite" : job.cache,
                                                         backend.identity()));
    options.cache = cache.get();
  }

  EvalRecord record;
  record.named = selection.named;
  record.groups = selection.groups;
  record.bootstrap_iters = options.bootstrap_iters;
  record.target = job.target;
  uint64_t request_tokens = 0, computed_tokens = 0;
  size_t requests = 0, cached_requests = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const eval::TaskConfig& t : selection.tasks) {
    TaskRecord task = StartRecord(t);
    KAIF_ASSIGN_OR_RETURN(task.result, eval::RunTask(t, backend, options));
    if (task.higher_is_better.empty()) {
      for (const auto& [key, aggregation] : task.result.aggregations) {
        std::string metric = key.substr(0, key.find(','));
        if (std::none_of(task.higher_is_better.begin(), task.higher_is_better.end(),
                         [&](const auto& h) { return h.first == metric; })) {
          task.higher_is_better.emplace_back(metric, aggregation.find("perplexity") == std::string::npos &&
                                                         aggregation != "bits_per_byte");
        }
      }
    }
    request_tokens += task.result.request_tokens;
    computed_tokens += task.result.computed_tokens;
    requests += task.result.requests;
    cached_requests += task.result.cached_requests;
    record.tasks.push_back(std::move(task));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  record.model = opened.model;
  record.kaif = {{"version", KAIF_VERSION},
                 {"fewshot_seed", options.fewshot_seed},
                 {"add_bos", options.add_special_tokens},
                 {"chat_template", job.apply_chat_template},
                 {"fewshot_as_multiturn", options.format.fewshot_as_multiturn},
                 {"system_instruction", options.format.system_instruction},
                 {"limit", options.limit ? json(*options.limit) : json()},
                 {"requests", requests},
                 {"cached_requests", cached_requests},
                 {"request_tokens", request_tokens},
                 {"computed_tokens", computed_tokens},
                 {"seconds", seconds}};
  record.kaif.update(opened.kaif);
  if (options.shard_count > 1) record.kaif["shard"] = {options.shard_index, options.shard_count};
  EvalOutcome outcome;
  for (const TaskRecord& t : record.tasks) {
    if (!t.result.failures.empty()) outcome.failures[t.name] = t.result.failures;
  }
  KAIF_ASSIGN_OR_RETURN(outcome.written, WriteEvalOutputs(job.out, record));
  return outcome;
}

Result<std::vector<std::filesystem::path>> MergeEval(const std::vector<std::filesystem::path>& shards,
                                                     const std::filesystem::path& out) {
  std::vector<EvalRecord> records;
  for (const auto& dir : shards) {
    Result<EvalRecord> r = ReadEvalOutputs(dir);
    if (!r.ok()) return r.status();
    records.push_back(std::move(*r));
  }
  KAIF_ASSIGN_OR_RETURN(EvalRecord merged, MergeShards(std::move(records)));
  return WriteEvalOutputs(out, merged);
}

}  // namespace kaif::job
