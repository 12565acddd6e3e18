// A Hugging Face tokenizer.json: added tokens, normalizer, pre-tokenizer, BPE model,
// post-processor (special tokens around a sequence) and decoder. Encodes text into the
// same ids the Hugging Face `tokenizers` library gives, and decodes them back.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>
#include <string_view>
#include <vector>

#include "tokenizer/added_tokens.h"
#include "tokenizer/bpe.h"
#include "tokenizer/normalizer.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/tokenizer.h"
#include "util/status.h"

namespace kaif::tokenizer {

class HfTokenizer : public Tokenizer {
 public:
  static Result<std::unique_ptr<HfTokenizer>> Parse(std::string_view json_text, const std::string& source);

  Result<std::vector<int>> Encode(std::string_view text, bool add_special_tokens = false) const override;
  std::string Decode(const std::vector<int>& ids, bool skip_special_tokens = false) const override;
  std::string TokenText(int id) const override { return model_.TokenText(id); }
  int vocab_size() const override { return model_.vocab_size(); }
  std::vector<std::string> Merges() const override { return model_.Merges(); }

 private:
  HfTokenizer(BpeModel model, Normalizer normalizer, PreTokenizer pre_tokenizer, std::vector<AddedToken> added);
  void EncodeText(const std::string& text, std::vector<int>& out) const;

  BpeModel model_;
  Normalizer normalizer_;
  PreTokenizer pre_tokenizer_;
  std::vector<AddedToken> added_;
  std::unordered_map<int, size_t> added_by_id_;  // id -> index in added_, for decoding
  AddedTokenMatcher raw_tokens_;         // matched on the input
  AddedTokenMatcher normalized_tokens_;  // matched after normalization
  std::vector<int> prefix_ids_, suffix_ids_;  // post-processor, for add_special_tokens
  // Decoder: byte-level alphabet, or sentencepiece-style ("▁" -> " ", <0xXX> -> byte).
  bool decode_byte_level_ = false;
  std::string decode_replace_from_, decode_replace_to_;
  int decode_strip_leading_ = 0;
  ByteAlphabet alphabet_;
};

}  // namespace kaif::tokenizer
