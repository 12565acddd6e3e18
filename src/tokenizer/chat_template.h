// Chat templates: tokenizer_config.json's "chat_template", a Jinja template, rendered for
// a conversation the way transformers renders it (trim_blocks and lstrip_blocks on). kaif
// implements the subset real models' templates use: output, if/elif/else, for (with
// `loop`), set (also into namespace() objects), the operators and tests Jinja has,
// slicing, string methods, the filters trim, length, tojson, upper, lower, and
// raise_exception. Anything else is a clear error naming what is unsupported.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "util/status.h"

namespace kaif::tokenizer {

struct TemplateNode;

// How the template's text is treated. transformers renders chat templates with
// trim_blocks and lstrip_blocks (and Jinja drops one trailing newline); task files
// (lm-evaluation-harness) use plain Jinja with keep_trailing_newline and StrictUndefined.
struct TemplateOptions {
  bool trim_blocks = true;         // also lstrip_blocks and dropping one trailing newline
  bool strict_undefined = false;   // printing an undefined value is an error
};

class ChatTemplate {
 public:
  // InvalidInput on a syntax error or an unsupported construct.
  static Result<ChatTemplate> Parse(std::string_view source, const TemplateOptions& options = {});
  ChatTemplate(ChatTemplate&&) noexcept;
  ChatTemplate& operator=(ChatTemplate&&) noexcept;
  ~ChatTemplate();

  // `context` holds the variables: messages, add_generation_prompt, bos_token, tools...
  // A raise_exception() in the template comes back as InvalidInput with its message.
  Result<std::string> Render(const nlohmann::json& context) const;

 private:
  ChatTemplate();
  std::unique_ptr<TemplateNode> root_;
  TemplateOptions options_;
};

// A model's chat template and the special tokens it refers to, from its
// tokenizer_config.json (in `model_dir`, or the file itself).
struct ModelChatTemplate {
  ChatTemplate chat_template;
  std::string bos_token, eos_token;

  // Renders `messages` (a JSON list of {"role", "content"}) as the model expects them.
  Result<std::string> Render(const nlohmann::json& messages, bool add_generation_prompt) const;
};
Result<ModelChatTemplate> LoadChatTemplate(const std::filesystem::path& model_dir);

}  // namespace kaif::tokenizer
