// The engine's matrix product against OpenBLAS's sgemm on the shapes of a forward pass
// (a 768-wide model: 768 -> 2048 and 2048 -> 768), prefill (512 tokens) and generation
// (1 token), and the cost of keeping weights in F16/BF16 (converted in registers) rather
// than float32. Threads: OMP_NUM_THREADS / OPENBLAS_NUM_THREADS, all cores by default.
#include <benchmark/benchmark.h>
#include <cblas.h>
#include <omp.h>

#include <cstring>
#include <random>
#include <vector>

#include "engine/kernels.h"

namespace {

struct Shape {
  std::vector<float> x, w32;
  std::vector<uint16_t> w16;
  size_t tokens, rows, cols;
  Shape(size_t tokens_, size_t rows_, size_t cols_) : tokens(tokens_), rows(rows_), cols(cols_) {
    std::mt19937 rng(1);
    std::normal_distribution<float> normal(0, 1);
    x.resize(tokens * cols);
    w32.resize(rows * cols);
    w16.resize(rows * cols);
    for (float& v : x) v = normal(rng);
    for (size_t i = 0; i < w32.size(); ++i) {
      w32[i] = normal(rng) * 0.05f;
      uint32_t bits;
      std::memcpy(&bits, &w32[i], 4);
      w16[i] = static_cast<uint16_t>(bits >> 16);  // bf16
      bits = static_cast<uint32_t>(w16[i]) << 16;
      std::memcpy(&w32[i], &bits, 4);  // the same values in float32
    }
  }
};

void Report(benchmark::State& state, const Shape& s) {
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * static_cast<double>(s.tokens * s.rows * s.cols),
                                                 benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}

void BM_KaifMatMul(benchmark::State& state) {
  Shape s(static_cast<size_t>(state.range(0)), static_cast<size_t>(state.range(1)), static_cast<size_t>(state.range(2)));
  kaif::engine::WeightMatrix w;
  const bool bf16 = state.range(3) != 0;
  w.dtype = bf16 ? kaif::tensor::DType::kBF16 : kaif::tensor::DType::kF32;
  w.rows = s.rows;
  w.cols = s.cols;
  w.data = bf16 ? reinterpret_cast<const uint8_t*>(s.w16.data()) : reinterpret_cast<const uint8_t*>(s.w32.data());
  w.row_bytes = s.cols * (bf16 ? 2 : 4);
  std::vector<float> y(s.tokens * s.rows);
  const int threads = omp_get_max_threads();
  for (auto _ : state) {
    kaif::engine::MatMul(w, s.x.data(), s.tokens, y.data(), s.rows, threads);
    benchmark::DoNotOptimize(y.data());
  }
  Report(state, s);
}

void BM_OpenBlasSgemm(benchmark::State& state) {
  Shape s(static_cast<size_t>(state.range(0)), static_cast<size_t>(state.range(1)), static_cast<size_t>(state.range(2)));
  std::vector<float> y(s.tokens * s.rows);
  const int m = static_cast<int>(s.tokens), n = static_cast<int>(s.rows), k = static_cast<int>(s.cols);
  for (auto _ : state) {
    // Y[tokens x rows] = X[tokens x cols] * W[rows x cols]^T
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, s.x.data(), k, s.w32.data(), k, 0.0f, y.data(), n);
    benchmark::DoNotOptimize(y.data());
  }
  Report(state, s);
}

// tokens, rows (out), cols (in), bf16 weights
BENCHMARK(BM_KaifMatMul)->Args({512, 2048, 768, 0})->Args({512, 2048, 768, 1})->Args({512, 768, 2048, 0})
    ->Args({512, 768, 2048, 1})->Args({1, 2048, 768, 0})->Args({1, 2048, 768, 1})->Args({1, 32000, 768, 0})
    ->Args({1, 32000, 768, 1})->UseRealTime();
BENCHMARK(BM_OpenBlasSgemm)->Args({512, 2048, 768})->Args({512, 768, 2048})->Args({1, 2048, 768})
    ->Args({1, 32000, 768})->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
