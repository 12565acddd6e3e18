#include "eval/generation.h"

#include <fmt/format.h>

#include "eval/instruction_checks.h"
#include "eval/response_filter.h"

namespace kaif::eval {

using nlohmann::json;

namespace {

bool IsInstructionMetric(const std::string& metric) {
  return metric == "prompt_level_strict_acc" || metric == "prompt_level_loose_acc" ||
         metric == "inst_level_strict_acc" || metric == "inst_level_loose_acc";
}

// IFEval: the document's instruction_id_list with its kwargs, checked on the response.
// Prompt level: 1 when all are followed; instruction level: followed of given.
Result<MetricItem> InstructionItem(const std::string& metric, const json& doc, const std::string& response) {
  if (!doc.contains("instruction_id_list") || !doc["instruction_id_list"].is_array()) {
    return Status::InvalidInput("the document has no instruction_id_list, which " + metric + " needs");
  }
  const json& ids = doc["instruction_id_list"];
  const json kwargs = doc.value("kwargs", json::array());
  const bool loose = metric.find("loose") != std::string::npos;
  double followed = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!ids[i].is_string()) return Status::InvalidInput("instruction_id_list holds a non-string");
    const json args = kwargs.is_array() && i < kwargs.size() ? kwargs[i] : json::object();
    KAIF_ASSIGN_OR_RETURN(bool ok, FollowsInstruction(ids[i].get<std::string>(), args, response,
                                                      doc.value("prompt", ""), loose));
    followed += ok ? 1 : 0;
  }
  const double n = static_cast<double>(ids.size());
  if (metric.rfind("prompt_level", 0) == 0) return MetricItem{followed == n ? 1.0 : 0.0, 0};
  return MetricItem{followed, n};
}

}  // namespace

Result<TaskResult> RunGeneration(const TaskConfig& config, Backend& backend, const EvalOptions& options) {
  std::vector<MetricSpec> metrics = config.metrics;
  if (metrics.empty()) metrics.push_back(MetricSpec{"exact_match", "mean", true, json::object()});
  for (const MetricSpec& m : metrics) {
    if (m.metric != "exact_match" && !IsInstructionMetric(m.metric)) {
      return Status::InvalidInput(fmt::format("{}: metric {} does not apply to generate_until; kaif computes exact_match "
                                              "and IFEval's prompt_level/inst_level strict/loose accuracies",
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

  KAIF_ASSIGN_OR_RETURN(TaskPrompts prompts, TaskPrompts::Create(config, options.format));
  KAIF_ASSIGN_OR_RETURN(TaskDocuments loaded, LoadTaskDocuments(config, options));
  TaskResult result = TaskResult::Start(config, loaded);

  std::vector<engine::GenerateRequest> requests;
  std::vector<std::string> references;
  const std::vector<std::string>& until = config.generation.until;
  std::vector<size_t> kept;  // the document of each request
  for (size_t d = 0; d < loaded.docs.size(); ++d) {
    auto prepare = [&]() -> Status {
      KAIF_ASSIGN_OR_RETURN(std::string context, prompts.Context(loaded.docs[d], loaded.fewshot[d]));
      KAIF_ASSIGN_OR_RETURN(std::string reference, prompts.AnswerText(loaded.docs[d]));
      engine::GenerateRequest r;
      KAIF_ASSIGN_OR_RETURN(r.prompt, backend.tokenizer().Encode(context, options.add_special_tokens));
      r.max_tokens = static_cast<size_t>(config.generation.max_gen_toks);
      r.stop_strings = until;
      if (config.generation.do_sample) {
        r.sampling.temperature = config.generation.temperature > 0 ? config.generation.temperature : 1.0;
        r.sampling.seed = options.fewshot_seed + loaded.doc_ids[d];
      }
      references.push_back(std::move(reference));
      requests.push_back(std::move(r));
      kept.push_back(d);
      return Status::Ok();
    };
    KAIF_RETURN_IF_ERROR(result.DocumentBuilt(loaded.doc_ids[d], prepare(), options.continue_on_error));
  }

  KAIF_ASSIGN_OR_RETURN(std::vector<engine::GenerateResult> outputs, GenerateRequests(requests, backend, options, result));

  for (size_t r = 0; r < outputs.size(); ++r) {
    const size_t d = kept[r];
    json sample = {{"doc_id", loaded.doc_ids[d]}, {"target", references[r]}, {"response", outputs[r].text},
                   {"finish_reason", outputs[r].finish_reason}};
    if (outputs[r].truncated_tokens > 0) sample["truncated_context_tokens"] = outputs[r].truncated_tokens;
    json filtered = json::object();
    for (const FilterChain& chain : chains) {
      std::string answer = chain.Apply(outputs[r].text, loaded.docs[d]);
      filtered[chain.name()] = answer;
      for (const MetricSpec& m : metrics) {
        const std::string key = m.metric + "," + chain.name();
        MetricItem item;
        if (IsInstructionMetric(m.metric)) {
          auto followed = InstructionItem(m.metric, loaded.docs[d], answer);
          if (!followed.ok()) return followed.status().WithContext(fmt::format("{} document {}", config.task, loaded.doc_ids[d]));
          item = *followed;
        } else {
          KAIF_ASSIGN_OR_RETURN(item.a, ExactMatch(answer, references[r], m.options));
        }
        result.Add(key, m.aggregation, item);
        sample[key] = m.aggregation == "weighted_mean" ? json::array({item.a, item.b}) : json(item.a);
      }
    }
    sample["filtered"] = filtered;
    result.samples.push_back(std::move(sample));
  }
  KAIF_RETURN_IF_ERROR(result.Aggregate(options.bootstrap_iters));
  return result;
}

}  // namespace kaif::eval
