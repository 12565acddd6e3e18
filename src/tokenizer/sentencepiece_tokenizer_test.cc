#include "tokenizer/sentencepiece_tokenizer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/example_paths.h"
#include "util/file.h"

namespace kaif::tokenizer {
namespace {

namespace fs = std::filesystem;

fs::path Fixtures() { return fs::path(KAIF_SOURCE_DIR) / "tests" / "data" / "tokenizer"; }

TEST(SentencePieceTokenizerTest, MatchesSpmEncodeOnEverySingleLineEntry) {
  auto corpus = nlohmann::json::parse(ReadFile(Fixtures() / "corpus.json").value()).get<std::vector<std::string>>();
  auto reference = nlohmann::json::parse(ReadFile(Fixtures() / "sentencepiece" / "reference.json").value())["ids"];
  for (const char* model : {"bpe", "unigram"}) {
    Result<std::unique_ptr<Tokenizer>> t = Tokenizer::Load(Fixtures() / "sentencepiece" / (std::string(model) + ".model"));
    ASSERT_TRUE(t.ok()) << t.status().message();
    size_t checked = 0, mismatches = 0;
    for (const auto& [index, ids] : reference[model].items()) {
      const std::string& line = corpus.at(std::stoul(index));
      std::vector<int> got = (*t)->Encode(line).value();
      ++checked;
      if (got != ids.get<std::vector<int>>() && ++mismatches <= 3) {
        ADD_FAILURE() << model << " line " << index << ": " << nlohmann::json(line).dump();
      }
    }
    EXPECT_GT(checked, 1500u);
    EXPECT_EQ(mismatches, 0u) << model;
  }
}

TEST(SentencePieceTokenizerTest, ByteFallbackRoundTripsAndBosIsAdded) {
  Result<std::unique_ptr<Tokenizer>> t = Tokenizer::Load(Fixtures() / "sentencepiece" / "bpe.model");
  ASSERT_TRUE(t.ok());
  std::string text = "한국어 모델 ᄒᆞᆫ글 🤖 unseen 龘";
  std::vector<int> ids = (*t)->Encode(text).value();
  EXPECT_EQ((*t)->Decode(ids), text);
  std::vector<int> with_bos = (*t)->Encode(text, true).value();
  EXPECT_EQ(with_bos.front(), 1);
  EXPECT_EQ((*t)->TokenText(1), "<s>");
  EXPECT_EQ((*t)->Decode(with_bos, true), text);
  EXPECT_FALSE((*t)->Encode(std::string("\xff", 1)).ok());
}

TEST(SentencePieceTokenizerTest, FoldersAndBadFiles) {
  testing::ScratchDir dir("spm");
  EXPECT_EQ(Tokenizer::Load(dir.path()).status().code(), Status::Code::kNotFound);
  fs::copy(Fixtures() / "sentencepiece" / "unigram.model", dir.path() / "tokenizer.model");
  Result<std::unique_ptr<Tokenizer>> folder = Tokenizer::Load(dir.path());
  ASSERT_TRUE(folder.ok()) << folder.status().message();
  EXPECT_GT((*folder)->vocab_size(), 100);
  std::ofstream(dir.path() / "junk.model") << "not a model";
  Result<std::unique_ptr<Tokenizer>> junk = Tokenizer::Load(dir.path() / "junk.model");
  ASSERT_FALSE(junk.ok());
  EXPECT_NE(junk.status().message().find("not a sentencepiece model"), std::string::npos);
}

}  // namespace
}  // namespace kaif::tokenizer
