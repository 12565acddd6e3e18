// The kernels in plain C++, for CPUs without AVX2: one lane, so each output is a plain
// sequential sum over k.
#include <cstring>

#include "engine/kernels.h"

namespace kaif::engine::generic {

struct Simd {
  using V = float;
  static constexpr size_t kLanes = 1;
  static V Zero() { return 0; }
  static V Broadcast(float a) { return a; }
  static V Load(const float* p) { return *p; }
  static void Store(float* p, V v) { *p = v; }
  static V LoadBF16(const uint16_t* p) { return tensor::BFloat16ToFloat(*p); }
  static V LoadF16(const uint16_t* p) { return tensor::HalfToFloat(*p); }
  static V LoadI8Scaled(const int8_t* p, float scale) { return static_cast<float>(*p) * scale; }
  static V Fma(V a, V b, V c) { return a * b + c; }
  static float Sum(V v) { return v; }
};

#include "engine/kernels_impl.h"

}  // namespace kaif::engine::generic
