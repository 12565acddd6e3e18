#include "model/gguf_architecture.h"

#include <algorithm>
#include <cmath>

namespace kaif::model {
namespace {

struct GgufFamily {
  const char* arch;
  Family family;
};

constexpr GgufFamily kGgufFamilies[] = {{"llama", Family::kLlama},   {"qwen2", Family::kQwen2},
                                        {"qwen3", Family::kQwen3},   {"gemma2", Family::kGemma2},
                                        {"gemma3", Family::kGemma3}, {"exaone", Family::kExaone3},
                                        {"exaone4", Family::kExaone4}};

}  // namespace

Result<Architecture> ArchitectureFromGguf(const tensor::GgufFile& file, const std::string& source) {
  Architecture a;
  const tensor::GgufValue* arch = file.FindMetadata("general.architecture");
  if (!arch || arch->type != tensor::GgufValueType::kString) {
    return Status::InvalidInput(source + ": has no general.architecture; is it a model?");
  }
  a.model_type = arch->s;
  bool known = false;
  for (const GgufFamily& f : kGgufFamilies) {
    if (a.model_type == f.arch) a.family = f.family, known = true;
  }
  if (!known) {
    return Status::InvalidInput(source + ": GGUF architecture \"" + a.model_type +
                                "\" is not supported; kaif reads llama, qwen2, qwen3, gemma2, gemma3, exaone, exaone4");
  }
  auto number = [&](const std::string& key, bool required) -> Result<double> {
    const tensor::GgufValue* v = file.FindMetadata(a.model_type + "." + key);
    std::optional<double> n = v ? v->AsNumber() : std::nullopt;
    if (!n || !std::isfinite(*n) || *n < 0 || *n > 1e12) {
      if (required || v) return Status::InvalidInput(source + ": metadata " + a.model_type + "." + key + " is missing or invalid");
      return 0.0;
    }
    return *n;
  };
  KAIF_ASSIGN_OR_RETURN(double layers, number("block_count", true));
  KAIF_ASSIGN_OR_RETURN(double hidden, number("embedding_length", true));
  KAIF_ASSIGN_OR_RETURN(double ffn, number("feed_forward_length", true));
  KAIF_ASSIGN_OR_RETURN(double heads, number("attention.head_count", true));
  KAIF_ASSIGN_OR_RETURN(double kv_heads, number("attention.head_count_kv", false));
  KAIF_ASSIGN_OR_RETURN(double head_dim, number("attention.key_length", false));
  KAIF_ASSIGN_OR_RETURN(double context, number("context_length", false));
  KAIF_ASSIGN_OR_RETURN(double theta, number("rope.freq_base", false));
  KAIF_ASSIGN_OR_RETURN(double eps, number("attention.layer_norm_rms_epsilon", false));
  KAIF_ASSIGN_OR_RETURN(double vocab, number("vocab_size", false));
  KAIF_ASSIGN_OR_RETURN(double rope_factor, number("rope.scaling.factor", false));
  a.num_layers = static_cast<int>(layers);
  a.hidden_size = static_cast<int>(hidden);
  a.intermediate_size = static_cast<int>(ffn);
  a.num_heads = static_cast<int>(heads);
  a.num_kv_heads = kv_heads > 0 ? static_cast<int>(kv_heads) : a.num_heads;
  a.head_dim = head_dim > 0 ? static_cast<int>(head_dim) : (a.num_heads ? a.hidden_size / a.num_heads : 0);
  a.max_positions = static_cast<int>(context);
  if (theta > 0) a.rope.theta = theta;
  if (eps > 0) a.norm_eps = eps;
  if (const tensor::GgufValue* type = file.FindMetadata(a.model_type + ".rope.scaling.type"); type && type->s == "linear") {
    a.rope.scaling = RopeScaling::kLinear;
    a.rope.factor = rope_factor > 0 ? rope_factor : 1;
  }
  const tensor::TensorView* embed = file.Find("token_embd.weight");
  a.vocab_size = vocab > 0 ? static_cast<int>(vocab) : embed && !embed->shape.empty() ? static_cast<int>(embed->shape[0]) : 0;
  a.tie_embeddings = file.Find("output.weight") == nullptr;
  a.attention_bias = file.Find("blk.0.attn_q.bias") != nullptr;
  a.qk_norm = file.Find("blk.0.attn_q_norm.weight") != nullptr;
  a.layers.assign(static_cast<size_t>(std::max(0, a.num_layers)), LayerAttention::kFull);
  if (a.head_dim > 0) a.query_scale = 1.0 / std::sqrt(static_cast<double>(a.head_dim));
  if (const tensor::GgufValue* bos = file.FindMetadata("tokenizer.ggml.bos_token_id"); bos && bos->AsNumber()) {
    a.bos_token_id = static_cast<int>(*bos->AsNumber());
  }
  if (const tensor::GgufValue* eos = file.FindMetadata("tokenizer.ggml.eos_token_id"); eos && eos->AsNumber()) {
    a.eos_token_ids.push_back(static_cast<int>(*eos->AsNumber()));
  }
  return a;
}

}  // namespace kaif::model
