#include "verify/unit_blocks.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>
#include <tuple>
#include <unordered_set>

namespace kaif::verify {
namespace {

uint64_t SplitMix(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Reads elements of a row-major matrix held in `t`, starting `base` elements into it.
class MatrixReader {
 public:
  MatrixReader(const tensor::TensorView& t, uint64_t base, size_t cols) : t_(t), base_(base), cols_(cols) {}

  // Row `row` at `coords` (all columns when empty) into out.
  Status Row(size_t row, const std::vector<size_t>& coords, float* out, std::vector<float>& scratch) const {
    const uint64_t first = base_ + static_cast<uint64_t>(row) * cols_;
    const uint8_t* p = t_.data;
    switch (t_.dtype) {
      case tensor::DType::kF32:
      case tensor::DType::kF16:
      case tensor::DType::kBF16: {
        const size_t width = t_.dtype == tensor::DType::kF32 ? 4 : 2;
        auto at = [&](size_t c) -> float {
          const uint8_t* e = p + (first + c) * width;
          if (width == 4) {
            float v;
            std::memcpy(&v, e, 4);
            return v;
          }
          uint16_t bits;
          std::memcpy(&bits, e, 2);
          return t_.dtype == tensor::DType::kF16 ? tensor::HalfToFloat(bits) : tensor::BFloat16ToFloat(bits);
        };
        if (coords.empty()) {
          for (size_t c = 0; c < cols_; ++c) out[c] = at(c);
        } else {
          for (size_t i = 0; i < coords.size(); ++i) out[i] = at(coords[i]);
        }
        return Status::Ok();
      }
      default: {
        // Block formats: dequantize the row, then pick.
        const tensor::DTypeInfo& info = tensor::Info(t_.dtype);
        if (!info.is_float || cols_ % info.block_elements != 0 || first % info.block_elements != 0) {
          return Status::InvalidInput(t_.name + ": rows of " + info.name + " values cannot be read one by one");
        }
        tensor::TensorView view = t_;
        view.shape = {cols_};
        view.data = p + first / info.block_elements * info.block_bytes;
        view.nbytes = cols_ / info.block_elements * info.block_bytes;
        float* target = out;
        if (!coords.empty()) {
          scratch.resize(cols_);
          target = scratch.data();
        }
        KAIF_RETURN_IF_ERROR(tensor::ToFloat32(view, target));
        if (!coords.empty()) {
          for (size_t i = 0; i < coords.size(); ++i) out[i] = scratch[coords[i]];
        }
        return Status::Ok();
      }
    }
  }

 private:
  const tensor::TensorView& t_;
  uint64_t base_;
  size_t cols_;
};

}  // namespace

void ScaleRows(std::vector<float>& m, size_t rows, size_t cols) {
  for (size_t r = 0; r < rows; ++r) {
    float* row = m.data() + r * cols;
    double norm = 0;
    for (size_t k = 0; k < cols; ++k) norm += static_cast<double>(row[k]) * row[k];
    const float scale = norm > 0 ? static_cast<float>(1 / std::sqrt(norm)) : 0.0f;
    for (size_t k = 0; k < cols; ++k) row[k] *= scale;
  }
}

namespace {

bool Matrix(const tensor::TensorView* t) { return t && t->shape.size() == 2 && t->shape[0] > 0 && t->shape[1] > 0; }

}  // namespace

std::vector<size_t> SampleIndices(size_t n, size_t count, uint64_t salt) {
  uint64_t state = n * 0x100000001b3ull + salt;
  if (count < n / 8) {
    // Few of many (a tensor's elements): draw and skip repeats, without a list of all n.
    std::unordered_set<size_t> seen;
    std::vector<size_t> out;
    while (out.size() < count) {
      const size_t i = SplitMix(state) % n;
      if (seen.insert(i).second) out.push_back(i);
    }
    return out;
  }
  std::vector<size_t> all(n);
  std::iota(all.begin(), all.end(), 0);
  if (count >= n) return all;
  for (size_t i = 0; i < count; ++i) std::swap(all[i], all[i + SplitMix(state) % (n - i)]);  // partial Fisher-Yates
  all.resize(count);
  return all;
}

Result<std::vector<float>> ElementsAt(const tensor::TensorView& t, const std::vector<size_t>& positions) {
  const size_t block = tensor::Info(t.dtype).block_elements;
  const MatrixReader reader(t, 0, block);
  std::vector<float> out(positions.size()), scratch;
  for (size_t i = 0; i < positions.size(); ++i) {
    if (positions[i] >= t.elements()) return Status::InvalidInput(t.name + ": element out of range");
    KAIF_RETURN_IF_ERROR(reader.Row(positions[i] / block, {positions[i] % block}, &out[i], scratch));
  }
  return out;
}

std::vector<size_t> SampleCoordinates(size_t dim, size_t count) {
  std::vector<size_t> c = SampleIndices(dim, count, 0);
  std::sort(c.begin(), c.end());
  return c;
}

std::vector<UnitBlock> UnitBlocks(const CheckpointTensors& checkpoint) {
  // (component, layer, group) -> role suffix -> tensor; group "mlp", "moe.5", "moe.shared", "moe".
  std::map<std::tuple<std::string, int, std::string>, std::map<std::string, const tensor::TensorView*>> groups;
  for (const auto& [key, t] : checkpoint.by_key()) {
    const size_t a = key.find('/'), b = key.find('/', a + 1);
    if (a == std::string::npos || b == std::string::npos || key[a + 1] == '-') continue;
    const std::string role = key.substr(b + 1);
    const size_t dot = role.rfind('.');
    if (dot == std::string::npos || (role.rfind("mlp.", 0) != 0 && role.rfind("moe.", 0) != 0)) continue;
    groups[{key.substr(0, a), std::stoi(key.substr(a + 1, b - a - 1)), role.substr(0, dot)}][role.substr(dot + 1)] = t;
  }
  std::vector<UnitBlock> out;
  for (const auto& [where, roles] : groups) {
    const auto& [component, layer, group] = where;
    auto get = [&](const char* r) -> const tensor::TensorView* {
      auto it = roles.find(r);
      return it == roles.end() ? nullptr : it->second;
    };
    const tensor::TensorView *gate = get("gate"), *up = get("up"), *down = get("down");
    UnitBlock b;
    b.component = component;
    b.layer = layer;
    b.key = component + "/" + std::to_string(layer) + "/" + group;
    if (group == "moe") {
      // GGUF's stacked experts: one block per expert.
      if (!gate || !up || gate->shape.size() != 3 || gate->shape != up->shape) continue;
      for (uint64_t e = 0; e < gate->shape[0]; ++e) {
        UnitBlock x = b;
        x.key = component + "/" + std::to_string(layer) + "/moe." + std::to_string(e);
        x.expert = static_cast<int>(e);
        x.units = gate->shape[1], x.dim = gate->shape[2];
        x.first = gate, x.second = up;
        out.push_back(x);
      }
      continue;
    }
    if (group.rfind("moe.", 0) == 0 && group != "moe.shared") b.expert = std::stoi(group.substr(4));
    if (Matrix(gate) && Matrix(up) && gate->shape == up->shape) {
      b.first = gate, b.second = up;
    } else if (!gate && Matrix(up) && Matrix(down) && up->shape[0] == down->shape[1] && up->shape[1] == down->shape[0]) {
      b.first = up, b.second = down, b.second_by_columns = true;
    } else {
      continue;
    }
    b.units = b.first->shape[0], b.dim = b.first->shape[1];
    out.push_back(b);
  }
  // Fallback by shape, for layers whose names no role table knows: two wide matrices of
  // one shape [units x dim] (units > dim) and one [dim x units] are a gated MLP; one of
  // each, a plain one.
  std::map<std::pair<std::string, int>, std::vector<std::pair<std::string, const tensor::TensorView*>>> unknown;
  for (const auto& [key, t] : checkpoint.by_key()) {
    const size_t a = key.find('/'), b = key.find('/', a + 1);
    if (a == std::string::npos || b == std::string::npos || key[a + 1] == '-' || !Matrix(t)) continue;
    const std::string role = key.substr(b + 1);
    bool known = false;
    for (const char* prefix : {"mlp.", "moe.", "attn.", "norm."}) known = known || role.rfind(prefix, 0) == 0;
    if (!known) unknown[{key.substr(0, a), std::stoi(key.substr(a + 1, b - a - 1))}].emplace_back(key, t);
  }
  for (const auto& [where, tensors] : unknown) {
    const auto& [component, layer] = where;
    const bool has_block = std::any_of(out.begin(), out.end(), [&](const UnitBlock& x) {
      return x.component == component && x.layer == layer;
    });
    if (has_block) continue;
    std::vector<const tensor::TensorView*> wide, narrow;
    for (const auto& [key, t] : tensors) (t->shape[0] > t->shape[1] ? wide : narrow).push_back(t);
    UnitBlock x;
    x.component = component, x.layer = layer, x.key = component + "/" + std::to_string(layer) + "/mlp";
    x.views_unordered = true;
    auto transposed = [&](const tensor::TensorView* w) {
      return std::count_if(narrow.begin(), narrow.end(), [&](const tensor::TensorView* t) {
               return t->shape[0] == w->shape[1] && t->shape[1] == w->shape[0];
             }) == 1;
    };
    if (wide.size() == 2 && wide[0]->shape == wide[1]->shape && transposed(wide[0])) {
      x.first = wide[0], x.second = wide[1];
    } else if (wide.size() == 1 && transposed(wide[0])) {
      x.first = wide[0];
      x.second = *std::find_if(narrow.begin(), narrow.end(), [&](const tensor::TensorView* t) {
        return t->shape[0] == wide[0]->shape[1] && t->shape[1] == wide[0]->shape[0];
      });
      x.second_by_columns = true;
    } else {
      continue;
    }
    x.units = x.first->shape[0], x.dim = x.first->shape[1];
    out.push_back(x);
  }
  std::sort(out.begin(), out.end(), [](const UnitBlock& x, const UnitBlock& y) {
    return std::tie(x.component, x.layer, x.expert, x.key) < std::tie(y.component, y.layer, y.expert, y.key);
  });
  return out;
}

Result<UnitRows> ReadUnitRows(const UnitBlock& block, const std::vector<size_t>& units, const std::vector<size_t>& coords) {
  std::vector<size_t> unit_list = units, coord_list = coords;
  if (unit_list.empty()) unit_list = SampleIndices(block.units, block.units, 0);
  if (coord_list.empty()) coord_list = SampleIndices(block.dim, block.dim, 0);
  for (size_t u : unit_list) {
    if (u >= block.units) return Status::InvalidInput(block.key + ": unit " + std::to_string(u) + " out of range");
  }
  for (size_t c : coord_list) {
    if (c >= block.dim) return Status::InvalidInput(block.key + ": coordinate " + std::to_string(c) + " out of range");
  }
  UnitRows out;
  out.rows = unit_list.size(), out.cols = coord_list.size();
  out.first.resize(out.rows * out.cols);
  out.second.resize(out.rows * out.cols);
  const uint64_t base = block.expert >= 0 && block.first->shape.size() == 3
                            ? static_cast<uint64_t>(block.expert) * block.units * block.dim : 0;
  const MatrixReader first(*block.first, base, block.dim);
  const MatrixReader second(*block.second, block.second_by_columns ? 0 : base,
                            block.second_by_columns ? block.units : block.dim);
  const std::vector<size_t> every;  // a whole row
  const std::vector<size_t>& pick = coords.empty() ? every : coord_list;
  Status failed = Status::Ok();
  // Rows in parallel: with 7B-sized layers the reading is most of the time.
#pragma omp parallel
  {
    std::vector<float> scratch, column;
    Status local = Status::Ok();
#pragma omp for schedule(static)
    for (size_t r = 0; r < out.rows; ++r) {
      if (!local.ok()) continue;
      local = first.Row(unit_list[r], pick, out.first.data() + r * out.cols, scratch);
      if (local.ok() && !block.second_by_columns) {
        local = second.Row(unit_list[r], pick, out.second.data() + r * out.cols, scratch);
      }
    }
    if (block.second_by_columns) {
      // [dim x units]: read the sampled coordinates' rows whole, keep the sampled units.
      column.resize(block.units);
#pragma omp for schedule(static)
      for (size_t c = 0; c < out.cols; ++c) {
        if (!local.ok()) continue;
        local = second.Row(coord_list[c], every, column.data(), scratch);
        for (size_t r = 0; local.ok() && r < out.rows; ++r) out.second[r * out.cols + c] = column[unit_list[r]];
      }
    }
#pragma omp critical
    if (!local.ok() && failed.ok()) failed = local;
  }
  KAIF_RETURN_IF_ERROR(failed);
  ScaleRows(out.first, out.rows, out.cols);
  ScaleRows(out.second, out.rows, out.cols);
  return out;
}

}  // namespace kaif::verify
