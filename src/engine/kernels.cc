#include "engine/kernels.h"

#include "engine/kernel_table.h"

#include <vector>

#include "tensor/tensor_view.h"

namespace kaif::engine {

// Each instruction set's kernels (kernels_<isa>.cc: the same code over a different vector).
#if defined(__x86_64__)
namespace avx512 {
const KernelTable& Kernels();
}
namespace avx2 {
const KernelTable& Kernels();
}
#endif
namespace generic {
const KernelTable& Kernels();
}

namespace {

enum class Isa { kAvx512, kAvx2, kGeneric };

Isa Detect() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f")) return Isa::kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) return Isa::kAvx2;
#endif
  return Isa::kGeneric;
}

const KernelTable& Best() {
  switch (Detect()) {
#if defined(__x86_64__)
    case Isa::kAvx512: return avx512::Kernels();
    case Isa::kAvx2: return avx2::Kernels();
#endif
    default: return generic::Kernels();
  }
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
  MatMulTarget target{&w, y, ldy};
  MatMulMany(&target, 1, x, tokens, threads);
}

void MatMulMany(const MatMulTarget* targets, size_t count, const float* x, size_t tokens, int threads) {
  // One loop needs one weight type and input width, and at most four targets.
  bool together = count <= 4;
  for (size_t i = 1; i < count; ++i) {
    together = together && targets[i].w->dtype == targets[0].w->dtype && targets[i].w->cols == targets[0].w->cols;
  }
  if (!together) {
    for (size_t i = 0; i < count; ++i) MatMulMany(&targets[i], 1, x, tokens, threads);
    return;
  }
  Best().mat_mul_many(targets, count, x, tokens, threads);
}

float Dot(const float* a, const float* b, size_t n) { return Best().dot(a, b, n); }

void Axpy(float a, const float* x, float* y, size_t n) { Best().axpy(a, x, y, n); }

void DotRows(const float* q, const float* rows, size_t stride, size_t n, size_t dim, float* out) {
  Best().dot_rows(q, rows, stride, n, dim, out);
}

void AxpyRows(const float* w, const float* rows, size_t stride, size_t n, size_t dim, float* out) {
  Best().axpy_rows(w, rows, stride, n, dim, out);
}

void DotTile(const float* const* q, size_t m, const float* rows, size_t stride, size_t n, size_t dim, float* out,
             size_t ld) {
  Best().dot_tile(q, m, rows, stride, n, dim, out, ld);
}

void AxpyTile(const float* const* w, size_t m, const float* rows, size_t stride, size_t n, size_t dim, float* const* out) {
  Best().axpy_tile(w, m, rows, stride, n, dim, out);
}

void ExpInPlace(float* x, size_t n) { Best().exp_in_place(x, n); }

void SiluMul(float* gate, const float* up, size_t n) { Best().silu_mul(gate, up, n); }

void RowToFloat(const WeightMatrix& w, size_t r, float* out) {
  tensor::TensorView view;
  view.dtype = w.dtype;
  view.shape = {w.cols};
  view.data = w.row(r);
  view.nbytes = w.row_bytes;
  (void)tensor::ToFloat32(view, out);  // the type was checked when the weights were opened
}

}  // namespace kaif::engine
