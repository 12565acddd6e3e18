#include "engine/engine.h"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace kaif::engine {
namespace {

// Logits are computed this many positions at a time and reduced at once, so scoring
// never holds more than kLogitRows x vocab floats.
constexpr size_t kLogitRows = 32;

// A position whose logits some request needs, and what it needs from them.
struct LogitRow {
  const float* hidden = nullptr;
  std::vector<int> targets;  // distinct target ids
  double log_normalizer = 0;
  int argmax = 0;
  std::vector<float> target_logits;  // parallel to targets
  std::vector<TokenLogprob> top;      // when asked for
};

// The k largest logits of a row, largest first; equal logits in id order, so the first is
// Argmax's choice.
std::vector<TokenLogprob> TopTokens(const float* logits, size_t vocab, size_t k, double log_normalizer) {
  std::vector<int> ids(vocab);
  std::iota(ids.begin(), ids.end(), 0);
  k = std::min(k, vocab);
  std::partial_sort(ids.begin(), ids.begin() + static_cast<long>(k), ids.end(), [&](int x, int y) {
    return logits[x] > logits[y] || (logits[x] == logits[y] && x < y);
  });
  std::vector<TokenLogprob> top(k);
  for (size_t i = 0; i < k; ++i) top[i] = {ids[i], static_cast<double>(logits[ids[i]]) - log_normalizer};
  return top;
}

// The longest suffix of `text` that is a proper prefix of some stop string: text that may
// still become a stop string and must not be streamed yet.
size_t HeldBack(const std::string& text, const std::vector<std::string>& stops) {
  size_t held = 0;
  for (const std::string& stop : stops) {
    for (size_t n = std::min(stop.size() - 1, text.size()); n > held; --n) {
      if (text.compare(text.size() - n, n, stop, 0, n) == 0) {
        held = n;
        break;
      }
    }
  }
  // An incomplete UTF-8 character decodes to U+FFFD (EF BF BD) until its last byte comes.
  if (text.size() >= 3 + held && text.compare(text.size() - held - 3, 3, "\xEF\xBF\xBD") == 0) held += 3;
  return held;
}

}  // namespace

Result<std::unique_ptr<Engine>> Engine::Open(const std::filesystem::path& model, const EngineOptions& options) {
  std::unique_ptr<Engine> engine(new Engine());
  OpenOptions open;
  open.check_finite = options.check_finite;
  KAIF_ASSIGN_OR_RETURN(engine->weights_, OpenModelWeights(model, open));
  engine->options_ = options;
  engine->threads_ = options.threads > 0 ? options.threads : omp_get_max_threads();
  engine->transformer_ = std::make_unique<Transformer>(*engine->weights_, engine->threads_);
  engine->ClearCache();
  return engine;
}

void Engine::ClearCache() {
  const model::Architecture& a = weights_->arch;
  tree_ = std::make_unique<KvTree>(static_cast<size_t>(a.num_layers), static_cast<size_t>(a.num_kv_heads * a.head_dim),
                                   static_cast<size_t>(a.hidden_size), options_.kv_budget_bytes);
}

Status Engine::CheckIds(const std::vector<int>& ids, const std::string& what) const {
  for (int id : ids) {
    if (id < 0 || id >= weights_->arch.vocab_size) {
      return Status::InvalidInput(fmt::format("{}: token id {} is outside the vocabulary of {}", what, id,
                                              weights_->arch.vocab_size));
    }
  }
  return Status::Ok();
}

void Engine::ComputePending() {
  for (;;) {
    std::vector<KvNode*> frontier = tree_->Frontier();
    if (frontier.empty()) return;
    std::vector<TokenRow> rows;
    for (KvNode* node : frontier) {
      for (size_t i = node->filled; i < node->tokens.size() && rows.size() < options_.batch_tokens; ++i) {
        rows.push_back({node, i});
      }
      if (rows.size() >= options_.batch_tokens) break;
    }
    transformer_->Forward(rows);
    stats_.computed_tokens += rows.size();
  }
}

const float* Engine::HiddenAt(const KvNode* node, size_t position) const {
  while (node->start > position) node = node->parent;
  return node->hidden.data() + (position - node->start) * static_cast<size_t>(weights_->arch.hidden_size);
}

Result<std::vector<ScoreResult>> Engine::Loglikelihood(const std::vector<ScoreRequest>& requests, bool token_logprobs,
                                                       size_t top_logprobs) {
  const model::Architecture& a = weights_->arch;
  const size_t window = static_cast<size_t>(a.max_positions > 0 ? a.max_positions : 1 << 30);
  const size_t vocab = static_cast<size_t>(a.vocab_size);
  std::vector<ScoreResult> results(requests.size());
  std::vector<std::vector<int>> inputs(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    const ScoreRequest& r = requests[i];
    std::string what = fmt::format("request {}", i);
    if (r.continuation.empty()) return Status::InvalidInput(what + ": the continuation is empty");
    if (r.continuation.size() > window) {
      return Status::InvalidInput(fmt::format("{}: the continuation has {} tokens; the model's window is {}", what,
                                              r.continuation.size(), window));
    }
    KAIF_RETURN_IF_ERROR(CheckIds(r.context, what + " context"));
    KAIF_RETURN_IF_ERROR(CheckIds(r.continuation, what + " continuation"));
    std::vector<int>& in = inputs[i];
    if (r.context.empty()) {
      if (!a.bos_token_id) return Status::InvalidInput(what + ": the context is empty and the model has no BOS token");
      in.push_back(*a.bos_token_id);
    } else {
      in = r.context;
    }
    in.insert(in.end(), r.continuation.begin(), r.continuation.end() - 1);
    if (in.size() > window) {
      results[i].truncated_tokens = in.size() - window;
      in.erase(in.begin(), in.begin() + static_cast<long>(in.size() - window));
    }
    stats_.request_tokens += in.size();
  }

  // Lexicographic order puts requests with common prefixes next to each other.
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return inputs[x] < inputs[y]; });

  std::vector<std::pair<size_t, KvNode*>> group;
  auto flush = [&]() {
    ComputePending();
    // Distinct positions to score, each with the distinct targets requests ask of it.
    std::map<const float*, size_t> row_of;
    std::vector<LogitRow> rows;
    for (auto& [index, node] : group) {
      const std::vector<int>& cont = requests[index].continuation;
      const size_t first = inputs[index].size() - cont.size();
      for (size_t j = 0; j < cont.size(); ++j) {
        const float* hidden = HiddenAt(node, first + j);
        auto [it, fresh] = row_of.emplace(hidden, rows.size());
        if (fresh) rows.push_back(LogitRow{hidden, {}, 0, 0, {}, {}});
        std::vector<int>& targets = rows[it->second].targets;
        if (std::find(targets.begin(), targets.end(), cont[j]) == targets.end()) targets.push_back(cont[j]);
      }
    }
    const size_t hidden_size = static_cast<size_t>(a.hidden_size);
    std::vector<float> hidden(kLogitRows * hidden_size), logits(kLogitRows * vocab);
    for (size_t r0 = 0; r0 < rows.size(); r0 += kLogitRows) {
      const size_t n = std::min(kLogitRows, rows.size() - r0);
      for (size_t r = 0; r < n; ++r) std::copy_n(rows[r0 + r].hidden, hidden_size, hidden.data() + r * hidden_size);
      transformer_->Logits(hidden.data(), n, logits.data());
      for (size_t r = 0; r < n; ++r) {
        const float* l = logits.data() + r * vocab;
        LogitRow& row = rows[r0 + r];
        row.argmax = Argmax(l, vocab);
        double max = l[row.argmax], sum = 0;
        for (size_t v = 0; v < vocab; ++v) sum += std::exp(static_cast<double>(l[v]) - max);
        row.log_normalizer = max + std::log(sum);
        for (int t : row.targets) row.target_logits.push_back(l[static_cast<size_t>(t)]);
        if (top_logprobs > 0) row.top = TopTokens(l, vocab, top_logprobs, row.log_normalizer);
      }
    }
    stats_.logit_rows += rows.size();
    for (auto& [index, node] : group) {
      const std::vector<int>& cont = requests[index].continuation;
      const size_t first = inputs[index].size() - cont.size();
      ScoreResult& result = results[index];
      for (size_t j = 0; j < cont.size(); ++j) {
        const LogitRow& row = rows[row_of[HiddenAt(node, first + j)]];
        size_t t = static_cast<size_t>(std::find(row.targets.begin(), row.targets.end(), cont[j]) - row.targets.begin());
        double logprob = static_cast<double>(row.target_logits[t]) - row.log_normalizer;
        result.logprob += logprob;
        result.greedy = result.greedy && row.argmax == cont[j];
        if (token_logprobs) result.token_logprobs.push_back(logprob);
        if (top_logprobs > 0) result.top_logprobs.push_back(row.top);
      }
      tree_->Unpin(node);
    }
    group.clear();
  };

  for (size_t index : order) {
    Result<KvNode*> node = tree_->Insert(inputs[index]);
    if (!node.ok() && node.status().code() == Status::Code::kResourceExhausted && !group.empty()) {
      flush();  // finish what holds the cache, then try again with it free
      node = tree_->Insert(inputs[index]);
    }
    if (!node.ok()) {
      for (auto& held : group) tree_->Unpin(held.second);
      return node.status().WithContext(fmt::format("request {}", index));
    }
    group.emplace_back(index, *node);
  }
  flush();
  return results;
}

Result<std::vector<float>> Engine::SequenceLogits(const std::vector<int>& ids) {
  if (ids.empty()) return std::vector<float>();
  KAIF_RETURN_IF_ERROR(CheckIds(ids, "sequence"));
  KAIF_ASSIGN_OR_RETURN(KvNode * node, tree_->Insert(ids));
  ComputePending();
  const size_t vocab = static_cast<size_t>(weights_->arch.vocab_size), hidden = static_cast<size_t>(weights_->arch.hidden_size);
  std::vector<float> logits(ids.size() * vocab), states(ids.size() * hidden);
  for (size_t p = 0; p < ids.size(); ++p) std::copy_n(HiddenAt(node, p), hidden, states.data() + p * hidden);
  transformer_->Logits(states.data(), ids.size(), logits.data());
  tree_->Unpin(node);
  return logits;
}

Result<Engine::MlpActivations> Engine::ComputeMlpActivations(const std::vector<int>& ids) {
  if (ids.empty()) return Status::InvalidInput("no tokens to compute activations for");
  KAIF_RETURN_IF_ERROR(CheckIds(ids, "sequence"));
  const size_t layers = weights_->layers.size();
  MlpActivations out;
  out.positions = ids.size();
  out.intermediate = static_cast<size_t>(weights_->arch.intermediate_size);
  out.gate.resize(layers);
  out.up.resize(layers);
  ClearCache();
  transformer_->set_mlp_observer([&](size_t layer, const float* gate, const float* up, size_t rows) {
    out.gate[layer].insert(out.gate[layer].end(), gate, gate + rows * out.intermediate);
    out.up[layer].insert(out.up[layer].end(), up, up + rows * out.intermediate);
  });
  Result<KvNode*> node = tree_->Insert(ids);
  if (node.ok()) {
    ComputePending();
    tree_->Unpin(*node);
  }
  transformer_->set_mlp_observer({});
  if (!node.ok()) return node.status();
  return out;
}

Result<std::vector<GenerateResult>> Engine::Generate(const std::vector<GenerateRequest>& requests,
                                                     const tokenizer::Tokenizer* tokenizer, const StreamCallback& stream) {
  const model::Architecture& a = weights_->arch;
  const size_t window = static_cast<size_t>(a.max_positions > 0 ? a.max_positions : 1 << 30);
  const size_t vocab = static_cast<size_t>(a.vocab_size), hidden = static_cast<size_t>(a.hidden_size);
  struct Sequence {
    std::vector<int> history;  // prompt and generated tokens, for the repetition penalty
    KvNode* prompt = nullptr;
    KvNode* leaf = nullptr;
    Sampler sampler;
    size_t streamed = 0;
    bool done = false;
  };
  std::vector<GenerateResult> results(requests.size());
  std::vector<Sequence> seqs;
  seqs.reserve(requests.size());
  auto release = [&]() {
    for (Sequence& s : seqs) {
      if (s.leaf) tree_->Unpin(s.leaf);
      if (s.prompt) tree_->Unpin(s.prompt);
    }
  };
  for (size_t i = 0; i < requests.size(); ++i) {
    const GenerateRequest& r = requests[i];
    std::string what = fmt::format("request {}", i);
    if (!r.stop_strings.empty() && !tokenizer) return Status::InvalidInput(what + ": stop strings need the model's tokenizer");
    for (const std::string& s : r.stop_strings) {
      if (s.empty()) return Status::InvalidInput(what + ": a stop string is empty");
    }
    KAIF_RETURN_IF_ERROR(CheckIds(r.prompt, what + " prompt"));
    seqs.push_back(Sequence{r.prompt, nullptr, nullptr, Sampler(r.sampling), 0, false});
    std::vector<int>& prompt = seqs.back().history;
    if (prompt.empty()) {
      if (!a.bos_token_id) return Status::InvalidInput(what + ": the prompt is empty and the model has no BOS token");
      prompt.push_back(*a.bos_token_id);
    }
    // Leave room for max_tokens (lm-evaluation-harness's rule), keeping at least one token.
    const size_t room = window > r.max_tokens ? window - r.max_tokens : 1;
    if (prompt.size() > room) {
      results[i].truncated_tokens = prompt.size() - room;
      prompt.erase(prompt.begin(), prompt.begin() + static_cast<long>(prompt.size() - room));
    }
    stats_.request_tokens += prompt.size();
  }
  for (Sequence& s : seqs) {
    Result<KvNode*> node = tree_->Insert(s.history);
    if (!node.ok()) {
      release();
      return node.status();
    }
    s.prompt = *node;
  }
  ComputePending();
  for (Sequence& s : seqs) s.leaf = tree_->AddLeaf(s.prompt);

  std::vector<float> states, logits;
  for (;;) {
    std::vector<size_t> active;
    for (size_t i = 0; i < seqs.size(); ++i) {
      if (!seqs[i].done) active.push_back(i);
    }
    if (active.empty()) break;
    states.resize(active.size() * hidden);
    logits.resize(active.size() * vocab);
    for (size_t j = 0; j < active.size(); ++j) {
      const Sequence& s = seqs[active[j]];
      const KvNode* last = s.leaf->tokens.empty() ? s.prompt : s.leaf;
      std::copy_n(last->hidden.data() + (last->tokens.size() - 1) * hidden, hidden, states.data() + j * hidden);
    }
    transformer_->Logits(states.data(), active.size(), logits.data());
    stats_.logit_rows += active.size();
    std::vector<TokenRow> rows;
    for (size_t j = 0; j < active.size(); ++j) {
      const size_t i = active[j];
      Sequence& s = seqs[i];
      const GenerateRequest& r = requests[i];
      GenerateResult& result = results[i];
      std::vector<float> row(logits.begin() + static_cast<long>(j * vocab), logits.begin() + static_cast<long>((j + 1) * vocab));
      const int token = s.sampler.Next(row, s.history);
      const bool eos = r.stop_at_eos && std::find(a.eos_token_ids.begin(), a.eos_token_ids.end(), token) != a.eos_token_ids.end();
      if (eos || std::find(r.stop_tokens.begin(), r.stop_tokens.end(), token) != r.stop_tokens.end()) {
        s.done = true;
        result.finish_reason = "stop";
        result.stop_token = token;
      } else {
        result.tokens.push_back(token);
        s.history.push_back(token);
        if (tokenizer) {
          result.text = tokenizer->Decode(result.tokens);
          for (const std::string& stop : r.stop_strings) {
            size_t at = result.text.find(stop);
            if (at != std::string::npos) {
              result.text.resize(at);
              s.done = true;
              result.finish_reason = "stop";
            }
          }
        }
        if (!s.done && (result.tokens.size() >= r.max_tokens || s.leaf->end() + 1 >= window)) {
          s.done = true;
          result.finish_reason = "length";
        }
        if (!s.done) {
          Status appended = tree_->Append(s.leaf, token);
          if (!appended.ok()) {
            release();
            return appended.WithContext(fmt::format("request {}", i));
          }
          rows.push_back({s.leaf, s.leaf->tokens.size() - 1});
        }
      }
      if (stream && tokenizer) {
        size_t final_size = s.done ? result.text.size() : result.text.size() - HeldBack(result.text, r.stop_strings);
        if (final_size > s.streamed) {
          stream(i, std::string_view(result.text).substr(s.streamed, final_size - s.streamed));
          s.streamed = final_size;
        }
      }
    }
    transformer_->Forward(rows);
    stats_.computed_tokens += rows.size();
  }
  release();
  return results;
}

}  // namespace kaif::engine
