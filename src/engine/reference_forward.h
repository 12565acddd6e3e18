// The plain forward pass of every architecture in model/, in float32, one sequence at a
// time, written for clarity rather than speed: the yardstick the optimized engine is
// tested against, and itself tested against Hugging Face transformers' logits.
#pragma once

#include <vector>

#include "model/architecture.h"
#include "tensor/safetensors.h"
#include "util/status.h"

namespace kaif::engine {

// Logits for every position of `ids`, row-major [ids.size() x vocab_size]. InvalidInput
// for a token id outside the vocabulary or a missing tensor.
Result<std::vector<float>> ReferenceForward(const model::Architecture& arch,
                                            const tensor::SafetensorsCheckpoint& weights, const std::vector<int>& ids);

// Inverse frequencies of the rotary embedding for `rope` (default, linear, dynamic at
// `seq_len`, yarn, llama3) and the factor cos/sin are scaled by (yarn's attention factor).
void RopeFrequencies(const model::Rope& rope, int head_dim, int max_positions, int seq_len,
                     std::vector<double>& inv_freq, double& attention_factor);

}  // namespace kaif::engine
