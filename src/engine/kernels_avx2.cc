// The kernels for CPUs with AVX2, FMA and F16C (8 float lanes). Compiled with -mavx2
// -mfma -mf16c (see CMakeLists.txt) and only called when the CPU has them.
#if defined(__x86_64__)
#include <immintrin.h>

#include <cstring>

#include "engine/kernel_table.h"

namespace kaif::engine::avx2 {

struct Simd {
  using V = __m256;
  static constexpr size_t kLanes = 8;
  static V Zero() { return _mm256_setzero_ps(); }
  static V Broadcast(float a) { return _mm256_set1_ps(a); }
  static V Load(const float* p) { return _mm256_loadu_ps(p); }
  static void Store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static V LoadBF16(const uint16_t* p) {
    __m256i wide = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    return _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16));
  }
  static V LoadF16(const uint16_t* p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }
  static V LoadI8Scaled(const int8_t* p, float scale) {
    __m256 q = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
    return _mm256_mul_ps(q, _mm256_set1_ps(scale));
  }
  static V Fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V Add(V a, V b) { return _mm256_add_ps(a, b); }
  static V Mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V Max(V a, V b) { return _mm256_max_ps(a, b); }
  static V Min(V a, V b) { return _mm256_min_ps(a, b); }
  static V Div(V a, V b) { return _mm256_div_ps(a, b); }
  static V Round(V a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static V Pow2(V n) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23));
  }
  static float Sum(V v) {
    __m128 q = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    q = _mm_add_ps(q, _mm_movehl_ps(q, q));
    q = _mm_add_ss(q, _mm_movehdup_ps(q));
    return _mm_cvtss_f32(q);
  }
  static constexpr size_t kSumGroup = 1;
  static void SumGroup(const V* v, float* out) { out[0] = Sum(v[0]); }
};

#include "engine/kernels_impl.h"

}  // namespace kaif::engine::avx2
#endif
