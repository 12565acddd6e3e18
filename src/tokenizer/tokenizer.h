// Tokenizer: text to token ids and back, whatever file a model ships. Implementations:
// HfTokenizer (tokenizer.json, hf_tokenizer.h) and SentencePieceTokenizer
// (tokenizer.model through libsentencepiece, sentencepiece_tokenizer.h).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace kaif::tokenizer {

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // A model folder (tokenizer.json preferred, else tokenizer.model), or either file.
  static Result<std::unique_ptr<Tokenizer>> Load(const std::filesystem::path& path);

  // InvalidInput if `text` is not valid UTF-8.
  virtual Result<std::vector<int>> Encode(std::string_view text, bool add_special_tokens = false) const = 0;
  virtual std::string Decode(const std::vector<int>& ids, bool skip_special_tokens = false) const = 0;
  // The vocabulary text of a token ("Ġhello", "▁한", "<|im_start|>"), "" if the id is unknown.
  virtual std::string TokenText(int id) const = 0;
  virtual int vocab_size() const = 0;
  // BPE merges as "left right", lowest rank first; empty for tokenizers without them.
  virtual std::vector<std::string> Merges() const { return {}; }
};

}  // namespace kaif::tokenizer
