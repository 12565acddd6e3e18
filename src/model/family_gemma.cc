// Gemma 2 and 3: sandwich norms with weights stored as (w - 1), embeddings scaled by
// sqrt(hidden_size), GELU-tanh, alternating sliding and global layers; Gemma 2 soft-caps
// attention and final logits, Gemma 3 normalises queries and keys and runs the sliding
// layers with their own rope base.
#include <cmath>

#include "model/config_reader.h"

namespace kaif::model {

Status ApplyGemmaFamily(const ConfigReader& c, Architecture& arch) {
  arch.norm_placement = NormPlacement::kSandwich;
  arch.norm_weight_plus_one = true;
  arch.tie_embeddings = true;
  arch.embedding_scale = std::sqrt(static_cast<double>(arch.hidden_size));
  double query_pre_attn_scalar = arch.head_dim;
  KAIF_RETURN_IF_ERROR(c.Number({"query_pre_attn_scalar"}, query_pre_attn_scalar, false));
  if (query_pre_attn_scalar <= 0) return c.Error("query_pre_attn_scalar", "must be positive");
  arch.query_scale = 1.0 / std::sqrt(query_pre_attn_scalar);
  KAIF_RETURN_IF_ERROR(c.OptionalNumber("attn_logit_softcapping", arch.attn_logit_softcap));
  KAIF_RETURN_IF_ERROR(c.OptionalNumber("final_logit_softcapping", arch.final_logit_softcap));
  bool has_layer_types = c.Has("layer_types");
  if (arch.family == Family::kGemma2) {
    if (!has_layer_types) {
      for (size_t i = 0; i < arch.layers.size(); ++i) arch.layers[i] = i % 2 == 0 ? LayerAttention::kSliding : LayerAttention::kFull;
    }
    return Status::Ok();
  }
  arch.qk_norm = true;
  if (!has_layer_types) {
    int pattern = 6;  // five sliding layers, then one global
    KAIF_RETURN_IF_ERROR(c.Int({"sliding_window_pattern"}, pattern, false));
    if (pattern < 1) return c.Error("sliding_window_pattern", "must be at least 1");
    for (size_t i = 0; i < arch.layers.size(); ++i) {
      arch.layers[i] = (i + 1) % static_cast<size_t>(pattern) == 0 ? LayerAttention::kFull : LayerAttention::kSliding;
    }
  }
  if (!arch.local_rope) {
    Rope local;  // transformers 4 spelling: the sliding layers' base, unscaled
    KAIF_RETURN_IF_ERROR(c.Number({"rope_local_base_freq"}, local.theta, false));
    arch.local_rope = local;
  }
  return Status::Ok();
}

}  // namespace kaif::model
