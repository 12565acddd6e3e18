// Added tokens (special tokens such as <|im_start|>, and others a model adds): found in
// the text before it is normalized and split, leftmost first and longest on ties, with
// the lstrip / rstrip / single_word flags of tokenizer.json.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/status.h"

namespace kaif::tokenizer {

struct AddedToken {
  std::string content;
  int id = 0;
  bool special = false;
  bool normalized = false;  // matched after normalization rather than on the raw text
  bool lstrip = false, rstrip = false, single_word = false;
};

struct Segment {
  bool is_token = false;
  int id = 0;        // when is_token
  std::string text;  // when not
};

class AddedTokenMatcher {
 public:
  // Tokens with `normalized` equal to `match_normalized`.
  AddedTokenMatcher(const std::vector<AddedToken>& tokens, bool match_normalized);
  bool empty() const { return tokens_.empty(); }
  std::vector<Segment> Split(std::string_view text) const;

 private:
  std::vector<AddedToken> tokens_;
  std::vector<std::vector<size_t>> by_first_byte_;  // longest first
};

Result<std::vector<AddedToken>> ParseAddedTokens(const nlohmann::json& added);

}  // namespace kaif::tokenizer
