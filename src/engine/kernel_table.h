// The kernels of one instruction set, as kernels_<isa>.cc exports them to kernels.cc,
// which picks the table for the CPU it runs on. Internal to engine/.
#pragma once

#include "engine/kernels.h"

namespace kaif::engine {

struct KernelTable {
  void (*mat_mul_many)(const MatMulTarget* targets, size_t count, const float* x, size_t tokens, int threads);
  float (*dot)(const float* a, const float* b, size_t n);
  void (*axpy)(float a, const float* x, float* y, size_t n);
  void (*dot_rows)(const float* q, const float* rows, size_t stride, size_t n, size_t dim, float* out);
  void (*axpy_rows)(const float* w, const float* rows, size_t stride, size_t n, size_t dim, float* out);
  void (*dot_tile)(const float* const* q, size_t m, const float* rows, size_t stride, size_t n, size_t dim, float* out,
                   size_t ld);
  void (*axpy_tile)(const float* const* w, size_t m, const float* rows, size_t stride, size_t n, size_t dim,
                    float* const* out);
  void (*exp_in_place)(float* x, size_t n);
  void (*silu_mul)(float* gate, const float* up, size_t n);
};

}  // namespace kaif::engine
