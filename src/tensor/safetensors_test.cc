#include "tensor/safetensors.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/example_paths.h"

namespace kaif::tensor {
namespace {

std::filesystem::path Models() { return std::filesystem::path(KAIF_SOURCE_DIR) / "tests" / "data" / "models"; }

// A safetensors file from a header text and a data section of `data_bytes` zero bytes.
std::string Build(const std::string& header, size_t data_bytes) {
  std::string out(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xFF);
  return out + header + std::string(data_bytes, '\0');
}

Status ParseStatus(const std::string& bytes) {
  auto r = SafetensorsFile::Parse(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "t.safetensors");
  return r.ok() ? Status::Ok() : r.status();
}

struct Hostile {
  const char* name;
  std::string bytes;
  const char* message;
};

class HostileSafetensorsTest : public ::testing::TestWithParam<Hostile> {};

TEST_P(HostileSafetensorsTest, IsCorruptionNeverACrash) {
  Status s = ParseStatus(GetParam().bytes);
  ASSERT_FALSE(s.ok()) << GetParam().name;
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_NE(s.message().find(GetParam().message), std::string::npos) << GetParam().name << ": " << s.message();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, HostileSafetensorsTest,
    ::testing::Values(
        Hostile{"empty", "", "too short"},
        Hostile{"seven_bytes", std::string(7, '\0'), "too short"},
        Hostile{"header_past_end", Build("{}", 0).substr(0, 8) + "{", "runs past the end"},
        Hostile{"huge_header_length", std::string("\xff\xff\xff\xff\xff\xff\xff\xff", 8) + "{}", "runs past the end"},
        Hostile{"not_json", Build("{nope", 0), "not JSON"},
        Hostile{"not_object", Build("[1]", 0), "not a JSON object"},
        Hostile{"unknown_dtype", Build(R"({"a": {"dtype": "F7", "shape": [1], "data_offsets": [0, 1]}})", 1),
                "unknown dtype"},
        Hostile{"missing_offsets", Build(R"({"a": {"dtype": "F32", "shape": [1]}})", 4), "data_offsets"},
        Hostile{"wrong_size", Build(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}})", 8),
                "is 2 x F32 but has 4 bytes"},
        Hostile{"out_of_bounds", Build(R"({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}})", 8),
                "outside the 8 bytes"},
        Hostile{"reversed", Build(R"({"a": {"dtype": "U8", "shape": [0], "data_offsets": [4, 0]}})", 8), "outside"},
        Hostile{"overlap", Build(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                     "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})", 12), "overlap"},
        Hostile{"shape_overflow",
                Build(R"({"a": {"dtype": "F32", "shape": [4294967296, 4294967296, 16], "data_offsets": [0, 0]}})", 0),
                "overflows"},
        Hostile{"negative_shape", Build(R"({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 0]}})", 0),
                "not a count"},
        Hostile{"bad_utf8_name", Build("{\"\xff\xfe\": {}}", 0), "not JSON"},
        Hostile{"metadata_not_strings", Build(R"({"__metadata__": {"a": 1}})", 0), "not a string"}),
    [](const ::testing::TestParamInfo<Hostile>& info) { return std::string(info.param.name); });

TEST(SafetensorsTest, EveryPrefixOfARealFileFailsCleanly) {
  std::string bytes = ReadFile(Models() / "safetensors" / "dtypes.safetensors").value();
  for (size_t n = 0; n + 1 < bytes.size(); n += 7) {
    std::string prefix = bytes.substr(0, n);
    EXPECT_FALSE(ParseStatus(prefix).ok()) << n;
  }
}

TEST(SafetensorsTest, ReadsEveryDtypeAsTorchWroteIt) {
  auto file = SafetensorsFile::Open(Models() / "safetensors" / "dtypes.safetensors");
  ASSERT_TRUE(file.ok()) << file.status().message();
  EXPECT_EQ((*file)->metadata().at("note"), "kaif");
  nlohmann::json expected = nlohmann::json::parse(ReadFile(Models() / "safetensors" / "dtypes.expected.json").value());
  ASSERT_EQ((*file)->tensors().size(), expected.size());
  for (const auto& [name, want] : expected.items()) {
    const TensorView* t = (*file)->Find(name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_EQ(t->shape, want["shape"].get<std::vector<uint64_t>>()) << name;
    std::vector<float> values(t->elements());
    ASSERT_TRUE(ToFloat32(*t, values.data()).ok()) << name;
    auto want_values = want["values"].get<std::vector<double>>();
    ASSERT_EQ(values.size(), want_values.size()) << name;
    for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(values[i], static_cast<float>(want_values[i])) << name << "[" << i << "]";
  }
  // File order: offsets increase.
  for (size_t i = 1; i < (*file)->tensors().size(); ++i) {
    EXPECT_GE((*file)->tensors()[i].offset, (*file)->tensors()[i - 1].offset + (*file)->tensors()[i - 1].nbytes);
  }
}

TEST(SafetensorsTest, ShardedCheckpointEqualsTheSingleFile) {
  auto sharded = SafetensorsCheckpoint::Open(Models() / "llama3-sharded");
  auto single = SafetensorsCheckpoint::Open(Models() / "llama3");
  ASSERT_TRUE(sharded.ok()) << sharded.status().message();
  ASSERT_TRUE(single.ok()) << single.status().message();
  EXPECT_EQ((*sharded)->files().size(), 5u);
  EXPECT_EQ((*single)->files().size(), 1u);
  ASSERT_EQ((*sharded)->tensors().size(), (*single)->tensors().size());
  EXPECT_EQ((*sharded)->total_bytes(), (*single)->total_bytes());
  for (const TensorView* t : (*single)->tensors()) {
    const TensorView* s = (*sharded)->Find(t->name);
    ASSERT_NE(s, nullptr) << t->name;
    EXPECT_EQ(s->shape, t->shape);
    ASSERT_EQ(s->nbytes, t->nbytes);
    EXPECT_EQ(std::memcmp(s->data, t->data, t->nbytes), 0) << t->name;
  }
  ASSERT_NE((*single)->Find("model.embed_tokens.weight"), nullptr);
  EXPECT_EQ((*single)->Find("model.embed_tokens.weight")->shape, (std::vector<uint64_t>{256, 64}));
  EXPECT_EQ((*single)->Find("nothing"), nullptr);
}

TEST(SafetensorsTest, IndexProblemsAreNamed) {
  testing::ScratchDir dir("sharded");
  for (const auto& entry : std::filesystem::directory_iterator(Models() / "llama3-sharded")) {
    std::filesystem::copy(entry.path(), dir.path() / entry.path().filename());
  }
  std::string index = ReadFile(dir.path() / "model.safetensors.index.json").value();
  auto rewrite = [&](const std::string& from, const std::string& to) {
    std::string text = index;
    size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    std::ofstream(dir.path() / "model.safetensors.index.json") << text;
    return SafetensorsCheckpoint::Open(dir.path()).status();
  };
  EXPECT_NE(rewrite("model-00001-of-00005.safetensors", "../../etc/passwd").message().find("not a plain file name"),
            std::string::npos);
  EXPECT_NE(rewrite("\"weight_map\"", "\"weights\"").message().find("no \"weight_map\""), std::string::npos);
  EXPECT_NE(rewrite("model-00002-of-00005.safetensors", "model-00009-of-00009.safetensors").message().find(
                "is not listed for this shard in the index"),
            std::string::npos);
  std::ofstream(dir.path() / "model.safetensors.index.json") << index;
  std::filesystem::remove(dir.path() / "model-00003-of-00005.safetensors");
  EXPECT_EQ(SafetensorsCheckpoint::Open(dir.path()).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(SafetensorsCheckpoint::Open(dir.path() / "nothing").status().code(), Status::Code::kNotFound);
}

TEST(DTypeTest, HalfAndFp8ConversionsAreExact) {
  EXPECT_EQ(HalfToFloat(0x3C00), 1.0f);
  EXPECT_EQ(HalfToFloat(0xC000), -2.0f);
  EXPECT_EQ(HalfToFloat(0x7BFF), 65504.0f);
  EXPECT_EQ(HalfToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_TRUE(std::isinf(HalfToFloat(0x7C00)));
  EXPECT_TRUE(std::isnan(HalfToFloat(0x7E00)));
  EXPECT_EQ(BFloat16ToFloat(0x3F80), 1.0f);
  EXPECT_EQ(Fp8E4M3ToFloat(0x7E), 448.0f);
  EXPECT_EQ(Fp8E4M3ToFloat(0x01), std::ldexp(1.0f, -9));
  EXPECT_TRUE(std::isnan(Fp8E4M3ToFloat(0x7F)));
  EXPECT_EQ(Fp8E5M2ToFloat(0x7B), 57344.0f);
  EXPECT_EQ(StorageBytes(DType::kQ4_K, 512), 288u);
  EXPECT_FALSE(StorageBytes(DType::kQ4_K, 100).has_value());
  EXPECT_FALSE(StorageBytes(DType::kF64, UINT64_MAX / 4).has_value());
}

}  // namespace
}  // namespace kaif::tensor
