#include "model/weights.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <set>

#include "util/sha256.h"

namespace kaif::model {
namespace {

using U = uint64_t;

void Add(std::vector<ExpectedTensor>& out, std::string name, std::vector<U> shape, Component c) {
  out.push_back({std::move(name), std::move(shape), c});
}

std::string Shape(const std::vector<U>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

}  // namespace

const char* ToString(Component component) {
  switch (component) {
    case Component::kEmbedding: return "embedding";
    case Component::kAttention: return "attention";
    case Component::kMlp: return "mlp";
    case Component::kNorm: return "norms";
    case Component::kOutput: return "output";
  }
  return "?";
}

std::vector<ExpectedTensor> ExpectedTensors(const Architecture& a) {
  std::vector<ExpectedTensor> t;
  U vocab = static_cast<U>(a.vocab_size), hidden = static_cast<U>(a.hidden_size), inter = static_cast<U>(a.intermediate_size);
  U q = static_cast<U>(a.num_heads * a.head_dim), kv = static_cast<U>(a.num_kv_heads * a.head_dim);
  U head = static_cast<U>(a.head_dim);
  if (a.family == Family::kExaone3) {
    // EXAONE 3.5's own module names: c_fc_0 is the gate, c_fc_1 the up projection.
    Add(t, "transformer.wte.weight", {vocab, hidden}, Component::kEmbedding);
    for (int i = 0; i < a.num_layers; ++i) {
      std::string p = fmt::format("transformer.h.{}.", i);
      Add(t, p + "ln_1.weight", {hidden}, Component::kNorm);
      Add(t, p + "attn.attention.q_proj.weight", {q, hidden}, Component::kAttention);
      Add(t, p + "attn.attention.k_proj.weight", {kv, hidden}, Component::kAttention);
      Add(t, p + "attn.attention.v_proj.weight", {kv, hidden}, Component::kAttention);
      Add(t, p + "attn.attention.out_proj.weight", {hidden, q}, Component::kAttention);
      Add(t, p + "ln_2.weight", {hidden}, Component::kNorm);
      Add(t, p + "mlp.c_fc_0.weight", {inter, hidden}, Component::kMlp);
      Add(t, p + "mlp.c_fc_1.weight", {inter, hidden}, Component::kMlp);
      Add(t, p + "mlp.c_proj.weight", {hidden, inter}, Component::kMlp);
    }
    Add(t, "transformer.ln_f.weight", {hidden}, Component::kNorm);
    if (!a.tie_embeddings) Add(t, "lm_head.weight", {vocab, hidden}, Component::kOutput);
    return t;
  }
  Add(t, "model.embed_tokens.weight", {vocab, hidden}, Component::kEmbedding);
  for (int i = 0; i < a.num_layers; ++i) {
    std::string p = fmt::format("model.layers.{}.", i);
    if (a.norm_placement != NormPlacement::kPost) Add(t, p + "input_layernorm.weight", {hidden}, Component::kNorm);
    Add(t, p + "self_attn.q_proj.weight", {q, hidden}, Component::kAttention);
    Add(t, p + "self_attn.k_proj.weight", {kv, hidden}, Component::kAttention);
    Add(t, p + "self_attn.v_proj.weight", {kv, hidden}, Component::kAttention);
    if (a.attention_bias) {
      Add(t, p + "self_attn.q_proj.bias", {q}, Component::kAttention);
      Add(t, p + "self_attn.k_proj.bias", {kv}, Component::kAttention);
      Add(t, p + "self_attn.v_proj.bias", {kv}, Component::kAttention);
    }
    Add(t, p + "self_attn.o_proj.weight", {hidden, q}, Component::kAttention);
    if (a.qk_norm) {
      Add(t, p + "self_attn.q_norm.weight", {head}, Component::kNorm);
      Add(t, p + "self_attn.k_norm.weight", {head}, Component::kNorm);
    }
    Add(t, p + "post_attention_layernorm.weight", {hidden}, Component::kNorm);
    if (a.norm_placement == NormPlacement::kSandwich) {
      Add(t, p + "pre_feedforward_layernorm.weight", {hidden}, Component::kNorm);
    }
    if (a.norm_placement != NormPlacement::kPre) {
      Add(t, p + "post_feedforward_layernorm.weight", {hidden}, Component::kNorm);
    }
    Add(t, p + "mlp.gate_proj.weight", {inter, hidden}, Component::kMlp);
    Add(t, p + "mlp.up_proj.weight", {inter, hidden}, Component::kMlp);
    Add(t, p + "mlp.down_proj.weight", {hidden, inter}, Component::kMlp);
  }
  Add(t, "model.norm.weight", {hidden}, Component::kNorm);
  if (!a.tie_embeddings) Add(t, "lm_head.weight", {vocab, hidden}, Component::kOutput);
  return t;
}

Status CheckWeights(const Architecture& arch, const tensor::SafetensorsCheckpoint& checkpoint) {
  std::vector<std::string> problems;
  std::set<std::string> expected_names;
  for (const ExpectedTensor& e : ExpectedTensors(arch)) {
    expected_names.insert(e.name);
    const tensor::TensorView* t = checkpoint.Find(e.name);
    if (!t) {
      problems.push_back("missing " + e.name);
    } else if (t->shape != e.shape) {
      problems.push_back(fmt::format("{} is {}, config.json implies {}", e.name, Shape(t->shape), Shape(e.shape)));
    }
  }
  for (const tensor::TensorView* t : checkpoint.tensors()) {
    bool rotary_cache = t->name.find("rotary_emb.inv_freq") != std::string::npos;
    // A tied model may still store the output matrix; it must then equal the embedding's shape.
    bool tied_head = arch.tie_embeddings && t->name == "lm_head.weight";
    if (!expected_names.count(t->name) && !rotary_cache && !tied_head) problems.push_back("unexpected " + t->name);
  }
  if (problems.empty()) return Status::Ok();
  std::string list;
  for (size_t i = 0; i < problems.size() && i < 8; ++i) list += "\n  " + problems[i];
  if (problems.size() > 8) list += fmt::format("\n  ... and {} more", problems.size() - 8);
  return Status::InvalidInput(fmt::format("the weights do not match config.json ({} {} layers, hidden {}): {} "
                                          "problems:{}",
                                          ToString(arch.family), arch.num_layers, arch.hidden_size, problems.size(), list));
}

std::string WeightsContentHash(const tensor::SafetensorsCheckpoint& checkpoint) {
  return WeightsContentHash(checkpoint.tensors());
}

std::string WeightsContentHash(std::vector<const tensor::TensorView*> tensors) {
  std::sort(tensors.begin(), tensors.end(), [](const auto* a, const auto* b) { return a->name < b->name; });
  // Layout: "kaif-weights/1\n", then per tensor: name \0 dtype \0 shape "d0,d1" \0 byte
  // count \0 bytes.
  Sha256 hash;
  hash.Update("kaif-weights/1\n");
  for (const tensor::TensorView* t : tensors) {
    std::string shape;
    for (size_t i = 0; i < t->shape.size(); ++i) shape += (i ? "," : "") + std::to_string(t->shape[i]);
    std::string head = t->name + '\0' + tensor::Info(t->dtype).name + '\0' + shape + '\0' + std::to_string(t->nbytes);
    hash.Update(head.data(), head.size() + 1);  // with its terminating \0
    hash.Update(t->data, t->nbytes);
  }
  return hash.FinishHex();
}

}  // namespace kaif::model
