// Prompts as lm-evaluation-harness builds them, byte for byte: the description, few-shot
// examples (question, target delimiter, answer, few-shot delimiter), then the question, as
// plain text or through the model's chat template; multiple-choice requests pair that
// context with target delimiter + each choice; before tokenizing, trailing whitespace of
// the context moves to the continuation.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/python_random.h"
#include "eval/task_config.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"
#include "util/status.h"

namespace kaif::eval {

// How contexts are rendered: plain text (the default), or through the model's chat
// template as lm-evaluation-harness's --apply_chat_template does: the description (after
// a system instruction) as the system turn, then the solved examples and the question
// collapsed into one user turn, or as alternating user/assistant turns with
// `fewshot_as_multiturn`; the answer starts the assistant's turn.
struct PromptFormat {
  const tokenizer::ModelChatTemplate* chat = nullptr;
  bool fewshot_as_multiturn = false;
  std::string system_instruction;
};

// One turn of a prompt; `delimiter` follows the content when rendered as plain text.
struct PromptTurn {
  std::string role, content, delimiter;
};

class TaskPrompts {
 public:
  // Parses the task's templates (plain Jinja, undefined values are errors).
  static Result<TaskPrompts> Create(const TaskConfig& config, PromptFormat format = {});

  // doc_to_text: a column name gives the column, else the rendered template.
  Result<std::string> Text(const nlohmann::json& doc) const;
  // doc_to_target: an index into the choices (a number, or a template rendering to digits
  // when the task has choices), a string, or a list of strings.
  Result<nlohmann::json> Target(const nlohmann::json& doc) const;
  // doc_to_choice: a list, a column, or a template rendering to a list literal.
  Result<std::vector<std::string>> Choices(const nlohmann::json& doc) const;
  // The answer as text: the target choice, the first of a list, or the target itself.
  Result<std::string> AnswerText(const nlohmann::json& doc) const;

  // For a multiple-input task (WinoGrande: doc_to_text renders the index of the right
  // context among doc_to_choice's), that index; nothing for other tasks.
  Result<std::optional<size_t>> InputIndex(const nlohmann::json& doc) const;

  // The whole context for `doc` after `fewshot` solved examples.
  Result<std::string> Context(const nlohmann::json& doc, const std::vector<const nlohmann::json*>& fewshot) const;
  // (context, continuation) for each choice of a multiple_choice task; for a
  // multiple-input task, (prefix + choice, target delimiter + target) for each choice.
  Result<std::vector<std::pair<std::string, std::string>>> MultipleChoice(
      const nlohmann::json& doc, const std::vector<const nlohmann::json*>& fewshot) const;

  const TaskConfig& config() const { return config_; }

 private:
  TaskPrompts() = default;
  // The system turn, the solved examples, then `question`.
  Result<std::vector<PromptTurn>> Turns(const nlohmann::json& doc, const std::vector<const nlohmann::json*>& fewshot,
                                        const std::string& question) const;
  Result<std::string> RenderTurns(std::vector<PromptTurn> turns) const;
  // doc_to_text, or for a multiple-input document the context it picks.
  Result<std::string> Question(const nlohmann::json& doc) const;
  Result<std::string> Render(const std::optional<tokenizer::ChatTemplate>& t, const nlohmann::json& field,
                             const nlohmann::json& doc, const char* name) const;

  TaskConfig config_;
  PromptFormat format_;
  std::optional<tokenizer::ChatTemplate> text_, target_, choice_, description_;
};

// Few-shot examples as lm-evaluation-harness draws them: "first_n" takes the pool's first
// n; "default" draws with CPython's Random(seed).sample, one stream for the whole task in
// document order. When the pool is the evaluated split, the document itself is skipped.
class FewshotSampler {
 public:
  FewshotSampler(std::vector<nlohmann::json> pool, std::string sampler, uint64_t seed, bool pool_is_eval_split);

  Result<std::vector<const nlohmann::json*>> Sample(size_t n, const nlohmann::json& eval_doc);

 private:
  std::vector<nlohmann::json> pool_;
  std::string sampler_;
  PythonRandom random_;
  bool pool_is_eval_split_;
};

// Python's str.isspace() (and re's \s) for one code point.
bool IsPythonSpace(uint32_t code_point);

// Python's str.rstrip() on UTF-8 text: the length without trailing Unicode whitespace.
size_t RstripLength(const std::string& text);

struct TokenPair {
  std::vector<int> context, continuation;
};

// lm-evaluation-harness's _encode_pair for causal models: trailing whitespace of the
// context joins the continuation, context + continuation is encoded whole and split at
// the length of the context's own encoding.
Result<TokenPair> EncodePair(const tokenizer::Tokenizer& tokenizer, const std::string& context,
                             const std::string& continuation, bool add_special_tokens);

// ast.literal_eval for what templates render: lists of strings and numbers, in Python
// ('a') or JSON ("a") quoting.
Result<nlohmann::json> LiteralEval(const std::string& text);

}  // namespace kaif::eval
