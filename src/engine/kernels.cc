#include "engine/kernels.h"

#include <vector>

#include "tensor/tensor_view.h"

namespace kaif::engine {

// Each instruction set's kernels (kernels_<isa>.cc), the same code over a different vector.
#define KAIF_DECLARE_KERNELS(isa)                                                                        \
  namespace isa {                                                                                        \
  void MatMul(const WeightMatrix& w, const float* x, size_t tokens, float* y, size_t ldy, int threads); \
  float Dot(const float* a, const float* b, size_t n);                                                  \
  void Axpy(float a, const float* x, float* y, size_t n);                                               \
  }
#if defined(__x86_64__)
KAIF_DECLARE_KERNELS(avx512)
KAIF_DECLARE_KERNELS(avx2)
#endif
KAIF_DECLARE_KERNELS(generic)
#undef KAIF_DECLARE_KERNELS

namespace {

enum class Isa { kAvx512, kAvx2, kGeneric };

Isa Detect() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f")) return Isa::kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) return Isa::kAvx2;
#endif
  return Isa::kGeneric;
}

}  // namespace

bool IsComputeType(tensor::DType type) {
  return type == tensor::DType::kF32 || type == tensor::DType::kF16 || type == tensor::DType::kBF16 ||
         type == tensor::DType::kQ8_0;
}

const char* KernelIsa() {
  switch (Detect()) {
    case Isa::kAvx512: return "avx512";
    case Isa::kAvx2: return "avx2";
    case Isa::kGeneric: return "generic";
  }
  return "generic";
}

void MatMul(const WeightMatrix& w, const float* x, size_t tokens, float* y, size_t ldy, int threads) {
  switch (Detect()) {
#if defined(__x86_64__)
    case Isa::kAvx512: return avx512::MatMul(w, x, tokens, y, ldy, threads);
    case Isa::kAvx2: return avx2::MatMul(w, x, tokens, y, ldy, threads);
#endif
    default: return generic::MatMul(w, x, tokens, y, ldy, threads);
  }
}

float Dot(const float* a, const float* b, size_t n) {
  switch (Detect()) {
#if defined(__x86_64__)
    case Isa::kAvx512: return avx512::Dot(a, b, n);
    case Isa::kAvx2: return avx2::Dot(a, b, n);
#endif
    default: return generic::Dot(a, b, n);
  }
}

void Axpy(float a, const float* x, float* y, size_t n) {
  switch (Detect()) {
#if defined(__x86_64__)
    case Isa::kAvx512: return avx512::Axpy(a, x, y, n);
    case Isa::kAvx2: return avx2::Axpy(a, x, y, n);
#endif
    default: return generic::Axpy(a, x, y, n);
  }
}

void RowToFloat(const WeightMatrix& w, size_t r, float* out) {
  tensor::TensorView view;
  view.dtype = w.dtype;
  view.shape = {w.cols};
  view.data = w.row(r);
  view.nbytes = w.row_bytes;
  (void)tensor::ToFloat32(view, out);  // the type was checked when the weights were opened
}

}  // namespace kaif::engine
