#include <cstdio>

#include <fmt/format.h>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"
#include "util/file.h"

namespace kaif::cli {

void AddTokenizeCommand(CLI::App& app, Runner& run) {
  struct Flags {
    std::string model, text, chat;
    bool special = false, generation_prompt = false;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("tokenize", "Print the token ids and pieces of a text");
  cmd->add_option("--model", flags->model, "A model folder with tokenizer.json, or the tokenizer.json itself")->required();
  cmd->add_option("TEXT", flags->text, "The text to tokenize (or use --chat)");
  cmd->add_flag("--add-special-tokens", flags->special, "Add the tokens the post-processor puts around a sequence");
  cmd->add_option("--chat", flags->chat,
                  "JSON file with a conversation ([{\"role\": \"user\", \"content\": \"...\"}]): render it with the "
                  "model's chat template, then tokenize");
  cmd->add_flag("--add-generation-prompt", flags->generation_prompt, "With --chat: end with the assistant's turn opening");
  cmd->callback([flags, &run] {
    run = [flags]() -> int {
      Result<std::unique_ptr<tokenizer::Tokenizer>> t = tokenizer::Tokenizer::Load(flags->model);
      if (!t.ok()) return Fail(t.status());
      if (!flags->chat.empty()) {
        Result<tokenizer::ModelChatTemplate> chat = tokenizer::LoadChatTemplate(flags->model);
        if (!chat.ok()) return Fail(chat.status());
        Result<std::string> conversation = ReadFile(flags->chat);
        if (!conversation.ok()) return Fail(conversation.status());
        nlohmann::json messages = nlohmann::json::parse(*conversation, nullptr, /*allow_exceptions=*/false);
        if (messages.is_discarded()) return Fail(Status::InvalidInput(flags->chat + ": not JSON"));
        Result<std::string> rendered = chat->Render(messages, flags->generation_prompt);
        if (!rendered.ok()) return Fail(rendered.status());
        flags->text = *rendered;
        std::printf("rendered:\n%s\n", rendered->c_str());
      }
      Result<std::vector<int>> ids = (*t)->Encode(flags->text, flags->special);
      if (!ids.ok()) return Fail(ids.status());
      std::string list;
      for (int id : *ids) list += fmt::format("{}{}", list.empty() ? "" : " ", id);
      std::printf("%zu tokens\nids: %s\n", ids->size(), list.c_str());
      for (int id : *ids) {
        std::printf("%8d  %-24s %s\n", id, (*t)->TokenText(id).c_str(), (*t)->Decode({id}).c_str());
      }
      return 0;
    };
  });
}

}  // namespace kaif::cli
