// What a model is, as far as running it goes: the shape and the variant of every layer,
// read from Hugging Face config.json. Variants are values, not subclasses: one forward
// pass serves every family, switching on these fields.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace kaif::model {

enum class Family { kLlama, kMistral, kQwen2, kQwen3, kGemma2, kGemma3, kExaone3, kExaone4 };
enum class RopeScaling { kNone, kLinear, kDynamic, kYarn, kLlama3 };
enum class Activation { kSilu, kGeluTanh };
enum class LayerAttention { kFull, kSliding };

// Where the RMS norms sit around attention and the MLP.
enum class NormPlacement {
  kPre,       // x + f(norm(x)): Llama, Mistral, Qwen, EXAONE 3.5
  kSandwich,  // x + norm_post(f(norm_pre(x))): Gemma 2 and 3
  kPost,      // x + norm_post(f(x)): EXAONE 4
};

struct Rope {
  double theta = 10000;
  RopeScaling scaling = RopeScaling::kNone;
  double factor = 1;
  double low_freq_factor = 1, high_freq_factor = 4;  // llama3
  int original_max_positions = 0;                    // llama3, yarn
  double beta_fast = 32, beta_slow = 1;              // yarn
  std::optional<double> attention_factor;            // yarn
};

struct Architecture {
  Family family = Family::kLlama;
  std::string model_type;  // as config.json says
  int vocab_size = 0;
  int hidden_size = 0;
  int intermediate_size = 0;
  int num_layers = 0;
  int num_heads = 0;
  int num_kv_heads = 0;  // < num_heads: grouped-query attention
  int head_dim = 0;
  int max_positions = 0;
  double norm_eps = 1e-6;
  Activation activation = Activation::kSilu;
  NormPlacement norm_placement = NormPlacement::kPre;
  bool norm_weight_plus_one = false;  // Gemma stores RMS norm weights as (w - 1)
  bool qk_norm = false;               // RMS norm on each head's queries and keys (Qwen3, Gemma 3, EXAONE 4)
  bool tie_embeddings = false;        // the output projection reuses the embedding matrix
  bool attention_bias = false;        // q/k/v projections have biases (Qwen2)
  double embedding_scale = 1;         // Gemma multiplies embeddings by sqrt(hidden_size)
  double query_scale = 0;             // attention scores x this; 1/sqrt(head_dim) unless set
  std::optional<double> attn_logit_softcap;
  std::optional<double> final_logit_softcap;
  Rope rope;                          // full-attention layers
  std::optional<Rope> local_rope;     // sliding layers, when they differ (Gemma 3)
  int sliding_window = 0;             // 0: none
  bool full_layers_without_rope = false;  // EXAONE 4: global layers use no positions (NoPE)
  std::vector<LayerAttention> layers;  // one per layer
  std::optional<int> bos_token_id;
  std::vector<int> eos_token_ids;

  long long ParameterCount() const;
};

const char* ToString(Family family);
const char* ToString(RopeScaling scaling);
const char* ToString(NormPlacement placement);

// The architectures kaif reads, for messages: "llama, mistral, qwen2, ...".
std::string SupportedModelTypes();

}  // namespace kaif::model
