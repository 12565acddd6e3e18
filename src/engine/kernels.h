// The arithmetic of the forward pass: products with weight matrices as they lie in the
// checkpoint (F32, F16, BF16, Q8_0, converted in registers, never copied), and the dot
// products of attention.
//
// Determinism is part of the contract: each output element is computed by the same
// sequence of operations whatever the number of tokens in the call, the thread count or
// the token's place in the batch. That is what makes a sequence scored with a cached,
// shared prefix bit-identical to the same sequence computed alone, and results
// independent of batching. (Results may differ between CPUs with different vector
// units: AVX-512, AVX2 and plain C++ sum in different orders.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "tensor/dtype.h"

namespace kaif::engine {

// A [rows x cols] matrix, PyTorch's [out, in] order, rows contiguous.
struct WeightMatrix {
  std::string name;
  tensor::DType dtype = tensor::DType::kF32;
  size_t rows = 0, cols = 0;
  const uint8_t* data = nullptr;
  size_t row_bytes = 0;

  const uint8_t* row(size_t r) const { return data + r * row_bytes; }
};

// Whether the engine computes with weights of this type.
bool IsComputeType(tensor::DType type);

// y[t * ldy + o] = sum_k x[t * w.cols + k] * w[o][k], for t < tokens and o < w.rows.
void MatMul(const WeightMatrix& w, const float* x, size_t tokens, float* y, size_t ldy, int threads);

// Several products of the same input at once (one parallel loop): q, k and v; gate and up.
struct MatMulTarget {
  const WeightMatrix* w;
  float* y;
  size_t ldy;
};
void MatMulMany(const MatMulTarget* targets, size_t count, const float* x, size_t tokens, int threads);

// Row `r` of `w` as float32 (embedding lookups).
void RowToFloat(const WeightMatrix& w, size_t r, float* out);

// The dot product of two float vectors, in the same fixed order as MatMul's.
float Dot(const float* a, const float* b, size_t n);

// y += a * x.
void Axpy(float a, const float* x, float* y, size_t n);

// x[i] = exp(x[i]), within 2 ulp of expf (inputs below -87.3 give exp(-87.3)).
void ExpInPlace(float* x, size_t n);

// gate[i] = silu(gate[i]) * up[i], silu(g) = g / (1 + exp(-g)).
void SiluMul(float* gate, const float* up, size_t n);

// out[j] = Dot(q, rows + j * stride, dim) for j < n, bit for bit.
void DotRows(const float* q, const float* rows, size_t stride, size_t n, size_t dim, float* out);

// out += w[j] * (rows + j * stride) for j = 0..n-1 in order, bit for bit as n Axpy calls.
void AxpyRows(const float* w, const float* rows, size_t stride, size_t n, size_t dim, float* out);

// For m <= 4 queries: out[i * ld + j] = Dot(q[i], rows + j * stride, dim), bit for bit.
void DotTile(const float* const* q, size_t m, const float* rows, size_t stride, size_t n, size_t dim, float* out,
             size_t ld);

// For m <= 4 outputs: AxpyRows(w[i], rows, stride, n, dim, out[i]), bit for bit.
void AxpyTile(const float* const* w, size_t m, const float* rows, size_t stride, size_t n, size_t dim, float* const* out);

// The instruction set the kernels use on this CPU: "avx512", "avx2" or "generic".
const char* KernelIsa();

}  // namespace kaif::engine
