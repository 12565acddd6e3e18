// A checkpoint's tensors by role (tensor_roles.h), from a safetensors checkpoint (a folder,
// a file or a sharded index) or a GGUF file, mapped: nothing is read until a test asks for
// a tensor's values.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tensor/gguf.h"
#include "tokenizer/tokenizer.h"
#include "tensor/safetensors.h"
#include "util/status.h"
#include "verify/tensor_roles.h"

namespace kaif::verify {

class CheckpointTensors {
 public:
  static Result<std::unique_ptr<CheckpointTensors>> Open(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  // By role key ("text/3/mlp.gate"); nullptr when absent.
  const tensor::TensorView* Find(const std::string& key) const;
  const std::map<std::string, const tensor::TensorView*>& by_key() const { return by_key_; }
  // Decoder layers of the text component.
  int layers() const { return layers_; }
  // The checkpoint folder's tokenizer, when it has one (embeddings are then aligned by
  // token string across different vocabularies).
  const tokenizer::Tokenizer* tokenizer() const { return tokenizer_.get(); }

 private:
  std::filesystem::path path_;
  std::unique_ptr<tensor::SafetensorsCheckpoint> safetensors_;
  std::unique_ptr<tensor::GgufFile> gguf_;
  std::unique_ptr<tokenizer::Tokenizer> tokenizer_;
  std::map<std::string, const tensor::TensorView*> by_key_;
  int layers_ = 0;
};

// A tensor's values as float32 (dequantized); InvalidInput for types without a float meaning.
Result<std::vector<float>> Values(const tensor::TensorView& t);

}  // namespace kaif::verify
