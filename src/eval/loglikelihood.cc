#include "eval/loglikelihood.h"

#include <fmt/format.h>

#include <set>

#include "tokenizer/utf8.h"

namespace kaif::eval {
namespace {

using nlohmann::json;

Status CheckMetrics(const TaskConfig& config, std::vector<MetricSpec>& metrics, const std::set<std::string>& computed,
                    const std::vector<MetricSpec>& defaults) {
  if (metrics.empty()) metrics = defaults;
  for (const MetricSpec& m : metrics) {
    if (!computed.count(m.metric)) {
      std::string names;
      for (const std::string& c : computed) names += (names.empty() ? "" : ", ") + c;
      return Status::InvalidInput(fmt::format("{}: metric {} does not apply to {}; kaif computes {}", config.task, m.metric,
                                              ToString(config.output_type), names));
    }
  }
  return Status::Ok();
}

}  // namespace

std::vector<engine::ScoreRequest> RollingWindows(const std::vector<int>& tokens, int prefix_token, size_t max_length) {
  std::vector<engine::ScoreRequest> windows;
  if (tokens.empty() || max_length == 0) return windows;
  const size_t first = std::min(max_length, tokens.size());
  windows.push_back({{prefix_token}, std::vector<int>(tokens.begin(), tokens.begin() + static_cast<long>(first))});
  for (size_t predicted = first; predicted < tokens.size();) {
    const size_t length = std::min(tokens.size() - predicted, max_length);
    const size_t end = predicted + length;
    // The max_length tokens before the last predicted one, minus those predicted here.
    const size_t context_start = end > max_length + 1 ? end - max_length - 1 : 0;
    windows.push_back({std::vector<int>(tokens.begin() + static_cast<long>(context_start),
                                        tokens.begin() + static_cast<long>(predicted)),
                       std::vector<int>(tokens.begin() + static_cast<long>(predicted), tokens.begin() + static_cast<long>(end))});
    predicted = end;
  }
  return windows;
}

size_t CountWords(const std::string& text) {
  size_t words = 1;
  bool in_space = false;
  for (size_t i = 0; i < text.size();) {
    const bool space = IsPythonSpace(tokenizer::NextCodePoint(text, i));
    if (space && !in_space) ++words;
    in_space = space;
  }
  return words;
}

Result<TaskResult> RunLoglikelihood(const TaskConfig& config, Backend& backend, const EvalOptions& options) {
  std::vector<MetricSpec> metrics = config.metrics;
  KAIF_RETURN_IF_ERROR(CheckMetrics(config, metrics, {"perplexity", "acc"}, {{"perplexity", "perplexity"}, {"acc", "mean"}}));
  KAIF_ASSIGN_OR_RETURN(TaskPrompts prompts, TaskPrompts::Create(config, options.format));
  KAIF_ASSIGN_OR_RETURN(TaskDocuments loaded, LoadTaskDocuments(config, options));
  TaskResult result = TaskResult::Start(config, loaded);
  std::vector<engine::ScoreRequest> requests;
  std::vector<size_t> kept;  // the document of each request
  for (size_t d = 0; d < loaded.docs.size(); ++d) {
    auto prepare = [&]() -> Status {
      KAIF_ASSIGN_OR_RETURN(std::string context, prompts.Context(loaded.docs[d], loaded.fewshot[d]));
      KAIF_ASSIGN_OR_RETURN(std::string target, prompts.AnswerText(loaded.docs[d]));
      KAIF_ASSIGN_OR_RETURN(TokenPair encoded, EncodePair(backend.tokenizer(), context, target, options.add_special_tokens));
      if (encoded.continuation.empty()) return Status::InvalidInput("the target is empty");
      requests.push_back({std::move(encoded.context), std::move(encoded.continuation)});
      kept.push_back(d);
      return Status::Ok();
    };
    KAIF_RETURN_IF_ERROR(result.DocumentBuilt(loaded.doc_ids[d], prepare(), options.continue_on_error));
  }
  KAIF_ASSIGN_OR_RETURN(std::vector<engine::ScoreResult> scores, ScoreRequests(requests, backend, options, result));
  for (size_t r = 0; r < scores.size(); ++r) {
    json sample = {{"doc_id", loaded.doc_ids[kept[r]]}, {"loglikelihood", scores[r].logprob}, {"greedy", scores[r].greedy}};
    if (scores[r].truncated_tokens > 0) sample["truncated_context_tokens"] = scores[r].truncated_tokens;
    for (const MetricSpec& m : metrics) {
      const double value = m.metric == "acc" ? (scores[r].greedy ? 1.0 : 0.0) : scores[r].logprob;
      result.Add(m.metric + ",none", m.aggregation, {value, 0});
      sample[m.metric] = value;
    }
    result.samples.push_back(std::move(sample));
  }
  KAIF_RETURN_IF_ERROR(result.Aggregate(options.bootstrap_iters));
  return result;
}

Result<TaskResult> RunLoglikelihoodRolling(const TaskConfig& config, Backend& backend, const EvalOptions& options) {
  std::vector<MetricSpec> metrics = config.metrics;
  KAIF_RETURN_IF_ERROR(CheckMetrics(config, metrics, {"word_perplexity", "byte_perplexity", "bits_per_byte"},
                                    {{"word_perplexity", "weighted_perplexity"},
                                     {"byte_perplexity", "weighted_perplexity"},
                                     {"bits_per_byte", "bits_per_byte"}}));
  const std::optional<int> prefix = backend.prefix_token();
  if (!prefix) return Status::InvalidInput(config.task + ": the model has neither a BOS nor an EOS token to start from");
  const size_t window = backend.max_length();

  KAIF_ASSIGN_OR_RETURN(TaskPrompts prompts, TaskPrompts::Create(config, options.format));
  KAIF_ASSIGN_OR_RETURN(TaskDocuments loaded, LoadTaskDocuments(config, options));
  TaskResult result = TaskResult::Start(config, loaded);
  std::vector<engine::ScoreRequest> requests;
  std::vector<size_t> first(loaded.docs.size() + 1, 0);
  std::vector<std::string> texts;
  std::vector<bool> failed(loaded.docs.size(), false);
  for (size_t d = 0; d < loaded.docs.size(); ++d) {
    first[d] = requests.size();
    texts.emplace_back();
    auto prepare = [&]() -> Status {
      KAIF_ASSIGN_OR_RETURN(texts[d], prompts.AnswerText(loaded.docs[d]));
      KAIF_ASSIGN_OR_RETURN(std::vector<int> tokens, backend.tokenizer().Encode(texts[d], false));
      if (tokens.empty()) return Status::InvalidInput("the text is empty");
      for (engine::ScoreRequest& w : RollingWindows(tokens, *prefix, window)) requests.push_back(std::move(w));
      return Status::Ok();
    };
    Status s = prepare();
    failed[d] = !s.ok();
    KAIF_RETURN_IF_ERROR(result.DocumentBuilt(loaded.doc_ids[d], s, options.continue_on_error));
  }
  first[loaded.docs.size()] = requests.size();
  KAIF_ASSIGN_OR_RETURN(std::vector<engine::ScoreResult> scores, ScoreRequests(requests, backend, options, result));
  for (size_t d = 0; d < loaded.docs.size(); ++d) {
    if (failed[d]) continue;
    double ll = 0;
    for (size_t r = first[d]; r < first[d + 1]; ++r) ll += scores[r].logprob;
    const double words = static_cast<double>(CountWords(texts[d])), bytes = static_cast<double>(texts[d].size());
    json sample = {{"doc_id", loaded.doc_ids[d]}, {"loglikelihood", ll}, {"words", words}, {"bytes", bytes},
                   {"windows", first[d + 1] - first[d]}};
    for (const MetricSpec& m : metrics) {
      result.Add(m.metric + ",none", m.aggregation, {ll, m.metric == "word_perplexity" ? words : bytes});
    }
    result.samples.push_back(std::move(sample));
  }
  KAIF_RETURN_IF_ERROR(result.Aggregate(options.bootstrap_iters));
  return result;
}

}  // namespace kaif::eval
