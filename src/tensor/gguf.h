// GGUF v2/v3 files (llama.cpp's format), memory-mapped: header, metadata of every value
// type (arrays included), tensor infos, alignment, and views of the tensor data. Every
// count and offset is checked against the bytes that remain, so a hostile file gives
// Status::Corruption, never a huge allocation or an out-of-bounds read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tensor/mapped_file.h"
#include "tensor/tensor_view.h"
#include "util/status.h"

namespace kaif::tensor {

enum class GgufValueType : uint32_t {
  kUint8 = 0, kInt8 = 1, kUint16 = 2, kInt16 = 3, kUint32 = 4, kInt32 = 5, kFloat32 = 6, kBool = 7,
  kString = 8, kArray = 9, kUint64 = 10, kInt64 = 11, kFloat64 = 12,
};

struct GgufValue {
  GgufValueType type = GgufValueType::kUint8;
  uint64_t u = 0;  // unsigned integers and bool
  int64_t i = 0;   // signed integers
  double f = 0;    // floats
  std::string s;
  GgufValueType array_type = GgufValueType::kUint8;
  std::vector<GgufValue> array;

  // The value as a number when it is one (any integer, float or bool).
  std::optional<double> AsNumber() const;
};

class GgufFile {
 public:
  static Result<std::unique_ptr<GgufFile>> Open(const std::filesystem::path& path);
  // Parses a file already in memory (tests, fuzzing); `bytes` must outlive the object.
  static Result<std::unique_ptr<GgufFile>> Parse(const uint8_t* bytes, size_t size, const std::string& name);

  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  const std::map<std::string, GgufValue>& metadata() const { return metadata_; }
  const GgufValue* FindMetadata(const std::string& key) const;
  const std::vector<TensorView>& tensors() const { return tensors_; }  // in file order
  const TensorView* Find(const std::string& name) const;

 private:
  GgufFile() = default;
  std::unique_ptr<MappedFile> file_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  std::map<std::string, GgufValue> metadata_;
  std::vector<TensorView> tensors_;
  std::map<std::string, size_t> index_;
};

}  // namespace kaif::tensor
