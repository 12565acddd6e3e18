// The native inference engine's API: score continuations (log-likelihoods) and generate
// text with a model's released weights, many requests at a time, sharing every common
// prefix through the KV cache tree.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/kv_tree.h"
#include "engine/model_weights.h"
#include "engine/sampler.h"
#include "engine/transformer.h"
#include "tokenizer/tokenizer.h"
#include "util/status.h"

namespace kaif::engine {

struct EngineOptions {
  int threads = 0;                         // 0: every core OpenMP sees
  size_t kv_budget_bytes = size_t{4} << 30;  // keys, values and hidden states of cached tokens
  size_t batch_tokens = 512;               // tokens per forward pass
  bool check_finite = true;                // scan weights for NaN/Inf when opening
};

struct ScoreRequest {
  std::vector<int> context;
  std::vector<int> continuation;
};

// A token and its log-probability at one position.
struct TokenLogprob {
  int id = 0;
  double logprob = 0;
};

struct ScoreResult {
  double logprob = 0;   // sum over the continuation's tokens, natural log
  bool greedy = true;   // every continuation token is the argmax of its position
  std::vector<double> token_logprobs;  // when asked for
  // When asked for, per continuation token: the most likely tokens of its position, most
  // likely first (equal logits: the lower id first, as Argmax), with log-probabilities
  // computed as token_logprobs are, so the same token has the same value in both.
  std::vector<std::vector<TokenLogprob>> top_logprobs;
  // Context tokens dropped from the left so that context + continuation fit the model's
  // window (the last token is only predicted, so window + 1 tokens fit).
  size_t truncated_tokens = 0;
};

struct GenerateRequest {
  std::vector<int> prompt;
  size_t max_tokens = 256;
  SamplingOptions sampling;
  std::vector<int> stop_tokens;           // besides the model's end-of-sequence tokens
  std::vector<std::string> stop_strings;  // needs a tokenizer; the text stops before them
  bool stop_at_eos = true;
};

struct GenerateResult {
  std::vector<int> tokens;    // generated, without the stop token
  std::string text;           // decoded, cut before a stop string
  std::string finish_reason;  // "stop" (a stop token or string) or "length"
  size_t truncated_tokens = 0;  // prompt tokens dropped from the left to leave room
  int stop_token = -1;  // the end-of-sequence or stop token that ended it (not in tokens), or -1
};

// Called with each request's newly final text while generating.
using StreamCallback = std::function<void(size_t request, std::string_view text)>;

struct EngineStats {
  uint64_t request_tokens = 0;   // tokens the requests asked to process
  uint64_t computed_tokens = 0;  // tokens actually run through the model
  uint64_t logit_rows = 0;       // positions whose logits were computed
};

class Engine {
 public:
  static Result<std::unique_ptr<Engine>> Open(const std::filesystem::path& model, const EngineOptions& options = {});

  const model::Architecture& architecture() const { return weights_->arch; }
  const ModelWeights& weights() const { return *weights_; }
  const EngineStats& stats() const { return stats_; }
  int threads() const { return threads_; }

  // Log-likelihood of each continuation after its context. An empty context starts from
  // the model's BOS token. InvalidInput for an empty continuation, an id outside the
  // vocabulary or a continuation longer than the window; ResourceExhausted when one
  // request does not fit the KV budget. Results do not depend on batching or caching.
  // `top_logprobs` > 0 also lists that many most likely tokens of each continuation
  // position (what an OpenAI-compatible server returns as top_logprobs).
  Result<std::vector<ScoreResult>> Loglikelihood(const std::vector<ScoreRequest>& requests, bool token_logprobs = false,
                                                 size_t top_logprobs = 0);

  // Generates for each request (all at once, one token per sequence per step). Stop
  // strings need `tokenizer`; `stream` gets text as it becomes final.
  Result<std::vector<GenerateResult>> Generate(const std::vector<GenerateRequest>& requests,
                                               const tokenizer::Tokenizer* tokenizer = nullptr,
                                               const StreamCallback& stream = {});

  // Logits of every position of `ids`, [ids.size() x vocab], through the same path.
  Result<std::vector<float>> SequenceLogits(const std::vector<int>& ids);

  // Every layer's MLP pre-activations (gate and up projections) at every position of
  // `ids`: [layer][position x intermediate]. Clears the cache so every position is computed.
  struct MlpActivations {
    size_t positions = 0, intermediate = 0;
    std::vector<std::vector<float>> gate, up;
  };
  Result<MlpActivations> ComputeMlpActivations(const std::vector<int>& ids);

  // Forgets every cached prefix.
  void ClearCache();

 private:
  Engine() = default;
  Status CheckIds(const std::vector<int>& ids, const std::string& what) const;
  // Runs every pinned, not yet computed token, batch_tokens at a time.
  void ComputePending();
  // Pointer to the stored hidden state of position `position` on the path ending at `node`.
  const float* HiddenAt(const KvNode* node, size_t position) const;

  std::unique_ptr<ModelWeights> weights_;
  std::unique_ptr<Transformer> transformer_;
  std::unique_ptr<KvTree> tree_;
  EngineOptions options_;
  int threads_ = 1;
  EngineStats stats_;
};

}  // namespace kaif::engine
