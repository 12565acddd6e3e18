#include "eval/multiple_choice.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "tokenizer/utf8.h"

namespace kaif::eval {
namespace {

using nlohmann::json;

size_t ArgMax(const std::vector<double>& v) {
  size_t best = 0;
  for (size_t i = 1; i < v.size(); ++i) {
    if (v[i] > v[best]) best = i;  // the first of equal values, as numpy's argmax
  }
  return best;
}

// The right choices of a document: indices from doc_to_text (multiple inputs) or
// doc_to_target (an index, a choice's text, or a list of either).
Result<std::vector<size_t>> Golds(const TaskPrompts& prompts, const json& doc, const std::vector<std::string>& choices) {
  KAIF_ASSIGN_OR_RETURN(std::optional<size_t> input, prompts.InputIndex(doc));
  json target;
  if (input) {
    target = *input;
  } else {
    KAIF_ASSIGN_OR_RETURN(target, prompts.Target(doc));
  }
  std::vector<size_t> golds;
  for (const json& t : target.is_array() ? target : json::array({target})) {
    long long index = -1;
    if (t.is_string()) {
      auto at = std::find(choices.begin(), choices.end(), t.get<std::string>());
      if (at != choices.end()) index = at - choices.begin();
    } else if (t.is_number_integer()) {
      index = t.get<long long>();
    }
    if (index < 0 || static_cast<size_t>(index) >= choices.size()) {
      return Status::InvalidInput(fmt::format("the target {} is not one of the {} choices", t.dump(), choices.size()));
    }
    golds.push_back(static_cast<size_t>(index));
  }
  if (golds.empty()) return Status::InvalidInput("the target list is empty");
  return golds;
}

}  // namespace

Result<TaskResult> RunMultipleChoice(const TaskConfig& config, Backend& backend, const EvalOptions& options) {
  std::vector<MetricSpec> metrics = config.metrics;
  static const std::set<std::string> kComputed = {"acc", "acc_norm", "acc_bytes", "exact_match", "f1", "mcc"};
  for (const MetricSpec& m : metrics) {
    if (!kComputed.count(m.metric)) {
      return Status::InvalidInput(fmt::format("{}: metric {} does not apply to multiple_choice; kaif computes acc, "
                                              "acc_norm, acc_bytes, exact_match, f1 and mcc",
                                              config.task, m.metric));
    }
  }
  if (metrics.empty()) metrics = {{"acc", "mean"}, {"acc_norm", "mean"}};  // lm-evaluation-harness's default

  KAIF_ASSIGN_OR_RETURN(TaskPrompts prompts, TaskPrompts::Create(config, options.format));
  KAIF_ASSIGN_OR_RETURN(TaskDocuments loaded, LoadTaskDocuments(config, options));
  const std::vector<json>& docs = loaded.docs;
  TaskResult result = TaskResult::Start(config, loaded);

  // Every request of the task, then one pass through the engine.
  std::vector<engine::ScoreRequest> requests;
  std::vector<size_t> first_request(docs.size() + 1, 0);
  std::vector<std::vector<std::string>> choices(docs.size());
  std::vector<std::vector<size_t>> golds(docs.size());
  std::vector<bool> failed(docs.size(), false);
  for (size_t d = 0; d < docs.size(); ++d) {
    first_request[d] = requests.size();
    // The document's requests, or why they cannot be built.
    auto prepare = [&]() -> Status {
      KAIF_ASSIGN_OR_RETURN(auto pairs, prompts.MultipleChoice(docs[d], loaded.fewshot[d]));
      KAIF_ASSIGN_OR_RETURN(choices[d], prompts.Choices(docs[d]));
      KAIF_ASSIGN_OR_RETURN(golds[d], Golds(prompts, docs[d], choices[d]));
      std::vector<engine::ScoreRequest> built;
      for (const auto& [context, continuation] : pairs) {
        KAIF_ASSIGN_OR_RETURN(TokenPair encoded, EncodePair(backend.tokenizer(), context, continuation, options.add_special_tokens));
        built.push_back({std::move(encoded.context), std::move(encoded.continuation)});
      }
      for (auto& r : built) requests.push_back(std::move(r));
      return Status::Ok();
    };
    const Status s = prepare();
    failed[d] = !s.ok();
    KAIF_RETURN_IF_ERROR(result.DocumentBuilt(loaded.doc_ids[d], s, options.continue_on_error));
  }
  first_request[docs.size()] = requests.size();
  KAIF_ASSIGN_OR_RETURN(std::vector<engine::ScoreResult> scores, ScoreRequests(requests, backend, options, result));

  for (size_t d = 0; d < docs.size(); ++d) {
    if (failed[d]) continue;
    std::vector<double> lls, per_char, per_byte;
    std::vector<bool> greedy;
    size_t truncated = 0;
    // As lm-evaluation-harness: lengths are the choices' (the contexts, for multiple inputs).
    for (size_t r = first_request[d]; r < first_request[d + 1]; ++r) {
      const std::string& choice = choices[d][r - first_request[d]];
      lls.push_back(scores[r].logprob);
      per_char.push_back(scores[r].logprob / static_cast<double>(tokenizer::CodePointCount(choice)));
      per_byte.push_back(scores[r].logprob / static_cast<double>(choice.size()));
      greedy.push_back(scores[r].greedy);
      truncated = std::max(truncated, scores[r].truncated_tokens);
    }
    const std::vector<size_t>& gold = golds[d];
    auto hit = [&](size_t pred) { return std::find(gold.begin(), gold.end(), pred) != gold.end() ? 1.0 : 0.0; };
    json sample = {{"doc_id", loaded.doc_ids[d]},
                   {"target", gold.size() == 1 ? json(gold[0]) : json(gold)},
                   {"loglikelihoods", lls},
                   {"greedy", greedy}};
    if (truncated > 0) sample["truncated_context_tokens"] = truncated;
    for (const MetricSpec& m : metrics) {
      MetricItem item;
      if (m.metric == "acc") item.a = hit(ArgMax(lls));
      if (m.metric == "acc_norm") item.a = hit(ArgMax(per_char));
      if (m.metric == "acc_bytes") item.a = hit(ArgMax(per_byte));
      if (m.metric == "exact_match") {
        item.a = std::any_of(gold.begin(), gold.end(), [&](size_t g) { return greedy[g]; }) ? 1.0 : 0.0;
      }
      if (m.metric == "f1" || m.metric == "mcc") {
        item = {static_cast<double>(gold[0]), static_cast<double>(ArgMax(lls))};
        sample[m.metric] = json::array({gold[0], ArgMax(lls)});
      } else {
        sample[m.metric] = item.a;
      }
      result.Add(m.metric + ",none", m.aggregation, item);
    }
    result.samples.push_back(std::move(sample));
  }
  KAIF_RETURN_IF_ERROR(result.Aggregate(options.bootstrap_iters));
  return result;
}

}  // namespace kaif::eval
