// A model ready to run: its Architecture and every weight the forward pass reads, as
// views into the mapped checkpoint (safetensors folder or GGUF file). Matrices stay in
// the file's dtype and are converted in registers by the kernels, so a BF16 model costs
// its file size once, not twice; norms and biases, which are small, are copied to float32.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/kernels.h"
#include "model/architecture.h"
#include "tensor/gguf.h"
#include "tensor/safetensors.h"
#include "util/status.h"

namespace kaif::engine {

struct LayerWeights {
  WeightMatrix q, k, v, o, gate, up, down;
  std::vector<float> q_bias, k_bias, v_bias;  // empty without attention bias
  // RMS norm weights as multiplied (Gemma's stored w - 1 already turned into w), named as
  // Hugging Face names them; empty where the norm placement has none. With pre norms,
  // post_attention_norm is the MLP's input norm; elsewhere it follows attention.
  std::vector<float> input_norm, post_attention_norm, pre_ffn_norm, post_ffn_norm;
  std::vector<float> q_norm, k_norm;  // per head, when qk_norm
};

struct ModelWeights {
  model::Architecture arch;
  WeightMatrix embedding;  // [vocab x hidden]
  WeightMatrix output;     // [vocab x hidden]; the embedding when tied
  std::vector<float> final_norm;
  std::vector<LayerWeights> layers;
  // llama.cpp's converter permutes the query and key rows of Llama-family models so that
  // rotary pairs are adjacent (2i, 2i+1) instead of (i, i + head_dim/2).
  bool interleaved_rope = false;
  // GGUF rope_freqs: per-frequency divisors (Llama 3.1 scaling as llama.cpp stores it).
  std::vector<float> rope_freq_divisors;
  std::string source;

  std::unique_ptr<tensor::SafetensorsCheckpoint> safetensors;
  std::unique_ptr<tensor::GgufFile> gguf;
};

struct OpenOptions {
  // Reads every weight once to find NaN or infinite values (reported with the tensor's
  // name). Costs one pass over the file.
  bool check_finite = true;
};

// A folder with config.json and safetensors, or a .gguf file. InvalidInput for a missing
// tensor, a shape that disagrees with the config, a dtype the engine does not compute
// with, or a non-finite weight.
Result<std::unique_ptr<ModelWeights>> OpenModelWeights(const std::filesystem::path& path, const OpenOptions& options = {});

}  // namespace kaif::engine
