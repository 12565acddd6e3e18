// The jobs behind `kaif generate` and `kaif score`: a model with its tokenizer (and chat
// template), text in, text or log-likelihoods out.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "engine/engine.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"
#include "util/status.h"

namespace kaif::job {

struct TextModel {
  std::unique_ptr<engine::Engine> engine;
  std::unique_ptr<tokenizer::Tokenizer> tokenizer;
  std::filesystem::path tokenizer_dir;
};

// `tokenizer` empty: the model folder's own (a GGUF file needs one given).
Result<TextModel> OpenTextModel(const std::filesystem::path& model, const std::filesystem::path& tokenizer,
                                const engine::EngineOptions& options);

struct GenerateJob {
  std::string prompt;
  bool chat = false;  // wrap the prompt as a user turn in the model's chat template
  engine::GenerateRequest request;  // everything but the prompt's tokens
};

struct GenerateOutcome {
  engine::GenerateResult result;
  size_t prompt_tokens = 0;
  double seconds = 0;
};

Result<GenerateOutcome> RunGenerate(TextModel& model, const GenerateJob& job, const engine::StreamCallback& stream);

struct ScoreOutcome {
  engine::ScoreResult result;
  std::vector<int> context_ids, continuation_ids;
  std::vector<std::string> continuation_pieces;
};

// The context is encoded with the tokenizer's special tokens (BOS), the continuation
// without.
Result<ScoreOutcome> RunScore(TextModel& model, const std::string& context, const std::string& continuation);

}  // namespace kaif::job
