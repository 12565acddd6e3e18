#include "engine/model_weights.h"

#include <fmt/format.h>

#include <cstring>

#include "model/config_file.h"
#include "model/gguf_architecture.h"
#include "model/weights.h"

namespace kaif::engine {
namespace {

using model::Architecture;
using model::NormPlacement;

// Where a checkpoint keeps each weight: Hugging Face names, EXAONE 3.5's own, or llama.cpp's.
struct TensorNames {
  std::string embedding, final_norm, output;
  std::string q, k, v, o, gate, up, down, q_bias, k_bias, v_bias;
  std::string input_norm, post_attention_norm, pre_ffn_norm, post_ffn_norm, q_norm, k_norm;
};

TensorNames HuggingFaceNames(const Architecture& a, int layer) {
  std::string p = fmt::format("model.layers.{}.", layer);
  TensorNames n{"model.embed_tokens.weight", "model.norm.weight", "lm_head.weight",
                p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight", p + "self_attn.v_proj.weight",
                p + "self_attn.o_proj.weight", p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight",
                p + "mlp.down_proj.weight", p + "self_attn.q_proj.bias", p + "self_attn.k_proj.bias",
                p + "self_attn.v_proj.bias", p + "input_layernorm.weight", p + "post_attention_layernorm.weight",
                p + "pre_feedforward_layernorm.weight", p + "post_feedforward_layernorm.weight",
                p + "self_attn.q_norm.weight", p + "self_attn.k_norm.weight"};
  if (a.family == model::Family::kExaone3) {
    p = fmt::format("transformer.h.{}.", layer);
    n.embedding = "transformer.wte.weight";
    n.final_norm = "transformer.ln_f.weight";
    n.q = p + "attn.attention.q_proj.weight";
    n.k = p + "attn.attention.k_proj.weight";
    n.v = p + "attn.attention.v_proj.weight";
    n.o = p + "attn.attention.out_proj.weight";
    n.gate = p + "mlp.c_fc_0.weight";
    n.up = p + "mlp.c_fc_1.weight";
    n.down = p + "mlp.c_proj.weight";
    n.input_norm = p + "ln_1.weight";
    n.post_attention_norm = p + "ln_2.weight";
  }
  return n;
}

TensorNames LlamaCppNames(int layer) {
  std::string p = fmt::format("blk.{}.", layer);
  return TensorNames{"token_embd.weight", "output_norm.weight", "output.weight",
                     p + "attn_q.weight", p + "attn_k.weight", p + "attn_v.weight", p + "attn_output.weight",
                     p + "ffn_gate.weight", p + "ffn_up.weight", p + "ffn_down.weight", p + "attn_q.bias",
                     p + "attn_k.bias", p + "attn_v.bias", p + "attn_norm.weight", p + "ffn_norm.weight", "", "",
                     p + "attn_q_norm.weight", p + "attn_k_norm.weight"};
}

// Looks tensors up by name in whichever file the weights came from.
class TensorSource {
 public:
  explicit TensorSource(const ModelWeights& w) : w_(w) {}

  const tensor::TensorView* Find(const std::string& name) const {
    return w_.safetensors ? w_.safetensors->Find(name) : w_.gguf->Find(name);
  }

  Result<WeightMatrix> Matrix(const std::string& name, size_t rows, size_t cols) const {
    const tensor::TensorView* t = Find(name);
    if (!t) return Status::InvalidInput(w_.source + ": has no tensor " + name);
    if (t->shape.size() != 2 || t->shape[0] != rows || t->shape[1] != cols) {
      return Status::InvalidInput(fmt::format("{}: tensor {} should be [{}, {}] for this config", w_.source, name, rows, cols));
    }
    if (!IsComputeType(t->dtype)) {
      return Status::InvalidInput(fmt::format("{}: tensor {} is {}; the engine computes with F32, F16, BF16 and Q8_0 weights",
                                              w_.source, name, tensor::Info(t->dtype).name));
    }
    WeightMatrix m;
    m.name = name;
    m.dtype = t->dtype;
    m.rows = rows;
    m.cols = cols;
    m.data = t->data;
    m.row_bytes = static_cast<size_t>(tensor::StorageBytes(t->dtype, cols).value_or(0));
    if (m.row_bytes == 0 || m.row_bytes * rows != t->nbytes) {
      return Status::InvalidInput(fmt::format("{}: tensor {} rows of {} {} values do not split into whole blocks", w_.source,
                                              name, cols, tensor::Info(t->dtype).name));
    }
    return m;
  }

  Result<std::vector<float>> Vector(const std::string& name, size_t size, bool plus_one) const {
    const tensor::TensorView* t = Find(name);
    if (!t) return Status::InvalidInput(w_.source + ": has no tensor " + name);
    if (t->elements() != size) {
      return Status::InvalidInput(fmt::format("{}: tensor {} should have {} values for this config", w_.source, name, size));
    }
    std::vector<float> v(size);
    KAIF_RETURN_IF_ERROR(tensor::ToFloat32(*t, v.data()).WithContext(w_.source + ": " + name));
    for (float& x : v) {
      if (plus_one) x = 1.0f + x;
      if (!std::isfinite(x)) return Status::InvalidInput(w_.source + ": tensor " + name + " holds NaN or infinite values");
    }
    return v;
  }

 private:
  const ModelWeights& w_;
};

// Whether every value of a matrix is finite, by its exponent bits (Q8_0: its scales).
bool AllFinite(const WeightMatrix& m) {
  const size_t bytes = m.rows * m.row_bytes;
  auto scan16 = [&](uint16_t mask, size_t stride, size_t offset) {
    for (size_t i = offset; i + 2 <= bytes; i += stride) {
      uint16_t bits;
      std::memcpy(&bits, m.data + i, 2);
      if ((bits & mask) == mask) return false;
    }
    return true;
  };
  switch (m.dtype) {
    case tensor::DType::kF32:
      for (size_t i = 0; i + 4 <= bytes; i += 4) {
        uint32_t bits;
        std::memcpy(&bits, m.data + i, 4);
        if ((bits & 0x7f800000u) == 0x7f800000u) return false;
      }
      return true;
    case tensor::DType::kBF16: return scan16(0x7f80, 2, 0);
    case tensor::DType::kF16: return scan16(0x7c00, 2, 0);
    case tensor::DType::kQ8_0: return scan16(0x7c00, 34, 0);
    default: return true;
  }
}

Status LoadLayers(ModelWeights& w, bool from_gguf) {
  const Architecture& a = w.arch;
  const TensorSource src(w);
  const size_t hidden = static_cast<size_t>(a.hidden_size), inter = static_cast<size_t>(a.intermediate_size);
  const size_t q_dim = static_cast<size_t>(a.num_heads * a.head_dim), kv_dim = static_cast<size_t>(a.num_kv_heads * a.head_dim);
  const size_t vocab = static_cast<size_t>(a.vocab_size), head = static_cast<size_t>(a.head_dim);
  const bool plus_one = a.norm_weight_plus_one;
  TensorNames top = from_gguf ? LlamaCppNames(0) : HuggingFaceNames(a, 0);
  KAIF_ASSIGN_OR_RETURN(w.embedding, src.Matrix(top.embedding, vocab, hidden));
  if (a.tie_embeddings) {
    w.output = w.embedding;
  } else {
    KAIF_ASSIGN_OR_RETURN(w.output, src.Matrix(top.output, vocab, hidden));
  }
  KAIF_ASSIGN_OR_RETURN(w.final_norm, src.Vector(top.final_norm, hidden, plus_one));
  for (int i = 0; i < a.num_layers; ++i) {
    TensorNames n = from_gguf ? LlamaCppNames(i) : HuggingFaceNames(a, i);
    LayerWeights l;
    KAIF_ASSIGN_OR_RETURN(l.q, src.Matrix(n.q, q_dim, hidden));
    KAIF_ASSIGN_OR_RETURN(l.k, src.Matrix(n.k, kv_dim, hidden));
    KAIF_ASSIGN_OR_RETURN(l.v, src.Matrix(n.v, kv_dim, hidden));
    KAIF_ASSIGN_OR_RETURN(l.o, src.Matrix(n.o, hidden, q_dim));
    KAIF_ASSIGN_OR_RETURN(l.gate, src.Matrix(n.gate, inter, hidden));
    KAIF_ASSIGN_OR_RETURN(l.up, src.Matrix(n.up, inter, hidden));
    KAIF_ASSIGN_OR_RETURN(l.down, src.Matrix(n.down, hidden, inter));
    if (a.attention_bias) {
      KAIF_ASSIGN_OR_RETURN(l.q_bias, src.Vector(n.q_bias, q_dim, false));
      KAIF_ASSIGN_OR_RETURN(l.k_bias, src.Vector(n.k_bias, kv_dim, false));
      KAIF_ASSIGN_OR_RETURN(l.v_bias, src.Vector(n.v_bias, kv_dim, false));
    }
    if (a.qk_norm) {
      KAIF_ASSIGN_OR_RETURN(l.q_norm, src.Vector(n.q_norm, head, plus_one));
      KAIF_ASSIGN_OR_RETURN(l.k_norm, src.Vector(n.k_norm, head, plus_one));
    }
    if (a.norm_placement != NormPlacement::kPost) {
      KAIF_ASSIGN_OR_RETURN(l.input_norm, src.Vector(n.input_norm, hidden, plus_one));
    }
    KAIF_ASSIGN_OR_RETURN(l.post_attention_norm, src.Vector(n.post_attention_norm, hidden, plus_one));
    if (a.norm_placement == NormPlacement::kSandwich) {
      KAIF_ASSIGN_OR_RETURN(l.pre_ffn_norm, src.Vector(n.pre_ffn_norm, hidden, plus_one));
    }
    if (a.norm_placement != NormPlacement::kPre) {
      KAIF_ASSIGN_OR_RETURN(l.post_ffn_norm, src.Vector(n.post_ffn_norm, hidden, plus_one));
    }
    w.layers.push_back(std::move(l));
  }
  return Status::Ok();
}

Status CheckFinite(const ModelWeights& w) {
  std::vector<const WeightMatrix*> all = {&w.embedding, &w.output};
  for (const LayerWeights& l : w.layers) {
    for (const WeightMatrix* m : {&l.q, &l.k, &l.v, &l.o, &l.gate, &l.up, &l.down}) all.push_back(m);
  }
  std::vector<char> finite(all.size(), 1);
#pragma omp parallel for schedule(dynamic)
  for (size_t i = 0; i < all.size(); ++i) finite[i] = AllFinite(*all[i]);
  for (size_t i = 0; i < all.size(); ++i) {
    if (!finite[i]) return Status::InvalidInput(w.source + ": tensor " + all[i]->name + " holds NaN or infinite values");
  }
  return Status::Ok();
}

Status CheckArchitecture(const Architecture& a, const std::string& source) {
  if (a.num_layers <= 0 || a.hidden_size <= 0 || a.num_heads <= 0 || a.num_kv_heads <= 0 || a.head_dim <= 0 ||
      a.vocab_size <= 0 || a.intermediate_size <= 0 || a.num_heads % a.num_kv_heads != 0 || a.head_dim % 2 != 0 ||
      a.layers.size() != static_cast<size_t>(a.num_layers)) {
    return Status::InvalidInput(source + ": the model's dimensions are not a runnable transformer");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<ModelWeights>> OpenModelWeights(const std::filesystem::path& path, const OpenOptions& options) {
  auto w = std::make_unique<ModelWeights>();
  w->source = path.string();
  const bool from_gguf = path.extension() == ".gguf";
  if (from_gguf) {
    KAIF_ASSIGN_OR_RETURN(w->gguf, tensor::GgufFile::Open(path));
    KAIF_ASSIGN_OR_RETURN(w->arch, model::ArchitectureFromGguf(*w->gguf, w->source));
    if (w->arch.family != model::Family::kLlama && w->arch.family != model::Family::kQwen2 &&
        w->arch.family != model::Family::kQwen3) {
      return Status::InvalidInput(w->source + ": the engine runs GGUF llama, qwen2 and qwen3 models; for " +
                                  w->arch.model_type + " use the safetensors checkpoint");
    }
    // llama.cpp's converter permutes Llama's query and key rows for adjacent-pair rotation.
    w->interleaved_rope = w->arch.family == model::Family::kLlama;
    if (const tensor::TensorView* freqs = w->gguf->Find("rope_freqs.weight")) {
      if (freqs->elements() != static_cast<uint64_t>(w->arch.head_dim / 2)) {
        return Status::InvalidInput(w->source + ": rope_freqs.weight does not have head_dim / 2 values");
      }
      w->rope_freq_divisors.resize(freqs->elements());
      KAIF_RETURN_IF_ERROR(tensor::ToFloat32(*freqs, w->rope_freq_divisors.data()));
    }
  } else {
    KAIF_ASSIGN_OR_RETURN(w->arch, model::LoadConfig(path));
    KAIF_ASSIGN_OR_RETURN(w->safetensors, tensor::SafetensorsCheckpoint::Open(path));
    KAIF_RETURN_IF_ERROR(model::CheckWeights(w->arch, *w->safetensors));
  }
  KAIF_RETURN_IF_ERROR(CheckArchitecture(w->arch, w->source));
  KAIF_RETURN_IF_ERROR(LoadLayers(*w, from_gguf));
  if (options.check_finite) KAIF_RETURN_IF_ERROR(CheckFinite(*w));
  return w;
}

}  // namespace kaif::engine
