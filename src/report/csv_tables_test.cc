#include "report/csv_tables.h"

#include <gtest/gtest.h>

#include "support/sample_decision.h"

namespace kaif::report {
namespace {

TEST(CsvTablesTest, QuotesOnlyWhatNeedsQuoting) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("한빛"), "한빛");
  EXPECT_EQ(CsvField(""), "");
}

TEST(CsvTablesTest, EveryTableHasAHeaderAndOneRowPerTeam) {
  auto tables = RenderCsvTables(testing::SampleDecision());
  ASSERT_EQ(tables.size(), 5u);
  EXPECT_EQ(tables[0].first, "scores.csv");
  const std::string& scores = tables[0].second;
  EXPECT_EQ(scores.rfind("rank,team,team_name,outcome,composite,low,high,stderr,bench_score,bench_contribution,", 0), 0u);
  EXPECT_NE(scores.find("\"Comma, \"\"Quoted\"\" Team\""), std::string::npos);
  // Teams out at an earlier stage have no scores but keep their talent money row.
  size_t lines = std::count(scores.begin(), scores.end(), '\n');
  EXPECT_EQ(lines, 4u);  // header + 3 scored teams
  const std::string& allocation = tables[2].second;
  EXPECT_NE(allocation.find("team0,advances,0,0,512,64,1024.00"), std::string::npos) << allocation;
  EXPECT_EQ(std::count(allocation.begin(), allocation.end(), '\n'), 5);
  for (const auto& [name, text] : tables) EXPECT_EQ(text.find("nan"), std::string::npos) << name;
}

}  // namespace
}  // namespace kaif::report
