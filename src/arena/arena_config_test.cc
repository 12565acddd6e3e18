#include "arena/arena_config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/example_paths.h"

namespace kaif::arena {
namespace {

Result<ArenaConfig> ReadText(const std::string& text) {
  kaif::testing::ScratchDir dir("kaif-arena-config");
  std::ofstream(dir.path() / "arena.toml") << text;
  return ReadArenaConfig(dir.path() / "arena.toml");
}

const char* kTwoModels = R"(
[[models]]
name = "a"
weights = "models/a"
[[models]]
name = "b"
team = "team-b"
endpoint = "http://127.0.0.1:8000/v1"
endpoint_model = "b"
)";

TEST(ArenaConfigTest, ReadsTheCommittedExample) {
  Result<ArenaConfig> c = ReadArenaConfig(std::filesystem::path(KAIF_SOURCE_DIR) / "examples/arena/arena.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->models.size(), 3u);
  EXPECT_EQ(c->sampling, PairSampling::kUncertainty);
  EXPECT_TRUE(std::filesystem::exists(c->models[0].weights / "config.json")) << c->models[0].weights;
  EXPECT_EQ(c->rubric.size(), 4u);
  EXPECT_EQ(c->rubric[0].ko, "정확성");
}

TEST(ArenaConfigTest, DefaultsAndRelativePaths) {
  Result<ArenaConfig> c = ReadText(kTwoModels);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->port, 8080);
  EXPECT_TRUE(c->models[0].native());
  EXPECT_FALSE(c->models[1].native());
  EXPECT_TRUE(std::filesystem::path(c->database).is_absolute());
  EXPECT_EQ(c->pow_bits, 16);
  EXPECT_EQ(c->io_threads, 4);
}

TEST(ArenaConfigTest, MistakesNameTheKey) {
  auto error = [](const std::string& text) {
    Result<ArenaConfig> c = ReadText(text);
    return c.ok() ? std::string("ok") : c.status().message();
  };
  EXPECT_NE(error("[battles]\nsampling = \"favourites\"\n" + std::string(kTwoModels)).find("not one of"), std::string::npos);
  EXPECT_NE(error("[battles]\npow_bits = 40\n" + std::string(kTwoModels)).find("pow_bits"), std::string::npos);
  EXPECT_NE(error("[server]\nprot = 1\n" + std::string(kTwoModels)).find("prot"), std::string::npos);
  EXPECT_NE(error("[server]\nio_threads = 0\n" + std::string(kTwoModels)).find("io_threads"), std::string::npos);
  EXPECT_NE(error("[[models]]\nname = \"a\"\nweights = \"x\"\n").find("at least two"), std::string::npos);
  EXPECT_NE(error("[[models]]\nname = \"a\"\n[[models]]\nname = \"b\"\nweights = \"y\"\n").find("either weights"),
            std::string::npos);
  EXPECT_NE(error(std::string(kTwoModels) + "[[models]]\nname = \"a\"\nweights = \"z\"\n").find("listed twice"),
            std::string::npos);
  EXPECT_NE(error(std::string(kTwoModels) + "[[rubric]]\nid = \"x\"\nko = \"x\"\nen = \"x\"\nmin = 5\nmax = 1\n").find("above min"),
            std::string::npos);
  EXPECT_NE(error("models = 3\n").find("array of tables"), std::string::npos);
  EXPECT_NE(error("[server\n").find("arena.toml"), std::string::npos);
}

}  // namespace
}  // namespace kaif::arena
