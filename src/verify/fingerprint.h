// A checkpoint's fingerprint: what the weight tests need of a reference, small enough to
// keep hundreds of known models on disk (`kaif verify index`) and quick to compare
// against. For a 7B model it is a few megabytes:
// - every tensor's shape, a hash of its bytes and a fixed sample of its values (exact and
//   near-exact copies);
// - norm weights whole (rank correlation);
// - of every unit block (unit_blocks.h), some units on some input coordinates;
// - of the embedding tables, some hidden dimensions over sampled tokens, with the tokens'
//   strings, and the tokenizer's vocabulary (tokenizer overlap).
// The reference keeps a sample of its units; the candidate is read whole at comparison
// time, so a derived candidate's counterpart of every sampled unit is there to be found.
// Stored as a safetensors file with JSON metadata ("kaif.fingerprint/1").
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "util/status.h"
#include "verify/checkpoint_tensors.h"
#include "verify/unit_blocks.h"

namespace kaif::verify {

struct FingerprintOptions {
  size_t coordinates = 256;       // input coordinates read per unit (all when the width is smaller)
  size_t units = 256;             // units kept per block
  size_t embedding_tokens = 2048; // tokens kept of the embedding tables
  size_t embedding_dims = 256;    // hidden dimensions kept of them (the embedding test's units)
  size_t sketch = 1024;           // sampled values per tensor
};

struct TensorSketch {
  std::vector<uint64_t> shape;
  uint64_t hash = 0;           // of the stored bytes, with the type
  std::vector<float> sample;   // values at SketchPositions(elements)
  bool constant = false;       // every sampled value equal: no evidence (an untouched init)
};

struct BlockPrint {
  std::string key, component;
  int layer = 0, expert = -1;
  size_t units = 0, dim = 0;
  bool views_unordered = false;  // see UnitBlock
  std::vector<size_t> unit_ids;  // the kept units, a random subset in random order
  UnitRows rows;                 // those units on SampleCoordinates(dim, coordinates)
};

struct EmbeddingPrint {
  std::string key;  // "text/-/embed", "text/-/lm_head"
  size_t vocab = 0, dim = 0;
  std::vector<size_t> ids;           // the kept tokens
  std::vector<std::string> tokens;   // their strings; empty without a tokenizer
  std::vector<size_t> dims;          // the kept hidden dimensions
  std::vector<float> values;         // [dims x ids]
};

struct Fingerprint {
  std::string source;  // the checkpoint's path when it was taken
  int layers = 0;
  FingerprintOptions options;
  std::map<std::string, TensorSketch> tensors;      // by role key
  std::map<std::string, std::vector<float>> norms;  // 1-D norm weights, by role key
  std::vector<BlockPrint> blocks;
  std::vector<EmbeddingPrint> embeddings;
  std::vector<std::string> vocabulary;  // token strings by id, when the checkpoint has a tokenizer
  std::vector<std::string> merges;      // its BPE merges, lowest rank first
};

Result<Fingerprint> TakeFingerprint(const CheckpointTensors& checkpoint, const FingerprintOptions& options = {});
Status SaveFingerprint(const Fingerprint& fingerprint, const std::filesystem::path& path);
// Corruption for anything that is not a well-formed fingerprint.
Result<Fingerprint> LoadFingerprint(const std::filesystem::path& path);

// A tensor's sketch (hash over every byte; the sample at positions fixed by its size).
Result<TensorSketch> SketchOf(const tensor::TensorView& t, size_t sample);

// A 1-D norm weight the norm test compares whole.
bool IsNormVector(const std::string& key, const tensor::TensorView& t);

}  // namespace kaif::verify
