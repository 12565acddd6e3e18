// The Backend over an OpenAI-compatible HTTP endpoint (vLLM, SGLang, llama-server,
// `kaif serve`, hosted APIs).
//
// Log-likelihoods: POST URL/completions with the token ids of context + continuation as
// the prompt, echo, logprobs 1, temperature 0 and max_tokens 0 (1 when the server
// refuses 0); the continuation's log-probabilities are summed in order, and a token is
// greedy when its log-probability is the largest of its position's top tokens (ties count
// as greedy, as in lm-evaluation-harness). Needs the served model's tokenizer locally.
// Contexts are cut from the left as the native engine cuts them (context + continuation
// at most max_length + 1 tokens: the last one is only predicted), so both backends send
// the model the same tokens.
//
// Generation: POST URL/completions with the prompt's token ids (cut from the left to leave
// max_tokens of room, as the engine does), or URL/chat/completions with the prompt's text
// as one user message (`chat`, and always without a tokenizer: hosted chat APIs). The text
// is cut at the first stop string.
//
// Every response is checked: the status, the JSON, one log-probability per prompt token,
// finite numbers. Anything else is an error naming the request, never a wrong number.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/backend.h"
#include "net/http_client_pool.h"

namespace kaif::eval {

struct EndpointOptions {
  std::string url;    // the API base; a bare http://host:port gets /v1
  std::string model;  // the served model's name, sent with every request
  std::string tokenizer_sha256;  // names the local tokenizer in identity(); "" without one
  bool chat = false;             // generation through /chat/completions
  size_t max_length = 0;         // 0: the server's max_model_len from URL/models, else 2048
  std::optional<int> prefix_token;  // BOS (else EOS) of the served model, when known
  std::string api_key;  // sent as "Authorization: Bearer"; never in identity, messages or logs
  std::string api_key_env;  // the variable it came from, named in a 401's message
  net::HttpClientPoolOptions http;
};

class EndpointBackend : public Backend {
 public:
  // `tokenizer`: the served model's; null for generation only, through chat completions.
  // Asks URL/models for max_model_len when options.max_length is 0.
  static Result<std::unique_ptr<EndpointBackend>> Open(EndpointOptions options,
                                                       std::unique_ptr<tokenizer::Tokenizer> tokenizer);

  // "endpoint URL model=NAME tokenizer=SHA256" (the URL without credentials), plus
  // " api=chat" when generating through chat completions.
  const std::string& identity() const override { return identity_; }
  const tokenizer::Tokenizer& tokenizer() const override { return *tokenizer_; }
  Result<std::vector<engine::ScoreResult>> Loglikelihood(const std::vector<engine::ScoreRequest>& requests) override;
  Result<std::vector<engine::GenerateResult>> Generate(const std::vector<engine::GenerateRequest>& requests) override;
  size_t max_length() const override { return max_length_; }
  std::optional<int> prefix_token() const override { return options_.prefix_token; }
  // Tokens sent; what the server computed is unknown, so computed_tokens counts the same.
  engine::EngineStats stats() const override { return stats_; }

  const std::string& base_url() const { return base_url_; }
  bool chat() const { return chat_; }

 private:
  EndpointBackend() = default;
  // POSTs `bodies` to base_url_ + path; the responses' JSON in order, or the first failure.
  Result<std::vector<nlohmann::json>> PostAll(const std::string& path, const std::vector<nlohmann::json>& bodies);
  // A response, or an error that says what the server answered.
  Result<nlohmann::json> ReadResponse(const std::string& path, const Result<net::HttpClientResponse>& response) const;
  nlohmann::json ScoreBody(const std::vector<int>& prompt, int max_tokens) const;

  EndpointOptions options_;
  std::unique_ptr<tokenizer::Tokenizer> tokenizer_;  // the served model's, or UTF-8 bytes
  bool has_tokenizer_ = false;
  bool chat_ = false;
  std::string base_url_, identity_;
  size_t max_length_ = 2048;
  std::unique_ptr<net::HttpClientPool> pool_;
  std::optional<int> echo_max_tokens_;  // 0, or 1 once the server refused 0
  engine::EngineStats stats_;
};

// The API base of an endpoint URL: without a trailing slash or /completions or
// /chat/completions, with /v1 added when the URL has no path.
std::string EndpointBaseUrl(const std::string& url);

// Checks an echoed /completions response to `prompt` whose last `continuation` tokens are
// scored: one log-probability per prompt token (plus one generated token when
// `max_tokens` was 1), finite numbers, top tokens, and the prompt's ids when the server
// names tokens by id ("token_id:42"). Sums the continuation's log-probabilities in order
// and sets greedy.
Result<engine::ScoreResult> ReadEchoedLogprobs(const nlohmann::json& response, const std::vector<int>& prompt,
                                               size_t continuation, int max_tokens);

}  // namespace kaif::eval
