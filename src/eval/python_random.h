// Python's random.Random, bit for bit: the Mersenne Twister seeded from an integer the way
// CPython seeds it, random(), getrandbits(), and sample(). lm-evaluation-harness picks
// few-shot examples with Random(seed).sample(docs, n); reproducing its prompts exactly
// needs the same draws.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace kaif::eval {

class PythonRandom {
 public:
  explicit PythonRandom(uint64_t seed);

  double Random();                 // random.random()
  uint32_t GetRandBits(int k);     // random.getrandbits(k), 0 < k <= 32
  uint64_t RandBelow(uint64_t n);  // random._randbelow(n), n > 0 and below 2^32
  // Indices of random.sample(range(population), k), in draw order.
  std::vector<size_t> Sample(size_t population, size_t k);

 private:
  uint32_t Next();
  void InitGenrand(uint32_t s);
  void InitByArray(const std::vector<uint32_t>& key);

  std::array<uint32_t, 624> mt_{};
  int index_ = 625;
};

}  // namespace kaif::eval
