#include "job/text_job.h"

#include <chrono>

namespace kaif::job {

Result<TextModel> OpenTextModel(const std::filesystem::path& model, const std::filesystem::path& tokenizer,
                                const engine::EngineOptions& options) {
  TextModel m;
  m.tokenizer_dir = tokenizer.empty() ? model : tokenizer;
  if (tokenizer.empty() && model.extension() == ".gguf") {
    return Status::InvalidInput(model.string() + ": kaif reads the tokenizer from tokenizer.json; pass --tokenizer");
  }
  KAIF_ASSIGN_OR_RETURN(m.tokenizer, tokenizer::Tokenizer::Load(m.tokenizer_dir));
  KAIF_ASSIGN_OR_RETURN(m.engine, engine::Engine::Open(model, options));
  return m;
}

Result<GenerateOutcome> RunGenerate(TextModel& model, const GenerateJob& job, const engine::StreamCallback& stream) {
  std::string text = job.prompt;
  bool special = true;
  if (job.chat) {
    std::filesystem::path dir = model.tokenizer_dir;
    if (!std::filesystem::is_directory(dir)) dir = dir.parent_path();
    KAIF_ASSIGN_OR_RETURN(tokenizer::ModelChatTemplate chat, tokenizer::LoadChatTemplate(dir));
    nlohmann::json messages = nlohmann::json::array({{{"role", "user"}, {"content", job.prompt}}});
    KAIF_ASSIGN_OR_RETURN(text, chat.Render(messages, /*add_generation_prompt=*/true));
    special = false;  // the template writes its own BOS
  }
  GenerateOutcome outcome;
  engine::GenerateRequest request = job.request;
  KAIF_ASSIGN_OR_RETURN(request.prompt, model.tokenizer->Encode(text, special));
  outcome.prompt_tokens = request.prompt.size();
  auto start = std::chrono::steady_clock::now();
  KAIF_ASSIGN_OR_RETURN(std::vector<engine::GenerateResult> results,
                        model.engine->Generate({request}, model.tokenizer.get(), stream));
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  outcome.result = std::move(results[0]);
  return outcome;
}

Result<ScoreOutcome> RunScore(TextModel& model, const std::string& context, const std::string& continuation) {
  ScoreOutcome outcome;
  KAIF_ASSIGN_OR_RETURN(outcome.context_ids, model.tokenizer->Encode(context, /*add_special_tokens=*/true));
  KAIF_ASSIGN_OR_RETURN(outcome.continuation_ids, model.tokenizer->Encode(continuation, false));
  for (int id : outcome.continuation_ids) outcome.continuation_pieces.push_back(model.tokenizer->Decode({id}));
  KAIF_ASSIGN_OR_RETURN(std::vector<engine::ScoreResult> results,
                        model.engine->Loglikelihood({{outcome.context_ids, outcome.continuation_ids}}, true));
  outcome.result = std::move(results[0]);
  return outcome;
}

}  // namespace kaif::job
