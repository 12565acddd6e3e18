// What a tensor is, whatever the file's naming: Hugging Face ("model.layers.3.mlp.gate_proj
// .weight") and llama.cpp ("blk.3.ffn_gate.weight") names map to the same role, so a GGUF
// candidate is compared with a safetensors reference tensor by tensor. Tensors of vision
// or audio towers keep their component name; unknown names keep their own.
#pragma once

#include <optional>
#include <string>

namespace kaif::verify {

struct TensorRole {
  std::string component;  // "text", "vision", "audio"
  std::optional<int> layer;
  std::string role;       // "mlp.gate", "mlp.up", "mlp.down", "attn.q", "attn.k", "attn.v", "attn.o",
                          // "norm.input", "norm.post_attention", ..., "embed", "lm_head", "norm.final",
                          // else the name itself
  // "text/3/mlp.gate": equal keys are the same tensor in two models.
  std::string Key() const;
};

TensorRole RoleOf(const std::string& name);

}  // namespace kaif::verify
