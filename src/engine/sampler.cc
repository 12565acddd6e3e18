#include "engine/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_set>

namespace kaif::engine {

int Argmax(const float* logits, size_t n) {
  size_t best = 0;
  for (size_t i = 1; i < n; ++i) {
    if (logits[i] > logits[best]) best = i;
  }
  return static_cast<int>(best);
}

double Sampler::Uniform() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

int Sampler::Next(std::vector<float>& logits, const std::vector<int>& sequence) {
  const size_t vocab = logits.size();
  if (options_.repetition_penalty != 1) {
    const float penalty = static_cast<float>(options_.repetition_penalty);
    std::unordered_set<int> seen(sequence.begin(), sequence.end());
    for (int id : seen) {
      if (id < 0 || static_cast<size_t>(id) >= vocab) continue;
      float& l = logits[static_cast<size_t>(id)];
      l = l > 0 ? l / penalty : l * penalty;
    }
  }
  if (options_.temperature <= 0) return Argmax(logits.data(), vocab);

  // Candidates by probability, highest first (ties by id, for determinism).
  std::vector<int> order(vocab);
  std::iota(order.begin(), order.end(), 0);
  size_t keep = vocab;
  if (options_.top_k > 0 && static_cast<size_t>(options_.top_k) < vocab) keep = static_cast<size_t>(options_.top_k);
  auto by_logit = [&](int a, int b) {
    float la = logits[static_cast<size_t>(a)], lb = logits[static_cast<size_t>(b)];
    return la != lb ? la > lb : a < b;
  };
  if (keep < vocab && options_.top_p >= 1) {
    std::partial_sort(order.begin(), order.begin() + static_cast<long>(keep), order.end(), by_logit);
  } else {
    std::sort(order.begin(), order.end(), by_logit);
  }
  order.resize(keep);
  const double inv_t = 1.0 / options_.temperature, top = logits[static_cast<size_t>(order[0])] * inv_t;
  std::vector<double> p(order.size());
  double total = 0;
  for (size_t i = 0; i < order.size(); ++i) total += (p[i] = std::exp(logits[static_cast<size_t>(order[i])] * inv_t - top));
  size_t n = order.size();
  if (options_.top_p < 1) {
    double cumulative = 0;
    for (size_t i = 0; i < n; ++i) {
      cumulative += p[i] / total;
      if (cumulative >= options_.top_p) {
        n = i + 1;
        break;
      }
    }
  }
  if (options_.min_p > 0) {
    // p[0] is the most probable: keep what reaches min_p of it.
    size_t m = 1;
    while (m < n && p[m] >= options_.min_p * p[0]) ++m;
    n = m;
  }
  double kept = 0;
  for (size_t i = 0; i < n; ++i) kept += p[i];
  double u = Uniform() * kept;
  for (size_t i = 0; i < n; ++i) {
    if ((u -= p[i]) < 0) return order[i];
  }
  return order[n - 1];
}

}  // namespace kaif::engine
