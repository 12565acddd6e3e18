// EXAONE 3.5 (LG AI Research; Llama-like pre-norm decoder with its own tensor names) and
// EXAONE 4 (post-norm: norms after attention and the MLP, q/k norms, sliding local layers
// with rope and global layers without positions).
#include <string>

#include "model/config_reader.h"

namespace kaif::model {

Status ApplyExaoneFamily(const ConfigReader& c, Architecture& arch) {
  if (arch.family == Family::kExaone3) {
    arch.norm_placement = NormPlacement::kPre;
    arch.tie_embeddings = false;
    return Status::Ok();
  }
  arch.norm_placement = NormPlacement::kPost;
  arch.qk_norm = true;
  arch.tie_embeddings = false;
  if (!c.Has("layer_types") && arch.sliding_window > 0 && c.Has("sliding_window_pattern")) {
    // An integer n: every n-th layer is global; a string such as "LLLG": L local, G global, repeating.
    const nlohmann::json& p = c.value()["sliding_window_pattern"];
    std::string pattern;
    if (p.is_number_integer() && p.get<int>() > 0) {
      pattern.assign(static_cast<size_t>(p.get<int>() - 1), 'L');
      pattern += 'G';
    } else if (p.is_string() && !p.get<std::string>().empty()) {
      pattern = p.get<std::string>();
    } else {
      return c.Error("sliding_window_pattern", "must be a positive number or a string of L and G");
    }
    for (size_t i = 0; i < arch.layers.size(); ++i) {
      char kind = pattern[i % pattern.size()];
      if (kind != 'L' && kind != 'G') return c.Error("sliding_window_pattern", "may hold only L and G");
      arch.layers[i] = kind == 'L' ? LayerAttention::kSliding : LayerAttention::kFull;
    }
  }
  bool any_sliding = false;
  for (LayerAttention l : arch.layers) any_sliding = any_sliding || l == LayerAttention::kSliding;
  arch.full_layers_without_rope = any_sliding && arch.sliding_window > 0;
  return Status::Ok();
}

}  // namespace kaif::model
