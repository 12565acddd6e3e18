// Writes a safetensors file: float32 values stored as F32 or F16, and string metadata.
// kaif writes its own artifacts in this format (the verify fingerprints), so that any
// safetensors reader opens them. The file is written beside its destination and renamed
// into place: a killed writer leaves the old file or none, never half of one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tensor/dtype.h"
#include "util/status.h"

namespace kaif::tensor {

struct TensorToWrite {
  std::string name;
  std::vector<uint64_t> shape;
  std::vector<float> values;  // product(shape) of them
  DType dtype = DType::kF32;  // kF32 or kF16
};

Status WriteSafetensors(const std::filesystem::path& path, const std::vector<TensorToWrite>& tensors,
                        const std::map<std::string, std::string>& metadata = {});

// The nearest half-precision value (ties to even; beyond the range, infinity).
uint16_t FloatToHalf(float value);

}  // namespace kaif::tensor
