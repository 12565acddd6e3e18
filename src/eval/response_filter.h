// What lm-evaluation-harness does to a generated answer before scoring it: filter
// pipelines (regex extraction, multi_choice_regex's choice extraction, take_first,
// remove_whitespace, lowercase, uppercase) and exact_match with its options.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/task_config.h"
#include "tokenizer/regex.h"
#include "util/status.h"

namespace kaif::eval {

class FilterChain {
 public:
  static Result<FilterChain> Compile(const FilterPipeline& pipeline);
  const std::string& name() const { return name_; }
  // One response per document, so take_first and majority_vote keep it as it is. `doc`
  // is the document (multi_choice_regex reads its "choices").
  std::string Apply(std::string response, const nlohmann::json& doc = nlohmann::json()) const;

 private:
  struct Step {
    std::string function;
    std::shared_ptr<tokenizer::Regex> regex;
    long long group_select = 0;
    std::string fallback = "[invalid]";
    // multi_choice_regex: how choices and the response are compared in its fallbacks.
    bool ignore_case = false, ignore_punctuation = false;
    std::vector<std::shared_ptr<tokenizer::Regex>> ignore;
  };
  // multi_choice_regex on one response: `regex`; else a choice's text in the response
  // (answered as "(A)", "(B)", ...); else ": A"-style letters; else the fallback.
  static std::string ChooseAnswer(const Step& step, const std::string& response, const nlohmann::json& doc);
  std::string name_;
  std::vector<Step> steps_;
};

// exact_match: regexes_to_ignore removed from both, then ignore_case, ignore_punctuation
// (ASCII punctuation, Python's string.punctuation) and ignore_numbers; 1 if equal.
Result<double> ExactMatch(const std::string& prediction, const std::string& reference, const nlohmann::json& options);

}  // namespace kaif::eval
