#include "model/model_info.h"

#include <fmt/format.h>

#include "model/config_file.h"
#include "model/gguf_architecture.h"
#include "model/weights.h"
#include "tensor/gguf.h"
#include "tensor/safetensors.h"

namespace kaif::model {

namespace {

Component GgufComponent(const std::string& name) {
  if (name.rfind("token_embd", 0) == 0) return Component::kEmbedding;
  if (name.rfind("output.", 0) == 0) return Component::kOutput;
  if (name.find("norm") != std::string::npos) return Component::kNorm;
  if (name.find(".attn_") != std::string::npos) return Component::kAttention;
  return Component::kMlp;
}

Result<ModelInfo> InspectGguf(const std::filesystem::path& path) {
  KAIF_ASSIGN_OR_RETURN(std::unique_ptr<tensor::GgufFile> file, tensor::GgufFile::Open(path));
  ModelInfo info;
  info.path = path.string();
  KAIF_ASSIGN_OR_RETURN(info.architecture, ArchitectureFromGguf(*file, path.string()));
  std::vector<const tensor::TensorView*> tensors;
  for (const tensor::TensorView& t : file->tensors()) {
    long long n = static_cast<long long>(t.elements());
    info.parameters_by_component[ToString(GgufComponent(t.name))] += n;
    info.parameters += n;
    ++info.tensors_by_dtype[tensor::Info(t.dtype).name];
    info.bytes += t.nbytes;
    tensors.push_back(&t);
  }
  info.files = 1;
  info.weights_sha256 = WeightsContentHash(tensors);
  return info;
}

}  // namespace

Result<ModelInfo> InspectModel(const std::filesystem::path& dir) {
  if (dir.extension() == ".gguf") return InspectGguf(dir);
  ModelInfo info;
  info.path = dir.string();
  KAIF_ASSIGN_OR_RETURN(info.architecture, LoadConfig(dir));
  KAIF_ASSIGN_OR_RETURN(std::unique_ptr<tensor::SafetensorsCheckpoint> checkpoint,
                        tensor::SafetensorsCheckpoint::Open(dir));
  KAIF_RETURN_IF_ERROR(CheckWeights(info.architecture, *checkpoint).WithContext(dir.string()));
  for (const ExpectedTensor& e : ExpectedTensors(info.architecture)) {
    long long n = 1;
    for (uint64_t d : e.shape) n *= static_cast<long long>(d);
    info.parameters_by_component[ToString(e.component)] += n;
    info.parameters += n;
  }
  for (const tensor::TensorView* t : checkpoint->tensors()) ++info.tensors_by_dtype[tensor::Info(t->dtype).name];
  info.bytes = checkpoint->total_bytes();
  info.files = checkpoint->files().size();
  info.weights_sha256 = WeightsContentHash(*checkpoint);
  return info;
}

std::string RenderModelInfo(const ModelInfo& info) {
  const Architecture& a = info.architecture;
  std::string out = fmt::format("{}\n  architecture  {} (model_type {})\n", info.path, ToString(a.family), a.model_type);
  out += fmt::format("  shape         {} layers, hidden {}, MLP {}, {} heads / {} KV heads of {}, vocab {}\n",
                     a.num_layers, a.hidden_size, a.intermediate_size, a.num_heads, a.num_kv_heads, a.head_dim,
                     a.vocab_size);
  out += fmt::format("  attention     {}, rope theta {:g}, scaling {}{}{}\n", ToString(a.norm_placement), a.rope.theta,
                     ToString(a.rope.scaling),
                     a.rope.scaling == RopeScaling::kNone ? "" : fmt::format(" x{:g}", a.rope.factor),
                     a.sliding_window ? fmt::format(", sliding window {}", a.sliding_window) : "");
  std::string features;
  if (a.qk_norm) features += ", q/k norm";
  if (a.tie_embeddings) features += ", tied embeddings";
  if (a.attention_bias) features += ", q/k/v bias";
  if (a.final_logit_softcap) features += fmt::format(", final logit softcap {:g}", *a.final_logit_softcap);
  if (a.attn_logit_softcap) features += fmt::format(", attention softcap {:g}", *a.attn_logit_softcap);
  if (a.embedding_scale != 1) features += ", scaled embeddings";
  if (!features.empty()) out += "  features      " + features.substr(2) + "\n";
  out += fmt::format("  parameters    {} ({:.3f} B)\n", info.parameters, static_cast<double>(info.parameters) / 1e9);
  for (const auto& [component, n] : info.parameters_by_component) {
    out += fmt::format("    {:<11} {:>14}  {:5.1f}%\n", component, n, 100.0 * static_cast<double>(n) / static_cast<double>(info.parameters));
  }
  std::string dtypes;
  for (const auto& [dtype, n] : info.tensors_by_dtype) dtypes += fmt::format("{}{} x {}", dtypes.empty() ? "" : ", ", n, dtype);
  out += fmt::format("  tensors       {}\n  size          {} bytes in {} file{}\n", dtypes, info.bytes, info.files,
                     info.files == 1 ? "" : "s");
  out += fmt::format("  weights hash  {}\n", info.weights_sha256);
  return out;
}

}  // namespace kaif::model
