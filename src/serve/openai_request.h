// The bodies of OpenAI's /v1/completions and /v1/chat/completions requests, read and
// checked before anything runs: every field kaif honours with its type and range, and
// every field that would change the answer but that kaif does not implement (streaming of
// completions, n > 1, penalties, logit_bias, tools) refused by name rather than ignored. Fields that
// change nothing (user, metadata) are ignored, as OpenAI-compatible servers do.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/sampler.h"
#include "util/status.h"

namespace kaif::serve {

// vLLM's default cap on `logprobs`.
constexpr size_t kMaxLogprobs = 20;
// Prompts in one /v1/completions request (a list of prompts is a batch).
constexpr size_t kMaxPrompts = 4096;

// A prompt is text (encoded with the tokenizer's special tokens, as vLLM does) or token ids.
struct CompletionPrompt {
  std::optional<std::string> text;
  std::vector<int> ids;  // when text is not set
};

struct SamplingRequest {
  engine::SamplingOptions sampling;  // temperature defaults to OpenAI's 1
  bool seeded = false;                // false: the server draws a seed
  std::vector<std::string> stop;
  std::vector<int> stop_token_ids;  // vLLM's extension
  bool ignore_eos = false;          // vLLM's extension
};

struct CompletionRequest {
  std::string model;  // empty: not given
  std::vector<CompletionPrompt> prompts;  // one choice each, in order
  size_t max_tokens = 16;  // OpenAI's default; 0 only with echo
  bool echo = false;
  std::optional<size_t> logprobs;  // top tokens per position, 0..kMaxLogprobs
  bool tokens_as_ids = false;      // vLLM's return_tokens_as_token_ids: "token_id:42"
  SamplingRequest sampling;
};

struct ChatRequest {
  std::string model;
  // [{"role", "content"}], content a string (text parts of a list are joined).
  nlohmann::json messages;
  std::optional<size_t> max_tokens;  // none: up to the model's window
  SamplingRequest sampling;
  bool stream = false;  // server-sent events: chat.completion.chunk deltas, then [DONE]
};

// InvalidInput naming the field and what it must be.
Result<CompletionRequest> ParseCompletionRequest(const nlohmann::json& body);
Result<ChatRequest> ParseChatRequest(const nlohmann::json& body);

}  // namespace kaif::serve
