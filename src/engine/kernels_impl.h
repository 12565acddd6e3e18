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
  static const uint8_t* At(const uint8_t* row, size_t k) { return row + 4 * k; }
  static Simd::V Vector(const uint8_t* row, size_t k) { return Simd::Load(reinterpret_cast<const float*>(row) + k); }
  static float Scalar(const uint8_t* row, size_t k) { return reinterpret_cast<const float*>(row)[k]; }
};
struct LoadBF16 {
  static const uint8_t* At(const uint8_t* row, size_t k) { return row + 2 * k; }
  static Simd::V Vector(const uint8_t* row, size_t k) { return Simd::LoadBF16(reinterpret_cast<const uint16_t*>(row) + k); }
  static float Scalar(const uint8_t* row, size_t k) {
    uint16_t bits;
    std::memcpy(&bits, row + 2 * k, 2);
    return tensor::BFloat16ToFloat(bits);
  }
};
struct LoadF16 {
  static const uint8_t* At(const uint8_t* row, size_t k) { return row + 2 * k; }
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
  static const uint8_t* At(const uint8_t* row, size_t k) { return row + k / kBlock * kBlockBytes; }
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

constexpr int kRowsX = 6, kRowsW = 4;
constexpr size_t kPrefetchBytes = 8192;

template <class Load, int MX, int MW>
void Tile(const float* x, size_t ldx, const uint8_t* const* w, size_t cols, float* y, size_t ldy) {
  Simd::V acc[MX][MW];
  for (int i = 0; i < MX; ++i)
    for (int j = 0; j < MW; ++j) acc[i][j] = Simd::Zero();
  const size_t full = cols - cols % Simd::kLanes;
  for (size_t k = 0; k < full; k += Simd::kLanes) {
    if (MX <= 2) {
      // Few tokens: memory-bound. The tile's rows lie one after the other, so they are
      // one linear stream; prefetch it as such, ahead of the interleaved reads.
      const size_t consumed = static_cast<size_t>(Load::At(w[0], k) - w[0]) * MW;
      for (int j = 0; j < MW; ++j) __builtin_prefetch(w[0] + consumed + kPrefetchBytes + 64 * static_cast<size_t>(j));
    }
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
    case 4: return TileFor<Load, 4>(mw);
    case 5: return TileFor<Load, 5>(mw);
    default: return TileFor<Load, 6>(mw);
  }
}

// Tokens are taken kTokenBlock at a time so that their activations stay in cache while
// every weight row streams past them once.
constexpr size_t kTokenBlock = 48;

template <class Load>
void MatMulWith(const MatMulTarget* targets, size_t count, const float* x, size_t tokens, int threads) {
  // The weight-row blocks of every target, numbered one after the other, so that one
  // parallel loop covers products that share their input (q, k, v; gate, up).
  size_t first_block[4] = {0, 0, 0, 0}, total = 0, work = 0;
  for (size_t i = 0; i < count; ++i) {
    first_block[i] = total;
    total += (targets[i].w->rows + kRowsW - 1) / kRowsW;
    work += tokens * targets[i].w->rows * targets[i].w->cols;
  }
  const size_t cols = targets[0].w->cols;
#pragma omp parallel num_threads(threads) if (threads > 1 && work > (1u << 15))
  for (size_t t0 = 0; t0 < tokens; t0 += kTokenBlock) {
    const size_t t1 = tokens < t0 + kTokenBlock ? tokens : t0 + kTokenBlock;
#pragma omp for schedule(dynamic, 16) nowait
    for (size_t b = 0; b < total; ++b) {
      size_t i = count - 1;
      while (first_block[i] > b) --i;
      const WeightMatrix& w = *targets[i].w;
      const size_t o = (b - first_block[i]) * kRowsW;
      const int mw = static_cast<int>(w.rows - o < kRowsW ? w.rows - o : kRowsW);
      const uint8_t* rows[kRowsW];
      for (int j = 0; j < kRowsW; ++j) rows[j] = w.data + (o + static_cast<size_t>(j < mw ? j : mw - 1)) * w.row_bytes;
      for (size_t t = t0; t < t1; t += kRowsX) {
        const int mx = static_cast<int>(t1 - t < kRowsX ? t1 - t : kRowsX);
        float* y = targets[i].y + t * targets[i].ldy + o;
        if (tokens == 1) {
          // One token is memory-bound: read the rows one after another, a single linear
          // stream (the same arithmetic per row as in a wider tile).
          for (int j = 0; j < mw; ++j) TileFor<Load>(1, 1)(x + t * cols, cols, rows + j, cols, y + j, targets[i].ldy);
        } else {
          TileFor<Load>(mx, mw)(x + t * cols, cols, rows, cols, y, targets[i].ldy);
        }
      }
    }
  }
}

void MatMulMany(const MatMulTarget* targets, size_t count, const float* x, size_t tokens, int threads) {
  switch (targets[0].w->dtype) {
    case tensor::DType::kF32: return MatMulWith<LoadF32>(targets, count, x, tokens, threads);
    case tensor::DType::kBF16: return MatMulWith<LoadBF16>(targets, count, x, tokens, threads);
    case tensor::DType::kF16: return MatMulWith<LoadF16>(targets, count, x, tokens, threads);
    case tensor::DType::kQ8_0: return MatMulWith<LoadQ8_0>(targets, count, x, tokens, threads);
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

void DotRows(const float* q, const float* rows, size_t stride, size_t n, size_t dim, float* out) {
  const size_t full = dim - dim % Simd::kLanes;
  // Several rows at a time for independent chains and a shared final reduction; each
  // row's arithmetic is still Dot's.
  constexpr size_t kGroup = Simd::kSumGroup > 1 ? Simd::kSumGroup : 4;
  size_t j = 0;
  for (; j + kGroup <= n; j += kGroup) {
    const float* r = rows + j * stride;
    Simd::V acc[kGroup];
    for (size_t i = 0; i < kGroup; ++i) acc[i] = Simd::Zero();
    for (size_t k = 0; k < full; k += Simd::kLanes) {
      Simd::V qv = Simd::Load(q + k);
      for (size_t i = 0; i < kGroup; ++i) acc[i] = Simd::Fma(qv, Simd::Load(r + i * stride + k), acc[i]);
    }
    float sums[kGroup];
    if constexpr (Simd::kSumGroup > 1) {
      Simd::SumGroup(acc, sums);
    } else {
      for (size_t i = 0; i < kGroup; ++i) sums[i] = Simd::Sum(acc[i]);
    }
    for (size_t i = 0; i < kGroup; ++i) {
      for (size_t k = full; k < dim; ++k) sums[i] += q[k] * r[i * stride + k];
      out[j + i] = sums[i];
    }
  }
  for (; j < n; ++j) out[j] = Dot(q, rows + j * stride, dim);
}

void DotTile(const float* const* q, size_t m, const float* rows, size_t stride, size_t n, size_t dim, float* out,
             size_t ld) {
  // Up to four queries against four rows at a time: each row vector is loaded once for all
  // queries; sixteen accumulators share one reduction (SumGroup), each still Dot's sum.
  if (m == 1) return DotRows(q[0], rows, stride, n, dim, out);
  const size_t full = dim - dim % Simd::kLanes;
  const float* qs[4];
  for (size_t i = 0; i < 4; ++i) qs[i] = q[i < m ? i : 0];
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const float* r = rows + j * stride;
    Simd::V acc[16];
    for (size_t i = 0; i < 16; ++i) acc[i] = Simd::Zero();
    for (size_t k = 0; k < full; k += Simd::kLanes) {
      Simd::V rv[4];
      for (size_t c = 0; c < 4; ++c) rv[c] = Simd::Load(r + c * stride + k);
      for (size_t i = 0; i < 4; ++i) {
        Simd::V qv = Simd::Load(qs[i] + k);
        for (size_t c = 0; c < 4; ++c) acc[i * 4 + c] = Simd::Fma(qv, rv[c], acc[i * 4 + c]);
      }
    }
    float sums[16];
    if constexpr (Simd::kSumGroup == 16) {
      Simd::SumGroup(acc, sums);
    } else {
      for (size_t i = 0; i < 16; ++i) sums[i] = Simd::Sum(acc[i]);
    }
    for (size_t i = 0; i < m; ++i) {
      for (size_t c = 0; c < 4; ++c) {
        float sum = sums[i * 4 + c];
        for (size_t k = full; k < dim; ++k) sum += qs[i][k] * r[c * stride + k];
        out[i * ld + j + c] = sum;
      }
    }
  }
  for (; j < n; ++j) {
    for (size_t i = 0; i < m; ++i) out[i * ld + j] = Dot(q[i], rows + j * stride, dim);
  }
}

// exp(x) for a vector: Cody-Waite reduction to r in [-ln2/2, ln2/2] and Cephes' degree-6
// polynomial (within 2 ulp of expf), then scaled by 2^n. Inputs are clamped to keep 2^n
// normal: exp(-87.3) is about 1.3e-38.
Simd::V Exp(Simd::V x) {
  x = Simd::Min(Simd::Max(x, Simd::Broadcast(-87.3f)), Simd::Broadcast(88.7f));
  const Simd::V n = Simd::Round(Simd::Mul(x, Simd::Broadcast(1.44269504088896341f)));
  Simd::V r = Simd::Fma(n, Simd::Broadcast(-0.693359375f), x);
  r = Simd::Fma(n, Simd::Broadcast(2.12194440e-4f), r);
  Simd::V p = Simd::Broadcast(1.9875691500e-4f);
  p = Simd::Fma(p, r, Simd::Broadcast(1.3981999507e-3f));
  p = Simd::Fma(p, r, Simd::Broadcast(8.3334519073e-3f));
  p = Simd::Fma(p, r, Simd::Broadcast(4.1665795894e-2f));
  p = Simd::Fma(p, r, Simd::Broadcast(1.6666665459e-1f));
  p = Simd::Fma(p, r, Simd::Broadcast(5.0000001201e-1f));
  p = Simd::Fma(p, Simd::Mul(r, r), Simd::Add(r, Simd::Broadcast(1.0f)));
  return Simd::Mul(p, Simd::Pow2(n));
}

Simd::V SiluTimes(Simd::V g, Simd::V u) {
  // silu(g) * u = g / (1 + exp(-g)) * u
  const Simd::V e = Exp(Simd::Mul(g, Simd::Broadcast(-1.0f)));
  return Simd::Mul(Simd::Div(g, Simd::Add(Simd::Broadcast(1.0f), e)), u);
}

// The last partial vector of each loop below goes through padded copies, so every element
// sees the same arithmetic.
void ExpInPlace(float* x, size_t n) {
  const size_t full = n - n % Simd::kLanes;
  for (size_t i = 0; i < full; i += Simd::kLanes) Simd::Store(x + i, Exp(Simd::Load(x + i)));
  if (full < n) {
    float pad[Simd::kLanes] = {};
    std::memcpy(pad, x + full, (n - full) * sizeof(float));
    Simd::Store(pad, Exp(Simd::Load(pad)));
    std::memcpy(x + full, pad, (n - full) * sizeof(float));
  }
}

void SiluMul(float* gate, const float* up, size_t n) {
  const size_t full = n - n % Simd::kLanes;
  for (size_t i = 0; i < full; i += Simd::kLanes) {
    Simd::Store(gate + i, SiluTimes(Simd::Load(gate + i), Simd::Load(up + i)));
  }
  if (full < n) {
    float g[Simd::kLanes] = {}, u[Simd::kLanes] = {};
    std::memcpy(g, gate + full, (n - full) * sizeof(float));
    std::memcpy(u, up + full, (n - full) * sizeof(float));
    Simd::Store(g, SiluTimes(Simd::Load(g), Simd::Load(u)));
    std::memcpy(gate + full, g, (n - full) * sizeof(float));
  }
}

void Axpy(float a, const float* x, float* y, size_t n);

void AxpyRows(const float* w, const float* rows, size_t stride, size_t n, size_t dim, float* out) {
  // Output chunks of four vectors stay in registers across all rows; each element still
  // sees out + w[0] r[0] + w[1] r[1] + ... in row order, as with one Axpy per row.
  constexpr size_t kChunk = 4 * Simd::kLanes;
  size_t d = 0;
  for (; d + kChunk <= dim; d += kChunk) {
    Simd::V acc[4];
    for (size_t i = 0; i < 4; ++i) acc[i] = Simd::Load(out + d + i * Simd::kLanes);
    for (size_t j = 0; j < n; ++j) {
      const Simd::V wv = Simd::Broadcast(w[j]);
      const float* r = rows + j * stride + d;
      for (size_t i = 0; i < 4; ++i) acc[i] = Simd::Fma(wv, Simd::Load(r + i * Simd::kLanes), acc[i]);
    }
    for (size_t i = 0; i < 4; ++i) Simd::Store(out + d + i * Simd::kLanes, acc[i]);
  }
  if (d < dim) {
    for (size_t j = 0; j < n; ++j) Axpy(w[j], rows + j * stride + d, out + d, dim - d);
  }
}

void Axpy(float a, const float* x, float* y, size_t n) {
  const Simd::V av = Simd::Broadcast(a);
  const size_t full = n - n % Simd::kLanes;
  for (size_t k = 0; k < full; k += Simd::kLanes) Simd::Store(y + k, Simd::Fma(av, Simd::Load(x + k), Simd::Load(y + k)));
  for (size_t k = full; k < n; ++k) y[k] += a * x[k];
}

void AxpyTile(const float* const* w, size_t m, const float* rows, size_t stride, size_t n, size_t dim,
              float* const* out) {
  // Four outputs by four vectors of dimensions in registers; each row vector is loaded
  // once for all outputs. Every element's chain is AxpyRows's.
  constexpr size_t kChunk = 4 * Simd::kLanes;
  size_t d = 0;
  if (m == 4) {
    for (; d + kChunk <= dim; d += kChunk) {
      Simd::V acc[4][4];
      for (size_t i = 0; i < 4; ++i)
        for (size_t c = 0; c < 4; ++c) acc[i][c] = Simd::Load(out[i] + d + c * Simd::kLanes);
      for (size_t j = 0; j < n; ++j) {
        const float* r = rows + j * stride + d;
        Simd::V rv[4];
        for (size_t c = 0; c < 4; ++c) rv[c] = Simd::Load(r + c * Simd::kLanes);
        for (size_t i = 0; i < 4; ++i) {
          const Simd::V wv = Simd::Broadcast(w[i][j]);
          for (size_t c = 0; c < 4; ++c) acc[i][c] = Simd::Fma(wv, rv[c], acc[i][c]);
        }
      }
      for (size_t i = 0; i < 4; ++i)
        for (size_t c = 0; c < 4; ++c) Simd::Store(out[i] + d + c * Simd::kLanes, acc[i][c]);
    }
  }
  if (d < dim) {
    for (size_t i = 0; i < m; ++i) AxpyRows(w[i], rows + d, stride, n, dim - d, out[i] + d);
  }
}


const KernelTable& Kernels() {
  static constexpr KernelTable kTable = {&MatMulMany, &Dot, &Axpy, &DotRows, &AxpyRows, &DotTile, &AxpyTile, &ExpInPlace, &SiluMul};
  return kTable;
}
