#include "job/eval_job.h"

#include <chrono>

#include "engine/kernels.h"
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

Result<std::vector<std::filesystem::path>> RunEval(const EvalJob& job) {
  KAIF_ASSIGN_OR_RETURN(eval::TaskRegistry registry, eval::TaskRegistry::Scan(job.task_dirs));
  KAIF_ASSIGN_OR_RETURN(eval::TaskSelection selection, registry.Select(job.tasks));
  KAIF_ASSIGN_OR_RETURN(TextModel model, OpenTextModel(job.model, job.tokenizer, job.engine));
  std::filesystem::path tokenizer_file = model.tokenizer_dir;
  if (std::filesystem::is_directory(tokenizer_file)) tokenizer_file /= "tokenizer.json";
  const std::string tokenizer_sha256 = FileSha256(tokenizer_file);
  const std::string weights_sha256 = WeightsSha256(model.engine->weights());
  std::error_code ec;
  std::filesystem::create_directories(job.out, ec);
  if (ec) return Status::IoError(job.out.string() + ": " + ec.message());
  eval::EvalOptions options = job.options;
  std::optional<tokenizer::ModelChatTemplate> chat;
  if (job.apply_chat_template) {
    KAIF_ASSIGN_OR_RETURN(chat, tokenizer::LoadChatTemplate(model.tokenizer_dir));
    options.format.chat = &*chat;
  }
  eval::NativeBackend backend(*model.engine, *model.tokenizer,
                              "native weights=" + weights_sha256 + " tokenizer=" + tokenizer_sha256 +
                                  " bos=" + (options.add_special_tokens ? "1" : "0") + " kernels=" + engine::KernelIsa());
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
  record.model = {{"path", job.model.string()},
                  {"model_type", model.engine->architecture().model_type},
                  {"weights_sha256", weights_sha256},
                  {"tokenizer_sha256", tokenizer_sha256}};
  record.kaif = {{"version", KAIF_VERSION},
                 {"backend", "native"},
                 {"kernels", engine::KernelIsa()},
                 {"threads", model.engine->threads()},
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
  if (options.shard_count > 1) record.kaif["shard"] = {options.shard_index, options.shard_count};
  return WriteEvalOutputs(job.out, record);
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
