#include "model/config_file.h"

#include <cmath>
#include <fmt/format.h>

#include "model/config_reader.h"
#include "util/file.h"

namespace kaif::model {

using nlohmann::json;

namespace {

struct FamilyEntry {
  const char* model_type;
  Family family;
};

constexpr FamilyEntry kFamilies[] = {
    {"llama", Family::kLlama},     {"mistral", Family::kMistral},     {"qwen2", Family::kQwen2},
    {"qwen3", Family::kQwen3},     {"gemma2", Family::kGemma2},       {"gemma3_text", Family::kGemma3},
    {"gemma3", Family::kGemma3},   {"exaone", Family::kExaone3},      {"exaone4", Family::kExaone4},
};

Status ReadLayerTypes(const ConfigReader& c, Architecture& arch) {
  if (!c.Has("layer_types")) return Status::Ok();
  const json& types = c.value()["layer_types"];
  if (!types.is_array() || types.size() != static_cast<size_t>(arch.num_layers)) {
    return c.Error("layer_types", fmt::format("must list one type per layer ({})", arch.num_layers));
  }
  arch.layers.clear();
  for (const json& t : types) {
    std::string type = t.is_string() ? t.get<std::string>() : "";
    if (type == "full_attention") {
      arch.layers.push_back(LayerAttention::kFull);
    } else if (type == "sliding_attention") {
      arch.layers.push_back(LayerAttention::kSliding);
    } else {
      return c.Error("layer_types", "has \"" + type + "\"; expected full_attention or sliding_attention");
    }
  }
  return Status::Ok();
}

// rope_parameters (transformers 5) may be one object or one per layer type; rope_scaling
// with rope_theta beside it is the transformers 4 spelling.
Status ReadRopeSettings(const ConfigReader& c, Architecture& arch) {
  if (c.Has("rope_parameters")) {
    const json& p = c.value()["rope_parameters"];
    if (!p.is_object()) return c.Error("rope_parameters", "must be an object");
    if (p.contains("full_attention")) {
      KAIF_RETURN_IF_ERROR(ReadRope(c, p["full_attention"], "rope_parameters.full_attention", arch.rope));
      if (p.contains("sliding_attention")) {
        Rope local;
        KAIF_RETURN_IF_ERROR(ReadRope(c, p["sliding_attention"], "rope_parameters.sliding_attention", local));
        arch.local_rope = local;
      }
      return Status::Ok();
    }
    return ReadRope(c, p, "rope_parameters", arch.rope);
  }
  KAIF_RETURN_IF_ERROR(c.Number({"rope_theta"}, arch.rope.theta, false));
  if (c.Has("rope_scaling")) {
    double theta = arch.rope.theta;
    KAIF_RETURN_IF_ERROR(ReadRope(c, c.value()["rope_scaling"], "rope_scaling", arch.rope));
    arch.rope.theta = theta;
  }
  return Status::Ok();
}

}  // namespace

Status ConfigReader::Error(const std::string& key, const std::string& what) const {
  return Status::InvalidInput(source_ + ": \"" + key + "\" " + what);
}

const json* ConfigReader::Find(std::initializer_list<const char*> keys, const char** found) const {
  for (const char* key : keys) {
    if (Has(key)) {
      *found = key;
      return &json_[key];
    }
  }
  *found = *keys.begin();
  return nullptr;
}

Status ConfigReader::Int(std::initializer_list<const char*> keys, int& out, bool required) const {
  const char* key;
  const json* v = Find(keys, &key);
  if (!v) return required ? Error(key, "is missing") : Status::Ok();
  if (!v->is_number_integer() || v->get<long long>() < 0 || v->get<long long>() > (1ll << 30)) {
    return Error(key, "must be a whole number between 0 and 2^30");
  }
  out = v->get<int>();
  return Status::Ok();
}

Status ConfigReader::Number(std::initializer_list<const char*> keys, double& out, bool required) const {
  const char* key;
  const json* v = Find(keys, &key);
  if (!v) return required ? Error(key, "is missing") : Status::Ok();
  if (!v->is_number()) return Error(key, "must be a number");
  out = v->get<double>();
  return Status::Ok();
}

Status ConfigReader::Bool(const char* key, bool& out) const {
  if (!Has(key)) return Status::Ok();
  if (!json_[key].is_boolean()) return Error(key, "must be true or false");
  out = json_[key].get<bool>();
  return Status::Ok();
}

Status ConfigReader::OptionalNumber(const char* key, std::optional<double>& out) const {
  if (!Has(key)) return Status::Ok();
  double v = 0;
  KAIF_RETURN_IF_ERROR(Number({key}, v));
  out = v;
  return Status::Ok();
}

Status ConfigReader::String(const char* key, std::string& out) const {
  if (!Has(key)) return Status::Ok();
  if (!json_[key].is_string()) return Error(key, "must be a string");
  out = json_[key].get<std::string>();
  return Status::Ok();
}

Status ReadRope(const ConfigReader& c, const json& rope, const std::string& key, Rope& out) {
  if (rope.is_null()) return Status::Ok();
  if (!rope.is_object()) return c.Error(key, "must be an object");
  ConfigReader r(rope, "");
  auto fail = [&](const Status& s) { return c.Error(key, s.message().substr(s.message().find('"'))); };
  std::string type = "default";
  if (r.Has("rope_type")) {
    if (!r.String("rope_type", type).ok()) return c.Error(key, "rope_type must be a string");
  } else if (r.Has("type")) {
    if (!r.String("type", type).ok()) return c.Error(key, "type must be a string");
  }
  if (type == "default") {
    out.scaling = RopeScaling::kNone;
  } else if (type == "linear") {
    out.scaling = RopeScaling::kLinear;
  } else if (type == "dynamic") {
    out.scaling = RopeScaling::kDynamic;
  } else if (type == "yarn") {
    out.scaling = RopeScaling::kYarn;
  } else if (type == "llama3") {
    out.scaling = RopeScaling::kLlama3;
  } else {
    return c.Error(key, "has rope type \"" + type + "\"; kaif supports default, linear, dynamic, yarn and llama3");
  }
  Status s = r.Number({"rope_theta"}, out.theta, false);
  if (s.ok()) s = r.Number({"factor"}, out.factor, out.scaling != RopeScaling::kNone);
  if (s.ok()) s = r.Number({"low_freq_factor"}, out.low_freq_factor, false);
  if (s.ok()) s = r.Number({"high_freq_factor"}, out.high_freq_factor, false);
  if (s.ok()) s = r.Int({"original_max_position_embeddings"}, out.original_max_positions,
                        out.scaling == RopeScaling::kLlama3);
  if (s.ok()) s = r.Number({"beta_fast"}, out.beta_fast, false);
  if (s.ok()) s = r.Number({"beta_slow"}, out.beta_slow, false);
  if (s.ok()) s = r.OptionalNumber("attention_factor", out.attention_factor);
  if (!s.ok()) return fail(s);
  if (out.theta <= 0 || out.factor <= 0) return c.Error(key, "needs a positive rope_theta and factor");
  return Status::Ok();
}

Result<Architecture> ParseConfig(std::string_view text, const std::string& source) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) {
    return Status::InvalidInput(source + ": not JSON: " + e.what());
  }
  if (!root.is_object()) return Status::InvalidInput(source + ": is not a JSON object");
  // Multimodal Gemma 3 keeps the language model's settings in text_config.
  const json& config = root.contains("text_config") && root["text_config"].is_object() ? root["text_config"] : root;
  ConfigReader c(config, source);
  Architecture arch;
  ConfigReader top(root, source);
  KAIF_RETURN_IF_ERROR(top.String("model_type", arch.model_type));
  bool known = false;
  for (const FamilyEntry& f : kFamilies) {
    if (arch.model_type == f.model_type) {
      arch.family = f.family;
      known = true;
    }
  }
  if (!known) {
    return Status::InvalidInput(fmt::format("{}: model_type \"{}\" is not supported; kaif runs {}", source,
                                            arch.model_type, SupportedModelTypes()));
  }
  KAIF_RETURN_IF_ERROR(c.Int({"vocab_size"}, arch.vocab_size));
  KAIF_RETURN_IF_ERROR(c.Int({"hidden_size"}, arch.hidden_size));
  KAIF_RETURN_IF_ERROR(c.Int({"intermediate_size"}, arch.intermediate_size));
  KAIF_RETURN_IF_ERROR(c.Int({"num_hidden_layers", "num_layers"}, arch.num_layers));
  KAIF_RETURN_IF_ERROR(c.Int({"num_attention_heads"}, arch.num_heads));
  arch.num_kv_heads = arch.num_heads;
  KAIF_RETURN_IF_ERROR(c.Int({"num_key_value_heads"}, arch.num_kv_heads, false));
  if (arch.vocab_size == 0 || arch.hidden_size == 0 || arch.num_layers == 0 || arch.num_heads == 0 ||
      arch.num_kv_heads == 0 || arch.intermediate_size == 0) {
    return Status::InvalidInput(source + ": sizes, layer and head counts must be positive");
  }
  if (arch.num_heads % arch.num_kv_heads != 0) {
    return c.Error("num_key_value_heads", fmt::format("= {} does not divide num_attention_heads = {}",
                                                      arch.num_kv_heads, arch.num_heads));
  }
  arch.head_dim = arch.hidden_size / arch.num_heads;
  KAIF_RETURN_IF_ERROR(c.Int({"head_dim"}, arch.head_dim, false));
  if (arch.head_dim == 0 || arch.head_dim % 2 != 0) return c.Error("head_dim", "must be a positive even number");
  KAIF_RETURN_IF_ERROR(c.Int({"max_position_embeddings"}, arch.max_positions, false));
  KAIF_RETURN_IF_ERROR(c.Number({"rms_norm_eps", "layer_norm_epsilon"}, arch.norm_eps, false));
  KAIF_RETURN_IF_ERROR(c.Bool("attention_bias", arch.attention_bias));
  std::string activation = "silu";
  KAIF_RETURN_IF_ERROR(c.String("hidden_act", activation));
  KAIF_RETURN_IF_ERROR(c.String("hidden_activation", activation));
  KAIF_RETURN_IF_ERROR(c.String("activation_function", activation));
  if (activation == "silu" || activation == "swish") {
    arch.activation = Activation::kSilu;
  } else if (activation == "gelu_pytorch_tanh" || activation == "gelu_new") {
    arch.activation = Activation::kGeluTanh;
  } else {
    return Status::InvalidInput(source + ": activation \"" + activation +
                                "\" is not supported; kaif runs silu and gelu_pytorch_tanh");
  }
  KAIF_RETURN_IF_ERROR(ReadRopeSettings(c, arch));
  KAIF_RETURN_IF_ERROR(c.Int({"sliding_window"}, arch.sliding_window, false));
  arch.layers.assign(static_cast<size_t>(arch.num_layers), LayerAttention::kFull);
  KAIF_RETURN_IF_ERROR(ReadLayerTypes(c, arch));
  int bos = 0;
  if (top.Has("bos_token_id") && top.Int({"bos_token_id"}, bos).ok()) arch.bos_token_id = bos;
  if (root.contains("eos_token_id")) {
    const json& eos = root["eos_token_id"];
    if (eos.is_number_integer()) arch.eos_token_ids.push_back(eos.get<int>());
    if (eos.is_array()) {
      for (const json& e : eos) {
        if (e.is_number_integer()) arch.eos_token_ids.push_back(e.get<int>());
      }
    }
  }
  switch (arch.family) {
    case Family::kLlama:
    case Family::kMistral:
    case Family::kQwen2:
    case Family::kQwen3: KAIF_RETURN_IF_ERROR(ApplyLlamaFamily(c, arch)); break;
    case Family::kGemma2:
    case Family::kGemma3: KAIF_RETURN_IF_ERROR(ApplyGemmaFamily(c, arch)); break;
    case Family::kExaone3:
    case Family::kExaone4: KAIF_RETURN_IF_ERROR(ApplyExaoneFamily(c, arch)); break;
  }
  if (arch.query_scale == 0) arch.query_scale = 1.0 / std::sqrt(static_cast<double>(arch.head_dim));
  // An explicit setting beats the family's default; multimodal wrappers say it at the top.
  KAIF_RETURN_IF_ERROR(c.Bool("tie_word_embeddings", arch.tie_embeddings));
  if (&config != &root) KAIF_RETURN_IF_ERROR(top.Bool("tie_word_embeddings", arch.tie_embeddings));
  return arch;
}

Result<Architecture> LoadConfig(const std::filesystem::path& path) {
  std::filesystem::path file = std::filesystem::is_directory(path) ? path / "config.json" : path;
  KAIF_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
  return ParseConfig(text, file.string());
}

}  // namespace kaif::model
