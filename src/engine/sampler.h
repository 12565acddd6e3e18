// Choosing the next token from logits: greedy, or seeded sampling with the usual
// transformers-style processors in their usual order (repetition penalty, temperature,
// top-k, top-p, min-p). The random stream is kaif's own (splitmix64 over the request's
// seed), so a seed gives the same tokens on every platform and in every batch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kaif::engine {

struct SamplingOptions {
  double temperature = 0;         // 0: greedy
  int top_k = 0;                  // 0: off
  double top_p = 1;               // 1: off
  double min_p = 0;               // 0: off
  double repetition_penalty = 1;  // 1: off; > 1 discourages tokens already in the sequence
  uint64_t seed = 0;
};

class Sampler {
 public:
  explicit Sampler(const SamplingOptions& options) : options_(options), state_(options.seed) {}

  // Picks a token from `logits` (modified in place), given the sequence so far.
  int Next(std::vector<float>& logits, const std::vector<int>& sequence);

 private:
  double Uniform();  // in [0, 1)

  SamplingOptions options_;
  uint64_t state_;
};

// The index of the largest logit; the first one on ties, as torch.argmax.
int Argmax(const float* logits, size_t n);

}  // namespace kaif::engine
