// The kernels, written once over a vector type: each kernels_<isa>.cc defines `Simd` for
// its instruction set, then includes this file inside its own namespace. Not a public
// header.
//
// MatMul works in dot-product form because both operands are stored along k: a tile of
// kRowsX tokens by kRowsW weight rows keeps kRowsX x kRowsW vector accumulators, loads
// (and converts) each weight vector once for all tokens of the tile and each activation
// vector once for all weight rows. Every accumulator sees the same operations in the same
// order whatever the tile's size, so the result of a token does not depend on its
// neighbours.
//
// Only builtins and functions defined out of line are called from here: an inline
// function from a shared header, compiled with this file's instruction set, could be
// the copy the linker keeps for the whole program.

// Weight loaders: `Vector(row, k)` converts lanes weights starting at column k (k a multiple
// of Simd::kLanes); `Scalar(row, k)` one weight, for the columns after the last full vector.
struct LoadF32 {
  static Simd::V Vector(const uint8_t* row, size_t k) { return Simd::Load(reinterpret_cast<const float*>(row) + k); }
  static float Scalar(const uint8_t* row, size_t k) { return reinterpret_cast<const float*>(row)[k]; }
};
struct LoadBF16 {
  static Simd::V Vector(const uint8_t* row, size_t k) { return Simd::LoadBF16(reinterpret_cast<const uint16_t*>(row) + k); }
  static float Scalar(const uint8_t* row, size_t k) {
    uint16_t bits;
    std::memcpy(&bits, row + 2 * k, 2);
    return tensor::BFloat16ToFloat(bits);
  }
};
struct LoadF16 {
  static Simd::V Vector(const uint8_t* row, size_t k) { return Simd::LoadF16(reinterpret_cast<const uint16_t*>(row) + k); }
  static float Scalar(const uint8_t* row, size_t k) {
    uint16_t bits;
    std::memcpy(&bits, row + 2 * k, 2);
    return tensor::HalfToFloat(bits);
  }
};
// Q8_0: blocks of 32 weights, an f16 scale then 32 int8. scale * q is exact in float32
// (8 + 11 significant bits), so the product equals the one with dequantized weights.
struct LoadQ8_0 {
  static constexpr size_t kBlock = 32, kBlockBytes = 34;
  static Simd::V Vector(const uint8_t* row, size_t k) {
    const uint8_t* block = row + (k / kBlock) * kBlockBytes;
    uint16_t bits;
    std::memcpy(&bits, block, 2);
    return Simd::LoadI8Scaled(reinterpret_cast<const int8_t*>(block + 2 + k % kBlock), tensor::HalfToFloat(bits));
  }
  static float Scalar(const uint8_t* row, size_t k) {
    const uint8_t* block = row + (k / kBlock) * kBlockBytes;
    uint16_t bits;
    std::memcpy(&bits, block, 2);
    return tensor::HalfToFloat(bits) * static_cast<float>(static_cast<int8_t>(block[2 + k % kBlock]));
  }
};

constexpr int kRowsX = 4, kRowsW = 4;

template <class Load, int MX, int MW>
void Tile(const float* x, size_t ldx, const uint8_t* const* w, size_t cols, float* y, size_t ldy) {
  Simd::V acc[MX][MW];
  for (int i = 0; i < MX; ++i)
    for (int j = 0; j < MW; ++j) acc[i][j] = Simd::Zero();
  const size_t full = cols - cols % Simd::kLanes;
  for (size_t k = 0; k < full; k += Simd::kLanes) {
    Simd::V wv[MW];
    for (int j = 0; j < MW; ++j) wv[j] = Load::Vector(w[j], k);
    for (int i = 0; i < MX; ++i) {
      Simd::V xv = Simd::Load(x + static_cast<size_t>(i) * ldx + k);
      for (int j = 0; j < MW; ++j) acc[i][j] = Simd::Fma(xv, wv[j], acc[i][j]);
    }
  }
  for (int i = 0; i < MX; ++i) {
    for (int j = 0; j < MW; ++j) {
      float sum = Simd::Sum(acc[i][j]);
      for (size_t k = full; k < cols; ++k) sum += x[static_cast<size_t>(i) * ldx + k] * Load::Scalar(w[j], k);
      y[static_cast<size_t>(i) * ldy + static_cast<size_t>(j)] = sum;
    }
  }
}

template <class Load>
using TileFn = void (*)(const float*, size_t, const uint8_t* const*, size_t, float*, size_t);

template <class Load, int MX>
constexpr TileFn<Load> TileFor(int mw) {
  return mw == 1 ? &Tile<Load, MX, 1> : mw == 2 ? &Tile<Load, MX, 2> : mw == 3 ? &Tile<Load, MX, 3> : &Tile<Load, MX, 4>;
}

template <class Load>
TileFn<Load> TileFor(int mx, int mw) {
  switch (mx) {
    case 1: return TileFor<Load, 1>(mw);
    case 2: return TileFor<Load, 2>(mw);
    case 3: return TileFor<Load, 3>(mw);
    default: return TileFor<Load, 4>(mw);
  }
}

// Tokens are taken kTokenBlock at a time so that their activations stay in cache while
// every weight row streams past them once.
constexpr size_t kTokenBlock = 32;

template <class Load>
void MatMulWith(const WeightMatrix& w, const float* x, size_t tokens, float* y, size_t ldy, int threads) {
  const size_t wblocks = (w.rows + kRowsW - 1) / kRowsW;
#pragma omp parallel num_threads(threads) if (threads > 1 && tokens * w.rows * w.cols > (1u << 15))
  for (size_t t0 = 0; t0 < tokens; t0 += kTokenBlock) {
    const size_t t1 = tokens < t0 + kTokenBlock ? tokens : t0 + kTokenBlock;
#pragma omp for schedule(static) nowait
    for (size_t b = 0; b < wblocks; ++b) {
      const size_t o = b * kRowsW;
      const int mw = static_cast<int>(w.rows - o < kRowsW ? w.rows - o : kRowsW);
      const uint8_t* rows[kRowsW];
      for (int j = 0; j < kRowsW; ++j) rows[j] = w.data + (o + static_cast<size_t>(j < mw ? j : mw - 1)) * w.row_bytes;
      for (size_t t = t0; t < t1; t += kRowsX) {
        const int mx = static_cast<int>(t1 - t < kRowsX ? t1 - t : kRowsX);
        TileFor<Load>(mx, mw)(x + t * w.cols, w.cols, rows, w.cols, y + t * ldy + o, ldy);
      }
    }
  }
}

void MatMul(const WeightMatrix& w, const float* x, size_t tokens, float* y, size_t ldy, int threads) {
  switch (w.dtype) {
    case tensor::DType::kF32: return MatMulWith<LoadF32>(w, x, tokens, y, ldy, threads);
    case tensor::DType::kBF16: return MatMulWith<LoadBF16>(w, x, tokens, y, ldy, threads);
    case tensor::DType::kF16: return MatMulWith<LoadF16>(w, x, tokens, y, ldy, threads);
    case tensor::DType::kQ8_0: return MatMulWith<LoadQ8_0>(w, x, tokens, y, ldy, threads);
    default: return;  // callers check IsComputeType when the weights are opened
  }
}

float Dot(const float* a, const float* b, size_t n) {
  Simd::V acc = Simd::Zero();
  const size_t full = n - n % Simd::kLanes;
  for (size_t k = 0; k < full; k += Simd::kLanes) acc = Simd::Fma(Simd::Load(a + k), Simd::Load(b + k), acc);
  float sum = Simd::Sum(acc);
  for (size_t k = full; k < n; ++k) sum += a[k] * b[k];
  return sum;
}

void Axpy(float a, const float* x, float* y, size_t n) {
  const Simd::V av = Simd::Broadcast(a);
  const size_t full = n - n % Simd::kLanes;
  for (size_t k = 0; k < full; k += Simd::kLanes) Simd::Store(y + k, Simd::Fma(av, Simd::Load(x + k), Simd::Load(y + k)));
  for (size_t k = full; k < n; ++k) y[k] += a * x[k];
}
