// The hidden units the weight test matches, block by block: a dense MLP layer, one expert
// of a mixture-of-experts layer, a shared expert, a vision or audio tower's MLP. Each
// unit is seen through two views, both vectors in the block's input space: its gate and
// up rows in a gated MLP, its fc1 row and fc2 column in a plain one. Matching the units of
// two models once by each view and asking whether the matchings agree is the test
// (unit_matching.h); reading only some units and some input coordinates keeps it cheap
// for 7B-sized layers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"
#include "verify/checkpoint_tensors.h"

namespace kaif::verify {

struct UnitBlock {
  std::string key;        // "text/3/mlp", "text/3/moe.5", "text/3/moe.shared", "vision/2/mlp"
  std::string component;  // "text", "vision", "audio"
  int layer = 0;
  int expert = -1;        // the expert's index in its layer; -1 for other blocks
  size_t units = 0, dim = 0;
  const tensor::TensorView* first = nullptr;   // [units x dim], or one expert of [experts x units x dim]
  const tensor::TensorView* second = nullptr;  // the same shape, or [dim x units] when by columns
  bool second_by_columns = false;
  bool views_unordered = false;  // found by shape: which view is the gate is not known
};

// Every block of a checkpoint, in key order: by tensor roles (tensor_roles.h), and for a
// layer of unknown names, by shape (two [units x dim] matrices with units > dim and one
// [dim x units]: a gated MLP; one of each: a plain MLP).
std::vector<UnitBlock> UnitBlocks(const CheckpointTensors& checkpoint);

// Views of some units on some coordinates, each row scaled to unit length (zero rows stay
// zero): [rows x cols], row-major.
struct UnitRows {
  std::vector<float> first, second;
  size_t rows = 0, cols = 0;
};

// Each row of a [rows x cols] matrix scaled to unit length (zero rows stay zero).
void ScaleRows(std::vector<float>& m, size_t rows, size_t cols);

// `units` and `coords` empty: all of them.
Result<UnitRows> ReadUnitRows(const UnitBlock& block, const std::vector<size_t>& units, const std::vector<size_t>& coords);

// `count` distinct indices below n in a pseudo-random order fixed by (n, salt), so that
// every prefix is a random subset; 0..n-1 in order when count >= n. Coordinates are
// sampled with salt 0, and sorted, so that two models read the same input coordinates.
std::vector<size_t> SampleIndices(size_t n, size_t count, uint64_t salt);
std::vector<size_t> SampleCoordinates(size_t dim, size_t count);

// Single elements of a tensor by flat index (block formats dequantize the blocks they fall in).
Result<std::vector<float>> ElementsAt(const tensor::TensorView& t, const std::vector<size_t>& positions);

}  // namespace kaif::verify
