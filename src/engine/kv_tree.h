// The KV cache as a prefix tree: every distinct token prefix is stored once, so requests
// that share a prefix (the few-shot block, the question before each answer choice, the
// conversation before a new turn) share its keys and values, computed once.
//
// A node holds a run of tokens that continues its parent's run: for each token, each
// layer's key and value vectors and the last layer's output (the hidden state the logits
// come from, so that a cached prefix can still be scored at any of its positions). A
// sequence is the path from the root to a node. Nodes that no request holds are kept as
// cache and evicted least recently used first when the memory budget is reached.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "util/status.h"

namespace kaif::engine {

struct KvNode {
  KvNode* parent = nullptr;
  size_t start = 0;           // the position of tokens[0] in its sequence
  std::vector<int> tokens;
  size_t filled = 0;          // tokens whose keys, values and hidden state are computed
  std::vector<std::vector<float>> keys, values;  // per layer, [tokens x kv_dim]
  std::vector<float> hidden;  // [tokens x hidden_size]
  std::vector<std::unique_ptr<KvNode>> children;
  int pins = 0;               // requests whose path runs through this node
  uint64_t last_used = 0;

  size_t end() const { return start + tokens.size(); }
  bool complete() const { return filled == tokens.size(); }
};

class KvTree {
 public:
  KvTree(size_t layers, size_t kv_dim, size_t hidden_size, size_t budget_bytes);

  // Bytes one token costs: keys and values of every layer plus its hidden state.
  size_t bytes_per_token() const { return bytes_per_token_; }
  size_t budget_bytes() const { return budget_bytes_; }
  size_t bytes() const { return tokens_ * bytes_per_token_; }
  size_t tokens() const { return tokens_; }

  // Tokens of `sequence` already in the tree (computed or not) along one path.
  size_t MatchLength(const std::vector<int>& sequence) const;

  // The node whose last token is the last of `sequence`, creating nodes for the tokens the
  // tree lacks (not yet computed) and splitting a node where the sequence ends inside it.
  // The path is pinned until Unpin. ResourceExhausted when the new tokens do not fit the
  // budget even after evicting every unpinned node.
  Result<KvNode*> Insert(const std::vector<int>& sequence);

  // Appends one (not yet computed) token to a leaf for generation; the same budget rule.
  Status Append(KvNode* leaf, int token);

  // A new empty, pinned leaf under `node` for a sequence to grow privately.
  KvNode* AddLeaf(KvNode* node);

  void Unpin(KvNode* node);

  // Nodes on pinned paths that are not computed but whose parent is: computable now.
  std::vector<KvNode*> Frontier();

  // Drops unpinned nodes, least recently used leaves first, until `needed` more bytes fit.
  bool MakeRoom(size_t needed);

 private:
  KvNode* Split(KvNode* node, size_t at);
  void Allocate(KvNode* node);
  void Remove(KvNode* node);

  size_t layers_, kv_dim_, hidden_size_;
  size_t bytes_per_token_, budget_bytes_;
  size_t tokens_ = 0;
  uint64_t clock_ = 0;
  KvNode root_;
};

}  // namespace kaif::engine
