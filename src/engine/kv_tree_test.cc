#include "engine/kv_tree.h"

#include <gtest/gtest.h>

namespace kaif::engine {
namespace {

// 1 layer, kv_dim 2, hidden 4: (2 * 1 * 2 + 4) * 4 = 32 bytes a token.
KvTree Tree(size_t budget_tokens) { return KvTree(1, 2, 4, budget_tokens * 32); }

void Complete(KvNode* node) { node->filled = node->tokens.size(); }

TEST(KvTreeTest, SharesPrefixesAndSplitsWhereSequencesPart) {
  KvTree tree = Tree(100);
  EXPECT_EQ(tree.bytes_per_token(), 32u);
  KvNode* a = tree.Insert({1, 2, 3, 4, 5}).value();
  EXPECT_EQ(tree.tokens(), 5u);
  Complete(a);
  EXPECT_EQ(tree.MatchLength({1, 2, 3, 9}), 3u);
  KvNode* b = tree.Insert({1, 2, 3, 9}).value();
  // The shared run [1, 2, 3] became a parent of both; `a` kept its identity and tail.
  EXPECT_EQ(tree.tokens(), 6u);
  ASSERT_NE(b->parent, nullptr);
  EXPECT_EQ(b->parent, a->parent);
  EXPECT_EQ(a->tokens, (std::vector<int>{4, 5}));
  EXPECT_EQ(a->start, 3u);
  EXPECT_EQ(a->parent->tokens, (std::vector<int>{1, 2, 3}));
  EXPECT_TRUE(a->parent->complete());
  EXPECT_TRUE(a->complete());
  EXPECT_EQ(b->tokens, (std::vector<int>{9}));
  // Only the new token needs computing.
  std::vector<KvNode*> frontier = tree.Frontier();
  ASSERT_EQ(frontier.size(), 1u);
  EXPECT_EQ(frontier[0], b);
  // A sequence ending inside a node gets a node ending exactly there.
  KvNode* c = tree.Insert({1, 2}).value();
  EXPECT_EQ(c->tokens, (std::vector<int>{1, 2}));
  EXPECT_EQ(c->end(), 2u);
  EXPECT_EQ(tree.tokens(), 6u);
}

TEST(KvTreeTest, EvictsLeastRecentlyUsedUnpinnedNodes) {
  KvTree tree = Tree(10);
  KvNode* old_one = tree.Insert({1, 2, 3, 4}).value();
  Complete(old_one);
  tree.Unpin(old_one);
  KvNode* newer = tree.Insert({5, 6, 7, 8}).value();
  Complete(newer);
  tree.Unpin(newer);
  // Four more tokens do not fit: the least recently used sequence goes.
  KvNode* third = tree.Insert({9, 10, 11, 12}).value();
  EXPECT_EQ(tree.tokens(), 8u);
  EXPECT_EQ(tree.MatchLength({1, 2, 3, 4}), 0u);
  EXPECT_EQ(tree.MatchLength({5, 6, 7, 8}), 4u);
  // Pinned sequences are never evicted: with both held, nothing fits.
  KvNode* pinned = tree.Insert({5, 6, 7, 8}).value();
  Result<KvNode*> refused = tree.Insert({20, 21, 22, 23});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kResourceExhausted);
  EXPECT_EQ(tree.MatchLength({5, 6, 7, 8}), 4u);
  Result<KvNode*> too_big = tree.Insert(std::vector<int>(11, 1));
  ASSERT_FALSE(too_big.ok());
  EXPECT_NE(too_big.status().message().find("a sequence of 11 tokens needs 0.3 KiB of KV cache; the budget is 0.3 KiB"), std::string::npos)
      << too_big.status().message();
  tree.Unpin(pinned);
  tree.Unpin(third);
  EXPECT_TRUE(tree.Insert({20, 21, 22, 23}).ok());
}

TEST(KvTreeTest, GenerationAppendsToAPrivateLeaf) {
  KvTree tree = Tree(6);
  KvNode* prompt = tree.Insert({1, 2, 3}).value();
  Complete(prompt);
  KvNode* leaf = tree.AddLeaf(prompt);
  EXPECT_EQ(leaf->start, 3u);
  ASSERT_TRUE(tree.Append(leaf, 7).ok());
  ASSERT_TRUE(tree.Append(leaf, 8).ok());
  ASSERT_TRUE(tree.Append(leaf, 9).ok());
  EXPECT_EQ(leaf->tokens, (std::vector<int>{7, 8, 9}));
  EXPECT_EQ(leaf->keys[0].size(), 3u * 2);
  Status full = tree.Append(leaf, 10);
  EXPECT_EQ(full.code(), Status::Code::kResourceExhausted);
}

}  // namespace
}  // namespace kaif::engine
