// The kernels for CPUs with AVX-512 (16 float lanes). Compiled with -mavx512f -mfma -mf16c
// (see CMakeLists.txt) and only called when the CPU has them.
#if defined(__x86_64__)
// GCC 12's AVX-512 headers seed masked intrinsics with a deliberately undefined vector,
// which -Wuninitialized reports wrongly.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstring>

#include "engine/kernel_table.h"

namespace kaif::engine::avx512 {

struct Simd {
  using V = __m512;
  static constexpr size_t kLanes = 16;
  static V Zero() { return _mm512_setzero_ps(); }
  static V Broadcast(float a) { return _mm512_set1_ps(a); }
  static V Load(const float* p) { return _mm512_loadu_ps(p); }
  static void Store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static V LoadBF16(const uint16_t* p) {
    __m512i wide = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    return _mm512_castsi512_ps(_mm512_slli_epi32(wide, 16));
  }
  static V LoadF16(const uint16_t* p) { return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))); }
  static V LoadI8Scaled(const int8_t* p, float scale) {
    __m512 q = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
    return _mm512_mul_ps(q, _mm512_set1_ps(scale));
  }
  static V Fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V Add(V a, V b) { return _mm512_add_ps(a, b); }
  static V Mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V Max(V a, V b) { return _mm512_max_ps(a, b); }
  static V Min(V a, V b) { return _mm512_min_ps(a, b); }
  static V Div(V a, V b) { return _mm512_div_ps(a, b); }
  static V Round(V a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  // 2^n for whole n in the normal range.
  static V Pow2(V n) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23));
  }
  static float Sum(V v) {
    // A fixed tree: halves, then quarters, and so on.
    __m256 h = _mm512_castps512_ps256(_mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, 0x4e)));
    __m128 q = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    q = _mm_add_ps(q, _mm_movehl_ps(q, q));
    q = _mm_add_ss(q, _mm_movehdup_ps(q));
    return _mm_cvtss_f32(q);
  }
  // Sum of each of 16 vectors at once, out[k] == Sum(v[k]) bit for bit: the same pairs
  // (lane i + lane i+8, then +4, +2, +1) are added, gathered across vectors by permutes.
  static constexpr size_t kSumGroup = 16;
  static void SumGroup(const V* v, float* out) {
    auto pair = [](V a, V b, __m512i lo, __m512i hi) {
      return _mm512_add_ps(_mm512_permutex2var_ps(a, lo, b), _mm512_permutex2var_ps(a, hi, b));
    };
    const __m512i h_lo = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    const __m512i h_hi = _mm512_setr_epi32(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
    const __m512i q_lo = _mm512_setr_epi32(0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
    const __m512i q_hi = _mm512_setr_epi32(4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31);
    const __m512i r_lo = _mm512_setr_epi32(0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29);
    const __m512i r_hi = _mm512_setr_epi32(2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31);
    const __m512i s_lo = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i s_hi = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    V h[8], q[4], r[2];
    for (int k = 0; k < 8; ++k) h[k] = pair(v[2 * k], v[2 * k + 1], h_lo, h_hi);  // vectors 2k, 2k+1: 8 partials each
    for (int k = 0; k < 4; ++k) q[k] = pair(h[2 * k], h[2 * k + 1], q_lo, q_hi);  // 4 vectors x 4 partials
    for (int k = 0; k < 2; ++k) r[k] = pair(q[2 * k], q[2 * k + 1], r_lo, r_hi);  // 8 vectors x 2 partials
    _mm512_storeu_ps(out, pair(r[0], r[1], s_lo, s_hi));
  }
};

#include "engine/kernels_impl.h"

}  // namespace kaif::engine::avx512
#endif
