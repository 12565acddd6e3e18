#include "engine/kv_tree.h"

#include <fmt/format.h>

#include <algorithm>

namespace kaif::engine {
namespace {

size_t CommonPrefix(const std::vector<int>& a, const std::vector<int>& b, size_t b_from) {
  size_t n = 0;
  while (n < a.size() && b_from + n < b.size() && a[n] == b[b_from + n]) ++n;
  return n;
}

// The child sharing the longest run with sequence[from...], and that length.
std::pair<KvNode*, size_t> BestChild(const KvNode& node, const std::vector<int>& sequence, size_t from) {
  KvNode* best = nullptr;
  size_t best_length = 0;
  for (const auto& child : node.children) {
    size_t length = CommonPrefix(child->tokens, sequence, from);
    if (length > best_length) best = child.get(), best_length = length;
  }
  return {best, best_length};
}

std::string Size(size_t bytes) {
  if (bytes < (1 << 20)) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / (1 << 10));
  return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20));
}

}  // namespace

KvTree::KvTree(size_t layers, size_t kv_dim, size_t hidden_size, size_t budget_bytes)
    : layers_(layers),
      kv_dim_(kv_dim),
      hidden_size_(hidden_size),
      bytes_per_token_((2 * layers * kv_dim + hidden_size) * sizeof(float)),
      budget_bytes_(budget_bytes) {}

size_t KvTree::MatchLength(const std::vector<int>& sequence) const {
  const KvNode* node = &root_;
  size_t i = 0;
  while (i < sequence.size()) {
    auto [child, length] = BestChild(*node, sequence, i);
    if (!child) break;
    i += length;
    if (length < child->tokens.size()) break;
    node = child;
  }
  return i;
}

void KvTree::Allocate(KvNode* node) {
  const size_t n = node->tokens.size();
  node->keys.resize(layers_);
  node->values.resize(layers_);
  for (size_t l = 0; l < layers_; ++l) {
    node->keys[l].resize(n * kv_dim_);
    node->values[l].resize(n * kv_dim_);
  }
  node->hidden.resize(n * hidden_size_);
}

// Splits `node` so that its first `at` tokens become a new parent; `node` keeps the rest,
// its children and its identity (pointers held by requests stay valid).
KvNode* KvTree::Split(KvNode* node, size_t at) {
  auto head = std::make_unique<KvNode>();
  KvNode* parent = node->parent;
  head->parent = parent;
  head->start = node->start;
  head->tokens.assign(node->tokens.begin(), node->tokens.begin() + static_cast<long>(at));
  head->filled = std::min(node->filled, at);
  head->pins = node->pins;
  head->last_used = node->last_used;
  head->keys.resize(layers_);
  head->values.resize(layers_);
  for (size_t l = 0; l < layers_; ++l) {
    auto cut = static_cast<long>(at * kv_dim_);
    head->keys[l].assign(node->keys[l].begin(), node->keys[l].begin() + cut);
    head->values[l].assign(node->values[l].begin(), node->values[l].begin() + cut);
    node->keys[l].erase(node->keys[l].begin(), node->keys[l].begin() + cut);
    node->values[l].erase(node->values[l].begin(), node->values[l].begin() + cut);
  }
  auto cut = static_cast<long>(at * hidden_size_);
  head->hidden.assign(node->hidden.begin(), node->hidden.begin() + cut);
  node->hidden.erase(node->hidden.begin(), node->hidden.begin() + cut);
  node->tokens.erase(node->tokens.begin(), node->tokens.begin() + static_cast<long>(at));
  node->filled = node->filled > at ? node->filled - at : 0;
  node->start += at;

  KvNode* raw = head.get();
  for (auto& slot : parent->children) {
    if (slot.get() == node) {
      std::unique_ptr<KvNode> tail = std::move(slot);
      tail->parent = raw;
      raw->children.push_back(std::move(tail));
      slot = std::move(head);
      break;
    }
  }
  return raw;
}

Result<KvNode*> KvTree::Insert(const std::vector<int>& sequence) {
  if (sequence.size() * bytes_per_token_ > budget_bytes_) {
    return Status::ResourceExhausted(fmt::format("a sequence of {} tokens needs {} of KV cache; the budget is {} (raise it: "
                                                 "--kv-budget-mib, EngineOptions::kv_budget_bytes)",
                                                 sequence.size(), Size(sequence.size() * bytes_per_token_),
                                                 Size(budget_bytes_)));
  }
  ++clock_;
  // Walk (and pin) the cached part first, so that making room cannot evict it.
  KvNode* node = &root_;
  size_t i = 0;
  while (i < sequence.size()) {
    auto [child, length] = BestChild(*node, sequence, i);
    if (!child) break;
    if (length < child->tokens.size()) child = Split(child, length);
    node = child;
    i += length;
  }
  for (KvNode* n = node; n != &root_; n = n->parent) ++n->pins, n->last_used = clock_;
  if (i == sequence.size()) return node;
  const size_t needed = (sequence.size() - i) * bytes_per_token_;
  if (!MakeRoom(needed)) {
    Unpin(node);
    return Status::ResourceExhausted(fmt::format("the KV cache budget of {} is held by requests in progress; {} more are "
                                                 "needed (raise the budget or send fewer requests at once)",
                                                 Size(budget_bytes_), Size(needed)));
  }
  auto fresh = std::make_unique<KvNode>();
  fresh->parent = node;
  fresh->start = i;
  fresh->tokens.assign(sequence.begin() + static_cast<long>(i), sequence.end());
  fresh->pins = 1;
  fresh->last_used = clock_;
  Allocate(fresh.get());
  tokens_ += fresh->tokens.size();
  node->children.push_back(std::move(fresh));
  return node->children.back().get();
}

KvNode* KvTree::AddLeaf(KvNode* node) {
  auto leaf = std::make_unique<KvNode>();
  leaf->parent = node;
  leaf->start = node->end();
  Allocate(leaf.get());
  node->children.push_back(std::move(leaf));
  KvNode* raw = node->children.back().get();
  ++clock_;
  for (KvNode* n = raw; n != &root_; n = n->parent) ++n->pins, n->last_used = clock_;
  return raw;
}

Status KvTree::Append(KvNode* leaf, int token) {
  if (!MakeRoom(bytes_per_token_)) {
    return Status::ResourceExhausted(fmt::format("the KV cache budget of {} is full of sequences in progress ({} tokens); raise "
                                                 "the budget or generate fewer sequences at once",
                                                 Size(budget_bytes_), tokens_));
  }
  leaf->tokens.push_back(token);
  for (size_t l = 0; l < layers_; ++l) {
    leaf->keys[l].resize(leaf->tokens.size() * kv_dim_);
    leaf->values[l].resize(leaf->tokens.size() * kv_dim_);
  }
  leaf->hidden.resize(leaf->tokens.size() * hidden_size_);
  ++tokens_;
  return Status::Ok();
}

void KvTree::Unpin(KvNode* node) {
  for (KvNode* n = node; n && n != &root_; n = n->parent) --n->pins;
}

std::vector<KvNode*> KvTree::Frontier() {
  std::vector<KvNode*> out;
  std::vector<KvNode*> stack = {&root_};
  while (!stack.empty()) {
    KvNode* node = stack.back();
    stack.pop_back();
    for (auto& child : node->children) {
      if (child->pins == 0) continue;
      if (!child->complete()) {
        out.push_back(child.get());
      } else {
        stack.push_back(child.get());
      }
    }
  }
  return out;
}

void KvTree::Remove(KvNode* node) {
  tokens_ -= node->tokens.size();
  auto& siblings = node->parent->children;
  siblings.erase(std::find_if(siblings.begin(), siblings.end(), [&](const auto& c) { return c.get() == node; }));
}

bool KvTree::MakeRoom(size_t needed) {
  while (bytes() + needed > budget_bytes_) {
    // Unpinned leaves, oldest first; removing a leaf may expose its parent next round.
    std::vector<KvNode*> leaves;
    std::vector<KvNode*> stack = {&root_};
    while (!stack.empty()) {
      KvNode* node = stack.back();
      stack.pop_back();
      for (auto& child : node->children) {
        if (child->children.empty()) {
          if (child->pins == 0) leaves.push_back(child.get());
        } else {
          stack.push_back(child.get());
        }
      }
    }
    if (leaves.empty()) return false;
    std::sort(leaves.begin(), leaves.end(), [](const KvNode* a, const KvNode* b) { return a->last_used < b->last_used; });
    for (KvNode* leaf : leaves) {
      if (bytes() + needed <= budget_bytes_) break;
      Remove(leaf);
    }
  }
  return true;
}

}  // namespace kaif::engine
