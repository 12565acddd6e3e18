#include "verify/checkpoint_tensors.h"

#include <algorithm>

namespace kaif::verify {

Result<std::unique_ptr<CheckpointTensors>> CheckpointTensors::Open(const std::filesystem::path& path) {
  auto c = std::make_unique<CheckpointTensors>();
  c->path_ = path;
  std::vector<const tensor::TensorView*> tensors;
  if (path.extension() == ".gguf") {
    KAIF_ASSIGN_OR_RETURN(c->gguf_, tensor::GgufFile::Open(path));
    for (const tensor::TensorView& t : c->gguf_->tensors()) tensors.push_back(&t);
  } else {
    KAIF_ASSIGN_OR_RETURN(c->safetensors_, tensor::SafetensorsCheckpoint::Open(path));
    tensors = c->safetensors_->tensors();
  }
  for (const tensor::TensorView* t : tensors) {
    const TensorRole role = RoleOf(t->name);
    c->by_key_[role.Key()] = t;
    if (role.component == "text" && role.layer) c->layers_ = std::max(c->layers_, *role.layer + 1);
  }
  if (c->by_key_.empty()) return Status::InvalidInput(path.string() + ": the checkpoint holds no tensors");
  if (std::filesystem::is_directory(path) && std::filesystem::exists(path / "tokenizer.json")) {
    KAIF_ASSIGN_OR_RETURN(c->tokenizer_, tokenizer::Tokenizer::Load(path));
  }
  return c;
}

const tensor::TensorView* CheckpointTensors::Find(const std::string& key) const {
  auto it = by_key_.find(key);
  return it == by_key_.end() ? nullptr : it->second;
}

Result<std::vector<float>> Values(const tensor::TensorView& t) {
  std::vector<float> out(t.elements());
  Status s = tensor::ToFloat32(t, out.data());
  if (!s.ok()) return s.WithContext(t.name);
  return out;
}

}  // namespace kaif::verify
