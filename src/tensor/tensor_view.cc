#include "tensor/tensor_view.h"

#include <cstring>

namespace kaif::tensor {
namespace {

// Checkpoints are little-endian; so are the machines kaif runs on (x86-64, arm64).
template <typename T>
T Load(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

float LoadHalf(const uint8_t* p) { return HalfToFloat(Load<uint16_t>(p)); }

// Q4_0: one f16 scale, then 16 bytes holding 32 four-bit values offset by 8; the low
// nibbles are elements 0..15 and the high nibbles 16..31.
void DequantizeQ4_0(const uint8_t* block, float* y) {
  float d = LoadHalf(block);
  const uint8_t* qs = block + 2;
  for (int j = 0; j < 16; ++j) {
    y[j] = static_cast<float>((qs[j] & 0x0F) - 8) * d;
    y[j + 16] = static_cast<float>((qs[j] >> 4) - 8) * d;
  }
}

// Q8_0: one f16 scale, then 32 signed bytes.
void DequantizeQ8_0(const uint8_t* block, float* y) {
  float d = LoadHalf(block);
  for (int j = 0; j < 32; ++j) y[j] = static_cast<float>(static_cast<int8_t>(block[2 + j])) * d;
}

// Q4_K: 256 values in 8 sub-blocks of 32, each with a 6-bit scale and a 6-bit min packed
// into 12 bytes; value = d * scale * q - dmin * min.
void ScaleMinK4(int j, const uint8_t* s, uint8_t& scale, uint8_t& min) {
  if (j < 4) {
    scale = s[j] & 63;
    min = s[j + 4] & 63;
  } else {
    scale = static_cast<uint8_t>((s[j + 4] & 0x0F) | ((s[j - 4] >> 6) << 4));
    min = static_cast<uint8_t>((s[j + 4] >> 4) | ((s[j] >> 6) << 4));
  }
}

void DequantizeQ4_K(const uint8_t* block, float* y) {
  float d = LoadHalf(block), dmin = LoadHalf(block + 2);
  const uint8_t* scales = block + 4;
  const uint8_t* q = block + 16;
  for (int group = 0; group < 4; ++group) {
    uint8_t sc1, m1, sc2, m2;
    ScaleMinK4(2 * group, scales, sc1, m1);
    ScaleMinK4(2 * group + 1, scales, sc2, m2);
    for (int l = 0; l < 32; ++l) y[l] = d * sc1 * static_cast<float>(q[l] & 0x0F) - dmin * m1;
    for (int l = 0; l < 32; ++l) y[32 + l] = d * sc2 * static_cast<float>(q[l] >> 4) - dmin * m2;
    y += 64;
    q += 32;
  }
}

// Q6_K: 256 six-bit values (low 4 bits in ql, high 2 bits in qh) offset by 32, sixteen
// int8 scales of 16 values each, and one f16 scale.
void DequantizeQ6_K(const uint8_t* block, float* y) {
  const uint8_t* ql = block;
  const uint8_t* qh = block + 128;
  const int8_t* sc = reinterpret_cast<const int8_t*>(block + 192);
  float d = LoadHalf(block + 208);
  for (int half = 0; half < 2; ++half) {
    for (int l = 0; l < 32; ++l) {
      int is = l / 16;
      int q1 = ((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32;
      int q2 = ((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32;
      int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
      int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
      y[l] = d * sc[is] * static_cast<float>(q1);
      y[l + 32] = d * sc[is + 2] * static_cast<float>(q2);
      y[l + 64] = d * sc[is + 4] * static_cast<float>(q3);
      y[l + 96] = d * sc[is + 6] * static_cast<float>(q4);
    }
    y += 128;
    ql += 64;
    qh += 32;
    sc += 8;
  }
}

}  // namespace

uint64_t TensorView::elements() const {
  uint64_t n = 1;
  for (uint64_t d : shape) n *= d;
  return n;
}

Status ToFloat32(const TensorView& t, float* out) {
  uint64_t n = t.elements();
  std::optional<uint64_t> bytes = StorageBytes(t.dtype, n);
  if (!bytes || *bytes != t.nbytes) {
    return Status::Internal("tensor '" + t.name + "' has a size that does not match its shape and type");
  }
  const uint8_t* p = t.data;
  switch (t.dtype) {
    case DType::kF64: for (uint64_t i = 0; i < n; ++i) out[i] = static_cast<float>(Load<double>(p + 8 * i)); break;
    case DType::kF32: if (n > 0) std::memcpy(out, p, n * 4); break;
    case DType::kF16: for (uint64_t i = 0; i < n; ++i) out[i] = LoadHalf(p + 2 * i); break;
    case DType::kBF16: for (uint64_t i = 0; i < n; ++i) out[i] = BFloat16ToFloat(Load<uint16_t>(p + 2 * i)); break;
    case DType::kF8E4M3: for (uint64_t i = 0; i < n; ++i) out[i] = Fp8E4M3ToFloat(p[i]); break;
    case DType::kF8E5M2: for (uint64_t i = 0; i < n; ++i) out[i] = Fp8E5M2ToFloat(p[i]); break;
    case DType::kI64: for (uint64_t i = 0; i < n; ++i) out[i] = static_cast<float>(Load<int64_t>(p + 8 * i)); break;
    case DType::kI32: for (uint64_t i = 0; i < n; ++i) out[i] = static_cast<float>(Load<int32_t>(p + 4 * i)); break;
    case DType::kI16: for (uint64_t i = 0; i < n; ++i) out[i] = static_cast<float>(Load<int16_t>(p + 2 * i)); break;
    case DType::kI8: for (uint64_t i = 0; i < n; ++i) out[i] = static_cast<float>(static_cast<int8_t>(p[i])); break;
    case DType::kU64: for (uint64_t i = 0; i < n; ++i) out[i] = static_cast<float>(Load<uint64_t>(p + 8 * i)); break;
    case DType::kU32: for (uint64_t i = 0; i < n; ++i) out[i] = static_cast<float>(Load<uint32_t>(p + 4 * i)); break;
    case DType::kU16: for (uint64_t i = 0; i < n; ++i) out[i] = static_cast<float>(Load<uint16_t>(p + 2 * i)); break;
    case DType::kU8:
    case DType::kBool: for (uint64_t i = 0; i < n; ++i) out[i] = static_cast<float>(p[i]); break;
    case DType::kQ4_0: for (uint64_t b = 0; b < n / 32; ++b) DequantizeQ4_0(p + 18 * b, out + 32 * b); break;
    case DType::kQ8_0: for (uint64_t b = 0; b < n / 32; ++b) DequantizeQ8_0(p + 34 * b, out + 32 * b); break;
    case DType::kQ4_K: for (uint64_t b = 0; b < n / 256; ++b) DequantizeQ4_K(p + 144 * b, out + 256 * b); break;
    case DType::kQ6_K: for (uint64_t b = 0; b < n / 256; ++b) DequantizeQ6_K(p + 210 * b, out + 256 * b); break;
  }
  return Status::Ok();
}

}  // namespace kaif::tensor
