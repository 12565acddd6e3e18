#include "eval/dataset.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/example_paths.h"

namespace kaif::eval {
namespace {


TEST(DatasetTest, ReadsSplitsByPathAndName) {
  kaif::testing::ScratchDir scratch("layout");
  const std::filesystem::path data = scratch.path();
  std::filesystem::create_directories(data / "HAERAE-HUB/KMMLU/Law");
  std::ofstream(data / "HAERAE-HUB/KMMLU/Law/test.jsonl")
      << R"({"question": "민법상 성년은?", "A": "19세", "B": "20세", "C": "18세", "D": "21세", "answer": 1})" << "\n\n"
      << R"({"question": "둘째", "A": "a", "B": "b", "C": "c", "D": "d", "answer": 4})" << "\n";
  std::ofstream(data / "HAERAE-HUB/KMMLU/Law/dev.csv")
      << "question,A,B,C,D,answer\n\"쉼표, 그리고 \"\"따옴표\"\"\",a,b,c,d,2\nx,1.5,b,c,d,3\n";
  auto test = LoadSplit(data, "HAERAE-HUB/KMMLU", "Law", "test");
  ASSERT_TRUE(test.ok()) << test.status().message();
  ASSERT_EQ(test->size(), 2u);
  EXPECT_EQ((*test)[0]["question"], "민법상 성년은?");
  EXPECT_EQ((*test)[1]["answer"], 4);
  auto dev = LoadSplit(data, "HAERAE-HUB/KMMLU", "Law", "dev");
  ASSERT_TRUE(dev.ok()) << dev.status().message();
  ASSERT_EQ(dev->size(), 2u);
  EXPECT_EQ((*dev)[0]["question"], "쉼표, 그리고 \"따옴표\"");
  EXPECT_EQ((*dev)[0]["answer"], 2);
  EXPECT_EQ((*dev)[1]["A"], 1.5);
  // Datasets without a name, and .json arrays.
  std::filesystem::create_directories(data / "allenai/ai2_arc");
  std::ofstream(data / "allenai/ai2_arc/validation.json") << R"([{"id": "a"}, {"id": "b"}])";
  auto arc = LoadSplit(data, "allenai/ai2_arc", "", "validation");
  ASSERT_TRUE(arc.ok()) << arc.status().message();
  EXPECT_EQ(arc->size(), 2u);
}

TEST(DatasetTest, MissingAndMalformedFilesAreClearErrors) {
  kaif::testing::ScratchDir scratch("bad");
  const std::filesystem::path data = scratch.path();
  auto missing = LoadSplit(data, "skt/kobest_v1", "boolq", "test");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_NE(missing.status().message().find("skt/kobest_v1/boolq/test.jsonl"), std::string::npos);
  std::filesystem::create_directories(data / "d");
  std::ofstream(data / "d/test.jsonl") << "{\"a\": 1}\n{broken\n";
  auto broken = LoadSplit(data, "d", "", "test");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("line 2: not a JSON object"), std::string::npos);
  std::ofstream(data / "d/ragged.csv") << "a,b\n1,2\n3\n";
  auto ragged = LoadDocuments(data / "d/ragged.csv");
  ASSERT_FALSE(ragged.ok());
  EXPECT_NE(ragged.status().message().find("line 3: 1 cells; the header has 2"), std::string::npos);
  std::ofstream(data / "d/open.csv") << "a\n\"never closed\n";
  EXPECT_FALSE(LoadDocuments(data / "d/open.csv").ok());
  std::ofstream(data / "d/x.parquet") << "PAR1";
  auto parquet = LoadDocuments(data / "d/x.parquet");
  ASSERT_FALSE(parquet.ok());
  EXPECT_NE(parquet.status().message().find("reads .jsonl, .json and .csv"), std::string::npos);
}

}  // namespace
}  // namespace kaif::eval
