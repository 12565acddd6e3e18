// What answers an evaluation's requests: log-likelihoods of continuations and generations,
// over token ids of the backend's tokenizer. NativeBackend runs the native engine on a
// model's released weights; an OpenAI-compatible endpoint is another implementation. The
// task runners see only this interface.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "tokenizer/tokenizer.h"
#include "util/status.h"

namespace kaif::eval {

class Backend {
 public:
  virtual ~Backend() = default;

  // Names what computes the results (weights and tokenizer hashes, or endpoint and model
  // name); the result cache keys entries by it.
  virtual const std::string& identity() const = 0;
  virtual const tokenizer::Tokenizer& tokenizer() const = 0;

  virtual Result<std::vector<engine::ScoreResult>> Loglikelihood(const std::vector<engine::ScoreRequest>& requests) = 0;
  virtual Result<std::vector<engine::GenerateResult>> Generate(const std::vector<engine::GenerateRequest>& requests) = 0;

  // Tokens the model sees at once, and the token a whole text is predicted from
  // (loglikelihood_rolling): BOS, else EOS; none when the model has neither.
  virtual size_t max_length() const = 0;
  virtual std::optional<int> prefix_token() const = 0;

  // Tokens asked for and tokens actually computed so far (shared prefixes are computed once).
  virtual engine::EngineStats stats() const = 0;
};

class NativeBackend : public Backend {
 public:
  NativeBackend(engine::Engine& engine, const tokenizer::Tokenizer& tokenizer, std::string identity);

  const std::string& identity() const override { return identity_; }
  const tokenizer::Tokenizer& tokenizer() const override { return tokenizer_; }
  Result<std::vector<engine::ScoreResult>> Loglikelihood(const std::vector<engine::ScoreRequest>& requests) override;
  Result<std::vector<engine::GenerateResult>> Generate(const std::vector<engine::GenerateRequest>& requests) override;
  size_t max_length() const override;
  std::optional<int> prefix_token() const override;
  engine::EngineStats stats() const override { return engine_.stats(); }

 private:
  engine::Engine& engine_;
  const tokenizer::Tokenizer& tokenizer_;
  std::string identity_;
};

}  // namespace kaif::eval
