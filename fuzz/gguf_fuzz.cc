// libFuzzer target: any bytes given to the GGUF parser give a file or a Status, never a
// crash, a huge allocation or an out-of-bounds read. Parsed tensors are dequantized.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tensor/gguf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto file = kaif::tensor::GgufFile::Parse(data, size, "fuzz");
  if (!file.ok()) return 0;
  for (const kaif::tensor::TensorView& t : (*file)->tensors()) {
    if (t.elements() > (1u << 20)) continue;
    std::vector<float> values(t.elements());
    (void)kaif::tensor::ToFloat32(t, values.data());
  }
  return 0;
}
