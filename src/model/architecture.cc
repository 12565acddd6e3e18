#include "model/architecture.h"

#include "model/weights.h"

namespace kaif::model {

long long Architecture::ParameterCount() const {
  long long total = 0;
  for (const ExpectedTensor& t : ExpectedTensors(*this)) {
    long long n = 1;
    for (uint64_t d : t.shape) n *= static_cast<long long>(d);
    total += n;
  }
  return total;
}

const char* ToString(Family family) {
  switch (family) {
    case Family::kLlama: return "Llama";
    case Family::kMistral: return "Mistral";
    case Family::kQwen2: return "Qwen2";
    case Family::kQwen3: return "Qwen3";
    case Family::kGemma2: return "Gemma 2";
    case Family::kGemma3: return "Gemma 3";
    case Family::kExaone3: return "EXAONE 3.5";
    case Family::kExaone4: return "EXAONE 4";
  }
  return "?";
}

const char* ToString(RopeScaling scaling) {
  switch (scaling) {
    case RopeScaling::kNone: return "none";
    case RopeScaling::kLinear: return "linear";
    case RopeScaling::kDynamic: return "dynamic";
    case RopeScaling::kYarn: return "yarn";
    case RopeScaling::kLlama3: return "llama3";
  }
  return "?";
}

const char* ToString(NormPlacement placement) {
  switch (placement) {
    case NormPlacement::kPre: return "pre-norm";
    case NormPlacement::kSandwich: return "sandwich norms";
    case NormPlacement::kPost: return "post-norm";
  }
  return "?";
}

std::string SupportedModelTypes() {
  return "llama (Llama 2/3), mistral, qwen2 (Qwen2/2.5), qwen3, gemma2, gemma3 / gemma3_text, exaone (EXAONE 3.5), "
         "exaone4";
}

}  // namespace kaif::model
