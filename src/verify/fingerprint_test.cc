#include "verify/fingerprint.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>

#include "job/verify_index.h"
#include "support/example_paths.h"
#include "support/model_fixtures.h"
#include "tensor/safetensors_writer.h"
#include "verify/pair_verdict.h"

namespace kaif::verify {
namespace {

TEST(SafetensorsWriterTest, HalfPrecisionRoundsToNearestEven) {
  for (float x : {0.0f, 1.0f, -2.5f, 65504.0f, 6.1035156e-05f, 5.9604645e-08f, 0.333333f}) {
    EXPECT_NEAR(tensor::HalfToFloat(tensor::FloatToHalf(x)), x, std::fabs(x) * 1e-3 + 1e-8) << x;
  }
  EXPECT_EQ(tensor::FloatToHalf(1e6f), 0x7c00);                // beyond the range: infinity
  EXPECT_EQ(tensor::FloatToHalf(1.0f + 1.0f / 2048), 0x3c00);  // a tie rounds to even
  EXPECT_EQ(tensor::FloatToHalf(1.0f + 3.0f / 2048), 0x3c02);
  EXPECT_TRUE(std::isnan(tensor::HalfToFloat(tensor::FloatToHalf(NAN))));
  kaif::testing::ScratchDir dir("kaif-writer");
  EXPECT_FALSE(tensor::WriteSafetensors(dir.path() / "x.safetensors", {{"a", {2, 2}, {1, 2, 3}}}).ok());
}

TEST(FingerprintTest, SavedAndLoadedItComparesTheSame) {
  const auto models = kaif::testing::ModelFixtures();
  kaif::testing::ScratchDir dir("kaif-fingerprint");
  auto llama3 = CheckpointTensors::Open(models / "llama3").value();
  const Fingerprint taken = TakeFingerprint(*llama3).value();
  ASSERT_TRUE(SaveFingerprint(taken, dir.path() / "llama3.fingerprint.safetensors").ok());
  const Fingerprint loaded = LoadFingerprint(dir.path() / "llama3.fingerprint.safetensors").value();
  EXPECT_EQ(loaded.source, taken.source);
  EXPECT_EQ(loaded.layers, taken.layers);
  ASSERT_EQ(loaded.tensors.size(), taken.tensors.size());
  for (const auto& [key, s] : taken.tensors) {
    EXPECT_EQ(loaded.tensors.at(key).hash, s.hash) << key;
    EXPECT_EQ(loaded.tensors.at(key).sample, s.sample) << key;
  }
  EXPECT_EQ(loaded.norms, taken.norms);
  ASSERT_EQ(loaded.blocks.size(), taken.blocks.size());
  for (size_t b = 0; b < taken.blocks.size(); ++b) {
    EXPECT_EQ(loaded.blocks[b].key, taken.blocks[b].key);
    EXPECT_EQ(loaded.blocks[b].unit_ids, taken.blocks[b].unit_ids);
    for (size_t i = 0; i < taken.blocks[b].rows.first.size(); ++i) {
      ASSERT_NEAR(loaded.blocks[b].rows.first[i], taken.blocks[b].rows.first[i], 2e-3);
    }
  }
  ASSERT_EQ(loaded.embeddings.size(), taken.embeddings.size());
  EXPECT_EQ(loaded.embeddings[0].ids, taken.embeddings[0].ids);

  // Against the stored fingerprint: the same verdicts as against the checkpoint.
  auto llama2 = CheckpointTensors::Open(models / "llama2").value();
  VerifyOptions options;
  for (const CheckpointTensors* candidate : {llama3.get(), llama2.get()}) {
    auto pairs = CompareWeights(*candidate, {&loaded}, options).value();
    Decide(pairs[0], options, candidate->by_key().size(), loaded.tensors.size());
    const PairVerdict direct = ComparePair(*candidate, *llama3, options).value();
    EXPECT_EQ(pairs[0].verdict, direct.verdict);
    EXPECT_EQ(pairs[0].copied_tensors, direct.copied_tensors);
    if (std::isfinite(direct.log_p)) {
      EXPECT_NEAR(pairs[0].log_p, direct.log_p, std::fabs(direct.log_p) * 0.05 + 0.5);
    }
  }
}

// Malformed fingerprint files: a clear Corruption (or NotFound), never a crash.
TEST(FingerprintTest, MalformedFilesAreRefused) {
  const auto models = kaif::testing::ModelFixtures();
  kaif::testing::ScratchDir dir("kaif-fingerprint-bad");
  auto llama3 = CheckpointTensors::Open(models / "llama3").value();
  const Fingerprint good = TakeFingerprint(*llama3).value();
  const auto file = dir.path() / "x.fingerprint.safetensors";

  EXPECT_FALSE(LoadFingerprint(dir.path() / "missing.fingerprint.safetensors").ok());
  EXPECT_EQ(LoadFingerprint(models / "llama3" / "model.safetensors").status().code(), Status::Code::kCorruption);

  auto corrupt = [&](const std::map<std::string, std::string>& metadata, std::vector<tensor::TensorToWrite> tensors) {
    EXPECT_TRUE(tensor::WriteSafetensors(file, tensors, metadata).ok());
    Result<Fingerprint> f = LoadFingerprint(file);
    EXPECT_FALSE(f.ok());
    if (!f.ok()) {
      EXPECT_EQ(f.status().code(), Status::Code::kCorruption) << f.status().ToString();
    }
  };
  const std::map<std::string, std::string> base = {
      {"format", "kaif.fingerprint/1"}, {"source", "m"}, {"layers", "1"},
      {"options", R"({"coordinates":4,"units":4,"embedding_tokens":4,"embedding_dims":4,"sketch":4})"},
      {"tensors", "{}"}, {"blocks", "[]"}, {"embeddings", "[]"}, {"vocabulary", "[]"}};
  auto with = [&](const std::string& key, const std::string& value) {
    auto m = base;
    m[key] = value;
    return m;
  };
  corrupt(with("layers", "many"), {});
  corrupt(with("options", "{"), {});
  corrupt(with("tensors", R"({"a":{"shape":[4],"hash":"zz","constant":false}})"), {});
  corrupt(with("blocks", R"([{"key":"text/0/mlp","component":"text","layer":0,"expert":-1,"units":4,"dim":4}])"), {});
  const std::string block = R"([{"key":"text/0/mlp","component":"text","layer":0,"expert":-1,"units":4,"dim":4}])";
  corrupt(with("blocks", block), {{"block/text/0/mlp/units", {4}, {0, 1, 2, 9}},  // a unit out of range
                                  {"block/text/0/mlp/first", {4, 4}, std::vector<float>(16, 1)},
                                  {"block/text/0/mlp/second", {4, 4}, std::vector<float>(16, 1)}});
  corrupt(with("blocks", block), {{"block/text/0/mlp/units", {4}, {0, 1, 2, 3}},  // rows of the wrong size
                                  {"block/text/0/mlp/first", {2, 4}, std::vector<float>(8, 1)},
                                  {"block/text/0/mlp/second", {4, 4}, std::vector<float>(16, 1)}});
  corrupt(with("embeddings", R"([{"key":"text/-/embed","vocab":4,"dim":4,"ids":[7],"tokens":[]}])"), {});
  corrupt(with("vocabulary", R"({"not":"a list"})"), {});

  // A truncated file.
  ASSERT_TRUE(SaveFingerprint(good, file).ok());
  std::filesystem::resize_file(file, std::filesystem::file_size(file) / 2);
  EXPECT_FALSE(LoadFingerprint(file).ok());
}

// `kaif verify index`: every checkpoint of a folder fingerprinted once; an unreadable one
// reported without stopping the others; a second run finds them up to date.
TEST(FingerprintTest, IndexFingerprintsAFolderOnce) {
  const auto models = kaif::testing::ModelFixtures();
  kaif::testing::ScratchDir dir("kaif-index");
  const auto known = dir.path() / "known";
  for (const char* m : {"llama2", "llama3"}) {
    std::filesystem::create_directories(known / m);
    std::filesystem::copy_file(models / m / "model.safetensors", known / m / "model.safetensors");
  }
  std::filesystem::create_directories(known / "broken");
  std::ofstream(known / "broken" / "model.safetensors") << "not a checkpoint";

  job::IndexJob index;
  index.models = known;
  auto first = job::RunIndex(index).value();
  EXPECT_EQ(first.written.size(), 2u);
  ASSERT_EQ(first.failed.size(), 1u);
  EXPECT_EQ(first.failed[0].first.filename(), "broken");
  auto second = job::RunIndex(index).value();
  EXPECT_EQ(second.written.size(), 0u);
  EXPECT_EQ(second.up_to_date.size(), 2u);

  // The folder of models resolves to its library; so does the library itself.
  std::filesystem::remove_all(known / "broken");
  for (const auto& where : {known, known / ".kaif-index"}) {
    auto refs = job::ExpandReferences({where}).value();
    ASSERT_EQ(refs.size(), 2u) << where;
    EXPECT_TRUE(refs[0].is_fingerprint);
  }
  EXPECT_FALSE(job::ExpandReferences({dir.path() / "nothing"}).ok());
  job::IndexJob nothing;
  nothing.models = dir.path() / "nothing";
  EXPECT_FALSE(job::RunIndex(nothing).ok());
}

}  // namespace
}  // namespace kaif::verify
