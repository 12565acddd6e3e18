// The Architecture of a GGUF model, read from llama.cpp's metadata keys
// ("<arch>.block_count", "<arch>.attention.head_count", ...) and its tensor names.
#pragma once

#include <string>

#include "model/architecture.h"
#include "tensor/gguf.h"
#include "util/status.h"

namespace kaif::model {

// InvalidInput naming `source` and the key for a missing or unsupported value.
Result<Architecture> ArchitectureFromGguf(const tensor::GgufFile& file, const std::string& source);

}  // namespace kaif::model
