// safetensors checkpoints, memory-mapped and zero-copy: one file, or shards listed by
// model.safetensors.index.json. Every offset is checked against the file before a view
// is handed out, so a hostile file gives Status::Corruption, never an out-of-bounds read.
// Format: an 8-byte little-endian header length N, N bytes of JSON
// {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}, then
// the data, offsets relative to its start.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tensor/mapped_file.h"
#include "tensor/tensor_view.h"
#include "util/status.h"

namespace kaif::tensor {

class SafetensorsFile {
 public:
  static Result<std::unique_ptr<SafetensorsFile>> Open(const std::filesystem::path& path);
  // Parses a file already in memory (for tests and fuzzing); `bytes` must outlive the object.
  static Result<std::unique_ptr<SafetensorsFile>> Parse(const uint8_t* bytes, size_t size, const std::string& name);

  const std::vector<TensorView>& tensors() const { return tensors_; }  // in file order
  const TensorView* Find(const std::string& name) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

 private:
  SafetensorsFile() = default;
  std::unique_ptr<MappedFile> file_;  // null when parsed from memory
  std::vector<TensorView> tensors_;
  std::map<std::string, size_t> index_;
  std::map<std::string, std::string> metadata_;
};

// A whole checkpoint: a directory with model.safetensors or model.safetensors.index.json,
// or either file itself.
class SafetensorsCheckpoint {
 public:
  static Result<std::unique_ptr<SafetensorsCheckpoint>> Open(const std::filesystem::path& path);

  // Every tensor, shard by shard in the index's order, each shard in file order.
  const std::vector<const TensorView*>& tensors() const { return order_; }
  const TensorView* Find(const std::string& name) const;
  const std::vector<std::filesystem::path>& files() const { return files_; }
  uint64_t total_bytes() const;

 private:
  std::vector<std::unique_ptr<SafetensorsFile>> shards_;
  std::vector<std::filesystem::path> files_;
  std::vector<const TensorView*> order_;
  std::map<std::string, const TensorView*> index_;
};

// One line per tensor: name, dtype, shape, bytes; then the totals.
std::string RenderTensorList(const SafetensorsCheckpoint& checkpoint);

}  // namespace kaif::tensor
