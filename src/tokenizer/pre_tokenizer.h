// tokenizer.json pre-tokenizers: Split (by a regex or a literal, with HF's delimiter
// behaviours) and ByteLevel (the GPT-2 byte alphabet, optionally with its own regex), in
// Sequences. Splits text into the pieces BPE encodes one by one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tokenizer/regex.h"
#include "tokenizer/utf8.h"
#include "util/status.h"

namespace kaif::tokenizer {

class PreTokenizer {
 public:
  static Result<PreTokenizer> FromJson(const nlohmann::json& config);

  // The pieces of `text`, mapped to the byte alphabet if a ByteLevel step is present.
  std::vector<std::string> Split(const std::string& text) const;
  bool byte_level() const { return byte_level_; }

 private:
  enum class Behavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext };
  struct Step {
    std::optional<Regex> regex;  // or a literal:
    std::string literal;
    Behavior behavior = Behavior::kIsolated;
    bool invert = false;
    bool byte_level = false;  // a ByteLevel step (its regex, if any, is `regex`)
    bool add_prefix_space = false;
  };
  static Status Add(const nlohmann::json& config, std::vector<Step>& steps);
  static void Apply(const Step& step, const std::string& piece, std::vector<std::string>& out);

  std::vector<Step> steps_;
  bool byte_level_ = false;
  ByteAlphabet alphabet_;
};

}  // namespace kaif::tokenizer
