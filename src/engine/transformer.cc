#include "engine/transformer.h"

#include <cmath>

#include "engine/reference_forward.h"

namespace kaif::engine {
namespace {

using model::NormPlacement;

float GeluTanh(float x) {
  const float k = 0.7978845608028654f;  // sqrt(2 / pi): GELU, tanh approximation
  return 0.5f * x * (1.0f + std::tanh(k * (x + 0.044715f * x * x * x)));
}

}  // namespace

Transformer::Transformer(const ModelWeights& weights, int threads) : w_(weights), a_(weights.arch), threads_(threads) {
  auto init = [&](RopeTable& table, const model::Rope& rope) {
    RopeFrequencies(rope, a_.head_dim, a_.max_positions, 0, table.inv_freq, table.attention_factor);
    for (size_t i = 0; i < w_.rope_freq_divisors.size() && i < table.inv_freq.size(); ++i) {
      table.inv_freq[i] /= w_.rope_freq_divisors[i];
    }
  };
  init(global_rope_, a_.rope);
  init(local_rope_, a_.local_rope ? *a_.local_rope : a_.rope);
}

void Transformer::ExtendRope(RopeTable& table, size_t positions) {
  if (positions <= table.positions) return;
  const size_t half = static_cast<size_t>(a_.head_dim / 2);
  positions = std::max(positions, table.positions * 2);  // amortized growth
  table.cos.resize(positions * half);
  table.sin.resize(positions * half);
  for (size_t p = table.positions; p < positions; ++p) {
    for (size_t i = 0; i < half; ++i) {
      double angle = static_cast<double>(p) * table.inv_freq[i];
      table.cos[p * half + i] = static_cast<float>(std::cos(angle) * table.attention_factor);
      table.sin[p * half + i] = static_cast<float>(std::sin(angle) * table.attention_factor);
    }
  }
  table.positions = positions;
}

void Transformer::Rotate(const RopeTable& table, float* v, size_t position) const {
  const size_t half = static_cast<size_t>(a_.head_dim / 2);
  const float* c = table.cos.data() + position * half;
  const float* s = table.sin.data() + position * half;
  for (size_t i = 0; i < half; ++i) {
    // Hugging Face pairs element i with i + half; llama.cpp's permuted weights, 2i with 2i+1.
    float& x = w_.interleaved_rope ? v[2 * i] : v[i];
    float& y = w_.interleaved_rope ? v[2 * i + 1] : v[i + half];
    float a = x, b = y;
    x = a * c[i] - b * s[i];
    y = b * c[i] + a * s[i];
  }
}

void Transformer::RmsNorm(float* x, size_t n, const std::vector<float>& weight) const {
  double ss = 0;
  for (size_t i = 0; i < n; ++i) ss += static_cast<double>(x[i]) * x[i];
  float scale = static_cast<float>(1.0 / std::sqrt(ss / static_cast<double>(n) + a_.norm_eps));
  for (size_t i = 0; i < n; ++i) x[i] = x[i] * scale * weight[i];
}

void Transformer::Attention(const std::vector<TokenRow>& rows, size_t layer, const float* q, float* context) {
  const size_t heads = static_cast<size_t>(a_.num_heads), head_dim = static_cast<size_t>(a_.head_dim);
  const size_t group = heads / static_cast<size_t>(a_.num_kv_heads), kv_dim = static_cast<size_t>(a_.num_kv_heads) * head_dim;
  const size_t q_dim = heads * head_dim;
  const bool sliding = a_.layers[layer] == model::LayerAttention::kSliding && a_.sliding_window > 0;
  const float scale = static_cast<float>(a_.query_scale);
  auto first_visible = [&](size_t position) {
    return sliding && position + 1 > static_cast<size_t>(a_.sliding_window) ? position + 1 - static_cast<size_t>(a_.sliding_window)
                                                                            : 0;
  };
  // Blocks of up to four consecutive rows of one node: they see the same keys (each up to
  // its own position), so the keys are loaded once for the block. Every query's result is
  // the same as if it were alone: keys beyond its position get weight exactly 0.
  constexpr size_t kBlock = 4;
  std::vector<std::pair<size_t, size_t>> blocks;  // (first row, rows)
  for (size_t r = 0; r < rows.size(); ++r) {
    if (!blocks.empty() && blocks.back().second < kBlock && rows[r].node == rows[r - 1].node &&
        rows[r].index == rows[r - 1].index + 1) {
      ++blocks.back().second;
    } else {
      blocks.emplace_back(r, 1);
    }
  }
  const size_t items = blocks.size() * heads;
#pragma omp parallel num_threads(threads_) if (threads_ > 1 && items > 1)
  {
    std::vector<float> scores;
    std::vector<std::pair<const KvNode*, size_t>> path;  // (node, tokens visible), root side first
#pragma omp for schedule(dynamic, 1)
    for (size_t item = 0; item < items; ++item) {
      const auto [r0, m] = blocks[item / heads];
      const size_t h = item % heads, kv_offset = (h / group) * head_dim;
      const TokenRow& last = rows[r0 + m - 1];
      const size_t first = first_visible(rows[r0].node->start + rows[r0].index);
      const size_t end = last.node->start + last.index + 1;  // keys [first, end) for the block
      path.clear();
      path.emplace_back(last.node, last.index + 1);
      for (const KvNode* n = last.node->parent; n && n->parent; n = n->parent) {
        if (n->end() <= first) break;
        path.emplace_back(n, n->tokens.size());
      }
      const size_t span = end - first;
      scores.assign(m * span, 0.0f);
      const float* qs[kBlock];
      float* ws[kBlock];
      float* outs[kBlock];
      for (size_t i = 0; i < m; ++i) {
        qs[i] = q + (r0 + i) * q_dim + h * head_dim;
        ws[i] = scores.data() + i * span;
        outs[i] = context + (r0 + i) * q_dim + h * head_dim;
        std::fill(outs[i], outs[i] + head_dim, 0.0f);
      }
      // Scores segment by segment (the path's nodes, root side first).
      size_t at = 0;
      for (auto it = path.rbegin(); it != path.rend(); ++it) {
        const KvNode* n = it->first;
        const size_t from = first > n->start ? first - n->start : 0;
        DotTile(qs, m, n->keys[layer].data() + from * kv_dim + kv_offset, kv_dim, it->second - from, head_dim,
                scores.data() + at, span);
        at += it->second - from;
      }
      // Each query's softmax over its own keys; the others' weights stay 0.
      float totals[kBlock];
      for (size_t i = 0; i < m; ++i) {
        const size_t position = rows[r0 + i].node->start + rows[r0 + i].index;
        float* w = ws[i];
        const size_t lo = first_visible(position) - first, hi = position + 1 - first;
        float max_score = -INFINITY;
        for (size_t j = lo; j < hi; ++j) {
          w[j] *= scale;
          if (a_.attn_logit_softcap) w[j] = static_cast<float>(std::tanh(w[j] / *a_.attn_logit_softcap) * *a_.attn_logit_softcap);
          max_score = std::max(max_score, w[j]);
        }
        for (size_t j = lo; j < hi; ++j) w[j] -= max_score;
        ExpInPlace(w + lo, hi - lo);
        totals[i] = 0;
        for (size_t j = lo; j < hi; ++j) totals[i] += w[j];
        std::fill(w, w + lo, 0.0f);
        std::fill(w + hi, w + span, 0.0f);
      }
      at = 0;
      for (auto it = path.rbegin(); it != path.rend(); ++it) {
        const KvNode* n = it->first;
        const size_t from = first > n->start ? first - n->start : 0;
        const float* wj[kBlock];
        for (size_t i = 0; i < m; ++i) wj[i] = ws[i] + at;
        AxpyTile(wj, m, n->values[layer].data() + from * kv_dim + kv_offset, kv_dim, it->second - from, head_dim, outs);
        at += it->second - from;
      }
      for (size_t i = 0; i < m; ++i) {
        const float inv = 1.0f / totals[i];
        for (size_t d = 0; d < head_dim; ++d) outs[i][d] *= inv;
      }
    }
  }
}

void Transformer::Forward(const std::vector<TokenRow>& rows) {
  if (rows.empty()) return;
  const size_t n = rows.size(), hidden = static_cast<size_t>(a_.hidden_size);
  const size_t head_dim = static_cast<size_t>(a_.head_dim), heads = static_cast<size_t>(a_.num_heads);
  const size_t kv_heads = static_cast<size_t>(a_.num_kv_heads);
  const size_t q_dim = heads * head_dim, kv_dim = kv_heads * head_dim, inter = static_cast<size_t>(a_.intermediate_size);
  size_t max_position = 0;
  for (const TokenRow& r : rows) max_position = std::max(max_position, r.node->start + r.index + 1);
  ExtendRope(global_rope_, max_position);
  ExtendRope(local_rope_, max_position);

  std::vector<float> x(n * hidden), h(n * hidden), out(n * hidden);
  std::vector<float> q(n * q_dim), k(n * kv_dim), v(n * kv_dim), context(n * q_dim);
  std::vector<float> gate(n * inter), up(n * inter);
  const float embedding_scale = static_cast<float>(a_.embedding_scale);
  for (size_t r = 0; r < n; ++r) {
    RowToFloat(w_.embedding, static_cast<size_t>(rows[r].node->tokens[rows[r].index]), x.data() + r * hidden);
    for (size_t i = 0; i < hidden; ++i) x[r * hidden + i] *= embedding_scale;
  }
  auto norm_rows = [&](float* data, size_t width, const std::vector<float>& weight) {
    for (size_t r = 0; r < n; ++r) RmsNorm(data + r * width, width, weight);
  };
  const NormPlacement placement = a_.norm_placement;
  for (size_t layer = 0; layer < w_.layers.size(); ++layer) {
    const LayerWeights& l = w_.layers[layer];
    const bool sliding = a_.layers[layer] == model::LayerAttention::kSliding && a_.sliding_window > 0;
    const bool use_rope = !(a_.full_layers_without_rope && !sliding);
    const RopeTable& rope = sliding ? local_rope_ : global_rope_;

    h = x;
    if (placement != NormPlacement::kPost) norm_rows(h.data(), hidden, l.input_norm);
    const MatMulTarget qkv[] = {{&l.q, q.data(), q_dim}, {&l.k, k.data(), kv_dim}, {&l.v, v.data(), kv_dim}};
    MatMulMany(qkv, 3, h.data(), n, threads_);
    for (size_t r = 0; r < n; ++r) {
      float* qr = q.data() + r * q_dim;
      float* kr = k.data() + r * kv_dim;
      if (!l.q_bias.empty()) {
        for (size_t i = 0; i < q_dim; ++i) qr[i] += l.q_bias[i];
        for (size_t i = 0; i < kv_dim; ++i) kr[i] += l.k_bias[i], v[r * kv_dim + i] += l.v_bias[i];
      }
      const size_t position = rows[r].node->start + rows[r].index;
      for (size_t hd = 0; hd < heads; ++hd) {
        if (!l.q_norm.empty()) RmsNorm(qr + hd * head_dim, head_dim, l.q_norm);
        if (use_rope) Rotate(rope, qr + hd * head_dim, position);
      }
      for (size_t hd = 0; hd < kv_heads; ++hd) {
        if (!l.k_norm.empty()) RmsNorm(kr + hd * head_dim, head_dim, l.k_norm);
        if (use_rope) Rotate(rope, kr + hd * head_dim, position);
      }
      KvNode* node = rows[r].node;
      std::copy(kr, kr + kv_dim, node->keys[layer].begin() + static_cast<long>(rows[r].index * kv_dim));
      std::copy(v.begin() + static_cast<long>(r * kv_dim), v.begin() + static_cast<long>((r + 1) * kv_dim),
                node->values[layer].begin() + static_cast<long>(rows[r].index * kv_dim));
    }
    Attention(rows, layer, q.data(), context.data());
    MatMul(l.o, context.data(), n, out.data(), hidden, threads_);
    if (placement != NormPlacement::kPre) norm_rows(out.data(), hidden, l.post_attention_norm);
    for (size_t i = 0; i < n * hidden; ++i) x[i] += out[i];

    h = x;
    if (placement == NormPlacement::kPre) norm_rows(h.data(), hidden, l.post_attention_norm);
    if (placement == NormPlacement::kSandwich) norm_rows(h.data(), hidden, l.pre_ffn_norm);
    const MatMulTarget gate_up[] = {{&l.gate, gate.data(), inter}, {&l.up, up.data(), inter}};
    MatMulMany(gate_up, 2, h.data(), n, threads_);
    if (mlp_observer_) mlp_observer_(layer, gate.data(), up.data(), n);
    if (a_.activation == model::Activation::kSilu) {
      SiluMul(gate.data(), up.data(), n * inter);
    } else {
      for (size_t i = 0; i < n * inter; ++i) gate[i] = GeluTanh(gate[i]) * up[i];
    }
    MatMul(l.down, gate.data(), n, out.data(), hidden, threads_);
    if (placement != NormPlacement::kPre) norm_rows(out.data(), hidden, l.post_ffn_norm);
    for (size_t i = 0; i < n * hidden; ++i) x[i] += out[i];
  }
  for (size_t r = 0; r < n; ++r) {
    KvNode* node = rows[r].node;
    std::copy(x.begin() + static_cast<long>(r * hidden), x.begin() + static_cast<long>((r + 1) * hidden),
              node->hidden.begin() + static_cast<long>(rows[r].index * hidden));
    node->filled = std::max(node->filled, rows[r].index + 1);
  }
}

void Transformer::Logits(const float* hidden_states, size_t n, float* logits) {
  const size_t hidden = static_cast<size_t>(a_.hidden_size), vocab = static_cast<size_t>(a_.vocab_size);
  std::vector<float> normed(hidden_states, hidden_states + n * hidden);
  for (size_t r = 0; r < n; ++r) RmsNorm(normed.data() + r * hidden, hidden, w_.final_norm);
  MatMul(w_.output, normed.data(), n, logits, vocab, threads_);
  if (a_.final_logit_softcap) {
    const double cap = *a_.final_logit_softcap;
    for (size_t i = 0; i < n * vocab; ++i) logits[i] = static_cast<float>(std::tanh(logits[i] / cap) * cap);
  }
}

}  // namespace kaif::engine
