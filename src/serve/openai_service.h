// OpenAI's HTTP API on the native engine: POST /v1/completions (text or token-id prompts,
// echo with prompt log-probabilities, top tokens, stop strings, seeded sampling), POST
// /v1/chat/completions (through the model's chat template, streamed as server-sent events
// with "stream": true), GET /v1/models and GET
// /health. Errors are OpenAI's {"error": {"message", "type"}} with 400 for a bad request,
// 404 for an unknown path or model, 405 for a wrong method. The engine is not
// thread-safe: requests run one engine call at a time, under a mutex. Parsing, tokenizing
// and rendering chat templates happen outside it (the tokenizer and template are only read).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "net/http_server.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"
#include "util/status.h"

namespace kaif::serve {

struct OpenAiServiceOptions {
  std::string model_name;  // what /v1/models lists and requests must name (or leave out)
  // One line per request (method, path, status, tokens, seconds); empty: no log.
  std::function<void(const std::string&)> log;
};

class OpenAiService {
 public:
  // `chat` may be null: /v1/chat/completions then answers 400. Everything passed must
  // outlive the service.
  OpenAiService(engine::Engine& engine, const tokenizer::Tokenizer& tokenizer, const tokenizer::ModelChatTemplate* chat,
                OpenAiServiceOptions options);

  // Never throws; safe to call from many threads at once.
  net::HttpResponse Handle(const net::HttpRequest& request);

  // The model's window: the tokens it attends to at once.
  size_t window() const;

 private:
  struct Usage {
    size_t prompt_tokens = 0, completion_tokens = 0;
  };
  Result<nlohmann::json> Completions(const nlohmann::json& body, Usage& usage);
  // A JSON body, or with "stream": true server-sent events.
  Result<net::HttpResponse> ChatCompletions(const nlohmann::json& body, Usage& usage);
  nlohmann::json Models() const;
  Status CheckModel(const std::string& requested) const;
  // A seed for a request that names none.
  uint64_t DrawSeed();

  engine::Engine& engine_;
  const tokenizer::Tokenizer& tokenizer_;
  const tokenizer::ModelChatTemplate* chat_;
  OpenAiServiceOptions options_;
  const int64_t created_;  // Unix time the service started, reported as the model's
  std::atomic<uint64_t> next_id_{0};
  std::mutex engine_mu_;  // guards every call into engine_
};

// OpenAI's error body with an HTTP status.
net::HttpResponse ErrorResponse(int status, const std::string& message);

}  // namespace kaif::serve
