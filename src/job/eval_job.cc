#include "job/eval_job.h"

#include <chrono>

#include "engine/kernels.h"
#include "eval/generation.h"
#include "eval/task_config.h"
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

}  // namespace

Result<std::vector<std::filesystem::path>> RunEval(const EvalJob& job) {
  std::vector<eval::TaskConfig> tasks;
  for (const auto& file : job.tasks) {
    KAIF_ASSIGN_OR_RETURN(eval::TaskConfig t, eval::LoadTaskConfig(file));
    tasks.push_back(std::move(t));
  }
  KAIF_ASSIGN_OR_RETURN(TextModel model, OpenTextModel(job.model, job.tokenizer, job.engine));
  std::filesystem::path tokenizer_file = model.tokenizer_dir;
  if (std::filesystem::is_directory(tokenizer_file)) tokenizer_file /= "tokenizer.json";
  const std::string tokenizer_sha256 = FileSha256(tokenizer_file);
  // The identity `kaif model info` prints, from the mapped tensors (never a copy of the file).
  const engine::ModelWeights& weights = model.engine->weights();
  std::string weights_sha256;
  if (weights.safetensors) {
    weights_sha256 = model::WeightsContentHash(*weights.safetensors);
  } else {
    std::vector<const tensor::TensorView*> tensors;
    for (const tensor::TensorView& t : weights.gguf->tensors()) tensors.push_back(&t);
    weights_sha256 = model::WeightsContentHash(tensors);
  }
  std::error_code ec;
  std::filesystem::create_directories(job.out, ec);
  if (ec) return Status::IoError(job.out.string() + ": " + ec.message());
  eval::EvalOptions options = job.options;
  std::unique_ptr<eval::ResultCache> cache;
  if (job.use_cache) {
    std::string backend = "native weights=" + weights_sha256 + " tokenizer=" + tokenizer_sha256 +
                          " bos=" + (options.add_special_tokens ? "1" : "0") + " kernels=" + engine::KernelIsa();
    KAIF_ASSIGN_OR_RETURN(cache, eval::ResultCache::Open(job.cache.empty() ? job.out / "cache.sqlite" : job.cache, backend));
    options.cache = cache.get();
  }
  json results = json::object(), nshot = json::object(), nsamples = json::object(), configs = json::object(),
       versions = json::object();
  std::vector<std::pair<std::string, std::vector<json>>> samples;
  uint64_t request_tokens = 0, computed_tokens = 0;
  size_t requests = 0, cached_requests = 0;
  auto start = std::chrono::steady_clock::now();
  for (const eval::TaskConfig& t : tasks) {
    Result<eval::TaskResult> run = t.output_type == eval::OutputType::kGenerateUntil
                                       ? eval::RunGeneration(t, *model.engine, *model.tokenizer, options)
                                       : eval::RunMultipleChoice(t, *model.engine, *model.tokenizer, options);
    if (!run.ok()) return run.status();
    eval::TaskResult r = std::move(*run);
    json entry = {{"alias", t.task}};
    for (const auto& [key, m] : r.metrics) {
      const size_t comma = key.find(',');
      entry[key] = m.value;
      entry[key.substr(0, comma) + "_stderr" + key.substr(comma)] = m.stderr;
    }
    results[t.task] = entry;
    nshot[t.task] = r.num_fewshot;
    nsamples[t.task] = {{"original", r.split_documents}, {"effective", r.documents}};
    configs[t.task] = {{"file", t.source.string()},
                       {"sha256", FileSha256(t.source)},
                       {"dataset_path", t.dataset_path},
                       {"dataset_name", t.dataset_name},
                       {"split", t.eval_split()},
                       {"fewshot_split", t.fewshot_split},
                       {"fewshot_sampler", t.fewshot_sampler},
                       {"output_type", eval::ToString(t.output_type)}};
    versions[t.task] = t.metadata.value("version", json());
    request_tokens += r.request_tokens;
    computed_tokens += r.computed_tokens;
    requests += r.requests;
    cached_requests += r.cached_requests;
    samples.emplace_back(t.task, std::move(r.samples));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  json doc = {{"results", results},
              {"n-shot", nshot},
              {"n-samples", nsamples},
              {"configs", configs},
              {"versions", versions},
              {"model", {{"path", job.model.string()},
                         {"model_type", model.engine->architecture().model_type},
                         {"weights_sha256", weights_sha256},
                         {"tokenizer_sha256", tokenizer_sha256}}},
              {"kaif", {{"version", KAIF_VERSION},
                        {"backend", "native"},
                        {"kernels", engine::KernelIsa()},
                        {"threads", model.engine->threads()},
                        {"fewshot_seed", job.options.fewshot_seed},
                        {"requests", requests},
                        {"cached_requests", cached_requests},
                        {"request_tokens", request_tokens},
                        {"computed_tokens", computed_tokens},
                        {"seconds", seconds}}}};
  std::vector<std::filesystem::path> written;
  for (const auto& [task, records] : samples) {
    std::string lines;
    for (const json& s : records) lines += s.dump() + "\n";
    std::filesystem::path file = job.out / ("samples_" + task + ".jsonl");
    KAIF_RETURN_IF_ERROR(WriteFileAtomic(file, lines));
    written.push_back(file);
  }
  std::filesystem::path file = job.out / "results.json";
  KAIF_RETURN_IF_ERROR(WriteFileAtomic(file, doc.dump(2) + "\n"));
  written.push_back(file);
  return written;
}

}  // namespace kaif::job
