#include "model/config_file.h"

#include <gtest/gtest.h>

#include "model/model_info.h"
#include "model/weights.h"
#include "tensor/safetensors.h"

namespace kaif::model {
namespace {

std::filesystem::path Models() { return std::filesystem::path(KAIF_SOURCE_DIR) / "tests" / "data" / "models"; }

Result<Architecture> Parse(const std::string& text) { return ParseConfig(text, "config.json"); }

TEST(ConfigFileTest, BadConfigsAreClearErrors) {
  struct Case {
    std::string text;
    const char* message;
  } cases[] = {
      {"", "not JSON"},
      {"[]", "is not a JSON object"},
      {R"({"model_type": "gpt2"})", "model_type \"gpt2\" is not supported; kaif runs llama"},
      {R"({"model_type": "llama", "hidden_size": 64})", "\"vocab_size\" is missing"},
      {R"({"model_type": "llama", "vocab_size": 8, "hidden_size": 64, "intermediate_size": 8, "num_hidden_layers": 1,
           "num_attention_heads": 4, "num_key_value_heads": 3})",
       "does not divide num_attention_heads"},
      {R"({"model_type": "llama", "vocab_size": -8, "hidden_size": 64, "intermediate_size": 8, "num_hidden_layers": 1,
           "num_attention_heads": 4})",
       "must be a whole number"},
      {R"({"model_type": "llama", "vocab_size": 8, "hidden_size": 64, "intermediate_size": 8, "num_hidden_layers": 1,
           "num_attention_heads": 4, "rope_scaling": {"rope_type": "longrope", "factor": 2}})",
       "rope type \"longrope\""},
      {R"({"model_type": "llama", "vocab_size": 8, "hidden_size": 64, "intermediate_size": 8, "num_hidden_layers": 1,
           "num_attention_heads": 4, "rope_scaling": {"rope_type": "llama3", "factor": 8}})",
       "original_max_position_embeddings"},
      {R"({"model_type": "llama", "vocab_size": 8, "hidden_size": 64, "intermediate_size": 8, "num_hidden_layers": 2,
           "num_attention_heads": 4, "layer_types": ["full_attention"]})",
       "one type per layer"},
      {R"({"model_type": "llama", "vocab_size": 8, "hidden_size": 64, "intermediate_size": 8, "num_hidden_layers": 1,
           "num_attention_heads": 4, "hidden_act": "relu"})",
       "activation \"relu\""},
  };
  for (const Case& c : cases) {
    Result<Architecture> a = Parse(c.text);
    ASSERT_FALSE(a.ok()) << c.text;
    EXPECT_EQ(a.status().ExitCode(), 2);
    EXPECT_NE(a.status().message().find(c.message), std::string::npos) << a.status().message();
  }
}

TEST(ConfigFileTest, ReadsEveryFixtureTransformersWrote) {
  struct Expect {
    const char* dir;
    Family family;
    RopeScaling rope;
    bool qk_norm, tied, bias;
    NormPlacement norms;
  } expected[] = {
      {"llama3", Family::kLlama, RopeScaling::kLlama3, false, false, false, NormPlacement::kPre},
      {"llama2", Family::kLlama, RopeScaling::kNone, false, false, false, NormPlacement::kPre},
      {"llama-linear-rope", Family::kLlama, RopeScaling::kLinear, false, false, false, NormPlacement::kPre},
      {"llama-dynamic-rope", Family::kLlama, RopeScaling::kDynamic, false, false, false, NormPlacement::kPre},
      {"mistral", Family::kMistral, RopeScaling::kNone, false, false, false, NormPlacement::kPre},
      {"qwen2", Family::kQwen2, RopeScaling::kNone, false, true, true, NormPlacement::kPre},
      {"qwen2-yarn", Family::kQwen2, RopeScaling::kYarn, false, true, true, NormPlacement::kPre},
      {"qwen3", Family::kQwen3, RopeScaling::kNone, true, true, false, NormPlacement::kPre},
      {"gemma2", Family::kGemma2, RopeScaling::kNone, false, true, false, NormPlacement::kSandwich},
      {"gemma3", Family::kGemma3, RopeScaling::kNone, true, true, false, NormPlacement::kSandwich},
      {"exaone4", Family::kExaone4, RopeScaling::kNone, true, false, false, NormPlacement::kPost},
  };
  for (const Expect& e : expected) {
    SCOPED_TRACE(e.dir);
    Result<Architecture> a = LoadConfig(Models() / e.dir);
    ASSERT_TRUE(a.ok()) << a.status().message();
    EXPECT_EQ(a->family, e.family);
    EXPECT_EQ(a->rope.scaling, e.rope);
    EXPECT_EQ(a->qk_norm, e.qk_norm);
    EXPECT_EQ(a->tie_embeddings, e.tied);
    EXPECT_EQ(a->attention_bias, e.bias);
    EXPECT_EQ(a->norm_placement, e.norms);
    EXPECT_EQ(a->num_layers, 2);
    EXPECT_EQ(a->head_dim, 16);
    // The checkpoint holds exactly the tensors the config implies, and the count agrees.
    auto checkpoint = tensor::SafetensorsCheckpoint::Open(Models() / e.dir);
    ASSERT_TRUE(checkpoint.ok());
    Status weights = CheckWeights(*a, **checkpoint);
    EXPECT_TRUE(weights.ok()) << weights.message();
    long long elements = 0;
    for (const tensor::TensorView* t : (*checkpoint)->tensors()) elements += static_cast<long long>(t->elements());
    EXPECT_EQ(a->ParameterCount(), elements);
  }
  Result<Architecture> llama3 = LoadConfig(Models() / "llama3");
  EXPECT_EQ(llama3->rope.theta, 500000);
  EXPECT_EQ(llama3->rope.factor, 8);
  EXPECT_EQ(llama3->rope.original_max_positions, 64);
  Result<Architecture> gemma2 = LoadConfig(Models() / "gemma2");
  EXPECT_EQ(gemma2->final_logit_softcap, 30.0);
  EXPECT_EQ(gemma2->attn_logit_softcap, 50.0);
  EXPECT_EQ(gemma2->embedding_scale, 8.0);
  EXPECT_EQ(gemma2->layers, (std::vector<LayerAttention>{LayerAttention::kSliding, LayerAttention::kFull}));
  Result<Architecture> gemma3 = LoadConfig(Models() / "gemma3");
  EXPECT_EQ(gemma3->rope.theta, 1e6);
  ASSERT_TRUE(gemma3->local_rope.has_value());
  EXPECT_EQ(gemma3->local_rope->theta, 1e4);
  EXPECT_TRUE(LoadConfig(Models() / "exaone4")->full_layers_without_rope);
}

TEST(ConfigFileTest, ReadsTheTransformers4SpellingOfRealModels) {
  // Shapes of real configs as published (Llama 3.1 8B, Gemma 3 4B, EXAONE 3.5 7.8B, Qwen2.5 7B).
  Result<Architecture> llama = Parse(R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama",
      "vocab_size": 128256, "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
      "num_attention_heads": 32, "num_key_value_heads": 8, "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
      "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                       "original_max_position_embeddings": 8192, "rope_type": "llama3"},
      "tie_word_embeddings": false, "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009]})");
  ASSERT_TRUE(llama.ok()) << llama.status().message();
  EXPECT_EQ(llama->rope.theta, 500000);
  EXPECT_EQ(llama->rope.scaling, RopeScaling::kLlama3);
  EXPECT_EQ(llama->eos_token_ids.size(), 3u);
  EXPECT_EQ(llama->ParameterCount(), 8030261248);  // Llama 3.1 8B's published count

  Result<Architecture> gemma = Parse(R"({"architectures": ["Gemma3ForConditionalGeneration"], "model_type": "gemma3",
      "text_config": {"model_type": "gemma3_text", "vocab_size": 262208, "hidden_size": 2560, "intermediate_size": 10240,
        "num_hidden_layers": 34, "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 256,
        "query_pre_attn_scalar": 256, "rope_theta": 1000000.0, "rope_local_base_freq": 10000.0,
        "rope_scaling": {"factor": 8.0, "rope_type": "linear"}, "sliding_window": 1024,
        "hidden_activation": "gelu_pytorch_tanh"}})");
  ASSERT_TRUE(gemma.ok()) << gemma.status().message();
  EXPECT_EQ(gemma->family, Family::kGemma3);
  EXPECT_EQ(gemma->rope.scaling, RopeScaling::kLinear);
  EXPECT_EQ(gemma->rope.theta, 1e6);
  EXPECT_EQ(gemma->local_rope->theta, 1e4);
  EXPECT_EQ(gemma->layers[5], LayerAttention::kFull);
  EXPECT_EQ(gemma->layers[4], LayerAttention::kSliding);
  EXPECT_NEAR(gemma->query_scale, 1.0 / 16, 1e-12);

  Result<Architecture> exaone = Parse(R"({"architectures": ["ExaoneForCausalLM"], "model_type": "exaone",
      "vocab_size": 102400, "hidden_size": 4096, "intermediate_size": 14336, "num_layers": 32,
      "num_attention_heads": 32, "num_key_value_heads": 8, "layer_norm_epsilon": 1e-05,
      "activation_function": "silu", "rope_theta": 1000000.0, "tie_word_embeddings": false,
      "rope_scaling": {"factor": 8.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                       "original_max_position_embeddings": 8192, "rope_type": "llama3"}})");
  ASSERT_TRUE(exaone.ok()) << exaone.status().message();
  EXPECT_EQ(exaone->family, Family::kExaone3);
  EXPECT_EQ(ExpectedTensors(*exaone).front().name, "transformer.wte.weight");
  EXPECT_EQ(exaone->norm_eps, 1e-5);

  Result<Architecture> qwen = Parse(R"({"model_type": "qwen2", "vocab_size": 152064, "hidden_size": 3584,
      "intermediate_size": 18944, "num_hidden_layers": 28, "num_attention_heads": 28, "num_key_value_heads": 4,
      "rope_theta": 1000000.0, "sliding_window": 131072, "use_sliding_window": false, "tie_word_embeddings": false})");
  ASSERT_TRUE(qwen.ok()) << qwen.status().message();
  EXPECT_EQ(qwen->sliding_window, 0);
  EXPECT_EQ(qwen->ParameterCount(), 7615616512);  // Qwen2.5 7B's published count
}

TEST(ModelInfoTest, HashIsTheSameHoweverTheWeightsAreSharded) {
  Result<ModelInfo> single = InspectModel(Models() / "llama3");
  Result<ModelInfo> sharded = InspectModel(Models() / "llama3-sharded");
  ASSERT_TRUE(single.ok() && sharded.ok());
  EXPECT_EQ(single->weights_sha256, sharded->weights_sha256);
  EXPECT_EQ(sharded->files, 5u);
  EXPECT_NE(single->weights_sha256, InspectModel(Models() / "llama2")->weights_sha256);
  EXPECT_NE(RenderModelInfo(*single).find("weights hash  " + single->weights_sha256), std::string::npos);
}

TEST(ModelInfoTest, ReadsGgufModelsToo) {
  std::filesystem::path gguf = std::filesystem::path(KAIF_SOURCE_DIR) / "tests" / "data" / "gguf";
  Result<ModelInfo> converted = InspectModel(gguf / "llama3-tiny.gguf");
  Result<ModelInfo> original = InspectModel(Models() / "llama3");
  ASSERT_TRUE(converted.ok()) << converted.status().message();
  EXPECT_EQ(converted->architecture.family, Family::kLlama);
  EXPECT_EQ(converted->architecture.num_kv_heads, 2);
  EXPECT_EQ(converted->architecture.rope.theta, 500000);
  EXPECT_EQ(converted->parameters, original->parameters);
  EXPECT_EQ(converted->parameters_by_component, original->parameters_by_component);
  EXPECT_EQ(converted->tensors_by_dtype.at("F16"), 16);
  Result<ModelInfo> bare = InspectModel(gguf / "tiny.gguf");
  ASSERT_FALSE(bare.ok());
  EXPECT_NE(bare.status().message().find("llama.block_count is missing"), std::string::npos);
}

TEST(ModelInfoTest, WeightsThatDoNotMatchTheConfigAreNamed) {
  auto checkpoint = tensor::SafetensorsCheckpoint::Open(Models() / "qwen3");
  Result<Architecture> llama = LoadConfig(Models() / "llama3");
  Status s = CheckWeights(*llama, **checkpoint);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("missing lm_head.weight"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("unexpected model.layers.0.self_attn.q_norm.weight"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace kaif::model
