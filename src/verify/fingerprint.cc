#include "verify/fingerprint.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tensor/safetensors.h"
#include "tensor/safetensors_writer.h"

namespace kaif::verify {
namespace {

constexpr const char* kFormat = "kaif.fingerprint/1";

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  return x ^ (x >> 33);
}

// 64-bit hash of a byte range: 1 MiB chunks hashed in parallel (four independent lanes
// each, to run at memory speed), then combined in order, so the value does not depend on
// the number of threads.
uint64_t HashBytes(const uint8_t* data, uint64_t size) {
  constexpr uint64_t kChunk = 1 << 20;
  const uint64_t chunks = (size + kChunk - 1) / kChunk;
  std::vector<uint64_t> partial(chunks);
#pragma omp parallel for schedule(static)
  for (uint64_t c = 0; c < chunks; ++c) {
    const uint8_t* p = data + c * kChunk;
    const uint64_t n = std::min(kChunk, size - c * kChunk);
    uint64_t lane[4] = {0x243f6a8885a308d3ull, 0x13198a2e03707344ull, 0xa4093822299f31d0ull, 0x082efa98ec4e6c89ull};
    uint64_t i = 0;
    for (; i + 32 <= n; i += 32) {
      for (int l = 0; l < 4; ++l) {
        uint64_t w;
        std::memcpy(&w, p + i + 8 * l, 8);
        lane[l] = (lane[l] ^ w) * 0x9e3779b97f4a7c15ull;
        lane[l] ^= lane[l] >> 29;
      }
    }
    uint64_t tail = 0;
    for (; i < n; ++i) tail = (tail << 8 | p[i]) * 0x100000001b3ull;
    partial[c] = Mix(lane[0] ^ Mix(lane[1] ^ Mix(lane[2] ^ Mix(lane[3] ^ tail))) ^ n);
  }
  uint64_t h = Mix(size);
  for (uint64_t v : partial) h = Mix(h ^ v);
  return h;
}

std::vector<size_t> SketchPositions(uint64_t elements, size_t sample) {
  return SampleIndices(static_cast<size_t>(elements), std::min<size_t>(sample, elements), 2);
}

std::vector<float> AsFloats(const std::vector<size_t>& v) { return {v.begin(), v.end()}; }

Result<std::vector<size_t>> AsIndices(const std::vector<float>& v, size_t bound, const std::string& what) {
  std::vector<size_t> out;
  for (float x : v) {
    if (!(x >= 0) || x >= static_cast<float>(bound) || x != std::floor(x)) {
      return Status::Corruption(what + ": an index out of range");
    }
    out.push_back(static_cast<size_t>(x));
  }
  return out;
}

// Embedding tables: some tokens' rows, some hidden dimensions of them.
Result<EmbeddingPrint> EmbeddingOf(const std::string& key, const tensor::TensorView& t, const CheckpointTensors& checkpoint,
                                   const FingerprintOptions& options) {
  EmbeddingPrint e;
  e.key = key;
  e.vocab = t.shape[0], e.dim = t.shape[1];
  e.ids = SampleIndices(e.vocab, options.embedding_tokens, 1);
  std::sort(e.ids.begin(), e.ids.end());
  if (const tokenizer::Tokenizer* tok = checkpoint.tokenizer()) {
    std::vector<size_t> kept;
    for (size_t id : e.ids) {
      if (id >= static_cast<size_t>(tok->vocab_size())) continue;  // padding rows have no string
      std::string text = tok->TokenText(static_cast<int>(id));
      if (text.empty()) continue;
      kept.push_back(id);
      e.tokens.push_back(std::move(text));
    }
    e.ids = std::move(kept);
  }
  e.dims = SampleIndices(e.dim, options.embedding_dims, 3);
  e.values.resize(e.dims.size() * e.ids.size());
  std::vector<size_t> positions(e.dims.size());
  for (size_t j = 0; j < e.ids.size(); ++j) {
    for (size_t d = 0; d < e.dims.size(); ++d) positions[d] = e.ids[j] * e.dim + e.dims[d];
    KAIF_ASSIGN_OR_RETURN(std::vector<float> v, ElementsAt(t, positions));
    for (size_t d = 0; d < e.dims.size(); ++d) e.values[d * e.ids.size() + j] = v[d];
  }
  return e;
}

}  // namespace

bool IsNormVector(const std::string& key, const tensor::TensorView& t) {
  return t.shape.size() == 1 && t.shape[0] >= 8 && t.shape[0] <= (1u << 16) && key.find("norm") != std::string::npos;
}

Result<TensorSketch> SketchOf(const tensor::TensorView& t, size_t sample) {
  TensorSketch s;
  s.shape = t.shape;
  s.hash = Mix(HashBytes(t.data, t.nbytes) ^ static_cast<uint64_t>(t.dtype));
  if (!tensor::Info(t.dtype).is_float) return s;  // integer tensors: the hash alone
  KAIF_ASSIGN_OR_RETURN(s.sample, ElementsAt(t, SketchPositions(t.elements(), sample)));
  s.constant = std::all_of(s.sample.begin(), s.sample.end(), [&](float x) { return x == s.sample[0]; });
  return s;
}

Result<Fingerprint> TakeFingerprint(const CheckpointTensors& checkpoint, const FingerprintOptions& options) {
  Fingerprint f;
  f.source = checkpoint.path().string();
  f.layers = checkpoint.layers();
  f.options = options;
  for (const auto& [key, t] : checkpoint.by_key()) {
    if (t->elements() == 0) continue;
    KAIF_ASSIGN_OR_RETURN(f.tensors[key], SketchOf(*t, options.sketch));
    if (IsNormVector(key, *t)) {
      KAIF_ASSIGN_OR_RETURN(f.norms[key], Values(*t));
    }
  }
  for (const UnitBlock& b : UnitBlocks(checkpoint)) {
    BlockPrint p;
    p.key = b.key, p.component = b.component, p.layer = b.layer, p.expert = b.expert, p.units = b.units, p.dim = b.dim;
    p.views_unordered = b.views_unordered;
    p.unit_ids = SampleIndices(b.units, options.units, 4);
    KAIF_ASSIGN_OR_RETURN(p.rows, ReadUnitRows(b, p.unit_ids, SampleCoordinates(b.dim, options.coordinates)));
    f.blocks.push_back(std::move(p));
  }
  for (const char* key : {"text/-/embed", "text/-/lm_head"}) {
    const tensor::TensorView* t = checkpoint.Find(key);
    if (!t || t->shape.size() != 2 || t->shape[0] < 2 || t->shape[1] == 0 || !tensor::Info(t->dtype).is_float) continue;
    KAIF_ASSIGN_OR_RETURN(EmbeddingPrint e, EmbeddingOf(key, *t, checkpoint, options));
    f.embeddings.push_back(std::move(e));
  }
  if (const tokenizer::Tokenizer* tok = checkpoint.tokenizer()) {
    for (int id = 0; id < tok->vocab_size(); ++id) f.vocabulary.push_back(tok->TokenText(id));
    f.merges = tok->Merges();
  }
  return f;
}

Status SaveFingerprint(const Fingerprint& f, const std::filesystem::path& path) {
  using tensor::DType;
  std::vector<tensor::TensorToWrite> out;
  nlohmann::json tensors = nlohmann::json::object(), blocks = nlohmann::json::array(),
                 embeddings = nlohmann::json::array();
  for (const auto& [key, s] : f.tensors) {
    tensors[key] = {{"shape", s.shape}, {"hash", fmt::format("{:016x}", s.hash)}, {"constant", s.constant}};
    if (!s.sample.empty()) out.push_back({"sketch/" + key, {s.sample.size()}, s.sample, DType::kF32});
  }
  for (const auto& [key, v] : f.norms) out.push_back({"norm/" + key, {v.size()}, v, DType::kF32});
  for (const BlockPrint& b : f.blocks) {
    blocks.push_back({{"key", b.key}, {"component", b.component}, {"layer", b.layer}, {"expert", b.expert},
                      {"units", b.units}, {"dim", b.dim}, {"unordered", b.views_unordered}});
    out.push_back({"block/" + b.key + "/units", {b.unit_ids.size()}, AsFloats(b.unit_ids), DType::kF32});
    out.push_back({"block/" + b.key + "/first", {b.rows.rows, b.rows.cols}, b.rows.first, DType::kF16});
    out.push_back({"block/" + b.key + "/second", {b.rows.rows, b.rows.cols}, b.rows.second, DType::kF16});
  }
  for (const EmbeddingPrint& e : f.embeddings) {
    embeddings.push_back({{"key", e.key}, {"vocab", e.vocab}, {"dim", e.dim}, {"ids", e.ids}, {"tokens", e.tokens}});
    out.push_back({"embedding/" + e.key + "/dims", {e.dims.size()}, AsFloats(e.dims), DType::kF32});
    out.push_back({"embedding/" + e.key + "/values", {e.dims.size(), e.ids.size()}, e.values, DType::kF16});
  }
  const nlohmann::json options = {{"coordinates", f.options.coordinates}, {"units", f.options.units},
                                  {"embedding_tokens", f.options.embedding_tokens},
                                  {"embedding_dims", f.options.embedding_dims}, {"sketch", f.options.sketch}};
  // Token strings may hold bytes that are not UTF-8: replaced, not refused, in the JSON.
  auto dump = [](const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); };
  return tensor::WriteSafetensors(path, out,
                                  {{"format", kFormat}, {"source", f.source}, {"layers", std::to_string(f.layers)},
                                   {"options", options.dump()}, {"tensors", tensors.dump()}, {"blocks", blocks.dump()},
                                   {"embeddings", dump(embeddings)}, {"vocabulary", dump(f.vocabulary)},
                                   {"merges", dump(f.merges)}});
}

Result<Fingerprint> LoadFingerprint(const std::filesystem::path& path) {
  KAIF_ASSIGN_OR_RETURN(auto file, tensor::SafetensorsFile::Open(path));
  const auto& meta = file->metadata();
  auto field = [&](const char* name) -> std::string {
    auto it = meta.find(name);
    return it == meta.end() ? std::string() : it->second;
  };
  if (field("format") != kFormat) return Status::Corruption(path.string() + ": not a kaif fingerprint (" + kFormat +
                                                    "); make one with kaif verify index");
  auto values = [&](const std::string& name, size_t expected) -> Result<std::vector<float>> {
    const tensor::TensorView* t = file->Find(name);
    if (!t) return Status::Corruption(path.string() + ": " + name + " is missing");
    if (t->elements() != expected) return Status::Corruption(path.string() + ": " + name + " has the wrong size");
    return Values(*t);
  };
  Fingerprint f;
  try {
    f.source = field("source");
    f.layers = std::stoi(field("layers"));
    const auto options = nlohmann::json::parse(field("options"));
    f.options.coordinates = options.at("coordinates").get<size_t>();
    f.options.units = options.at("units").get<size_t>();
    f.options.embedding_tokens = options.at("embedding_tokens").get<size_t>();
    f.options.embedding_dims = options.at("embedding_dims").get<size_t>();
    f.options.sketch = options.at("sketch").get<size_t>();
    const nlohmann::json sketches = nlohmann::json::parse(field("tensors"));
    for (const auto& [key, s] : sketches.items()) {
      TensorSketch sketch;
      sketch.shape = s.at("shape").get<std::vector<uint64_t>>();
      sketch.hash = std::stoull(s.at("hash").get<std::string>(), nullptr, 16);
      sketch.constant = s.at("constant").get<bool>();
      uint64_t elements = 1;
      for (uint64_t d : sketch.shape) elements *= d;
      if (file->Find("sketch/" + key)) {
        KAIF_ASSIGN_OR_RETURN(sketch.sample, values("sketch/" + key, std::min<uint64_t>(f.options.sketch, elements)));
      }
      f.tensors[key] = std::move(sketch);
    }
    for (const tensor::TensorView& t : file->tensors()) {
      if (t.name.rfind("norm/", 0) == 0) {
        KAIF_ASSIGN_OR_RETURN(f.norms[t.name.substr(5)], values(t.name, t.elements()));
      }
    }
    for (const auto& b : nlohmann::json::parse(field("blocks"))) {
      BlockPrint p;
      p.key = b.at("key").get<std::string>(), p.component = b.at("component").get<std::string>();
      p.layer = b.at("layer").get<int>(), p.expert = b.at("expert").get<int>();
      p.units = b.at("units").get<size_t>(), p.dim = b.at("dim").get<size_t>();
      p.views_unordered = b.value("unordered", false);
      const size_t m = std::min(p.units, f.options.units), k = std::min(p.dim, f.options.coordinates);
      KAIF_ASSIGN_OR_RETURN(std::vector<float> ids, values("block/" + p.key + "/units", m));
      KAIF_ASSIGN_OR_RETURN(p.unit_ids, AsIndices(ids, p.units, path.string() + ": " + p.key));
      KAIF_ASSIGN_OR_RETURN(p.rows.first, values("block/" + p.key + "/first", m * k));
      KAIF_ASSIGN_OR_RETURN(p.rows.second, values("block/" + p.key + "/second", m * k));
      p.rows.rows = m, p.rows.cols = k;
      // Stored as F16: back to unit length, as the candidate's rows are.
      ScaleRows(p.rows.first, m, k);
      ScaleRows(p.rows.second, m, k);
      f.blocks.push_back(std::move(p));
    }
    for (const auto& e : nlohmann::json::parse(field("embeddings"))) {
      EmbeddingPrint p;
      p.key = e.at("key").get<std::string>(), p.vocab = e.at("vocab").get<size_t>(), p.dim = e.at("dim").get<size_t>();
      p.ids = e.at("ids").get<std::vector<size_t>>();
      p.tokens = e.at("tokens").get<std::vector<std::string>>();
      if (!p.tokens.empty() && p.tokens.size() != p.ids.size()) return Status::Corruption(path.string() + ": token list size");
      for (size_t id : p.ids) {
        if (id >= p.vocab) return Status::Corruption(path.string() + ": " + p.key + ": a token id out of range");
      }
      const size_t m = std::min(p.dim, f.options.embedding_dims);
      KAIF_ASSIGN_OR_RETURN(std::vector<float> dims, values("embedding/" + p.key + "/dims", m));
      KAIF_ASSIGN_OR_RETURN(p.dims, AsIndices(dims, p.dim, path.string() + ": " + p.key));
      KAIF_ASSIGN_OR_RETURN(p.values, values("embedding/" + p.key + "/values", m * p.ids.size()));
      f.embeddings.push_back(std::move(p));
    }
    f.vocabulary = nlohmann::json::parse(field("vocabulary")).get<std::vector<std::string>>();
    f.merges = nlohmann::json::parse(field("merges")).get<std::vector<std::string>>();
  } catch (const std::exception& e) {
    return Status::Corruption(path.string() + ": malformed fingerprint metadata (" + e.what() +
                              "); fingerprint the model again with kaif verify index --force");
  }
  return f;
}

}  // namespace kaif::verify
