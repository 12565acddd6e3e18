// A tensor as it lies in a mapped checkpoint: name, type, shape and a pointer into the
// map. Views are cheap and valid while the file that made them is open.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tensor/dtype.h"
#include "util/status.h"

namespace kaif::tensor {

struct TensorView {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<uint64_t> shape;  // outermost first, as in safetensors and PyTorch
  const uint8_t* data = nullptr;
  uint64_t nbytes = 0;
  uint64_t offset = 0;  // in its file, for ordering and messages

  uint64_t elements() const;
};

// Converts (dequantizes) every element to float32. `out` must hold elements() floats.
// InvalidInput for types that have no float meaning here.
Status ToFloat32(const TensorView& tensor, float* out);

}  // namespace kaif::tensor
