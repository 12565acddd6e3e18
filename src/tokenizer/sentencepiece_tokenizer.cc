#include "tokenizer/sentencepiece_tokenizer.h"

#include <sentencepiece_processor.h>

#include "tokenizer/utf8.h"

namespace kaif::tokenizer {

SentencePieceTokenizer::SentencePieceTokenizer() : processor_(std::make_unique<sentencepiece::SentencePieceProcessor>()) {}

SentencePieceTokenizer::~SentencePieceTokenizer() = default;

Result<std::unique_ptr<SentencePieceTokenizer>> SentencePieceTokenizer::Load(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::NotFound(path.string() + ": no such file");
  auto tokenizer = std::unique_ptr<SentencePieceTokenizer>(new SentencePieceTokenizer());
  auto status = tokenizer->processor_->Load(path.string());
  if (!status.ok()) {
    return Status::InvalidInput(path.string() + ": not a sentencepiece model: " + status.ToString());
  }
  return tokenizer;
}

Result<std::vector<int>> SentencePieceTokenizer::Encode(std::string_view text, bool add_special_tokens) const {
  if (!IsValidUtf8(text)) return Status::InvalidInput("the text to tokenize is not valid UTF-8");
  std::vector<int> ids;
  auto status = processor_->Encode(text, &ids);
  if (!status.ok()) return Status::Internal("sentencepiece: " + status.ToString());
  if (add_special_tokens && processor_->bos_id() >= 0) ids.insert(ids.begin(), processor_->bos_id());
  return ids;
}

std::string SentencePieceTokenizer::Decode(const std::vector<int>& ids, bool skip_special_tokens) const {
  std::vector<int> kept;
  for (int id : ids) {
    if (id < 0 || id >= processor_->GetPieceSize()) continue;
    if (skip_special_tokens && processor_->IsControl(id)) continue;
    kept.push_back(id);
  }
  std::string text;
  processor_->Decode(kept, &text).ok();
  return text;
}

std::string SentencePieceTokenizer::TokenText(int id) const {
  return id >= 0 && id < processor_->GetPieceSize() ? processor_->IdToPiece(id) : std::string();
}

int SentencePieceTokenizer::vocab_size() const { return processor_->GetPieceSize(); }

}  // namespace kaif::tokenizer
