#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "job/eval_compare.h"
#include "util/file.h"

namespace kaif::cli {
namespace {

nlohmann::json ToJson(const job::Comparison& c) {
  nlohmann::json j = {{"name", c.name},
                      {"metric", c.metric},
                      {"documents", c.documents},
                      {"a", c.a},
                      {"b", c.b},
                      {"difference", c.difference},
                      {"difference_interval", {c.difference_interval.low, c.difference_interval.high}},
                      {"p_value", c.p_value}};
  if (c.difference_stderr) j["difference_stderr"] = *c.difference_stderr;
  if (c.ratio) j["ratio"] = *c.ratio;
  if (c.ratio_interval) j["ratio_interval"] = {c.ratio_interval->low, c.ratio_interval->high};
  if (!c.reaches_threshold.empty()) j["reaches_threshold"] = c.reaches_threshold;
  if (c.mcnemar) {
    j["mcnemar"] = {{"a_only", c.mcnemar->a_only}, {"b_only", c.mcnemar->b_only}, {"p_value", c.mcnemar->p_value}};
  }
  return j;
}

// A results folder, or its results.json.
std::filesystem::path RunFolder(const std::string& path) {
  std::filesystem::path p(path);
  return p.filename() == "results.json" ? p.parent_path() : p;
}

}  // namespace

void AddEvalCompareCommand(CLI::App& eval, Runner& run) {
  struct Flags {
    std::string a, b, json;
    job::CompareOptions options;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = eval.add_subcommand(
      "compare", "Paired comparison of two runs on the same documents: A - B and A / B with intervals, McNemar");
  cmd->add_option("a", flags->a, "Run A: an output folder of kaif eval (or its results.json)")->required();
  cmd->add_option("b", flags->b, "Run B, e.g. the frontier reference")->required();
  cmd->add_option("--metric", flags->options.metric, "Metric to compare, e.g. acc,none (default: each one's headline)");
  cmd->add_option("--threshold", flags->options.threshold, "Ratio A / B asked about")->capture_default_str();
  cmd->add_option("--confidence", flags->options.confidence, "Confidence of the intervals")->capture_default_str();
  cmd->add_option("--bootstrap-iters", flags->options.bootstrap_iters, "Paired bootstrap resamples")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seed", flags->options.seed, "Seed of the bootstrap")->capture_default_str();
  cmd->add_option("--json", flags->json, "Also write the comparison as JSON to this file");
  cmd->callback([flags, &run] {
    run = [flags]() -> int {
      Result<job::EvalRecord> a = job::ReadEvalOutputs(RunFolder(flags->a));
      if (!a.ok()) return Fail(a.status());
      Result<job::EvalRecord> b = job::ReadEvalOutputs(RunFolder(flags->b));
      if (!b.ok()) return Fail(b.status());
      Result<std::vector<job::Comparison>> out = job::CompareRuns(*a, *b, flags->options);
      if (!out.ok()) return Fail(out.status());
      const int confidence = static_cast<int>(flags->options.confidence * 100 + 0.5);
      std::printf("%-28s %-22s %6s %8s %8s  %-28s %-26s %8s %9s  %s\n", "task/group", "metric", "n", "A", "B",
                  fmt::format("A-B [{}% CI]", confidence).c_str(), fmt::format("A/B [{}% CI]", confidence).c_str(),
                  "p", "McNemar p", fmt::format("A/B >= {}", flags->options.threshold).c_str());
      nlohmann::json all = nlohmann::json::array();
      for (const job::Comparison& c : *out) {
        std::string ratio = c.ratio && c.ratio_interval ? fmt::format("{:.3f} [{:.3f}, {:.3f}]", *c.ratio,
                                                                      c.ratio_interval->low, c.ratio_interval->high)
                                                        : "-";
        std::string mcnemar = c.mcnemar ? fmt::format("{:.4f}", c.mcnemar->p_value) : "-";
        std::printf("%-28s %-22s %6zu %8.4f %8.4f  %-28s %-26s %8.4f %9s  %s\n", c.name.c_str(), c.metric.c_str(),
                    c.documents, c.a, c.b,
                    fmt::format("{:+.4f} [{:+.4f}, {:+.4f}]", c.difference, c.difference_interval.low,
                                c.difference_interval.high)
                        .c_str(),
                    ratio.c_str(), c.p_value, mcnemar.c_str(), c.reaches_threshold.empty() ? "-" : c.reaches_threshold.c_str());
        all.push_back(ToJson(c));
      }
      if (!flags->json.empty()) {
        Status s = WriteFileAtomic(flags->json, all.dump(2) + "\n");
        if (!s.ok()) return Fail(s);
      }
      return 0;
    };
  });
}

}  // namespace kaif::cli
