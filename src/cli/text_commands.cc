#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/model_flags.h"
#include "job/text_job.h"

namespace kaif::cli {

void AddGenerateCommand(CLI::App& app, Runner& run) {
  struct Flags {
    ModelFlags model;
    job::GenerateJob job;
    bool json = false;
  };
  auto flags = std::make_shared<Flags>();
  engine::GenerateRequest& r = flags->job.request;
  CLI::App* cmd = app.add_subcommand("generate", "Generate text with a model's released weights (native CPU engine)");
  flags->model.Register(*cmd);
  cmd->add_option("--prompt", flags->job.prompt, "The prompt")->required();
  cmd->add_flag("--chat", flags->job.chat, "Send the prompt as a user turn through the model's chat template");
  cmd->add_option("--max-tokens", r.max_tokens, "Tokens to generate at most")->capture_default_str();
  cmd->add_option("--temperature", r.sampling.temperature, "0 is greedy")->check(CLI::NonNegativeNumber);
  cmd->add_option("--top-k", r.sampling.top_k, "Sample among the k most likely tokens (0: off)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--top-p", r.sampling.top_p, "Nucleus sampling (1: off)")->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--min-p", r.sampling.min_p, "Drop tokens below min-p x the top probability")->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--repetition-penalty", r.sampling.repetition_penalty, "> 1 discourages repeats")->check(CLI::PositiveNumber);
  cmd->add_option("--seed", r.sampling.seed, "Random seed for sampling");
  cmd->add_option("--stop", r.stop_strings, "Stop before this string (repeatable)");
  cmd->add_flag("--json", flags->json, "Print the result as JSON instead of streaming text");
  cmd->callback([flags, &run] {
    run = [flags]() -> int {
      Result<job::TextModel> model = flags->model.Open();
      if (!model.ok()) return Fail(model.status());
      engine::StreamCallback stream;
      if (!flags->json) {
        stream = [](size_t, std::string_view text) {
          std::fwrite(text.data(), 1, text.size(), stdout);
          std::fflush(stdout);
        };
      }
      Result<job::GenerateOutcome> out = job::RunGenerate(*model, flags->job, stream);
      if (!out.ok()) return Fail(out.status());
      const engine::GenerateResult& g = out->result;
      if (flags->json) {
        nlohmann::json j = {{"text", g.text},
                            {"tokens", g.tokens},
                            {"finish_reason", g.finish_reason},
                            {"prompt_tokens", out->prompt_tokens},
                            {"truncated_prompt_tokens", g.truncated_tokens}};
        std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      } else {
        std::printf("\n");
      }
      std::fprintf(stderr, "kaif: %zu prompt tokens, %zu generated (%s) in %.2f s%s\n", out->prompt_tokens, g.tokens.size(),
                   g.finish_reason.c_str(), out->seconds,
                   g.truncated_tokens ? fmt::format("; {} prompt tokens dropped to fit the window", g.truncated_tokens).c_str()
                                      : "");
      return 0;
    };
  });
}

void AddScoreCommand(CLI::App& app, Runner& run) {
  struct Flags {
    ModelFlags model;
    std::string context, continuation;
    bool json = false;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("score", "Log-likelihood of a continuation after a context (native CPU engine)");
  flags->model.Register(*cmd);
  cmd->add_option("--context", flags->context, "The text before")->required();
  cmd->add_option("--continuation", flags->continuation, "The text to score")->required();
  cmd->add_flag("--json", flags->json, "Print the result as JSON");
  cmd->callback([flags, &run] {
    run = [flags]() -> int {
      Result<job::TextModel> model = flags->model.Open();
      if (!model.ok()) return Fail(model.status());
      Result<job::ScoreOutcome> out = job::RunScore(*model, flags->context, flags->continuation);
      if (!out.ok()) return Fail(out.status());
      const engine::ScoreResult& s = out->result;
      if (flags->json) {
        nlohmann::json j = {{"logprob", s.logprob},
                            {"greedy", s.greedy},
                            {"token_logprobs", s.token_logprobs},
                            {"context_tokens", out->context_ids.size()},
                            {"continuation_ids", out->continuation_ids},
                            {"truncated_context_tokens", s.truncated_tokens}};
        std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
        return 0;
      }
      std::printf("logprob     %.6f\n", s.logprob);
      std::printf("perplexity  %.4f\n", std::exp(-s.logprob / static_cast<double>(out->continuation_ids.size())));
      std::printf("greedy      %s\n", s.greedy ? "yes" : "no");
      std::printf("tokens      %zu context, %zu continuation\n", out->context_ids.size(), out->continuation_ids.size());
      if (s.truncated_tokens) std::printf("truncated   %zu context tokens dropped from the left\n", s.truncated_tokens);
      for (size_t i = 0; i < out->continuation_ids.size(); ++i) {
        std::printf("%8d  %-16s %.6f\n", out->continuation_ids[i], nlohmann::json(out->continuation_pieces[i]).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str(),
                    s.token_logprobs[i]);
      }
      return 0;
    };
  });
}

}  // namespace kaif::cli
