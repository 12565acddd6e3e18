// A read-only memory map of a whole file: opening a checkpoint costs no reads, and tensor
// data is used where it lies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "util/status.h"

namespace kaif::tensor {

class MappedFile {
 public:
  // NotFound if absent; IoError if it cannot be mapped. An empty file maps to size 0.
  static Result<std::unique_ptr<MappedFile>> Open(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  MappedFile(const uint8_t* data, size_t size, std::filesystem::path path)
      : data_(data), size_(size), path_(std::move(path)) {}
  const uint8_t* data_;
  size_t size_;
  std::filesystem::path path_;
};

}  // namespace kaif::tensor
