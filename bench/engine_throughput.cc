// The native engine's speed on a model folder, in the terms llama.cpp's tools report, for
// bench/engine_peer.sh:
//   engine_throughput MODEL pp N [RUNS]  prompt processing: N tokens in one pass, tokens/s
//   engine_throughput MODEL tg N [RUNS]  generation: N tokens one at a time, tokens/s
//   engine_throughput MODEL mc FILE      multiple-choice scoring of mc.json's tasks
// Prints one JSON object. Rates are the median over RUNS (default 5) after one warm-up.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/engine.h"
#include "util/file.h"

using kaif::engine::Engine;

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int Fail(const kaif::Status& status) {
  std::fprintf(stderr, "engine_throughput: %s\n", status.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: engine_throughput MODEL pp|tg N [RUNS] | MODEL mc FILE\n");
    return 2;
  }
  const std::string mode = argv[2];
  kaif::engine::EngineOptions options;
  options.check_finite = false;
  auto opened = Engine::Open(argv[1], options);
  if (!opened.ok()) return Fail(opened.status());
  Engine& engine = **opened;
  const int vocab = engine.architecture().vocab_size;
  nlohmann::json out = {{"mode", mode}, {"threads", engine.threads()}};

  if (mode == "pp" || mode == "tg") {
    const size_t n = std::strtoul(argv[3], nullptr, 10);
    const int runs = argc > 4 ? std::atoi(argv[4]) : 5;
    std::vector<double> rates;
    for (int run = 0; run <= runs; ++run) {
      engine.ClearCache();
      auto start = std::chrono::steady_clock::now();
      if (mode == "pp") {
        // Random tokens like llama-bench; logits for the last position only.
        std::vector<int> prompt(n);
        for (size_t i = 0; i < n; ++i) prompt[i] = static_cast<int>((i * 7919 + static_cast<size_t>(run) * 104729) % vocab);
        kaif::engine::GenerateRequest r;
        r.prompt = prompt;
        r.max_tokens = 1;
        r.stop_at_eos = false;
        auto done = engine.Generate({r});
        if (!done.ok()) return Fail(done.status());
      } else {
        kaif::engine::GenerateRequest r;
        r.prompt = {1};
        r.max_tokens = n;
        r.stop_at_eos = false;
        auto done = engine.Generate({r});
        if (!done.ok()) return Fail(done.status());
      }
      if (run > 0) rates.push_back(static_cast<double>(n) / Seconds(start));
    }
    out["tokens"] = n;
    out["tokens_per_second"] = Median(rates);
    out["runs"] = rates;
  } else if (mode == "mc") {
    auto text = kaif::ReadFile(argv[3]);
    if (!text.ok()) return Fail(text.status());
    auto tasks = nlohmann::json::parse(*text)["tasks"];
    std::vector<kaif::engine::ScoreRequest> requests;
    for (const auto& task : tasks) {
      for (const auto& choice : task["choices"]) requests.push_back({task["context"], choice});
    }
    auto start = std::chrono::steady_clock::now();
    auto scored = engine.Loglikelihood(requests);
    if (!scored.ok()) return Fail(scored.status());
    double seconds = Seconds(start);
    size_t correct = 0, r = 0;
    for (const auto& task : tasks) {
      size_t n = task["choices"].size(), best = 0;
      for (size_t c = 1; c < n; ++c) {
        if ((*scored)[r + c].logprob > (*scored)[r + best].logprob) best = c;
      }
      correct += best == task["label"].get<size_t>();
      r += n;
    }
    out["tasks"] = tasks.size();
    out["requests"] = requests.size();
    out["seconds"] = seconds;
    out["accuracy"] = static_cast<double>(correct) / static_cast<double>(tasks.size());
    out["request_tokens"] = engine.stats().request_tokens;
    out["computed_tokens"] = engine.stats().computed_tokens;
    out["logit_rows"] = engine.stats().logit_rows;
  } else {
    std::fprintf(stderr, "engine_throughput: unknown mode %s\n", mode.c_str());
    return 2;
  }
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
