#include "cli/model_flags.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace kaif::cli {

void ModelFlags::Register(CLI::App& cmd, bool model_required) {
  CLI::Option* m = cmd.add_option("--model", model, "A model folder (config.json + safetensors) or a .gguf file");
  if (model_required) m->required();
  cmd.add_option("--tokenizer", tokenizer, "tokenizer.json or a folder with it (default: the model folder)");
  cmd.add_option("--threads", threads, "CPU threads (default: all)");
  cmd.add_option("--kv-budget-mib", kv_budget_mib, "Memory for cached keys and values, in MiB")->check(CLI::PositiveNumber);
  cmd.add_flag("--no-weight-check", no_check, "Skip the scan of every weight for NaN/Inf when loading");
}

engine::EngineOptions ModelFlags::EngineOptions() const {
  engine::EngineOptions options;
  options.threads = threads;
  options.kv_budget_bytes = static_cast<size_t>(kv_budget_mib * (1 << 20));
  options.check_finite = !no_check;
  return options;
}

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

}  // namespace kaif::cli
