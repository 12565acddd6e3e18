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

// Row `r` of `w` as float32 (embedding lookups).
void RowToFloat(const WeightMatrix& w, size_t r, float* out);

// The dot product of two float vectors, in the same fixed order as MatMul's.
float Dot(const float* a, const float* b, size_t n);

// y += a * x.
void Axpy(float a, const float* x, float* y, size_t n);

// The instruction set the kernels use on this CPU: "avx512", "avx2" or "generic".
const char* KernelIsa();

}  // namespace kaif::engine
