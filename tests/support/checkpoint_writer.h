// Test checkpoints written from named float tensors (DIR/model.safetensors, F32).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tensor/safetensors_writer.h"

namespace kaif::testing {

using Tensors = std::map<std::string, std::pair<std::vector<uint64_t>, std::vector<float>>>;

inline std::filesystem::path WriteModel(const std::filesystem::path& dir, const Tensors& tensors) {
  std::filesystem::create_directories(dir);
  std::vector<tensor::TensorToWrite> out;
  for (const auto& [name, t] : tensors) out.push_back({name, t.first, t.second});
  EXPECT_TRUE(tensor::WriteSafetensors(dir / "model.safetensors", out).ok());
  return dir;
}

}  // namespace kaif::testing
