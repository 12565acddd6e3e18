// Which tensors an architecture needs, by name and shape, and the checks and identity of
// a checkpoint's weights.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/architecture.h"
#include "tensor/safetensors.h"
#include "util/status.h"

namespace kaif::model {

enum class Component { kEmbedding, kAttention, kMlp, kNorm, kOutput };
const char* ToString(Component component);

struct ExpectedTensor {
  std::string name;
  std::vector<uint64_t> shape;  // PyTorch order: [out, in] for projections
  Component component;
};

// Hugging Face names, in layer order (EXAONE 3.5 keeps its own "transformer.h.N" names).
std::vector<ExpectedTensor> ExpectedTensors(const Architecture& arch);

// Every expected tensor present with its shape; extra tensors (other than rotary caches)
// are errors too, since they mean the config does not describe these weights.
Status CheckWeights(const Architecture& arch, const tensor::SafetensorsCheckpoint& checkpoint);

// The identity results files use for a model: SHA-256 over every tensor in name order
// (name, dtype, shape, bytes), so the same weights give the same hash however they are
// sharded. The exact byte layout is in weights.cc.
std::string WeightsContentHash(const tensor::SafetensorsCheckpoint& checkpoint);
std::string WeightsContentHash(std::vector<const tensor::TensorView*> tensors);

}  // namespace kaif::model
