// Reads a Hugging Face config.json into an Architecture, for the Llama family and its
// relatives: Llama 2/3, Mistral, Qwen2/2.5, Qwen3, Gemma 2/3, EXAONE 3.5/4. Both the
// transformers 4 spelling (rope_scaling, rope_theta) and the transformers 5 spelling
// (rope_parameters, per layer type) are read. Unknown architectures fail with a message
// listing the supported ones.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "model/architecture.h"
#include "util/status.h"

namespace kaif::model {

Result<Architecture> ParseConfig(std::string_view text, const std::string& source);

// Reads DIR/config.json (or the file itself).
Result<Architecture> LoadConfig(const std::filesystem::path& path);

}  // namespace kaif::model
