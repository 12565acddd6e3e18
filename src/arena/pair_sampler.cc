#include "arena/pair_sampler.h"

#include <cmath>

namespace kaif::arena {

std::string SamplingRule(PairSampling rule, bool korean) {
  if (rule == PairSampling::kUniform) {
    return korean ? "모든 활성 모델 쌍이 같은 확률로 선택되고, 왼쪽에 놓일 모델은 동전 던지기로 정합니다."
                  : "Every pair of active models is equally likely; which one is shown on the left is a coin flip.";
  }
  return korean ? "각 모델 쌍의 선택 확률은 1 / sqrt(1 + 그 쌍의 지금까지 대결 수)에 비례합니다. 대결이 적어 비교가 "
                  "불확실한 쌍이 더 자주 나옵니다. 왼쪽에 놓일 모델은 동전 던지기로 정합니다."
                : "A pair's chance is proportional to 1 / sqrt(1 + the battles it already has): pairs with few "
                  "battles, whose comparison is least certain, come up more often. Which one is shown on the left "
                  "is a coin flip.";
}

std::pair<std::string, std::string> ChoosePair(PairSampling rule, const std::vector<std::string>& models,
                                               const PairCounts& counts, double random_pair, double random_side) {
  std::vector<std::pair<size_t, size_t>> pairs;
  std::vector<double> weights;
  double total = 0;
  for (size_t i = 0; i < models.size(); ++i) {
    for (size_t j = i + 1; j < models.size(); ++j) {
      double w = 1;
      if (rule == PairSampling::kUncertainty) {
        auto key = models[i] < models[j] ? std::pair(models[i], models[j]) : std::pair(models[j], models[i]);
        auto it = counts.find(key);
        w = 1 / std::sqrt(1.0 + static_cast<double>(it == counts.end() ? 0 : it->second));
      }
      pairs.emplace_back(i, j);
      weights.push_back(w);
      total += w;
    }
  }
  double target = random_pair * total;
  size_t k = 0;
  while (k + 1 < pairs.size() && target >= weights[k]) target -= weights[k++];
  auto [i, j] = pairs[k];
  if (random_side < 0.5) return {models[i], models[j]};
  return {models[j], models[i]};
}

}  // namespace kaif::arena
