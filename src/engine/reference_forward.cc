#include "engine/reference_forward.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace kaif::engine {
namespace {

using model::Architecture;
using model::NormPlacement;

struct Matrix {
  std::vector<float> data;
  size_t rows = 0, cols = 0;
};

Result<Matrix> Load(const tensor::SafetensorsCheckpoint& w, const std::string& name) {
  const tensor::TensorView* t = w.Find(name);
  if (!t) return Status::InvalidInput("the checkpoint has no tensor " + name);
  Matrix m;
  m.data.resize(t->elements());
  KAIF_RETURN_IF_ERROR(tensor::ToFloat32(*t, m.data.data()));
  m.rows = t->shape.empty() ? 1 : t->shape[0];
  m.cols = t->shape.size() > 1 ? t->shape[1] : 1;
  return m;
}

// y[r] = sum_c x[c] * W[r][c] (+ b[r]): a Linear layer, W stored [out, in].
std::vector<float> Linear(const Matrix& w, const std::vector<float>& x, const Matrix* bias = nullptr) {
  std::vector<float> y(w.rows);
  for (size_t r = 0; r < w.rows; ++r) {
    const float* row = w.data.data() + r * w.cols;
    float sum = 0;
    for (size_t c = 0; c < w.cols; ++c) sum += row[c] * x[c];
    y[r] = sum + (bias ? bias->data[r] : 0.0f);
  }
  return y;
}

void RmsNormInPlace(float* x, size_t n, const float* w, double eps, bool plus_one) {
  double ss = 0;
  for (size_t i = 0; i < n; ++i) ss += static_cast<double>(x[i]) * x[i];
  float scale = static_cast<float>(1.0 / std::sqrt(ss / static_cast<double>(n) + eps));
  for (size_t i = 0; i < n; ++i) x[i] = x[i] * scale * (plus_one ? 1.0f + w[i] : w[i]);
}

float Activate(model::Activation a, float x) {
  if (a == model::Activation::kSilu) return x / (1.0f + std::exp(-x));
  const float k = 0.7978845608028654f;  // sqrt(2 / pi): GELU, tanh approximation
  return 0.5f * x * (1.0f + std::tanh(k * (x + 0.044715f * x * x * x)));
}

void ApplyRope(float* v, int head_dim, int position, const std::vector<double>& inv_freq, double attention_factor) {
  int half = head_dim / 2;
  for (int i = 0; i < half; ++i) {
    double angle = position * inv_freq[static_cast<size_t>(i)];
    float c = static_cast<float>(std::cos(angle) * attention_factor), s = static_cast<float>(std::sin(angle) * attention_factor);
    float a = v[i], b = v[i + half];  // rotate_half pairs element i with i + half
    v[i] = a * c - b * s;
    v[i + half] = b * c + a * s;
  }
}

}  // namespace

void RopeFrequencies(const model::Rope& rope, int head_dim, int max_positions, int seq_len,
                     std::vector<double>& inv_freq, double& attention_factor) {
  int half = head_dim / 2;
  double base = rope.theta;
  attention_factor = 1.0;
  if (rope.scaling == model::RopeScaling::kDynamic && seq_len > max_positions && max_positions > 0) {
    base *= std::pow(rope.factor * seq_len / max_positions - (rope.factor - 1), head_dim / (head_dim - 2.0));
  }
  inv_freq.assign(static_cast<size_t>(half), 0);
  for (int i = 0; i < half; ++i) inv_freq[static_cast<size_t>(i)] = 1.0 / std::pow(base, 2.0 * i / head_dim);
  switch (rope.scaling) {
    case model::RopeScaling::kNone:
    case model::RopeScaling::kDynamic:
      break;
    case model::RopeScaling::kLinear:
      for (double& f : inv_freq) f /= rope.factor;
      break;
    case model::RopeScaling::kLlama3: {
      double old = rope.original_max_positions;
      double low_wavelen = old / rope.low_freq_factor, high_wavelen = old / rope.high_freq_factor;
      for (double& f : inv_freq) {
        double wavelen = 2 * M_PI / f;
        if (wavelen > low_wavelen) {
          f /= rope.factor;
        } else if (wavelen >= high_wavelen) {
          double smooth = (old / wavelen - rope.low_freq_factor) / (rope.high_freq_factor - rope.low_freq_factor);
          f = (1 - smooth) * f / rope.factor + smooth * f;
        }
      }
      break;
    }
    case model::RopeScaling::kYarn: {
      double original = rope.original_max_positions > 0 ? rope.original_max_positions : max_positions;
      auto correction_dim = [&](double rotations) {
        return head_dim * std::log(original / (rotations * 2 * M_PI)) / (2 * std::log(rope.theta));
      };
      double low = std::max(0.0, std::floor(correction_dim(rope.beta_fast)));
      double high = std::min(head_dim - 1.0, std::ceil(correction_dim(rope.beta_slow)));
      if (low == high) high += 0.001;
      for (int i = 0; i < half; ++i) {
        double extrapolation = 1.0 / std::pow(rope.theta, 2.0 * i / head_dim);
        double interpolation = extrapolation / rope.factor;
        double ramp = std::clamp((i - low) / (high - low), 0.0, 1.0);
        double extrapolation_share = 1 - ramp;
        inv_freq[static_cast<size_t>(i)] = interpolation * (1 - extrapolation_share) + extrapolation * extrapolation_share;
      }
      attention_factor = rope.attention_factor.value_or(rope.factor <= 1 ? 1.0 : 0.1 * std::log(rope.factor) + 1.0);
      break;
    }
  }
}

Result<std::vector<float>> ReferenceForward(const Architecture& a, const tensor::SafetensorsCheckpoint& w,
                                            const std::vector<int>& ids) {
  if (a.family == model::Family::kExaone3) {
    return Status::InvalidInput("the reference forward pass does not run EXAONE 3.5's tensor names yet");
  }
  const size_t n = ids.size(), hidden = static_cast<size_t>(a.hidden_size), head_dim = static_cast<size_t>(a.head_dim);
  const int heads = a.num_heads, kv_heads = a.num_kv_heads, group = heads / kv_heads;
  KAIF_ASSIGN_OR_RETURN(Matrix embed, Load(w, "model.embed_tokens.weight"));
  std::vector<std::vector<float>> x(n);
  for (size_t t = 0; t < n; ++t) {
    if (ids[t] < 0 || static_cast<size_t>(ids[t]) >= embed.rows) {
      return Status::InvalidInput(fmt::format("token id {} is outside the vocabulary of {}", ids[t], embed.rows));
    }
    x[t].assign(embed.data.begin() + static_cast<long>(ids[t] * hidden), embed.data.begin() + static_cast<long>((ids[t] + 1) * hidden));
    // Gemma scales embeddings by sqrt(hidden) rounded to the activations' dtype (f32 here).
    for (float& v : x[t]) v *= static_cast<float>(a.embedding_scale);
  }
  bool plus_one = a.norm_weight_plus_one;
  for (int layer = 0; layer < a.num_layers; ++layer) {
    std::string p = fmt::format("model.layers.{}.", layer);
    bool sliding = a.layers[static_cast<size_t>(layer)] == model::LayerAttention::kSliding && a.sliding_window > 0;
    const model::Rope& rope = sliding && a.local_rope ? *a.local_rope : a.rope;
    bool use_rope = !(a.full_layers_without_rope && !sliding);
    std::vector<double> inv_freq;
    double attention_factor = 1;
    RopeFrequencies(rope, a.head_dim, a.max_positions, static_cast<int>(n), inv_freq, attention_factor);

    KAIF_ASSIGN_OR_RETURN(Matrix wq, Load(w, p + "self_attn.q_proj.weight"));
    KAIF_ASSIGN_OR_RETURN(Matrix wk, Load(w, p + "self_attn.k_proj.weight"));
    KAIF_ASSIGN_OR_RETURN(Matrix wv, Load(w, p + "self_attn.v_proj.weight"));
    KAIF_ASSIGN_OR_RETURN(Matrix wo, Load(w, p + "self_attn.o_proj.weight"));
    Matrix bq, bk, bv, q_norm, k_norm, in_norm, post_attn, pre_ff, post_ff;
    if (a.attention_bias) {
      KAIF_ASSIGN_OR_RETURN(bq, Load(w, p + "self_attn.q_proj.bias"));
      KAIF_ASSIGN_OR_RETURN(bk, Load(w, p + "self_attn.k_proj.bias"));
      KAIF_ASSIGN_OR_RETURN(bv, Load(w, p + "self_attn.v_proj.bias"));
    }
    if (a.qk_norm) {
      KAIF_ASSIGN_OR_RETURN(q_norm, Load(w, p + "self_attn.q_norm.weight"));
      KAIF_ASSIGN_OR_RETURN(k_norm, Load(w, p + "self_attn.k_norm.weight"));
    }
    if (a.norm_placement != NormPlacement::kPost) {
      KAIF_ASSIGN_OR_RETURN(in_norm, Load(w, p + "input_layernorm.weight"));
    }
    KAIF_ASSIGN_OR_RETURN(post_attn, Load(w, p + "post_attention_layernorm.weight"));
    if (a.norm_placement == NormPlacement::kSandwich) {
      KAIF_ASSIGN_OR_RETURN(pre_ff, Load(w, p + "pre_feedforward_layernorm.weight"));
    }
    if (a.norm_placement != NormPlacement::kPre) {
      KAIF_ASSIGN_OR_RETURN(post_ff, Load(w, p + "post_feedforward_layernorm.weight"));
    }
    KAIF_ASSIGN_OR_RETURN(Matrix gate, Load(w, p + "mlp.gate_proj.weight"));
    KAIF_ASSIGN_OR_RETURN(Matrix up, Load(w, p + "mlp.up_proj.weight"));
    KAIF_ASSIGN_OR_RETURN(Matrix down, Load(w, p + "mlp.down_proj.weight"));

    // Attention.
    std::vector<std::vector<float>> q(n), k(n), v(n);
    for (size_t t = 0; t < n; ++t) {
      std::vector<float> h = x[t];
      if (a.norm_placement != NormPlacement::kPost) RmsNormInPlace(h.data(), hidden, in_norm.data.data(), a.norm_eps, plus_one);
      q[t] = Linear(wq, h, a.attention_bias ? &bq : nullptr);
      k[t] = Linear(wk, h, a.attention_bias ? &bk : nullptr);
      v[t] = Linear(wv, h, a.attention_bias ? &bv : nullptr);
      for (int hd = 0; hd < heads; ++hd) {
        float* qh = q[t].data() + static_cast<size_t>(hd) * head_dim;
        if (a.qk_norm) RmsNormInPlace(qh, head_dim, q_norm.data.data(), a.norm_eps, plus_one);
        if (use_rope) ApplyRope(qh, a.head_dim, static_cast<int>(t), inv_freq, attention_factor);
      }
      for (int hd = 0; hd < kv_heads; ++hd) {
        float* kh = k[t].data() + static_cast<size_t>(hd) * head_dim;
        if (a.qk_norm) RmsNormInPlace(kh, head_dim, k_norm.data.data(), a.norm_eps, plus_one);
        if (use_rope) ApplyRope(kh, a.head_dim, static_cast<int>(t), inv_freq, attention_factor);
      }
    }
    for (size_t t = 0; t < n; ++t) {
      std::vector<float> context(static_cast<size_t>(heads) * head_dim, 0);
      for (int hd = 0; hd < heads; ++hd) {
        const float* qh = q[t].data() + static_cast<size_t>(hd) * head_dim;
        size_t kvh = static_cast<size_t>(hd / group) * head_dim;
        std::vector<double> scores;
        size_t first = sliding && t + 1 > static_cast<size_t>(a.sliding_window) ? t + 1 - static_cast<size_t>(a.sliding_window) : 0;
        double max_score = -INFINITY;
        for (size_t s = first; s <= t; ++s) {
          double dot = 0;
          for (size_t d = 0; d < head_dim; ++d) dot += static_cast<double>(qh[d]) * k[s][kvh + d];
          dot *= a.query_scale;
          if (a.attn_logit_softcap) dot = std::tanh(dot / *a.attn_logit_softcap) * *a.attn_logit_softcap;
          scores.push_back(dot);
          max_score = std::max(max_score, dot);
        }
        double total = 0;
        for (double& sc : scores) total += (sc = std::exp(sc - max_score));
        for (size_t s = first; s <= t; ++s) {
          double weight = scores[s - first] / total;
          for (size_t d = 0; d < head_dim; ++d) context[static_cast<size_t>(hd) * head_dim + d] += static_cast<float>(weight * v[s][kvh + d]);
        }
      }
      std::vector<float> out = Linear(wo, context);
      if (a.norm_placement != NormPlacement::kPre) RmsNormInPlace(out.data(), hidden, post_attn.data.data(), a.norm_eps, plus_one);
      for (size_t i = 0; i < hidden; ++i) x[t][i] += out[i];
    }
    // MLP.
    for (size_t t = 0; t < n; ++t) {
      std::vector<float> h = x[t];
      if (a.norm_placement == NormPlacement::kPre) RmsNormInPlace(h.data(), hidden, post_attn.data.data(), a.norm_eps, plus_one);
      if (a.norm_placement == NormPlacement::kSandwich) RmsNormInPlace(h.data(), hidden, pre_ff.data.data(), a.norm_eps, plus_one);
      std::vector<float> g = Linear(gate, h), u = Linear(up, h);
      for (size_t i = 0; i < g.size(); ++i) g[i] = Activate(a.activation, g[i]) * u[i];
      std::vector<float> out = Linear(down, g);
      if (a.norm_placement != NormPlacement::kPre) RmsNormInPlace(out.data(), hidden, post_ff.data.data(), a.norm_eps, plus_one);
      for (size_t i = 0; i < hidden; ++i) x[t][i] += out[i];
    }
  }
  KAIF_ASSIGN_OR_RETURN(Matrix final_norm, Load(w, "model.norm.weight"));
  Matrix head = embed;
  if (!a.tie_embeddings) {
    KAIF_ASSIGN_OR_RETURN(head, Load(w, "lm_head.weight"));
  }
  std::vector<float> logits;
  logits.reserve(n * head.rows);
  for (size_t t = 0; t < n; ++t) {
    RmsNormInPlace(x[t].data(), hidden, final_norm.data.data(), a.norm_eps, plus_one);
    std::vector<float> row = Linear(head, x[t]);
    if (a.final_logit_softcap) {
      for (float& l : row) l = static_cast<float>(std::tanh(l / *a.final_logit_softcap) * *a.final_logit_softcap);
    }
    logits.insert(logits.end(), row.begin(), row.end());
  }
  return logits;
}

}  // namespace kaif::engine
