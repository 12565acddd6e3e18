// The BPE model of tokenizer.json: vocabulary, ranked merges, and what to do with a
// character the vocabulary lacks (byte fallback to <0xXX> tokens, or an unknown token).
// Encoding a word applies the lowest-ranked merge first, leftmost on ties, until none
// applies, which is how the Hugging Face implementation orders them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/status.h"

namespace kaif::tokenizer {

class BpeModel {
 public:
  static Result<BpeModel> FromJson(const nlohmann::json& model);

  // Appends the ids of one pre-tokenized word.
  void Encode(const std::string& word, std::vector<int>& out) const;

  std::optional<int> Find(const std::string& token) const;
  // Adds a token the vocabulary lacks (added tokens may); returns its id.
  void AddToken(const std::string& token, int id);
  const std::string& TokenText(int id) const;  // "" if unknown
  // The merges as "left right", lowest rank first.
  std::vector<std::string> Merges() const;
  int vocab_size() const { return static_cast<int>(id_to_token_.size()); }

 private:
  struct Merge {
    int rank;
    int result;
  };
  static uint64_t PairKey(int left, int right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
  }
  void EncodeCharacters(const std::string& word, std::vector<int>& symbols) const;

  std::unordered_map<std::string, int> vocab_;
  std::vector<std::string> id_to_token_;
  std::unordered_map<uint64_t, Merge> merges_;
  bool byte_fallback_ = false;
  bool ignore_merges_ = false;
  bool fuse_unk_ = false;
  std::optional<int> unk_id_;
  int byte_tokens_[256] = {};  // ids of <0x00>..<0xFF> when byte_fallback, else -1
};

}  // namespace kaif::tokenizer
