#include "eval/backend.h"

namespace kaif::eval {

NativeBackend::NativeBackend(engine::Engine& engine, const tokenizer::Tokenizer& tokenizer, std::string identity)
    : engine_(engine), tokenizer_(tokenizer), identity_(std::move(identity)) {}

Result<std::vector<engine::ScoreResult>> NativeBackend::Loglikelihood(const std::vector<engine::ScoreRequest>& requests) {
  return engine_.Loglikelihood(requests);
}

Result<std::vector<engine::GenerateResult>> NativeBackend::Generate(const std::vector<engine::GenerateRequest>& requests) {
  return engine_.Generate(requests, &tokenizer_);
}

size_t NativeBackend::max_length() const {
  const int positions = engine_.architecture().max_positions;
  return positions > 0 ? static_cast<size_t>(positions) : 2048;  // lm-evaluation-harness's default
}

std::optional<int> NativeBackend::prefix_token() const {
  const model::Architecture& a = engine_.architecture();
  if (a.bos_token_id) return a.bos_token_id;
  if (!a.eos_token_ids.empty()) return a.eos_token_ids[0];
  return std::nullopt;
}

}  // namespace kaif::eval
