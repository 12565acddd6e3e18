// `kaif model info`: what a checkpoint is - architecture, parameters by component, dtypes,
// size and the content hash results files use as the model's identity.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "model/architecture.h"
#include "util/status.h"

namespace kaif::model {

struct ModelInfo {
  std::string path;
  Architecture architecture;
  std::map<std::string, long long> parameters_by_component;
  long long parameters = 0;
  std::map<std::string, long long> tensors_by_dtype;
  unsigned long long bytes = 0;
  size_t files = 0;
  std::string weights_sha256;
};

// A folder: reads config.json and the safetensors checkpoint, checks that they agree and
// hashes the weights. A .gguf file: the architecture from its metadata, the parameters
// from its tensors (component by llama.cpp's tensor names).
Result<ModelInfo> InspectModel(const std::filesystem::path& path);

std::string RenderModelInfo(const ModelInfo& info);

}  // namespace kaif::model
