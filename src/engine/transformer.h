// The optimized forward pass: many tokens of many sequences at once, keys and values kept
// in a KvTree, matrix work through kernels.h, threads through OpenMP. Computes the same
// function as ReferenceForward (reference_forward.h), which the tests hold it to.
#pragma once

#include <functional>
#include <vector>

#include "engine/kv_tree.h"
#include "engine/model_weights.h"

namespace kaif::engine {

// One token to compute: node->tokens[index], at position node->start + index.
struct TokenRow {
  KvNode* node;
  size_t index;
};

class Transformer {
 public:
  Transformer(const ModelWeights& weights, int threads);

  // Computes keys, values and the hidden state of every row, layer by layer. Rows of one
  // node must be consecutive, ascending and start at its first uncomputed token; the
  // node's parent must be complete. Marks the rows computed.
  void Forward(const std::vector<TokenRow>& rows);

  // Logits [n x vocab] from n hidden states (the last layer's outputs stored in the tree):
  // the final norm, the output projection and Gemma's soft-cap.
  void Logits(const float* hidden, size_t n, float* logits);

  const ModelWeights& weights() const { return w_; }
  int threads() const { return threads_; }

  // Called during Forward with each layer's MLP pre-activations, gate and up projections
  // [rows x intermediate], rows in the order given (what `kaif verify`'s activation test
  // reads). Empty: not called.
  using MlpObserver = std::function<void(size_t layer, const float* gate, const float* up, size_t rows)>;
  void set_mlp_observer(MlpObserver observer) { mlp_observer_ = std::move(observer); }

 private:
  struct RopeTable {
    std::vector<double> inv_freq;
    double attention_factor = 1;
    std::vector<float> cos, sin;  // [position x head_dim / 2]
    size_t positions = 0;
  };
  void ExtendRope(RopeTable& table, size_t positions);
  void Rotate(const RopeTable& table, float* v, size_t position) const;
  void RmsNorm(float* x, size_t n, const std::vector<float>& weight) const;
  void Attention(const std::vector<TokenRow>& rows, size_t layer, const float* q, float* context);

  const ModelWeights& w_;
  const model::Architecture& a_;
  int threads_;
  RopeTable global_rope_, local_rope_;
  MlpObserver mlp_observer_;
};

}  // namespace kaif::engine
