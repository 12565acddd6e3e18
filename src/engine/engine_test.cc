#include "engine/engine.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/reference_forward.h"
#include "support/model_fixtures.h"
#include "util/file.h"

namespace kaif::engine {
namespace {

using kaif::testing::WorstRelativeError;

std::filesystem::path Models() { return kaif::testing::ModelFixtures(); }

std::unique_ptr<Engine> OpenEngine(const std::filesystem::path& path, EngineOptions options = {}) {
  auto engine = Engine::Open(path, options);
  EXPECT_TRUE(engine.ok()) << engine.status().message();
  return engine.ok() ? std::move(*engine) : nullptr;
}

class EngineLogitsTest : public ::testing::TestWithParam<std::string> {};

// The optimized forward pass reproduces transformers' logits, like the reference pass.
TEST_P(EngineLogitsTest, MatchesTransformers) {
  std::filesystem::path dir = Models() / GetParam();
  auto engine = OpenEngine(dir);
  ASSERT_TRUE(engine);
  auto reference = nlohmann::json::parse(ReadFile(dir / "reference.json").value());
  for (size_t k = 0; k < reference["input_ids"].size(); ++k) {
    auto ids = reference["input_ids"][k].get<std::vector<int>>();
    Result<std::vector<float>> logits = engine->SequenceLogits(ids);
    ASSERT_TRUE(logits.ok()) << logits.status().message();
    size_t vocab = static_cast<size_t>(engine->architecture().vocab_size);
    EXPECT_LT(WorstRelativeError(*logits, reference["logits"][k].get<std::vector<std::vector<float>>>(), vocab), 1e-3)
        << GetParam() << " sequence " << k;
  }
}

INSTANTIATE_TEST_SUITE_P(Architectures, EngineLogitsTest,
                         ::testing::Values("llama3", "llama2", "llama-linear-rope", "llama-dynamic-rope", "mistral", "qwen2",
                                           "qwen2-yarn", "qwen3", "gemma2", "gemma3", "exaone4"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// Long sequences (2,000 tokens, past the fixtures' 256-token window, which a copy of the
// config widens) against the reference pass: rope tables at high positions, sliding
// windows, batching over many forward passes.
TEST(EngineTest, LongSequencesMatchTheReferencePass) {
  for (const char* model : {"gemma2", "qwen2"}) {
    std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / (std::string("long-") + model);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto config = nlohmann::json::parse(ReadFile(Models() / model / "config.json").value());
    config["max_position_embeddings"] = 4096;
    std::ofstream(dir / "config.json") << config.dump();
    std::filesystem::copy_file(Models() / model / "model.safetensors", dir / "model.safetensors");
    EngineOptions options;
    options.batch_tokens = 300;  // several forward passes
    auto engine = OpenEngine(dir, options);
    ASSERT_TRUE(engine);
    std::vector<int> ids;
    for (int i = 0; i < 2000; ++i) ids.push_back((i * 131 + i / 7) % 256);
    auto logits = engine->SequenceLogits(ids);
    ASSERT_TRUE(logits.ok());
    auto reference = ReferenceForward(engine->architecture(), *engine->weights().safetensors, ids);
    ASSERT_TRUE(reference.ok());
    double worst = 0;
    for (size_t i = 0; i < reference->size(); ++i) {
      worst = std::max(worst, static_cast<double>(std::fabs((*logits)[i] - (*reference)[i]) / std::max(1.0f, std::fabs((*reference)[i]))));
    }
    EXPECT_LT(worst, 1e-3) << model;
  }
}

// Multiple-choice requests: a shared few-shot block, a question, four choices each.
std::vector<ScoreRequest> MultipleChoice() {
  std::vector<int> fewshot;
  for (int i = 0; i < 40; ++i) fewshot.push_back((i * 37 + 11) % 256);
  std::vector<ScoreRequest> requests;
  for (int q = 0; q < 3; ++q) {
    std::vector<int> context = fewshot;
    for (int i = 0; i < 9 + q; ++i) context.push_back((q * 53 + i * 7) % 256);
    for (int c = 0; c < 4; ++c) {
      std::vector<int> choice = {(c * 61 + q) % 256};
      if (c % 2) choice.push_back((c * 13 + 5) % 256);
      requests.push_back({context, choice});
    }
  }
  return requests;
}

// Scoring with shared prefixes gives exactly (bit for bit) what scoring each request
// alone in an empty cache gives, whatever the batch size.
TEST(EngineTest, SharedPrefixesScoreExactlyAsUnshared) {
  for (const char* model : {"qwen3", "gemma2", "llama3"}) {
    auto requests = MultipleChoice();
    auto shared_engine = OpenEngine(Models() / model);
    ASSERT_TRUE(shared_engine);
    auto shared = shared_engine->Loglikelihood(requests, true);
    ASSERT_TRUE(shared.ok()) << shared.status().message();
    const EngineStats& stats = shared_engine->stats();
    EXPECT_LT(stats.computed_tokens * 2, stats.request_tokens) << "the few-shot block is computed once";

    EngineOptions small_batches;
    small_batches.batch_tokens = 3;
    auto alone_engine = OpenEngine(Models() / model, small_batches);
    for (size_t i = 0; i < requests.size(); ++i) {
      alone_engine->ClearCache();
      auto alone = alone_engine->Loglikelihood({requests[i]}, true);
      ASSERT_TRUE(alone.ok()) << alone.status().message();
      EXPECT_EQ((*alone)[0].logprob, (*shared)[i].logprob) << model << " request " << i;
      EXPECT_EQ((*alone)[0].token_logprobs, (*shared)[i].token_logprobs);
      EXPECT_EQ((*alone)[0].greedy, (*shared)[i].greedy);
    }
  }
}

// The log-likelihood equals the one computed from the reference pass's logits.
TEST(EngineTest, LoglikelihoodMatchesReferenceLogits) {
  auto engine = OpenEngine(Models() / "qwen2");
  ASSERT_TRUE(engine);
  ScoreRequest request{{5, 99, 17, 200, 3}, {42, 7, 255}};
  auto scored = engine->Loglikelihood({request}, true);
  ASSERT_TRUE(scored.ok()) << scored.status().message();
  std::vector<int> ids = request.context;
  ids.insert(ids.end(), request.continuation.begin(), request.continuation.end() - 1);
  auto logits = ReferenceForward(engine->architecture(), *engine->weights().safetensors, ids);
  ASSERT_TRUE(logits.ok());
  const size_t vocab = 256;
  double expected = 0;
  bool greedy = true;
  for (size_t j = 0; j < request.continuation.size(); ++j) {
    const float* row = logits->data() + (request.context.size() - 1 + j) * vocab;
    double max = *std::max_element(row, row + vocab), sum = 0;
    for (size_t v = 0; v < vocab; ++v) sum += std::exp(row[v] - max);
    double lp = row[request.continuation[j]] - max - std::log(sum);
    EXPECT_NEAR((*scored)[0].token_logprobs[j], lp, 1e-3);
    expected += lp;
    greedy = greedy && Argmax(row, vocab) == request.continuation[j];
  }
  EXPECT_NEAR((*scored)[0].logprob, expected, 3e-3);
  EXPECT_EQ((*scored)[0].greedy, greedy);
}

// The top tokens of each position are sorted, computed as token_logprobs are (the same
// bits for the same token), and their first is the greedy choice.
TEST(EngineTest, TopLogprobsAgreeWithTokenLogprobsAndGreedy) {
  auto engine = OpenEngine(Models() / "llama3");
  ASSERT_TRUE(engine);
  ScoreRequest request{{5, 99, 17}, {42, 7, 255, 3}};
  auto scored = engine->Loglikelihood({request}, true, 300);  // more than the vocabulary
  ASSERT_TRUE(scored.ok()) << scored.status().message();
  const ScoreResult& r = (*scored)[0];
  ASSERT_EQ(r.top_logprobs.size(), request.continuation.size());
  bool greedy = true;
  for (size_t j = 0; j < request.continuation.size(); ++j) {
    const std::vector<TokenLogprob>& top = r.top_logprobs[j];
    ASSERT_EQ(top.size(), 256u);
    for (size_t i = 1; i < top.size(); ++i) EXPECT_GE(top[i - 1].logprob, top[i].logprob);
    auto at = std::find_if(top.begin(), top.end(), [&](const TokenLogprob& t) { return t.id == request.continuation[j]; });
    ASSERT_NE(at, top.end());
    EXPECT_EQ(at->logprob, r.token_logprobs[j]);
    greedy = greedy && top[0].id == request.continuation[j];
  }
  EXPECT_EQ(r.greedy, greedy);
  auto plain = engine->Loglikelihood({request});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)[0].logprob, r.logprob);
  EXPECT_TRUE((*plain)[0].top_logprobs.empty());
}

// Greedy generation with the KV cache equals recomputing the whole sequence at each step.
TEST(EngineTest, GreedyGenerationMatchesFullRecomputation) {
  for (const char* model : {"llama3", "gemma3", "exaone4"}) {
    auto engine = OpenEngine(Models() / model);
    ASSERT_TRUE(engine);
    GenerateRequest request;
    request.prompt = {3, 14, 15, 92, 65};
    request.max_tokens = 64;
    request.stop_at_eos = false;
    auto generated = engine->Generate({request});
    ASSERT_TRUE(generated.ok()) << generated.status().message();
    ASSERT_EQ((*generated)[0].tokens.size(), 64u);
    EXPECT_EQ((*generated)[0].finish_reason, "length");
    auto fresh = OpenEngine(Models() / model);
    std::vector<int> sequence = request.prompt;
    for (int expected : (*generated)[0].tokens) {
      fresh->ClearCache();
      auto logits = fresh->SequenceLogits(sequence);
      ASSERT_TRUE(logits.ok());
      int next = Argmax(logits->data() + (sequence.size() - 1) * 256, 256);
      ASSERT_EQ(next, expected) << model << " at generated token " << sequence.size() - request.prompt.size();
      sequence.push_back(next);
    }
  }
}

TEST(EngineTest, BatchedGenerationEqualsOneAtATime) {
  auto engine = OpenEngine(Models() / "qwen3");
  std::vector<GenerateRequest> requests(3);
  requests[0].prompt = {1, 2, 3};
  requests[1].prompt = {1, 2, 3, 4, 5, 6, 7};
  requests[2].prompt = {1, 2, 3};
  requests[2].sampling.temperature = 0.8;
  requests[2].sampling.top_p = 0.9;
  requests[2].sampling.seed = 7;
  for (auto& r : requests) r.max_tokens = 20, r.stop_at_eos = false;
  auto together = engine->Generate(requests);
  ASSERT_TRUE(together.ok()) << together.status().message();
  for (size_t i = 0; i < requests.size(); ++i) {
    auto alone_engine = OpenEngine(Models() / "qwen3");
    auto alone = alone_engine->Generate({requests[i]});
    ASSERT_TRUE(alone.ok());
    EXPECT_EQ((*alone)[0].tokens, (*together)[i].tokens) << "request " << i;
  }
}

TEST(EngineTest, SamplingIsSeeded) {
  auto engine = OpenEngine(Models() / "mistral");
  GenerateRequest r;
  r.prompt = {10, 20, 30};
  r.max_tokens = 32;
  r.stop_at_eos = false;
  r.sampling.temperature = 1.5;
  r.sampling.seed = 1;
  auto a = engine->Generate({r, r});
  r.sampling.seed = 2;
  auto b = engine->Generate({r});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ((*a)[0].tokens, (*a)[1].tokens);
  EXPECT_NE((*a)[0].tokens, (*b)[0].tokens);
  // top_k = 1 is greedy whatever the temperature.
  r.sampling.top_k = 1;
  GenerateRequest greedy = r;
  greedy.sampling = {};
  auto k1 = engine->Generate({r, greedy});
  ASSERT_TRUE(k1.ok());
  EXPECT_EQ((*k1)[0].tokens, (*k1)[1].tokens);
}

TEST(EngineTest, StopStringsAndStreaming) {
  auto engine = OpenEngine(Models() / "llama3");
  auto tokenizer = tokenizer::Tokenizer::Load(Models() / "bytes" / "tokenizer.json");
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().message();
  GenerateRequest r;
  r.prompt = {72, 105};
  r.max_tokens = 40;
  r.stop_at_eos = false;
  auto free_run = engine->Generate({r}, tokenizer->get());
  ASSERT_TRUE(free_run.ok());
  const std::string text = (*free_run)[0].text;
  ASSERT_GE(text.size(), 12u);
  // Stop at a string that occurs in the free-running text: generation stops before it.
  r.stop_strings = {text.substr(8, 3)};
  std::string streamed;
  auto stopped = engine->Generate({r}, tokenizer->get(), [&](size_t, std::string_view delta) { streamed += delta; });
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ((*stopped)[0].finish_reason, "stop");
  EXPECT_EQ((*stopped)[0].text, text.substr(0, text.find(r.stop_strings[0])));
  EXPECT_EQ(streamed, (*stopped)[0].text);
  // A stop token ends generation without being returned.
  GenerateRequest t;
  t.prompt = r.prompt;
  t.max_tokens = 40;
  t.stop_at_eos = false;
  t.stop_tokens = {(*free_run)[0].tokens[5]};
  auto by_token = engine->Generate({t});
  ASSERT_TRUE(by_token.ok());
  EXPECT_EQ((*by_token)[0].finish_reason, "stop");
  EXPECT_LE((*by_token)[0].tokens.size(), 5u);
}

TEST(EngineTest, BadRequestsGetClearErrors) {
  auto engine = OpenEngine(Models() / "llama3");
  auto empty = engine->Loglikelihood({{{1, 2}, {}}});
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("request 0: the continuation is empty"), std::string::npos);
  auto out_of_range = engine->Loglikelihood({{{1, 2}, {3}}, {{1, 999}, {3}}});
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_NE(out_of_range.status().message().find("request 1 context: token id 999 is outside the vocabulary of 256"),
            std::string::npos);
  GenerateRequest negative_id;
  negative_id.prompt = {-1};
  auto negative = engine->Generate({negative_id});
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("token id -1"), std::string::npos);
  GenerateRequest with_stop;
  with_stop.prompt = {1};
  with_stop.stop_strings = {"x"};
  auto stop_without_tokenizer = engine->Generate({with_stop});
  EXPECT_FALSE(stop_without_tokenizer.ok());
  // An empty context starts from BOS.
  auto from_bos = engine->Loglikelihood({{{}, {5, 6}}, {{1}, {5, 6}}});
  ASSERT_TRUE(from_bos.ok());
  EXPECT_EQ((*from_bos)[0].logprob, (*from_bos)[1].logprob);
}

// A context longer than the window (256 tokens here) loses its oldest tokens, flagged.
TEST(EngineTest, LongContextsAreTruncatedFromTheLeft) {
  auto engine = OpenEngine(Models() / "llama2");
  std::vector<int> context;
  for (int i = 0; i < 300; ++i) context.push_back((i * 31 + 7) % 256);
  auto long_score = engine->Loglikelihood({{context, {4, 5}}});
  ASSERT_TRUE(long_score.ok()) << long_score.status().message();
  EXPECT_EQ((*long_score)[0].truncated_tokens, 300u + 1 - 256);
  std::vector<int> kept(context.end() - 255, context.end());
  auto short_score = engine->Loglikelihood({{kept, {4, 5}}});
  ASSERT_TRUE(short_score.ok());
  EXPECT_EQ((*short_score)[0].truncated_tokens, 0u);
  EXPECT_EQ((*short_score)[0].logprob, (*long_score)[0].logprob);
  std::vector<int> too_long(300, 3);
  EXPECT_FALSE(engine->Loglikelihood({{{1}, too_long}}).ok());
}

TEST(EngineTest, KvBudgetIsEnforcedWithEvictionAndClearErrors) {
  EngineOptions options;
  // llama3 fixture: (2 layers x 2 x 32 + 64) floats = 768 bytes a token; room for 100.
  options.kv_budget_bytes = 100 * 768;
  auto engine = OpenEngine(Models() / "llama3", options);
  ASSERT_TRUE(engine);
  std::vector<ScoreRequest> requests;
  for (int q = 0; q < 6; ++q) {
    std::vector<int> context;
    for (int i = 0; i < 60; ++i) context.push_back((q * 17 + i * 3) % 256);
    requests.push_back({context, {9}});
  }
  auto scored = engine->Loglikelihood(requests);
  ASSERT_TRUE(scored.ok()) << scored.status().message();
  EngineOptions roomy;
  auto reference = OpenEngine(Models() / "llama3", roomy)->Loglikelihood(requests);
  ASSERT_TRUE(reference.ok());
  for (size_t i = 0; i < requests.size(); ++i) EXPECT_EQ((*scored)[i].logprob, (*reference)[i].logprob);
  std::vector<int> huge(150, 4);
  auto too_big = engine->Loglikelihood({{huge, {1}}});
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.status().code(), Status::Code::kResourceExhausted);
  EXPECT_NE(too_big.status().message().find("a sequence of 150 tokens needs"), std::string::npos);
  // The engine still works afterwards.
  EXPECT_TRUE(engine->Loglikelihood({requests[0]}).ok());
}

// A NaN in the weights is found when the model is opened, with the tensor's name.
TEST(EngineTest, NonFiniteWeightsAreReportedByName) {
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "nan-model";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(Models() / "llama3" / "config.json", dir / "config.json");
  std::string bytes = ReadFile(Models() / "llama3" / "model.safetensors").value();
  uint64_t header = 0;
  std::memcpy(&header, bytes.data(), 8);
  auto json = nlohmann::json::parse(bytes.substr(8, header));
  const std::string name = "model.layers.1.mlp.up_proj.weight";
  size_t offset = 8 + header + json[name]["data_offsets"][0].get<size_t>() + 40;
  const float nan = std::nanf("");
  std::memcpy(bytes.data() + offset, &nan, 4);
  std::ofstream(dir / "model.safetensors", std::ios::binary) << bytes;
  auto engine = Engine::Open(dir);
  ASSERT_FALSE(engine.ok());
  EXPECT_NE(engine.status().message().find("tensor " + name + " holds NaN or infinite values"), std::string::npos);
  EngineOptions unchecked;
  unchecked.check_finite = false;
  EXPECT_TRUE(Engine::Open(dir, unchecked).ok());
}

// EXAONE 3.5 is a Llama-shaped decoder under its own tensor names: the llama2 fixture
// renamed to them gives the same logits, bit for bit.
TEST(EngineTest, RunsExaone35TensorNames) {
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "exaone3";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto config = nlohmann::json::parse(ReadFile(Models() / "llama2" / "config.json").value());
  config["model_type"] = "exaone";
  config["architectures"] = {"ExaoneForCausalLM"};
  std::ofstream(dir / "config.json") << config.dump();
  std::string bytes = ReadFile(Models() / "llama2" / "model.safetensors").value();
  uint64_t header_size = 0;
  std::memcpy(&header_size, bytes.data(), 8);
  auto header = nlohmann::json::parse(bytes.substr(8, header_size));
  const std::vector<std::pair<std::string, std::string>> renames = {
      {"model.embed_tokens.", "transformer.wte."}, {"model.norm.", "transformer.ln_f."},
      {"model.layers.", "transformer.h."},         {"input_layernorm.", "ln_1."},
      {"post_attention_layernorm.", "ln_2."},      {"self_attn.o_proj.", "attn.attention.out_proj."},
      {"self_attn.", "attn.attention."},           {"mlp.gate_proj.", "mlp.c_fc_0."},
      {"mlp.up_proj.", "mlp.c_fc_1."},             {"mlp.down_proj.", "mlp.c_proj."}};
  nlohmann::json renamed;
  for (auto& [name, info] : header.items()) {
    std::string n = name;
    for (const auto& [from, to] : renames) {
      if (size_t at = n.find(from); at != std::string::npos) n.replace(at, from.size(), to);
    }
    renamed[n] = info;
  }
  std::string text = renamed.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  uint64_t size = text.size();
  std::ofstream out(dir / "model.safetensors", std::ios::binary);
  out.write(reinterpret_cast<const char*>(&size), 8);
  out << text << bytes.substr(8 + header_size);
  out.close();
  auto exaone = OpenEngine(dir);
  auto llama = OpenEngine(Models() / "llama2");
  ASSERT_TRUE(exaone && llama);
  EXPECT_EQ(exaone->architecture().family, model::Family::kExaone3);
  std::vector<int> ids = {1, 50, 7, 200, 31, 9};
  EXPECT_EQ(exaone->SequenceLogits(ids).value(), llama->SequenceLogits(ids).value());
}

// The GGUF file llama.cpp's converter would write for the llama2 fixture (query and key
// rows permuted, F32) gives transformers' logits too.
TEST(EngineTest, RunsGgufWeights) {
  std::filesystem::path gguf = std::filesystem::path(KAIF_SOURCE_DIR) / "tests" / "data" / "gguf" / "llama2-f32.gguf";
  auto engine = OpenEngine(gguf);
  ASSERT_TRUE(engine);
  EXPECT_TRUE(engine->weights().interleaved_rope);
  auto reference = nlohmann::json::parse(ReadFile(Models() / "llama2" / "reference.json").value());
  auto ids = reference["input_ids"][0].get<std::vector<int>>();
  auto logits = engine->SequenceLogits(ids);
  ASSERT_TRUE(logits.ok());
  EXPECT_LT(WorstRelativeError(*logits, reference["logits"][0].get<std::vector<std::vector<float>>>(), 256), 1e-3);
  // Q8_0 weights: close to the float32 model, not equal.
  auto q8 = OpenEngine(gguf.parent_path() / "llama2-q8_0.gguf");
  ASSERT_TRUE(q8);
  auto q8_logits = q8->SequenceLogits(ids);
  ASSERT_TRUE(q8_logits.ok());
  EXPECT_LT(WorstRelativeError(*q8_logits, reference["logits"][0].get<std::vector<std::vector<float>>>(), 256), 5e-2);
}

}  // namespace
}  // namespace kaif::engine
