#include <cstdio>

#include <fmt/format.h>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "tokenizer/tokenizer.h"

namespace kaif::cli {

void AddTokenizeCommand(CLI::App& app, Runner& run) {
  struct Flags {
    std::string model, text;
    bool special = false;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("tokenize", "Print the token ids and pieces of a text");
  cmd->add_option("--model", flags->model, "A model folder with tokenizer.json, or the tokenizer.json itself")->required();
  cmd->add_option("TEXT", flags->text, "The text to tokenize")->required();
  cmd->add_flag("--add-special-tokens", flags->special, "Add the tokens the post-processor puts around a sequence");
  cmd->callback([flags, &run] {
    run = [flags]() -> int {
      Result<std::unique_ptr<tokenizer::Tokenizer>> t = tokenizer::Tokenizer::Load(flags->model);
      if (!t.ok()) return Fail(t.status());
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
