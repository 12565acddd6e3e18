#include "engine/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

namespace kaif::engine {
namespace {

std::vector<float> Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0, 1);
  std::vector<float> v(n);
  for (float& x : v) x = normal(rng);
  return v;
}

WeightMatrix F32Matrix(const std::vector<float>& data, size_t rows, size_t cols) {
  WeightMatrix w;
  w.dtype = tensor::DType::kF32;
  w.rows = rows;
  w.cols = cols;
  w.data = reinterpret_cast<const uint8_t*>(data.data());
  w.row_bytes = cols * 4;
  return w;
}

// A token's output does not depend on how many tokens share the call, or on threads.
TEST(KernelsTest, MatMulRowsDoNotDependOnTheBatch) {
  for (size_t cols : {64u, 100u, 768u}) {
    const size_t rows = 37, tokens = 53;
    std::vector<float> w = Random(rows * cols, 1), x = Random(tokens * cols, 2);
    WeightMatrix m = F32Matrix(w, rows, cols);
    std::vector<float> all(tokens * rows);
    MatMul(m, x.data(), tokens, all.data(), rows, 2);
    for (size_t t = 0; t < tokens; ++t) {
      std::vector<float> one(rows);
      MatMul(m, x.data() + t * cols, 1, one.data(), rows, 1);
      for (size_t o = 0; o < rows; ++o) {
        ASSERT_EQ(one[o], all[t * rows + o]) << "cols " << cols << " token " << t << " row " << o;
        double exact = 0;
        for (size_t k = 0; k < cols; ++k) exact += static_cast<double>(w[o * cols + k]) * x[t * cols + k];
        EXPECT_NEAR(one[o], exact, 1e-4 * std::sqrt(static_cast<double>(cols)));
      }
    }
  }
}

// Half-precision weights converted in registers give exactly the product with the
// converted float32 weights.
TEST(KernelsTest, ConvertedWeightsEqualFloat32Weights) {
  const size_t rows = 9, cols = 96, tokens = 7;
  std::vector<float> x = Random(tokens * cols, 3), w = Random(rows * cols, 4);
  std::vector<uint16_t> bf16(rows * cols), f16(rows * cols);
  std::vector<float> from_bf16(rows * cols), from_f16(rows * cols);
  for (size_t i = 0; i < w.size(); ++i) {
    uint32_t bits;
    std::memcpy(&bits, &w[i], 4);
    bf16[i] = static_cast<uint16_t>(bits >> 16);
    from_bf16[i] = tensor::BFloat16ToFloat(bf16[i]);
    // Any bit pattern without an all-ones exponent is a finite half.
    f16[i] = static_cast<uint16_t>((bits >> 13) & 0x7bff);
    from_f16[i] = tensor::HalfToFloat(f16[i]);
  }
  // Q8_0: blocks of 32 int8 with an f16 scale.
  std::vector<uint8_t> q8(rows * cols / 32 * 34);
  std::vector<float> from_q8(rows * cols);
  for (size_t b = 0; b < rows * cols / 32; ++b) {
    uint16_t scale = 0x2e66;  // about 0.1
    std::memcpy(&q8[b * 34], &scale, 2);
    for (size_t i = 0; i < 32; ++i) {
      auto q = static_cast<int8_t>(static_cast<int>(w[b * 32 + i] * 40) % 127);
      q8[b * 34 + 2 + i] = static_cast<uint8_t>(q);
      from_q8[b * 32 + i] = tensor::HalfToFloat(scale) * q;
    }
  }
  struct Case {
    tensor::DType dtype;
    const void* data;
    size_t row_bytes;
    const std::vector<float>* as_float;
  };
  for (const Case& c : {Case{tensor::DType::kBF16, bf16.data(), cols * 2, &from_bf16},
                        Case{tensor::DType::kF16, f16.data(), cols * 2, &from_f16},
                        Case{tensor::DType::kQ8_0, q8.data(), cols / 32 * 34, &from_q8}}) {
    WeightMatrix m;
    m.dtype = c.dtype;
    m.rows = rows;
    m.cols = cols;
    m.data = static_cast<const uint8_t*>(c.data);
    m.row_bytes = c.row_bytes;
    std::vector<float> got(tokens * rows), want(tokens * rows);
    MatMul(m, x.data(), tokens, got.data(), rows, 2);
    MatMul(F32Matrix(*c.as_float, rows, cols), x.data(), tokens, want.data(), rows, 2);
    EXPECT_EQ(got, want) << tensor::Info(c.dtype).name;
    std::vector<float> row(cols);
    RowToFloat(m, 3, row.data());
    EXPECT_EQ(row, std::vector<float>(c.as_float->begin() + 3 * cols, c.as_float->begin() + 4 * cols));
  }
}

// Attention's batched dot products and weighted sums equal the one-at-a-time kernels.
TEST(KernelsTest, RowKernelsEqualSingleKernels) {
  for (size_t dim : {16u, 64u, 80u, 128u, 256u}) {
    for (size_t n : {1u, 5u, 16u, 17u, 40u}) {
      const size_t stride = dim * 3;
      std::vector<float> q = Random(dim, 5), rows = Random(n * stride, 6), w = Random(n, 7);
      std::vector<float> scores(n);
      DotRows(q.data(), rows.data(), stride, n, dim, scores.data());
      std::vector<float> out(dim, 0.5f), expected(dim, 0.5f);
      AxpyRows(w.data(), rows.data(), stride, n, dim, out.data());
      for (size_t j = 0; j < n; ++j) {
        ASSERT_EQ(scores[j], Dot(q.data(), rows.data() + j * stride, dim)) << "dim " << dim << " n " << n << " j " << j;
        Axpy(w[j], rows.data() + j * stride, expected.data(), dim);
      }
      EXPECT_EQ(out, expected) << "dim " << dim << " n " << n;
    }
  }
}

TEST(KernelsTest, ExpAndSiluAreAccurate) {
  std::vector<float> x;
  for (float v = -100; v <= 80; v += 0.37f) x.push_back(v);
  std::vector<float> e = x;
  ExpInPlace(e.data(), e.size());
  for (size_t i = 0; i < x.size(); ++i) {
    float want = x[i] < -87.3f ? std::exp(-87.3f) : std::exp(x[i]);
    EXPECT_NEAR(e[i], want, 3e-7 * want) << x[i];
  }
  std::vector<float> gate = x, up(x.size(), 2.0f);
  SiluMul(gate.data(), up.data(), gate.size());
  for (size_t i = 0; i < x.size(); ++i) {
    double want = 2.0 * x[i] / (1.0 + std::exp(-static_cast<double>(x[i])));
    EXPECT_NEAR(gate[i], want, 1e-6 * std::max(1.0, std::fabs(want))) << x[i];
  }
}

}  // namespace
}  // namespace kaif::engine
