// A sentencepiece model file (tokenizer.model of Gemma, Llama 2, EXAONE...) through
// libsentencepiece, so its normalization and segmentation are the library's own.
#pragma once

#include <filesystem>
#include <memory>

#include "tokenizer/tokenizer.h"

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace kaif::tokenizer {

class SentencePieceTokenizer : public Tokenizer {
 public:
  // InvalidInput naming the file if it is not a sentencepiece model.
  static Result<std::unique_ptr<SentencePieceTokenizer>> Load(const std::filesystem::path& path);
  ~SentencePieceTokenizer() override;

  // With add_special_tokens, the model's BOS (if it has one) goes first, as Llama 2 and
  // Gemma tokenizers do.
  Result<std::vector<int>> Encode(std::string_view text, bool add_special_tokens = false) const override;
  std::string Decode(const std::vector<int>& ids, bool skip_special_tokens = false) const override;
  std::string TokenText(int id) const override;
  int vocab_size() const override;

 private:
  SentencePieceTokenizer();
  std::unique_ptr<sentencepiece::SentencePieceProcessor> processor_;
};

}  // namespace kaif::tokenizer
