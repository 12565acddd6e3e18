#include "eval/generation.h"

#include <fmt/format.h>

#include "eval/response_filter.h"

namespace kaif::eval {

using nlohmann::json;

Result<TaskResult> RunGeneration(const TaskConfig& config, engine::Engine& engine, const tokenizer::Tokenizer& tokenizer,
                                 const EvalOptions& options) {
  if (config.output_type != OutputType::kGenerateUntil) {
    return Status::InvalidInput(config.task + ": not a generate_until task");
  }
  std::vector<MetricSpec> metrics = config.metrics;
  if (metrics.empty()) metrics.push_back(MetricSpec{"exact_match", "mean", true, json::object()});
  for (const MetricSpec& m : metrics) {
    if (m.metric != "exact_match") {
      return Status::InvalidInput(fmt::format("{}: metric {} is not computed yet for generate_until; kaif has exact_match",
                                              config.task, m.metric));
    }
  }
  std::vector<FilterChain> chains;
  std::vector<FilterPipeline> pipelines = config.filters;
  if (pipelines.empty()) pipelines.push_back(FilterPipeline{"none", {FilterStep{"take_first", json::object()}}});
  for (const FilterPipeline& p : pipelines) {
    auto chain = FilterChain::Compile(p);
    if (!chain.ok()) return chain.status().WithContext(config.task + ": filter_list " + p.name);
    chains.push_back(std::move(*chain));
  }

  KAIF_ASSIGN_OR_RETURN(TaskPrompts prompts, TaskPrompts::Create(config));
  KAIF_ASSIGN_OR_RETURN(TaskDocuments loaded, LoadTaskDocuments(config, options));
  TaskResult result;
  result.task = config.task;
  result.split_documents = loaded.split_documents;
  result.documents = loaded.docs.size();
  result.num_fewshot = loaded.num_fewshot;

  std::vector<engine::GenerateRequest> requests;
  std::vector<std::string> references;
  const std::vector<std::string> until =
      config.generation.until.empty() ? std::vector<std::string>{config.fewshot_delimiter} : config.generation.until;
  for (size_t d = 0; d < loaded.docs.size(); ++d) {
    std::string where = fmt::format("{} document {}", config.task, d);
    std::vector<const json*> fewshot;
    if (loaded.sampler) {
      auto drawn = loaded.sampler->Sample(static_cast<size_t>(result.num_fewshot), loaded.docs[d]);
      if (!drawn.ok()) return drawn.status().WithContext(where);
      fewshot = *drawn;
    }
    auto context = prompts.Context(loaded.docs[d], fewshot);
    if (!context.ok()) return context.status().WithContext(where);
    auto reference = prompts.AnswerText(loaded.docs[d]);
    if (!reference.ok()) return reference.status().WithContext(where);
    references.push_back(*reference);
    engine::GenerateRequest r;
    KAIF_ASSIGN_OR_RETURN(r.prompt, tokenizer.Encode(*context, options.add_special_tokens));
    r.max_tokens = static_cast<size_t>(config.generation.max_gen_toks);
    r.stop_strings = until;
    if (config.generation.do_sample) {
      r.sampling.temperature = config.generation.temperature > 0 ? config.generation.temperature : 1.0;
      r.sampling.seed = options.fewshot_seed + d;
    }
    requests.push_back(std::move(r));
  }

  const engine::EngineStats before = engine.stats();
  std::vector<engine::GenerateResult> outputs;
  const size_t chunk = std::max<size_t>(1, options.chunk_requests);
  for (size_t start = 0; start < requests.size(); start += chunk) {
    std::vector<engine::GenerateRequest> batch(requests.begin() + static_cast<long>(start),
                                               requests.begin() + static_cast<long>(std::min(requests.size(), start + chunk)));
    KAIF_ASSIGN_OR_RETURN(std::vector<engine::GenerateResult> done, engine.Generate(batch, &tokenizer));
    for (auto& o : done) outputs.push_back(std::move(o));
    if (options.progress) {
      options.progress(Progress{config.task, outputs.size(), requests.size(), 0,
                                engine.stats().computed_tokens - before.computed_tokens, 0});
    }
  }
  result.requests = requests.size();
  result.request_tokens = engine.stats().request_tokens - before.request_tokens;
  result.computed_tokens = engine.stats().computed_tokens - before.computed_tokens;

  std::map<std::string, std::vector<double>> per_doc;
  for (size_t d = 0; d < outputs.size(); ++d) {
    json sample = {{"doc_id", d}, {"target", references[d]}, {"response", outputs[d].text},
                   {"finish_reason", outputs[d].finish_reason}};
    if (outputs[d].truncated_tokens > 0) sample["truncated_context_tokens"] = outputs[d].truncated_tokens;
    json filtered = json::object();
    for (const FilterChain& chain : chains) {
      std::string answer = chain.Apply(outputs[d].text);
      filtered[chain.name()] = answer;
      for (const MetricSpec& m : metrics) {
        KAIF_ASSIGN_OR_RETURN(double score, ExactMatch(answer, references[d], m.options));
        const std::string key = m.metric + "," + chain.name();
        per_doc[key].push_back(score);
        sample[key] = score;
      }
    }
    sample["filtered"] = filtered;
    result.samples.push_back(std::move(sample));
  }
  for (const auto& [key, values] : per_doc) result.metrics[key] = MeanWithStderr(values);
  return result;
}

}  // namespace kaif::eval
