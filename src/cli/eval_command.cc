#include <cstdio>
#include <cstdlib>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/model_flags.h"
#include "job/eval_job.h"

namespace kaif::cli {
namespace {

// Where task names are looked up: --include-path folders, $KAIF_TASKS, then the bundled
// tasks/ of the source tree this binary was built from.
std::vector<std::filesystem::path> TaskDirs(const std::vector<std::string>& include) {
  std::vector<std::filesystem::path> dirs(include.begin(), include.end());
  if (const char* env = std::getenv("KAIF_TASKS"); env && *env) dirs.emplace_back(env);
  if (std::filesystem::is_directory(KAIF_TASKS_DIR)) dirs.emplace_back(KAIF_TASKS_DIR);
  return dirs;
}

// "i/N" with 0 <= i < N.
bool ParseShard(const std::string& text, size_t& index, size_t& count) {
  unsigned long i = 0, n = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%lu/%lu%c", &i, &n, &extra) != 2 || n == 0 || i >= n) return false;
  index = i, count = n;
  return true;
}

void AddMergeCommand(CLI::App& eval, Runner& run) {
  struct Flags {
    std::vector<std::string> shards;
    std::string out;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = eval.add_subcommand("merge", "Merge the output folders of a sharded run (--shard i/N) into one result");
  cmd->add_option("shards", flags->shards, "The shards' output folders")->required();
  cmd->add_option("--out", flags->out, "Folder for the merged results.json and samples")->required();
  cmd->callback([flags, &run] {
    run = [flags]() -> int {
      std::vector<std::filesystem::path> shards(flags->shards.begin(), flags->shards.end());
      Result<std::vector<std::filesystem::path>> written = job::MergeEval(shards, flags->out);
      if (!written.ok()) return Fail(written.status());
      for (const auto& f : *written) std::printf("wrote %s\n", f.string().c_str());
      return 0;
    };
  });
}

}  // namespace

void AddEvalCommand(CLI::App& app, Runner& run) {
  struct Flags {
    ModelFlags model;
    job::EndpointTarget endpoint;
    std::vector<std::string> tasks, include;
    std::string data_dir, out, shard, team, cache;
    int num_fewshot = -1, stage = 0;
    size_t limit = 0, chunk = 512, bootstrap = 100000;
    uint64_t seed = 1234;
    bool bos = false, no_cache = false, list = false, chat = false, multiturn = false, keep_going = false;
    std::string system_instruction;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("eval", "Run benchmark tasks (lm-evaluation-harness YAML) on a model's released "
                                             "weights with the native engine, or on an OpenAI-compatible endpoint");
  flags->model.Register(*cmd, false);
  job::EndpointTarget& e = flags->endpoint;
  cmd->add_option("--endpoint", e.url, "An OpenAI-compatible API base (http://host:8000/v1) to evaluate instead of --model");
  cmd->add_option("--endpoint-model", e.model, "The served model's name (with --endpoint)");
  cmd->add_flag("--chat", e.chat, "Generate through /chat/completions (always so without --tokenizer)");
  cmd->add_option("--max-length", e.max_length, "The endpoint model's window (default: its max_model_len, else 2048)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--concurrency", e.http.concurrency, "Requests in flight at once")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-retries", e.http.max_retries, "Retries of a request after a connection error, 429 or 5xx")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--timeout", e.http.timeout_seconds, "Seconds one request may take")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--requests-per-second", e.http.requests_per_second, "Rate limit over all requests (0: none)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--api-key-env", e.api_key_env, "Environment variable holding the API key (sent as a Bearer token)")
      ->capture_default_str();
  cmd->add_option("--tasks", flags->tasks, "Task, group or tag names, or task files; comma-separated or repeated")
      ->delimiter(',');
  cmd->add_option("--include-path", flags->include, "More folders of task files (searched before the bundled tasks)");
  cmd->add_flag("--list", flags->list, "List the tasks, groups and tags found, then stop");
  cmd->add_option("--data-dir", flags->data_dir, "Benchmark documents by dataset path and name (default: $KAIF_DATA)");
  cmd->add_option("--out", flags->out, "Folder for results.json and samples_<task>.jsonl");
  cmd->add_option("--num-fewshot", flags->num_fewshot, "Few-shot examples (default: each task's)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--limit", flags->limit, "Evaluate only the first N documents of each task")->check(CLI::PositiveNumber);
  cmd->add_option("--shard", flags->shard, "Evaluate shard i of N (documents d with d % N == i); merge with kaif eval merge");
  cmd->add_option("--seed", flags->seed, "Seed of the few-shot sampler")->capture_default_str();
  cmd->add_option("--bootstrap-iters", flags->bootstrap, "Resamples for bootstrap standard errors (0: none)")
      ->capture_default_str();
  cmd->add_flag("--add-bos", flags->bos, "Put the tokenizer's special tokens (BOS) before each context");
  cmd->add_flag("--apply-chat-template", flags->chat, "Render prompts through the model's chat template");
  cmd->add_flag("--fewshot-as-multiturn", flags->multiturn, "With the chat template: few-shot examples as separate turns");
  cmd->add_option("--system-instruction", flags->system_instruction, "Text before the task's description (system turn)");
  cmd->add_option("--cache", flags->cache, "Result cache (SQLite) a killed run resumes from (default: OUT/cache.sqlite)");
  cmd->add_flag("--no-cache", flags->no_cache, "Compute every request; keep no cache");
  cmd->add_flag("--continue-on-error", flags->keep_going,
                "Record documents whose prompt cannot be built (results.json kaif.failures) and go on");
  cmd->add_option("--cache-chunk", flags->chunk, "Requests computed and committed to the cache together")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--team", flags->team, "Also write OUT/<team>.benchmarks.json (kaif.results/1) for kaif round");
  cmd->add_option("--stage", flags->stage, "The program stage of that results document")->check(CLI::PositiveNumber);
  AddMergeCommand(*cmd, run);
  AddEvalCompareCommand(*cmd, run);
  cmd->callback([flags, cmd, &run] {
    if (cmd->get_subcommands().size() > 0) return;  // merge or compare
    run = [flags]() -> int {
      const std::vector<std::filesystem::path> dirs = TaskDirs(flags->include);
      if (flags->list) {
        Result<eval::TaskRegistry> registry = eval::TaskRegistry::Scan(dirs);
        if (!registry.ok()) return Fail(registry.status());
        for (const std::string& g : registry->group_names()) std::printf("group  %s\n", g.c_str());
        for (const std::string& t : registry->tag_names()) std::printf("tag    %s\n", t.c_str());
        for (const std::string& t : registry->task_names()) std::printf("task   %s\n", t.c_str());
        return 0;
      }
      const bool endpoint = !flags->endpoint.url.empty();
      if (endpoint == !flags->model.model.empty()) {
        return Fail(Status::InvalidInput("kaif eval needs exactly one of --model and --endpoint"));
      }
      if (endpoint && flags->endpoint.model.empty()) {
        return Fail(Status::InvalidInput("--endpoint needs --endpoint-model, the served model's name"));
      }
      if (flags->tasks.empty() || flags->out.empty()) {
        return Fail(Status::InvalidInput("kaif eval needs --tasks and --out (or --list)"));
      }
      job::EvalJob job;
      job.model = flags->model.model;
      if (endpoint) job.endpoint = flags->endpoint;
      job.tokenizer = flags->model.tokenizer;
      job.tasks = flags->tasks;
      job.task_dirs = dirs;
      job.out = flags->out;
      std::string data = flags->data_dir;
      if (data.empty() && std::getenv("KAIF_DATA")) data = std::getenv("KAIF_DATA");
      if (data.empty()) return Fail(Status::InvalidInput("no data directory: pass --data-dir or set KAIF_DATA"));
      job.options.data_dir = data;
      if (flags->num_fewshot >= 0) job.options.num_fewshot = flags->num_fewshot;
      if (flags->limit > 0) job.options.limit = flags->limit;
      if (!flags->shard.empty() && !ParseShard(flags->shard, job.options.shard_index, job.options.shard_count)) {
        return Fail(Status::InvalidInput("--shard takes i/N with 0 <= i < N, e.g. 0/4"));
      }
      if (flags->team.empty() != (flags->stage == 0)) {
        return Fail(Status::InvalidInput("--team and --stage go together"));
      }
      if (!flags->team.empty()) job.target = job::ProgramTarget{flags->team, flags->stage};
      job.options.fewshot_seed = flags->seed;
      job.options.bootstrap_iters = flags->bootstrap;
      job.options.continue_on_error = flags->keep_going;
      job.options.add_special_tokens = flags->bos;
      if (flags->multiturn && !flags->chat) {
        return Fail(Status::InvalidInput("--fewshot-as-multiturn needs --apply-chat-template"));
      }
      job.apply_chat_template = flags->chat;
      job.options.format.fewshot_as_multiturn = flags->multiturn;
      job.options.format.system_instruction = flags->system_instruction;
      job.options.chunk_requests = flags->chunk;
      job.cache = flags->cache;
      job.use_cache = !flags->no_cache;
      job.options.progress = PrintProgress;
      job.engine = flags->model.EngineOptions();
      Result<job::EvalOutcome> out = job::RunEval(job);
      if (!out.ok()) return Fail(out.status());
      for (const auto& f : out->written) std::printf("wrote %s\n", f.string().c_str());
      for (const auto& [task, failures] : out->failures) {  // left out by --continue-on-error
        std::fprintf(stderr, "kaif: %s: %zu documents left out, e.g. %s\n", task.c_str(), failures.size(),
                     failures[0].value("error", "").c_str());
      }
      return 0;
    };
  });
}

}  // namespace kaif::cli
