// Element types of checkpoint tensors: plain types (safetensors, GGUF) and GGUF's block-
// quantized types, which store a block of elements in a fixed number of bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kaif::tensor {

enum class DType {
  kF64, kF32, kF16, kBF16, kF8E4M3, kF8E5M2,
  kI64, kI32, kI16, kI8, kU64, kU32, kU16, kU8, kBool,
  kQ4_0, kQ8_0, kQ4_K, kQ6_K,  // GGUF block formats
};

struct DTypeInfo {
  const char* name;      // safetensors spelling where there is one ("F32", "BF16", "F8_E4M3")
  size_t block_elements;  // 1 for plain types
  size_t block_bytes;     // bytes per block
  bool is_float;          // convertible to float32
};

const DTypeInfo& Info(DType type);
std::optional<DType> DTypeFromSafetensorsName(std::string_view name);

// Bytes for `elements` values, or nullopt if `elements` is not a whole number of blocks
// or the size overflows.
std::optional<uint64_t> StorageBytes(DType type, uint64_t elements);

// float conversions of the 16- and 8-bit float formats, bit-exact.
float HalfToFloat(uint16_t bits);
float BFloat16ToFloat(uint16_t bits);
float Fp8E4M3ToFloat(uint8_t bits);
float Fp8E5M2ToFloat(uint8_t bits);

}  // namespace kaif::tensor
