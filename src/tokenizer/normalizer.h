// tokenizer.json normalizers: Unicode forms (NFC, NFD, NFKC, NFKD, through ICU), Replace,
// Prepend, Lowercase, and Sequences of them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/status.h"

namespace kaif::tokenizer {

class Normalizer {
 public:
  // `config` is tokenizer.json's "normalizer" (null: none).
  static Result<Normalizer> FromJson(const nlohmann::json& config);
  bool empty() const { return steps_.empty(); }
  std::string Apply(std::string text) const;

 private:
  enum class Kind { kNfc, kNfd, kNfkc, kNfkd, kReplace, kPrepend, kLowercase };
  struct Step {
    Kind kind;
    std::string from, to;  // kReplace: literal strings; kPrepend: `to`
  };
  static Status Add(const nlohmann::json& config, std::vector<Step>& steps);
  std::vector<Step> steps_;
};

}  // namespace kaif::tokenizer
