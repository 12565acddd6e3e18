#include "tokenizer/tokenizer.h"

#include "tokenizer/hf_tokenizer.h"
#include "tokenizer/sentencepiece_tokenizer.h"
#include "util/file.h"

namespace kaif::tokenizer {

Result<std::unique_ptr<Tokenizer>> Tokenizer::Load(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path file = path;
  if (fs::is_directory(path, ec)) {
    if (fs::exists(path / "tokenizer.json", ec)) {
      file = path / "tokenizer.json";
    } else if (fs::exists(path / "tokenizer.model", ec)) {
      file = path / "tokenizer.model";
    } else {
      return Status::NotFound(path.string() + ": has neither tokenizer.json nor tokenizer.model");
    }
  }
  if (file.extension() == ".model") {
    KAIF_ASSIGN_OR_RETURN(std::unique_ptr<SentencePieceTokenizer> sp, SentencePieceTokenizer::Load(file));
    return std::unique_ptr<Tokenizer>(std::move(sp));
  }
  KAIF_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
  KAIF_ASSIGN_OR_RETURN(std::unique_ptr<HfTokenizer> hf, HfTokenizer::Parse(text, file.string()));
  return std::unique_ptr<Tokenizer>(std::move(hf));
}

}  // namespace kaif::tokenizer
