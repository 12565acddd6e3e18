// The kernels in plain C++, for CPUs without AVX2: one lane, so each output is a plain
// sequential sum over k.
#include <cmath>
#include <cstring>

#include "engine/kernel_table.h"

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
  static V Add(V a, V b) { return a + b; }
  static V Mul(V a, V b) { return a * b; }
  static V Max(V a, V b) { return a > b ? a : b; }
  static V Min(V a, V b) { return a < b ? a : b; }
  static V Div(V a, V b) { return a / b; }
  static V Round(V a) { return std::nearbyint(a); }
  static V Pow2(V n) { return std::ldexp(1.0f, static_cast<int>(n)); }
  static float Sum(V v) { return v; }
  static constexpr size_t kSumGroup = 1;
  static void SumGroup(const V* v, float* out) { out[0] = v[0]; }
};

#include "engine/kernels_impl.h"

}  // namespace kaif::engine::generic
