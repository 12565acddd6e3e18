// The job behind `kaif serve`: a model on the native engine behind OpenAI's HTTP API
// (serve/openai_service.h) until SIGINT or SIGTERM.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "engine/engine.h"
#include "util/status.h"

namespace kaif::job {

struct ServeJob {
  std::filesystem::path model, tokenizer;  // tokenizer empty: the model folder's
  std::string host = "127.0.0.1";
  uint16_t port = 8000;         // 0: any free port (the "listening" line says which)
  std::string served_model_name;  // empty: the model folder's (or file's) name
  engine::EngineOptions engine;
  size_t handler_threads = 4;   // connections being answered at once (the engine runs one at a time)
  size_t max_body_bytes = size_t{32} << 20;
  // Lines for the operator: where the server listens, one per request, the shutdown.
  std::function<void(const std::string&)> log;
};

// Serves until SIGINT or SIGTERM, then stops accepting, finishes the requests in progress
// and returns Ok.
Status RunServe(const ServeJob& job);

}  // namespace kaif::job
