#include "tensor/dtype.h"

#include <bit>
#include <cmath>
#include <limits>

namespace kaif::tensor {

const DTypeInfo& Info(DType type) {
  // Block sizes of the quantized types follow the GGUF specification's block layouts:
  // Q4_0 = f16 scale + 16 bytes of nibbles, Q8_0 = f16 scale + 32 int8, Q4_K = 2 x f16 +
  // 12 scale bytes + 128 nibble bytes, Q6_K = 128 + 64 + 16 bytes + f16 scale.
  static const DTypeInfo kInfo[] = {
      {"F64", 1, 8, true},     {"F32", 1, 4, true},     {"F16", 1, 2, true},   {"BF16", 1, 2, true},
      {"F8_E4M3", 1, 1, true}, {"F8_E5M2", 1, 1, true}, {"I64", 1, 8, true},   {"I32", 1, 4, true},
      {"I16", 1, 2, true},     {"I8", 1, 1, true},      {"U64", 1, 8, true},   {"U32", 1, 4, true},
      {"U16", 1, 2, true},     {"U8", 1, 1, true},      {"BOOL", 1, 1, true},  {"Q4_0", 32, 18, true},
      {"Q8_0", 32, 34, true},  {"Q4_K", 256, 144, true}, {"Q6_K", 256, 210, true},
  };
  return kInfo[static_cast<int>(type)];
}

std::optional<DType> DTypeFromSafetensorsName(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(DType::kBool); ++i) {
    if (name == Info(static_cast<DType>(i)).name) return static_cast<DType>(i);
  }
  return std::nullopt;
}

std::optional<uint64_t> StorageBytes(DType type, uint64_t elements) {
  const DTypeInfo& info = Info(type);
  if (elements % info.block_elements != 0) return std::nullopt;
  uint64_t blocks = elements / info.block_elements;
  if (blocks > std::numeric_limits<uint64_t>::max() / info.block_bytes) return std::nullopt;
  return blocks * info.block_bytes;
}

float HalfToFloat(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exponent = (h >> 10) & 0x1F;
  uint32_t mantissa = h & 0x3FF;
  if (exponent == 0) {
    // Zero or subnormal: mantissa x 2^-24, exact in float.
    float value = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -value : value;
  }
  uint32_t bits = exponent == 0x1F ? sign | 0x7F800000u | (mantissa << 13)  // inf or NaN
                                   : sign | ((exponent + 112) << 23) | (mantissa << 13);
  return std::bit_cast<float>(bits);
}

float BFloat16ToFloat(uint16_t bits) { return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16); }

float Fp8E4M3ToFloat(uint8_t bits) {
  // E4M3 "fn": bias 7, no infinities, S.1111.111 is NaN.
  bool negative = bits & 0x80;
  int exponent = (bits >> 3) & 0xF;
  int mantissa = bits & 0x7;
  if (exponent == 0xF && mantissa == 0x7) return std::numeric_limits<float>::quiet_NaN();
  float value = exponent == 0 ? std::ldexp(static_cast<float>(mantissa), -9)
                              : std::ldexp(1.0f + static_cast<float>(mantissa) / 8.0f, exponent - 7);
  return negative ? -value : value;
}

// E5M2 is the upper byte of an IEEE half.
float Fp8E5M2ToFloat(uint8_t bits) { return HalfToFloat(static_cast<uint16_t>(bits) << 8); }

}  // namespace kaif::tensor
