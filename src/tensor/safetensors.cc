#include "tensor/safetensors.h"

#include <algorithm>
#include <fmt/format.h>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "util/file.h"

namespace kaif::tensor {
namespace {

using nlohmann::json;

// The format's own limit on the JSON header; it also bounds what a hostile length costs.
constexpr uint64_t kMaxHeaderBytes = 100 * 1024 * 1024;

Status Corrupt(const std::string& name, const std::string& what) {
  return Status::Corruption(name + ": not a valid safetensors file: " + what);
}

Result<TensorView> ParseEntry(const std::string& file, const std::string& name, const json& entry,
                              const uint8_t* data, uint64_t data_size) {
  if (!entry.is_object()) return Corrupt(file, "entry '" + name + "' is not an object");
  auto dtype_it = entry.find("dtype");
  auto shape_it = entry.find("shape");
  auto offsets_it = entry.find("data_offsets");
  if (dtype_it == entry.end() || !dtype_it->is_string() || shape_it == entry.end() || !shape_it->is_array() ||
      offsets_it == entry.end() || !offsets_it->is_array() || offsets_it->size() != 2) {
    return Corrupt(file, "tensor '" + name + "' needs \"dtype\", \"shape\" and \"data_offsets\": [begin, end]");
  }
  TensorView t;
  t.name = name;
  std::optional<DType> dtype = DTypeFromSafetensorsName(dtype_it->get<std::string>());
  if (!dtype) return Corrupt(file, "tensor '" + name + "' has unknown dtype \"" + dtype_it->get<std::string>() + "\"");
  t.dtype = *dtype;
  uint64_t elements = 1;
  for (const json& d : *shape_it) {
    if (!d.is_number_unsigned()) return Corrupt(file, "tensor '" + name + "' has a shape entry that is not a count");
    uint64_t dim = d.get<uint64_t>();
    if (dim != 0 && elements > std::numeric_limits<uint64_t>::max() / dim) {
      return Corrupt(file, "tensor '" + name + "' has a shape whose size overflows");
    }
    elements *= dim;
    t.shape.push_back(dim);
  }
  const json& begin = (*offsets_it)[0];
  const json& end = (*offsets_it)[1];
  if (!begin.is_number_unsigned() || !end.is_number_unsigned()) {
    return Corrupt(file, "tensor '" + name + "' has data_offsets that are not byte counts");
  }
  uint64_t b = begin.get<uint64_t>(), e = end.get<uint64_t>();
  if (b > e || e > data_size) {
    return Corrupt(file, fmt::format("tensor '{}' has data_offsets [{}, {}] outside the {} bytes of data", name, b, e,
                                     data_size));
  }
  std::optional<uint64_t> bytes = StorageBytes(t.dtype, elements);
  if (!bytes || *bytes != e - b) {
    return Corrupt(file, fmt::format("tensor '{}' is {} x {} but has {} bytes", name, elements,
                                     Info(t.dtype).name, e - b));
  }
  t.data = data + b;
  t.nbytes = e - b;
  t.offset = b;
  return t;
}

}  // namespace

Result<std::unique_ptr<SafetensorsFile>> SafetensorsFile::Open(const std::filesystem::path& path) {
  KAIF_ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> file, MappedFile::Open(path));
  KAIF_ASSIGN_OR_RETURN(std::unique_ptr<SafetensorsFile> parsed, Parse(file->data(), file->size(), path.string()));
  parsed->file_ = std::move(file);
  return parsed;
}

Result<std::unique_ptr<SafetensorsFile>> SafetensorsFile::Parse(const uint8_t* bytes, size_t size,
                                                                const std::string& name) {
  if (size < 8) return Corrupt(name, fmt::format("{} bytes is too short for the 8-byte header length", size));
  uint64_t header_bytes = 0;
  for (int i = 7; i >= 0; --i) header_bytes = (header_bytes << 8) | bytes[i];
  if (header_bytes > kMaxHeaderBytes || header_bytes > size - 8) {
    return Corrupt(name, fmt::format("header length {} runs past the end of the file ({} bytes)", header_bytes, size));
  }
  json header;
  try {
    header = json::parse(bytes + 8, bytes + 8 + header_bytes);
  } catch (const json::exception& e) {
    return Corrupt(name, std::string("header is not JSON: ") + e.what());
  }
  if (!header.is_object()) return Corrupt(name, "header is not a JSON object");
  auto st = std::unique_ptr<SafetensorsFile>(new SafetensorsFile());
  const uint8_t* data = bytes + 8 + header_bytes;
  uint64_t data_size = size - 8 - header_bytes;
  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") {
      if (!value.is_object()) return Corrupt(name, "__metadata__ is not an object");
      for (const auto& [k, v] : value.items()) {
        if (!v.is_string()) return Corrupt(name, "__metadata__ value '" + k + "' is not a string");
        st->metadata_[k] = v.get<std::string>();
      }
      continue;
    }
    KAIF_ASSIGN_OR_RETURN(TensorView t, ParseEntry(name, key, value, data, data_size));
    st->tensors_.push_back(std::move(t));
  }
  std::sort(st->tensors_.begin(), st->tensors_.end(), [](const TensorView& a, const TensorView& b) {
    return a.offset != b.offset ? a.offset < b.offset : a.nbytes < b.nbytes;
  });
  for (size_t i = 0; i < st->tensors_.size(); ++i) {
    const TensorView& t = st->tensors_[i];
    if (i > 0 && t.offset < st->tensors_[i - 1].offset + st->tensors_[i - 1].nbytes) {
      return Corrupt(name, "tensors '" + st->tensors_[i - 1].name + "' and '" + t.name + "' overlap");
    }
    st->index_[t.name] = i;
  }
  return st;
}

const TensorView* SafetensorsFile::Find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

Result<std::unique_ptr<SafetensorsCheckpoint>> SafetensorsCheckpoint::Open(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path index_path, single_path;
  if (fs::is_directory(path, ec)) {
    if (fs::exists(path / "model.safetensors.index.json", ec)) {
      index_path = path / "model.safetensors.index.json";
    } else if (fs::exists(path / "model.safetensors", ec)) {
      single_path = path / "model.safetensors";
    } else {
      return Status::NotFound(path.string() + ": has neither model.safetensors nor model.safetensors.index.json");
    }
  } else if (path.extension() == ".json") {
    index_path = path;
  } else {
    single_path = path;
  }
  auto checkpoint = std::make_unique<SafetensorsCheckpoint>();
  std::vector<std::string> shard_names;
  std::map<std::string, std::string> weight_map;
  if (!single_path.empty()) {
    checkpoint->files_.push_back(single_path);
  } else {
    KAIF_ASSIGN_OR_RETURN(std::string text, ReadFile(index_path));
    json index;
    try {
      index = json::parse(text);
    } catch (const json::exception& e) {
      return Status::Corruption(index_path.string() + ": not JSON: " + e.what());
    }
    if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object()) {
      return Status::Corruption(index_path.string() + ": has no \"weight_map\" object");
    }
    for (const auto& [tensor, file] : index["weight_map"].items()) {
      if (!file.is_string()) return Status::Corruption(index_path.string() + ": weight_map['" + tensor + "'] is not a file name");
      std::string shard = file.get<std::string>();
      // Shards live next to the index; a path elsewhere would let an index read any file.
      if (shard.empty() || shard.find('/') != std::string::npos || shard == "." || shard == "..") {
        return Status::Corruption(index_path.string() + ": shard name '" + shard + "' is not a plain file name");
      }
      weight_map[tensor] = shard;
      if (std::find(shard_names.begin(), shard_names.end(), shard) == shard_names.end()) shard_names.push_back(shard);
    }
    std::sort(shard_names.begin(), shard_names.end());
    for (const std::string& shard : shard_names) checkpoint->files_.push_back(index_path.parent_path() / shard);
  }
  for (const fs::path& file : checkpoint->files_) {
    KAIF_ASSIGN_OR_RETURN(std::unique_ptr<SafetensorsFile> shard, SafetensorsFile::Open(file));
    for (const TensorView& t : shard->tensors()) {
      if (!weight_map.empty()) {
        auto it = weight_map.find(t.name);
        if (it == weight_map.end() || it->second != file.filename().string()) {
          return Status::Corruption(file.string() + ": tensor '" + t.name + "' is not listed for this shard in the index");
        }
      }
      if (!checkpoint->index_.emplace(t.name, &t).second) {
        return Status::Corruption(file.string() + ": tensor '" + t.name + "' appears in two shards");
      }
      checkpoint->order_.push_back(&t);
    }
    checkpoint->shards_.push_back(std::move(shard));
  }
  for (const auto& [tensor, file] : weight_map) {
    if (!checkpoint->index_.count(tensor)) {
      return Status::Corruption(index_path.string() + ": tensor '" + tensor + "' is listed in " + file + " but not there");
    }
  }
  return checkpoint;
}

const TensorView* SafetensorsCheckpoint::Find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : it->second;
}

uint64_t SafetensorsCheckpoint::total_bytes() const {
  uint64_t total = 0;
  for (const TensorView* t : order_) total += t->nbytes;
  return total;
}

std::string RenderTensorList(const SafetensorsCheckpoint& checkpoint) {
  std::string out;
  for (const TensorView* t : checkpoint.tensors()) {
    std::string shape;
    for (size_t i = 0; i < t->shape.size(); ++i) shape += (i ? ", " : "") + std::to_string(t->shape[i]);
    out += fmt::format("{}  {}  [{}]  {}\n", t->name, Info(t->dtype).name, shape, t->nbytes);
  }
  out += fmt::format("{} tensors, {} bytes in {} file{}\n", checkpoint.tensors().size(), checkpoint.total_bytes(),
                     checkpoint.files().size(), checkpoint.files().size() == 1 ? "" : "s");
  return out;
}

}  // namespace kaif::tensor
