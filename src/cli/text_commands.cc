#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "job/eval_job.h"
#include "job/text_job.h"

namespace kaif::cli {
namespace {

struct ModelFlags {
  std::string model, tokenizer;
  int threads = 0;
  double kv_budget_mib = 4096;
  bool no_check = false;

  void Register(CLI::App& cmd) {
    cmd.add_option("--model", model, "A model folder (config.json + safetensors) or a .gguf file")->required();
    cmd.add_option("--tokenizer", tokenizer, "tokenizer.json or a folder with it (default: the model folder)");
    cmd.add_option("--threads", threads, "CPU threads (default: all)");
    cmd.add_option("--kv-budget-mib", kv_budget_mib, "Memory for cached keys and values, in MiB")->check(CLI::PositiveNumber);
    cmd.add_flag("--no-weight-check", no_check, "Skip the scan of every weight for NaN/Inf when loading");
  }
  engine::EngineOptions EngineOptions() const {
    engine::EngineOptions options;
    options.threads = threads;
    options.kv_budget_bytes = static_cast<size_t>(kv_budget_mib * (1 << 20));
    options.check_finite = !no_check;
    return options;
  }
  Result<job::TextModel> Open() const { return job::OpenTextModel(model, tokenizer, EngineOptions()); }
};

// One line per chunk on stderr; on a terminal, one line rewritten in place.
void PrintProgress(const eval::Progress& p) {
  const bool terminal = isatty(fileno(stderr));
  const size_t fresh = p.requests_done - p.requests_cached;  // computed in this run
  const double rate = p.seconds > 0 ? static_cast<double>(p.tokens_computed) / p.seconds : 0;
  std::string eta = "-";
  if (fresh > 0 && p.seconds > 0 && p.requests_done < p.requests_total) {
    double left = p.seconds / static_cast<double>(fresh) * static_cast<double>(p.requests_total - p.requests_done);
    eta = fmt::format("{}:{:02}", static_cast<int>(left) / 60, static_cast<int>(left) % 60);
  }
  std::string line = fmt::format("{}: {}/{} requests, {:.0f} tokens/s, ETA {}", p.task, p.requests_done,
                                 p.requests_total, rate, eta);
  if (terminal) {
    const int width = 30;
    int filled = p.requests_total ? static_cast<int>(width * p.requests_done / p.requests_total) : width;
    std::fprintf(stderr, "\r[%s%s] %s\033[K%s", std::string(static_cast<size_t>(filled), '#').c_str(),
                 std::string(static_cast<size_t>(width - filled), ' ').c_str(), line.c_str(),
                 p.requests_done == p.requests_total ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

}  // namespace

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

void AddEvalCommand(CLI::App& app, Runner& run) {
  struct Flags {
    ModelFlags model;
    std::vector<std::string> tasks;
    std::string data_dir, out;
    int num_fewshot = -1;
    size_t limit = 0;
    uint64_t seed = 1234;
    bool bos = false, no_cache = false;
    std::string cache;
    size_t chunk = 512;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("eval", "Run benchmark task files (lm-evaluation-harness YAML) on a model's released "
                                             "weights with the native engine");
  flags->model.Register(*cmd);
  cmd->add_option("--tasks", flags->tasks, "Task files (YAML), comma-separated or repeated")->required()->delimiter(',');
  cmd->add_option("--data-dir", flags->data_dir, "Benchmark documents by dataset path and name (default: $KAIF_DATA)");
  cmd->add_option("--out", flags->out, "Folder for results.json and samples_<task>.jsonl")->required();
  cmd->add_option("--num-fewshot", flags->num_fewshot, "Few-shot examples (default: each task's)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--limit", flags->limit, "Evaluate only the first N documents of each task")->check(CLI::PositiveNumber);
  cmd->add_option("--seed", flags->seed, "Seed of the few-shot sampler")->capture_default_str();
  cmd->add_flag("--add-bos", flags->bos, "Put the tokenizer's special tokens (BOS) before each context");
  cmd->add_option("--cache", flags->cache, "Result cache (SQLite) a killed run resumes from (default: OUT/cache.sqlite)");
  cmd->add_flag("--no-cache", flags->no_cache, "Compute every request; keep no cache");
  cmd->add_option("--cache-chunk", flags->chunk, "Requests computed and committed to the cache together")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->callback([flags, &run] {
    run = [flags]() -> int {
      job::EvalJob job;
      job.model = flags->model.model;
      job.tokenizer = flags->model.tokenizer;
      for (const std::string& t : flags->tasks) job.tasks.emplace_back(t);
      job.out = flags->out;
      std::string data = flags->data_dir;
      if (data.empty() && std::getenv("KAIF_DATA")) data = std::getenv("KAIF_DATA");
      if (data.empty()) return Fail(Status::InvalidInput("no data directory: pass --data-dir or set KAIF_DATA"));
      job.options.data_dir = data;
      if (flags->num_fewshot >= 0) job.options.num_fewshot = flags->num_fewshot;
      if (flags->limit > 0) job.options.limit = flags->limit;
      job.options.fewshot_seed = flags->seed;
      job.options.add_special_tokens = flags->bos;
      job.options.chunk_requests = flags->chunk;
      job.cache = flags->cache;
      job.use_cache = !flags->no_cache;
      job.options.progress = PrintProgress;
      job.engine = flags->model.EngineOptions();
      Result<std::vector<std::filesystem::path>> written = job::RunEval(job);
      if (!written.ok()) return Fail(written.status());
      for (const auto& f : *written) std::printf("wrote %s\n", f.string().c_str());
      return 0;
    };
  });
}

}  // namespace kaif::cli
