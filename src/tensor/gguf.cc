#include "tensor/gguf.h"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <limits>

namespace kaif::tensor {
namespace {

constexpr uint32_t kMaxDims = 4;       // GGML tensors have at most four dimensions
constexpr int kMaxArrayDepth = 4;      // nested arrays: bounded so recursion is too

Status Corrupt(const std::string& name, const std::string& what) {
  return Status::Corruption(name + ": not a valid GGUF file: " + what);
}

// Reads little-endian values from the mapped bytes, never past the end.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size, const std::string& name) : data_(data), size_(size), name_(name) {}

  size_t position() const { return pos_; }
  size_t remaining() const { return size_ - pos_; }

  template <typename T>
  Status Read(T& out, const char* what) {
    if (remaining() < sizeof(T)) return Corrupt(name_, fmt::format("file ends inside {} at byte {}", what, pos_));
    std::memcpy(&out, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return Status::Ok();
  }

  Status ReadString(std::string& out, const char* what) {
    uint64_t length = 0;
    KAIF_RETURN_IF_ERROR(Read(length, what));
    if (length > remaining()) {
      return Corrupt(name_, fmt::format("{} declares {} bytes at byte {}, past the end of the file", what, length, pos_));
    }
    out.assign(reinterpret_cast<const char*>(data_ + pos_), length);
    pos_ += length;
    return Status::Ok();
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  const std::string& name_;
};

// The smallest encoding of one value of each type, to reject counts the file cannot hold.
uint64_t MinimumBytes(GgufValueType type) {
  switch (type) {
    case GgufValueType::kUint8: case GgufValueType::kInt8: case GgufValueType::kBool: return 1;
    case GgufValueType::kUint16: case GgufValueType::kInt16: return 2;
    case GgufValueType::kUint32: case GgufValueType::kInt32: case GgufValueType::kFloat32: return 4;
    case GgufValueType::kUint64: case GgufValueType::kInt64: case GgufValueType::kFloat64: return 8;
    case GgufValueType::kString: return 8;
    case GgufValueType::kArray: return 12;
  }
  return 1;
}

Status ReadValue(Reader& r, GgufValueType type, GgufValue& v, const std::string& name, int depth) {
  v.type = type;
  switch (type) {
    case GgufValueType::kUint8: { uint8_t x; KAIF_RETURN_IF_ERROR(r.Read(x, "a uint8")); v.u = x; return Status::Ok(); }
    case GgufValueType::kInt8: { int8_t x; KAIF_RETURN_IF_ERROR(r.Read(x, "an int8")); v.i = x; return Status::Ok(); }
    case GgufValueType::kUint16: { uint16_t x; KAIF_RETURN_IF_ERROR(r.Read(x, "a uint16")); v.u = x; return Status::Ok(); }
    case GgufValueType::kInt16: { int16_t x; KAIF_RETURN_IF_ERROR(r.Read(x, "an int16")); v.i = x; return Status::Ok(); }
    case GgufValueType::kUint32: { uint32_t x; KAIF_RETURN_IF_ERROR(r.Read(x, "a uint32")); v.u = x; return Status::Ok(); }
    case GgufValueType::kInt32: { int32_t x; KAIF_RETURN_IF_ERROR(r.Read(x, "an int32")); v.i = x; return Status::Ok(); }
    case GgufValueType::kUint64: { uint64_t x; KAIF_RETURN_IF_ERROR(r.Read(x, "a uint64")); v.u = x; return Status::Ok(); }
    case GgufValueType::kInt64: { int64_t x; KAIF_RETURN_IF_ERROR(r.Read(x, "an int64")); v.i = x; return Status::Ok(); }
    case GgufValueType::kFloat32: { float x; KAIF_RETURN_IF_ERROR(r.Read(x, "a float32")); v.f = x; return Status::Ok(); }
    case GgufValueType::kFloat64: { double x; KAIF_RETURN_IF_ERROR(r.Read(x, "a float64")); v.f = x; return Status::Ok(); }
    case GgufValueType::kBool: {
      uint8_t x;
      KAIF_RETURN_IF_ERROR(r.Read(x, "a bool"));
      if (x > 1) return Corrupt(name, fmt::format("bool value {} at byte {}", x, r.position() - 1));
      v.u = x;
      return Status::Ok();
    }
    case GgufValueType::kString: return r.ReadString(v.s, "a string");
    case GgufValueType::kArray: {
      if (depth >= kMaxArrayDepth) return Corrupt(name, "arrays nested too deeply");
      uint32_t element_type = 0;
      uint64_t count = 0;
      KAIF_RETURN_IF_ERROR(r.Read(element_type, "an array type"));
      if (element_type > static_cast<uint32_t>(GgufValueType::kFloat64)) {
        return Corrupt(name, fmt::format("unknown array element type {}", element_type));
      }
      v.array_type = static_cast<GgufValueType>(element_type);
      KAIF_RETURN_IF_ERROR(r.Read(count, "an array length"));
      if (count > r.remaining() / MinimumBytes(v.array_type)) {
        return Corrupt(name, fmt::format("array of {} values cannot fit in the {} bytes left", count, r.remaining()));
      }
      v.array.resize(count);
      for (GgufValue& item : v.array) KAIF_RETURN_IF_ERROR(ReadValue(r, v.array_type, item, name, depth + 1));
      return Status::Ok();
    }
  }
  return Corrupt(name, fmt::format("unknown value type {}", static_cast<uint32_t>(type)));
}

std::optional<DType> DTypeFromGgml(uint32_t type) {
  switch (type) {
    case 0: return DType::kF32;
    case 1: return DType::kF16;
    case 2: return DType::kQ4_0;
    case 8: return DType::kQ8_0;
    case 12: return DType::kQ4_K;
    case 14: return DType::kQ6_K;
    case 30: return DType::kBF16;
    default: return std::nullopt;
  }
}

}  // namespace

std::optional<double> GgufValue::AsNumber() const {
  switch (type) {
    case GgufValueType::kUint8: case GgufValueType::kUint16: case GgufValueType::kUint32: case GgufValueType::kUint64:
    case GgufValueType::kBool:
      return static_cast<double>(u);
    case GgufValueType::kInt8: case GgufValueType::kInt16: case GgufValueType::kInt32: case GgufValueType::kInt64:
      return static_cast<double>(i);
    case GgufValueType::kFloat32: case GgufValueType::kFloat64:
      return f;
    default:
      return std::nullopt;
  }
}

Result<std::unique_ptr<GgufFile>> GgufFile::Open(const std::filesystem::path& path) {
  KAIF_ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> file, MappedFile::Open(path));
  KAIF_ASSIGN_OR_RETURN(std::unique_ptr<GgufFile> parsed, Parse(file->data(), file->size(), path.string()));
  parsed->file_ = std::move(file);
  return parsed;
}

Result<std::unique_ptr<GgufFile>> GgufFile::Parse(const uint8_t* bytes, size_t size, const std::string& name) {
  Reader r(bytes, size, name);
  uint32_t magic = 0;
  KAIF_RETURN_IF_ERROR(r.Read(magic, "the magic number"));
  if (std::memcmp(&magic, "GGUF", 4) != 0) return Corrupt(name, "it does not start with \"GGUF\"");
  auto g = std::unique_ptr<GgufFile>(new GgufFile());
  KAIF_RETURN_IF_ERROR(r.Read(g->version_, "the version"));
  if (g->version_ != 2 && g->version_ != 3) {
    return Corrupt(name, fmt::format("version {} is not supported (kaif reads GGUF v2 and v3)", g->version_));
  }
  uint64_t tensor_count = 0, kv_count = 0;
  KAIF_RETURN_IF_ERROR(r.Read(tensor_count, "the tensor count"));
  KAIF_RETURN_IF_ERROR(r.Read(kv_count, "the metadata count"));
  // Each key-value takes at least 8 (key length) + 4 (type) + 1 bytes; each tensor info 8 + 4 + 4 + 8.
  if (kv_count > r.remaining() / 13 || tensor_count > r.remaining() / 24) {
    return Corrupt(name, fmt::format("{} metadata entries and {} tensors cannot fit in {} bytes", kv_count,
                                     tensor_count, size));
  }
  for (uint64_t k = 0; k < kv_count; ++k) {
    std::string key;
    uint32_t type = 0;
    KAIF_RETURN_IF_ERROR(r.ReadString(key, "a metadata key"));
    KAIF_RETURN_IF_ERROR(r.Read(type, "a metadata type"));
    if (type > static_cast<uint32_t>(GgufValueType::kFloat64)) {
      return Corrupt(name, fmt::format("metadata '{}' has unknown type {}", key, type));
    }
    GgufValue value;
    KAIF_RETURN_IF_ERROR(ReadValue(r, static_cast<GgufValueType>(type), value, name, 0));
    if (!g->metadata_.emplace(key, std::move(value)).second) return Corrupt(name, "metadata key '" + key + "' repeats");
  }
  if (const GgufValue* a = g->FindMetadata("general.alignment")) {
    std::optional<double> n = a->AsNumber();
    uint64_t alignment = n && *n > 0 && *n < 65536 ? static_cast<uint64_t>(*n) : 0;
    if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
      return Corrupt(name, "general.alignment must be a power of two");
    }
    g->alignment_ = alignment;
  }
  for (uint64_t k = 0; k < tensor_count; ++k) {
    TensorView t;
    uint32_t dims = 0, type = 0;
    KAIF_RETURN_IF_ERROR(r.ReadString(t.name, "a tensor name"));
    KAIF_RETURN_IF_ERROR(r.Read(dims, "a tensor's dimension count"));
    if (dims == 0 || dims > kMaxDims) return Corrupt(name, fmt::format("tensor '{}' has {} dimensions", t.name, dims));
    uint64_t elements = 1;
    for (uint32_t d = 0; d < dims; ++d) {
      uint64_t n = 0;
      KAIF_RETURN_IF_ERROR(r.Read(n, "a tensor dimension"));
      if (n != 0 && elements > std::numeric_limits<uint64_t>::max() / n) {
        return Corrupt(name, "tensor '" + t.name + "' has a size that overflows");
      }
      elements *= n;
      t.shape.push_back(n);
    }
    std::reverse(t.shape.begin(), t.shape.end());  // GGUF lists the innermost dimension first
    KAIF_RETURN_IF_ERROR(r.Read(type, "a tensor type"));
    std::optional<DType> dtype = DTypeFromGgml(type);
    if (!dtype) {
      return Status::InvalidInput(fmt::format(
          "{}: tensor '{}' has GGML type {}, which kaif does not read; supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K",
          name, t.name, type));
    }
    t.dtype = *dtype;
    KAIF_RETURN_IF_ERROR(r.Read(t.offset, "a tensor offset"));
    std::optional<uint64_t> bytes = StorageBytes(t.dtype, elements);
    if (!bytes) {
      return Corrupt(name, fmt::format("tensor '{}' has {} elements, not whole {}-element blocks of {}", t.name,
                                       elements, Info(t.dtype).block_elements, Info(t.dtype).name));
    }
    t.nbytes = *bytes;
    g->tensors_.push_back(std::move(t));
  }
  uint64_t data_start = (r.position() + g->alignment_ - 1) / g->alignment_ * g->alignment_;
  if (data_start > size && !g->tensors_.empty()) return Corrupt(name, "the file ends before its tensor data");
  uint64_t data_size = data_start > size ? 0 : size - data_start;
  std::sort(g->tensors_.begin(), g->tensors_.end(),
            [](const TensorView& a, const TensorView& b) { return a.offset < b.offset; });
  for (size_t i = 0; i < g->tensors_.size(); ++i) {
    TensorView& t = g->tensors_[i];
    if (t.offset % g->alignment_ != 0) {
      return Corrupt(name, fmt::format("tensor '{}' offset {} is not aligned to {}", t.name, t.offset, g->alignment_));
    }
    if (t.offset > data_size || t.nbytes > data_size - t.offset) {
      return Corrupt(name, fmt::format("tensor '{}' ({} bytes at offset {}) runs past the end of the data ({} bytes)",
                                       t.name, t.nbytes, t.offset, data_size));
    }
    if (i > 0 && t.offset < g->tensors_[i - 1].offset + g->tensors_[i - 1].nbytes) {
      return Corrupt(name, "tensors '" + g->tensors_[i - 1].name + "' and '" + t.name + "' overlap");
    }
    t.data = bytes + data_start + t.offset;
    if (!g->index_.emplace(t.name, i).second) return Corrupt(name, "tensor name '" + t.name + "' repeats");
  }
  return g;
}

const GgufValue* GgufFile::FindMetadata(const std::string& key) const {
  auto it = metadata_.find(key);
  return it == metadata_.end() ? nullptr : &it->second;
}

const TensorView* GgufFile::Find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

}  // namespace kaif::tensor
