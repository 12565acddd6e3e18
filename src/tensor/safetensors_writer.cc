#include "tensor/safetensors_writer.h"

#include <cstring>
#include <fstream>
#include <numeric>

#include <nlohmann/json.hpp>

namespace kaif::tensor {

uint16_t FloatToHalf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude >= 0x7f800000u) return sign | (magnitude > 0x7f800000u ? 0x7e00u : 0x7c00u);  // NaN, inf
  if (magnitude >= 0x477ff000u) return sign | 0x7c00u;  // rounds beyond the largest half
  if (magnitude < 0x38800000u) {
    // Subnormal half (or zero): the value in units of 2^-24, rounded to nearest even.
    float scaled;
    const uint32_t abs_bits = magnitude;
    std::memcpy(&scaled, &abs_bits, 4);
    scaled *= 16777216.0f;  // exact: a power of two
    uint32_t units = static_cast<uint32_t>(scaled);
    const float rest = scaled - static_cast<float>(units);
    if (rest > 0.5f || (rest == 0.5f && (units & 1u))) ++units;
    return sign | static_cast<uint16_t>(units);
  }
  // Normal: rebias the exponent, keep 10 mantissa bits, round to nearest even.
  const uint32_t rebased = magnitude - (112u << 23);
  uint32_t half = rebased >> 13;
  const uint32_t rest = rebased & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;
  return sign | static_cast<uint16_t>(half);
}

Status WriteSafetensors(const std::filesystem::path& path, const std::vector<TensorToWrite>& tensors,
                        const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const TensorToWrite& t : tensors) {
    const uint64_t elements = std::accumulate(t.shape.begin(), t.shape.end(), uint64_t{1}, std::multiplies<>());
    if (elements != t.values.size()) {
      return Status::InvalidInput(t.name + ": " + std::to_string(t.values.size()) + " values for its shape");
    }
    if (t.dtype != DType::kF32 && t.dtype != DType::kF16) return Status::InvalidInput(t.name + ": only F32 and F16 are written");
    if (header.contains(t.name)) return Status::InvalidInput(t.name + ": written twice");
    const uint64_t bytes = elements * (t.dtype == DType::kF32 ? 4 : 2);
    header[t.name] = {{"dtype", Info(t.dtype).name}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.resize((text.size() + 7) / 8 * 8, ' ');  // the data starts 8-byte aligned

  std::filesystem::path partial = path;
  partial += ".partial";
  {
    std::ofstream f(partial, std::ios::binary | std::ios::trunc);
    if (!f) return Status::IoError("cannot write " + partial.string());
    const uint64_t n = text.size();
    f.write(reinterpret_cast<const char*>(&n), 8);
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
    std::vector<uint16_t> halves;
    for (const TensorToWrite& t : tensors) {
      if (t.dtype == DType::kF32) {
        f.write(reinterpret_cast<const char*>(t.values.data()), static_cast<std::streamsize>(t.values.size() * 4));
      } else {
        halves.resize(t.values.size());
        for (size_t i = 0; i < halves.size(); ++i) halves[i] = FloatToHalf(t.values[i]);
        f.write(reinterpret_cast<const char*>(halves.data()), static_cast<std::streamsize>(halves.size() * 2));
      }
    }
    f.flush();
    if (!f) return Status::IoError("cannot write " + partial.string());
  }
  std::error_code ec;
  std::filesystem::rename(partial, path, ec);
  if (ec) return Status::IoError("cannot rename " + partial.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace kaif::tensor
