// Llama 2/3, Mistral, Qwen2/2.5 and Qwen3: pre-norm decoders that differ in biases, q/k
// norms, sliding windows and rope scaling.
#include "model/config_reader.h"

namespace kaif::model {

Status ApplyLlamaFamily(const ConfigReader& c, Architecture& arch) {
  arch.norm_placement = NormPlacement::kPre;
  arch.tie_embeddings = false;
  switch (arch.family) {
    case Family::kQwen2:
      arch.attention_bias = true;  // Qwen2 always has q/k/v biases; its config does not say so
      break;
    case Family::kQwen3:
      arch.qk_norm = true;
      break;
    case Family::kMistral:
      // Mistral 7B v0.1 slides every layer; later versions set sliding_window to null.
      if (arch.sliding_window > 0 && !c.Has("layer_types")) arch.layers.assign(arch.layers.size(), LayerAttention::kSliding);
      break;
    default:
      break;
  }
  bool use_sliding = false;
  KAIF_RETURN_IF_ERROR(c.Bool("use_sliding_window", use_sliding));
  if ((arch.family == Family::kQwen2 || arch.family == Family::kQwen3) && !use_sliding && !c.Has("layer_types")) {
    arch.sliding_window = 0;  // Qwen configs carry a window they do not use
  }
  return Status::Ok();
}

}  // namespace kaif::model
