// Task definitions in lm-evaluation-harness's YAML format: the keys benchmark suites use,
// `include` of a base file, and the `!function` references kaif has native equivalents
// for. Anything else that changes what a task computes is a clear error naming the key,
// never silently ignored.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/status.h"

namespace kaif::eval {

enum class OutputType { kMultipleChoice, kLoglikelihood, kLoglikelihoodRolling, kGenerateUntil };
const char* ToString(OutputType type);

struct MetricSpec {
  std::string metric;               // acc, acc_norm, exact_match, f1, mcc, ...
  std::string aggregation;  // as given, else the metric's default (eval/metrics.h)
  bool higher_is_better = true;
  nlohmann::json options = nlohmann::json::object();  // the metric's other keys (ignore_case, ...)
};

struct FilterStep {
  std::string function;  // regex, take_first, remove_whitespace, lowercase, majority_vote
  nlohmann::json args = nlohmann::json::object();
};

struct FilterPipeline {
  std::string name;
  std::vector<FilterStep> steps;
};

struct GenerationConfig {
  // Stop strings besides end of sequence; without generation_kwargs, the few-shot delimiter.
  std::vector<std::string> until;
  int max_gen_toks = 256;
  double temperature = 0;
  bool do_sample = false;
};

struct TaskConfig {
  std::string task;
  std::vector<std::string> tags;
  std::filesystem::path source;  // the YAML file
  std::string dataset_path, dataset_name;
  std::string training_split, validation_split, test_split, fewshot_split;
  std::string description;
  // A Jinja template (string), a column index or literal (number), or a list of strings.
  nlohmann::json doc_to_text, doc_to_target, doc_to_choice;
  std::string target_delimiter = " ";
  std::string fewshot_delimiter = "\n\n";
  std::optional<int> num_fewshot;
  std::string fewshot_sampler = "default";  // "default" (seeded random) or "first_n"
  OutputType output_type = OutputType::kGenerateUntil;
  GenerationConfig generation;
  std::vector<MetricSpec> metrics;
  std::vector<FilterPipeline> filters;
  nlohmann::json metadata = nlohmann::json::object();

  // The split documents are evaluated on: test, else validation, else train.
  const std::string& eval_split() const;
};

// Reads a task file; `include`s are resolved relative to the including file.
Result<TaskConfig> LoadTaskConfig(const std::filesystem::path& file);

// A task or group file as JSON, its `include`s merged (the including file's keys win);
// `!function x` becomes {"!function": "x"}.
Result<nlohmann::json> ReadTaskYaml(const std::string& yaml, const std::filesystem::path& source);

// The same from YAML text (`source` names it in messages; includes relative to its folder).
Result<TaskConfig> ParseTaskConfig(const std::string& yaml, const std::filesystem::path& source);

}  // namespace kaif::eval
