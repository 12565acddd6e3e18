#include "tensor/gguf.h"

#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "util/file.h"

namespace kaif::tensor {
namespace {

std::filesystem::path Data() { return std::filesystem::path(KAIF_SOURCE_DIR) / "tests" / "data" / "gguf"; }

Status ParseStatus(const std::string& bytes) {
  auto r = GgufFile::Parse(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "t.gguf");
  return r.ok() ? Status::Ok() : r.status();
}

template <typename T>
std::string Bytes(T value) {
  return std::string(reinterpret_cast<const char*>(&value), sizeof value);
}

std::string Header(uint32_t version, uint64_t tensors, uint64_t kvs) {
  return "GGUF" + Bytes(version) + Bytes(tensors) + Bytes(kvs);
}

TEST(GgufTest, HostileHeadersAreCorruptionNeverACrash) {
  struct Case {
    std::string bytes;
    const char* message;
  } cases[] = {
      {"", "ends inside the magic"},
      {"GGML" + Bytes<uint32_t>(3), "does not start with \"GGUF\""},
      {Header(1, 0, 0), "version 1 is not supported"},
      {Header(3, 0, 1ull << 60), "cannot fit"},
      {Header(3, 1ull << 60, 0), "cannot fit"},
      {Header(3, 0, 1) + Bytes<uint64_t>(1ull << 40) + "key" + std::string(16, '\0'), "past the end of the file"},
      {Header(3, 0, 1) + Bytes<uint64_t>(1) + "k" + Bytes<uint32_t>(99) + std::string(16, '\0'), "unknown type 99"},
      {Header(3, 0, 1) + Bytes<uint64_t>(1) + "k" + Bytes<uint32_t>(9) + Bytes<uint32_t>(4) +
           Bytes<uint64_t>(1ull << 50),
       "cannot fit"},
      {Header(3, 0, 1) + Bytes<uint64_t>(1) + "k" + Bytes<uint32_t>(7) + std::string(1, '\x02') + std::string(16, '\0'),
       "bool value 2"},
      {Header(3, 1, 0) + Bytes<uint64_t>(1) + "t" + Bytes<uint32_t>(5) + std::string(40, '\0'), "5 dimensions"},
      {Header(3, 1, 0) + Bytes<uint64_t>(1) + "t" + Bytes<uint32_t>(1) + Bytes<uint64_t>(32) + Bytes<uint32_t>(0) +
           Bytes<uint64_t>(0) + std::string(7 + 64, '\0'),
       "runs past the end of the data"},
      {Header(3, 1, 0) + Bytes<uint64_t>(1) + "t" + Bytes<uint32_t>(1) + Bytes<uint64_t>(33) + Bytes<uint32_t>(8) +
           Bytes<uint64_t>(0),
       "not whole 32-element blocks"},
      {Header(3, 1, 0) + Bytes<uint64_t>(1) + "t" + Bytes<uint32_t>(1) + Bytes<uint64_t>(1) + Bytes<uint32_t>(0) +
           Bytes<uint64_t>(3) + std::string(64, '\0'),
       "not aligned"},
  };
  for (const Case& c : cases) {
    Status s = ParseStatus(c.bytes);
    ASSERT_FALSE(s.ok()) << c.message;
    EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.message();
    EXPECT_NE(s.message().find(c.message), std::string::npos) << s.message();
  }
  // An unsupported GGML type is the user's to convert, not a corrupt file.
  Status q5 = ParseStatus(Header(3, 1, 0) + Bytes<uint64_t>(1) + "t" + Bytes<uint32_t>(1) + Bytes<uint64_t>(32) +
                          Bytes<uint32_t>(13) + Bytes<uint64_t>(0));
  EXPECT_EQ(q5.code(), Status::Code::kInvalidInput);
  EXPECT_NE(q5.message().find("supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K"), std::string::npos);
}

TEST(GgufTest, EveryPrefixAndEveryByteFlipOfARealFileIsSafe) {
  std::string bytes = ReadFile(Data() / "tiny.gguf").value();
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(ParseStatus(bytes.substr(0, n)).ok() && n < 960) << n;
  for (size_t i = 0; i < 960; ++i) {  // the header: flipping a byte may parse or fail, never crash
    std::string flipped = bytes;
    flipped[i] = static_cast<char>(flipped[i] ^ 0xFF);
    ParseStatus(flipped).ok();
  }
}

TEST(GgufTest, ReadsMetadataOfEveryType) {
  auto g = GgufFile::Open(Data() / "tiny.gguf");
  ASSERT_TRUE(g.ok()) << g.status().message();
  const GgufFile& f = **g;
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.alignment(), 64u);
  EXPECT_EQ(f.FindMetadata("general.architecture")->s, "llama");
  EXPECT_EQ(f.FindMetadata("test.u8")->u, 200u);
  EXPECT_EQ(f.FindMetadata("test.i8")->i, -100);
  EXPECT_EQ(f.FindMetadata("test.u16")->u, 60000u);
  EXPECT_EQ(f.FindMetadata("test.i16")->i, -30000);
  EXPECT_EQ(f.FindMetadata("test.u32")->u, 4000000000u);
  EXPECT_EQ(f.FindMetadata("test.i32")->i, -2000000000);
  EXPECT_EQ(f.FindMetadata("test.u64")->u, 18000000000000000000ull);
  EXPECT_EQ(f.FindMetadata("test.i64")->i, -9000000000000000000ll);
  EXPECT_EQ(f.FindMetadata("test.f32")->f, 0.5);
  EXPECT_EQ(f.FindMetadata("test.f64")->f, -1.25);
  EXPECT_EQ(f.FindMetadata("test.bool")->u, 1u);
  EXPECT_EQ(f.FindMetadata("test.string")->s, "한국어 UTF-8 ✓");
  const GgufValue* ints = f.FindMetadata("test.ints");
  ASSERT_EQ(ints->array.size(), 3u);
  EXPECT_EQ(ints->array[1].AsNumber(), -2.0);
  EXPECT_EQ(f.FindMetadata("test.strings")->array[2].s, "안녕");
  const GgufValue* nested = f.FindMetadata("test.nested");
  ASSERT_EQ(nested->array.size(), 2u);
  EXPECT_EQ(nested->array[0].array.size(), 2u);
  EXPECT_EQ(f.FindMetadata("nothing"), nullptr);
}

TEST(GgufTest, DequantizesLikeTheReferenceImplementation) {
  auto g = GgufFile::Open(Data() / "tiny.gguf");
  ASSERT_TRUE(g.ok()) << g.status().message();
  nlohmann::json expected = nlohmann::json::parse(ReadFile(Data() / "tiny.expected.json").value());
  ASSERT_EQ((*g)->tensors().size(), expected.size());
  for (const auto& [name, want] : expected.items()) {
    const TensorView* t = (*g)->Find(name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_EQ(t->shape, want["shape"].get<std::vector<uint64_t>>()) << name;
    std::vector<float> values(t->elements());
    ASSERT_TRUE(ToFloat32(*t, values.data()).ok());
    auto want_values = want["values"].get<std::vector<double>>();
    ASSERT_EQ(values.size(), want_values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      float w = static_cast<float>(want_values[i]);
      EXPECT_NEAR(values[i], w, 1e-6f * std::max(1.0f, std::fabs(w))) << name << "[" << i << "]";
    }
  }
}

TEST(GgufTest, VersionTwoHasTheSameLayout) {
  std::string bytes = ReadFile(Data() / "tiny.gguf").value();
  bytes[4] = 2;
  auto g = GgufFile::Parse(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "v2.gguf");
  ASSERT_TRUE(g.ok()) << g.status().message();
  EXPECT_EQ((*g)->version(), 2u);
  EXPECT_EQ((*g)->tensors().size(), 7u);
}

}  // namespace
}  // namespace kaif::tensor
