// Opening a 13.5 GB sharded checkpoint (Llama 2 7B shape, bf16, 4 shards) and listing its
// tensors: header parsing and mmap only, no tensor data read. The shards are written as
// sparse files, so the benchmark needs no 13.5 GB of disk.
//   build-bench/bench/checkpoint_bench
//   build-bench/bench/checkpoint_bench --dataset DIR    (writes the checkpoint, for timing kaif)
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tensor/safetensors.h"
#include "util/file.h"

namespace {

using namespace kaif;
namespace fs = std::filesystem;

struct Spec {
  std::string name;
  std::vector<uint64_t> shape;
};

std::vector<Spec> Llama2_7B() {
  const uint64_t vocab = 32000, hidden = 4096, inter = 11008;
  std::vector<Spec> t = {{"model.embed_tokens.weight", {vocab, hidden}}};
  for (int i = 0; i < 32; ++i) {
    std::string p = fmt::format("model.layers.{}.", i);
    for (const char* proj : {"q_proj", "k_proj", "v_proj", "o_proj"}) {
      t.push_back({p + "self_attn." + proj + ".weight", {hidden, hidden}});
    }
    t.push_back({p + "mlp.gate_proj.weight", {inter, hidden}});
    t.push_back({p + "mlp.up_proj.weight", {inter, hidden}});
    t.push_back({p + "mlp.down_proj.weight", {hidden, inter}});
    t.push_back({p + "input_layernorm.weight", {hidden}});
    t.push_back({p + "post_attention_layernorm.weight", {hidden}});
  }
  t.push_back({"model.norm.weight", {hidden}});
  t.push_back({"lm_head.weight", {vocab, hidden}});
  return t;
}

// Writes 4 shards and the index; the data sections are holes.
void WriteCheckpoint(const fs::path& dir) {
  fs::create_directories(dir);
  std::vector<Spec> tensors = Llama2_7B();
  const size_t shards = 4;
  nlohmann::json index = {{"metadata", {{"total_size", 0}}}, {"weight_map", nlohmann::json::object()}};
  uint64_t total = 0;
  for (size_t s = 0; s < shards; ++s) {
    std::string file = fmt::format("model-{:05}-of-{:05}.safetensors", s + 1, shards);
    nlohmann::json header = {{"__metadata__", {{"format", "pt"}}}};
    uint64_t offset = 0;
    for (size_t i = s; i < tensors.size(); i += shards) {
      uint64_t bytes = 2;
      for (uint64_t d : tensors[i].shape) bytes *= d;
      header[tensors[i].name] = {{"dtype", "BF16"}, {"shape", tensors[i].shape}, {"data_offsets", {offset, offset + bytes}}};
      index["weight_map"][tensors[i].name] = file;
      offset += bytes;
    }
    std::string text = header.dump();
    std::string prefix(8, '\0');
    for (int b = 0; b < 8; ++b) prefix[b] = static_cast<char>((text.size() >> (8 * b)) & 0xFF);
    KAIF_CHECK(WriteFileAtomic(dir / file, prefix + text).ok());
    fs::resize_file(dir / file, 8 + text.size() + offset);  // a sparse data section
    total += offset;
  }
  index["metadata"]["total_size"] = total;
  KAIF_CHECK(WriteFileAtomic(dir / "model.safetensors.index.json", index.dump(2)).ok());
}

void BM_OpenShardedCheckpoint(benchmark::State& state) {
  fs::path dir = fs::temp_directory_path() / "kaif-checkpoint-bench";
  WriteCheckpoint(dir);
  for (auto _ : state) {
    auto checkpoint = tensor::SafetensorsCheckpoint::Open(dir);
    KAIF_CHECK(checkpoint.ok());
    size_t names = 0;
    for (const tensor::TensorView* t : (*checkpoint)->tensors()) names += t->name.size();
    benchmark::DoNotOptimize(names);
    state.counters["GB"] = static_cast<double>((*checkpoint)->total_bytes()) / 1e9;
  }
  fs::remove_all(dir);
}
BENCHMARK(BM_OpenShardedCheckpoint)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--dataset") {
    WriteCheckpoint(argv[2]);
    std::printf("wrote a sparse Llama 2 7B bf16 checkpoint in 4 shards to %s\n", argv[2]);
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
