#include "eval/multiple_choice.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "eval/dataset.h"

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

}  // namespace

size_t CodePoints(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

MetricValue MeanWithStderr(const std::vector<double>& values) {
  MetricValue m;
  if (values.empty()) return m;
  double sum = 0;
  for (double v : values) sum += v;
  m.value = sum / static_cast<double>(values.size());
  if (values.size() > 1) {
    double ss = 0;
    for (double v : values) ss += (v - m.value) * (v - m.value);
    m.stderr = std::sqrt(ss / static_cast<double>(values.size() - 1)) / std::sqrt(static_cast<double>(values.size()));
  }
  return m;
}

Result<TaskDocuments> LoadTaskDocuments(const TaskConfig& config, const EvalOptions& options) {
  TaskDocuments out;
  KAIF_ASSIGN_OR_RETURN(out.docs, LoadSplit(options.data_dir, config.dataset_path, config.dataset_name, config.eval_split()));
  out.split_documents = out.docs.size();
  if (options.limit && *options.limit < out.docs.size()) out.docs.resize(*options.limit);
  out.num_fewshot = options.num_fewshot.value_or(config.num_fewshot.value_or(0));
  if (out.num_fewshot > 0) {
    std::string split = !config.fewshot_split.empty()       ? config.fewshot_split
                        : !config.training_split.empty()   ? config.training_split
                        : !config.validation_split.empty() ? config.validation_split
                                                           : config.test_split;
    KAIF_ASSIGN_OR_RETURN(std::vector<json> pool,
                          LoadSplit(options.data_dir, config.dataset_path, config.dataset_name, split));
    out.sampler.emplace(std::move(pool), config.fewshot_sampler, options.fewshot_seed, split == config.test_split);
  }
  return out;
}

Result<TaskResult> RunMultipleChoice(const TaskConfig& config, engine::Engine& engine,
                                     const tokenizer::Tokenizer& tokenizer, const EvalOptions& options) {
  if (config.output_type != OutputType::kMultipleChoice) {
    return Status::InvalidInput(fmt::format("{}: output_type {} is not run yet; kaif eval runs multiple_choice and generate_until tasks",
                                            config.task, ToString(config.output_type)));
  }
  std::vector<std::string> metrics;
  for (const MetricSpec& m : config.metrics) {
    if (m.metric != "acc" && m.metric != "acc_norm" && m.metric != "acc_bytes") {
      return Status::InvalidInput(fmt::format("{}: metric {} is not computed yet for multiple_choice; kaif has acc, "
                                              "acc_norm and acc_bytes",
                                              config.task, m.metric));
    }
    metrics.push_back(m.metric);
  }
  if (metrics.empty()) metrics = {"acc", "acc_norm"};  // lm-evaluation-harness's default

  KAIF_ASSIGN_OR_RETURN(TaskPrompts prompts, TaskPrompts::Create(config));
  KAIF_ASSIGN_OR_RETURN(TaskDocuments loaded, LoadTaskDocuments(config, options));
  std::vector<json>& docs = loaded.docs;
  std::optional<FewshotSampler>& sampler = loaded.sampler;
  TaskResult result;
  result.task = config.task;
  result.split_documents = loaded.split_documents;
  result.documents = docs.size();
  result.num_fewshot = loaded.num_fewshot;

  // Every request of the task, then one call to the engine.
  std::vector<engine::ScoreRequest> requests;
  std::vector<size_t> first_request(docs.size() + 1, 0);
  std::vector<std::vector<std::string>> choices(docs.size());
  std::vector<json> golds(docs.size());
  for (size_t d = 0; d < docs.size(); ++d) {
    std::string where = fmt::format("{} document {}", config.task, d);
    std::vector<const json*> fewshot;
    if (sampler) {
      auto drawn = sampler->Sample(static_cast<size_t>(result.num_fewshot), docs[d]);
      if (!drawn.ok()) return drawn.status().WithContext(where);
      fewshot = *drawn;
    }
    auto pairs = prompts.MultipleChoice(docs[d], fewshot);
    if (!pairs.ok()) return pairs.status().WithContext(where);
    KAIF_ASSIGN_OR_RETURN(choices[d], prompts.Choices(docs[d]));
    auto gold = prompts.Target(docs[d]);
    if (!gold.ok()) return gold.status().WithContext(where);
    json g = *gold;
    if (g.is_string()) {
      auto at = std::find(choices[d].begin(), choices[d].end(), g.get<std::string>());
      g = at == choices[d].end() ? json(-1) : json(at - choices[d].begin());
    }
    if (!g.is_number_integer() || g.get<long long>() < 0 || g.get<size_t>() >= choices[d].size()) {
      return Status::InvalidInput(fmt::format("{}: the target {} is not one of the {} choices", where, gold->dump(),
                                              choices[d].size()));
    }
    golds[d] = g;
    first_request[d] = requests.size();
    for (const auto& [context, continuation] : *pairs) {
      auto encoded = EncodePair(tokenizer, context, continuation, options.add_special_tokens);
      if (!encoded.ok()) return encoded.status().WithContext(where);
      requests.push_back({std::move(encoded->context), std::move(encoded->continuation)});
    }
  }
  first_request[docs.size()] = requests.size();

  // Requests the cache holds are not computed; the rest go to the engine a chunk at a
  // time (the KV cache keeps shared prefixes between chunks), each chunk committed to the
  // cache before the next starts. Results do not depend on the chunking.
  std::vector<engine::ScoreResult> scores(requests.size());
  std::vector<size_t> todo;
  for (size_t i = 0; i < requests.size(); ++i) {
    std::optional<engine::ScoreResult> hit = options.cache ? options.cache->Find(requests[i]) : std::nullopt;
    if (hit) {
      scores[i] = std::move(*hit);
    } else {
      todo.push_back(i);
    }
  }
  result.requests = requests.size();
  result.cached_requests = requests.size() - todo.size();
  const engine::EngineStats before = engine.stats();
  const size_t chunk = std::max<size_t>(1, options.chunk_requests);
  const auto started = std::chrono::steady_clock::now();
  auto report = [&](size_t computed) {
    if (!options.progress) return;
    Progress p{config.task, result.cached_requests + computed, requests.size(), result.cached_requests,
               engine.stats().computed_tokens - before.computed_tokens,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()};
    options.progress(p);
  };
  report(0);
  for (size_t start = 0; start < todo.size(); start += chunk) {
    std::vector<engine::ScoreRequest> batch;
    std::vector<const engine::ScoreRequest*> keys;
    for (size_t k = start; k < std::min(todo.size(), start + chunk); ++k) {
      batch.push_back(requests[todo[k]]);
      keys.push_back(&requests[todo[k]]);
    }
    KAIF_ASSIGN_OR_RETURN(std::vector<engine::ScoreResult> computed, engine.Loglikelihood(batch));
    if (options.cache) KAIF_RETURN_IF_ERROR(options.cache->Store(keys, computed));
    for (size_t k = 0; k < computed.size(); ++k) scores[todo[start + k]] = std::move(computed[k]);
    report(std::min(todo.size(), start + chunk));
  }
  result.request_tokens = engine.stats().request_tokens - before.request_tokens;
  result.computed_tokens = engine.stats().computed_tokens - before.computed_tokens;

  std::map<std::string, std::vector<double>> per_doc;
  for (size_t d = 0; d < docs.size(); ++d) {
    std::vector<double> lls, per_char, per_byte;
    json greedy = json::array();
    size_t truncated = 0;
    for (size_t r = first_request[d]; r < first_request[d + 1]; ++r) {
      const std::string& choice = choices[d][r - first_request[d]];
      lls.push_back(scores[r].logprob);
      per_char.push_back(scores[r].logprob / static_cast<double>(CodePoints(choice)));
      per_byte.push_back(scores[r].logprob / static_cast<double>(choice.size()));
      greedy.push_back(scores[r].greedy);
      truncated = std::max(truncated, scores[r].truncated_tokens);
    }
    const size_t gold = golds[d].get<size_t>();
    json sample = {{"doc_id", d}, {"target", gold}, {"loglikelihoods", lls}, {"greedy", greedy}};
    if (truncated > 0) sample["truncated_context_tokens"] = truncated;
    for (const std::string& m : metrics) {
      size_t pred = m == "acc" ? ArgMax(lls) : m == "acc_norm" ? ArgMax(per_char) : ArgMax(per_byte);
      double hit = pred == gold ? 1.0 : 0.0;
      per_doc[m].push_back(hit);
      sample[m] = hit;
    }
    result.samples.push_back(std::move(sample));
  }
  for (const std::string& m : metrics) result.metrics[m + ",none"] = MeanWithStderr(per_doc[m]);
  return result;
}

}  // namespace kaif::eval
