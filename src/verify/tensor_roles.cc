#include "verify/tensor_roles.h"

#include <map>
#include <regex>

namespace kaif::verify {

std::string TensorRole::Key() const {
  return component + "/" + (layer ? std::to_string(*layer) : std::string("-")) + "/" + role;
}

TensorRole RoleOf(const std::string& name) {
  // Suffixes after the layer number, in both naming schemes.
  static const std::map<std::string, std::string> kLayerRoles = {
      {"mlp.gate_proj.weight", "mlp.gate"},   {"ffn_gate.weight", "mlp.gate"},
      {"mlp.up_proj.weight", "mlp.up"},       {"ffn_up.weight", "mlp.up"},
      {"mlp.down_proj.weight", "mlp.down"},   {"ffn_down.weight", "mlp.down"},
      {"self_attn.q_proj.weight", "attn.q"},  {"attn_q.weight", "attn.q"},
      {"self_attn.k_proj.weight", "attn.k"},  {"attn_k.weight", "attn.k"},
      {"self_attn.v_proj.weight", "attn.v"},  {"attn_v.weight", "attn.v"},
      {"self_attn.o_proj.weight", "attn.o"},  {"attn_output.weight", "attn.o"},
      {"input_layernorm.weight", "norm.input"}, {"attn_norm.weight", "norm.input"},
      {"post_attention_layernorm.weight", "norm.post_attention"}, {"ffn_norm.weight", "norm.post_attention"},
      {"self_attn.q_norm.weight", "norm.q"},  {"attn_q_norm.weight", "norm.q"},
      {"self_attn.k_norm.weight", "norm.k"},  {"attn_k_norm.weight", "norm.k"},
      {"pre_feedforward_layernorm.weight", "norm.pre_mlp"},
      {"post_feedforward_layernorm.weight", "norm.post_mlp"},
      {"self_attn.q_proj.bias", "attn.q.bias"}, {"attn_q.bias", "attn.q.bias"},
      {"self_attn.k_proj.bias", "attn.k.bias"}, {"attn_k.bias", "attn.k.bias"},
      {"self_attn.v_proj.bias", "attn.v.bias"}, {"attn_v.bias", "attn.v.bias"},
      // Plain (not gated) MLPs of vision and audio towers: fc1 widens, fc2 narrows.
      {"mlp.fc1.weight", "mlp.up"},           {"mlp.fc2.weight", "mlp.down"},
      // Mixture-of-experts layers: the router, the shared expert, and GGUF's stacked experts
      // ([experts x units x dim] in one tensor).
      {"mlp.gate.weight", "moe.router"},      {"block_sparse_moe.gate.weight", "moe.router"},
      {"ffn_gate_inp.weight", "moe.router"},
      {"ffn_gate_exps.weight", "moe.gate"},   {"ffn_up_exps.weight", "moe.up"},
      {"ffn_down_exps.weight", "moe.down"},
      {"mlp.shared_expert.gate_proj.weight", "moe.shared.gate"}, {"mlp.shared_experts.gate_proj.weight", "moe.shared.gate"},
      {"ffn_gate_shexp.weight", "moe.shared.gate"},
      {"mlp.shared_expert.up_proj.weight", "moe.shared.up"}, {"mlp.shared_experts.up_proj.weight", "moe.shared.up"},
      {"ffn_up_shexp.weight", "moe.shared.up"},
      {"mlp.shared_expert.down_proj.weight", "moe.shared.down"}, {"mlp.shared_experts.down_proj.weight", "moe.shared.down"},
      {"ffn_down_shexp.weight", "moe.shared.down"}};
  // One expert of a mixture-of-experts layer (Mixtral's w1/w3/w2 are gate/up/down).
  static const std::regex kExpert(R"(^(?:mlp|block_sparse_moe)\.experts\.(\d+)\.(gate_proj|up_proj|down_proj|w1|w3|w2)\.weight$)");
  static const std::map<std::string, std::string> kExpertRoles = {
      {"gate_proj", "gate"}, {"w1", "gate"}, {"up_proj", "up"}, {"w3", "up"}, {"down_proj", "down"}, {"w2", "down"}};
  static const std::map<std::string, std::string> kGlobalRoles = {
      {"model.embed_tokens.weight", "embed"}, {"token_embd.weight", "embed"}, {"transformer.wte.weight", "embed"},
      {"lm_head.weight", "lm_head"},          {"output.weight", "lm_head"},
      {"model.norm.weight", "norm.final"},    {"output_norm.weight", "norm.final"},
      {"transformer.ln_f.weight", "norm.final"}};
  TensorRole r;
  r.component = "text";
  if (name.find("vision") != std::string::npos || name.find("visual") != std::string::npos ||
      name.rfind("v.", 0) == 0 || name.find("mm_projector") != std::string::npos) {
    r.component = "vision";
  } else if (name.find("audio") != std::string::npos || name.rfind("a.", 0) == 0) {
    r.component = "audio";
  }
  if (auto g = kGlobalRoles.find(name); g != kGlobalRoles.end()) {
    r.role = g->second;
    return r;
  }
  static const std::regex kLayer(R"((?:^|\.)(?:layers|blk|h|blocks)\.(\d+)\.(.+)$)");
  std::smatch m;
  if (std::regex_search(name, m, kLayer)) {
    r.layer = std::stoi(m[1].str());
    const std::string rest = m[2].str();
    std::smatch e;
    if (auto known = kLayerRoles.find(rest); known != kLayerRoles.end()) {
      r.role = known->second;
    } else if (std::regex_match(rest, e, kExpert)) {
      r.role = "moe." + e[1].str() + "." + kExpertRoles.at(e[2].str());
    } else {
      r.role = rest;
    }
    return r;
  }
  r.role = name;
  return r;
}

}  // namespace kaif::verify
