#include "util/status.h"

#include <gtest/gtest.h>

#include "util/date.h"

namespace kaif {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidInput("odd");
  return x / 2;
}

Status Quarter(int x, int& out) {
  KAIF_ASSIGN_OR_RETURN(int h, Half(x));
  KAIF_ASSIGN_OR_RETURN(out, Half(h));
  return Status::Ok();
}

TEST(StatusTest, ExitCodesSeparateBadInputFromFailures) {
  EXPECT_EQ(Status::Ok().ExitCode(), 0);
  EXPECT_EQ(Status::InvalidInput("x").ExitCode(), 2);
  EXPECT_EQ(Status::NotFound("x").ExitCode(), 2);
  EXPECT_EQ(Status::Corruption("x").ExitCode(), 1);
  EXPECT_EQ(Status::IoError("x").ExitCode(), 1);
}

TEST(StatusTest, ContextPrefixesMessageAndKeepsCode) {
  Status s = Status::NotFound("team 'x'").WithContext("results/a.json");
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
  EXPECT_EQ(s.message(), "results/a.json: team 'x'");
  EXPECT_TRUE(Status::Ok().WithContext("c").ok());
}

TEST(StatusTest, MacrosPropagateTheFirstError) {
  int out = 0;
  EXPECT_TRUE(Quarter(8, out).ok());
  EXPECT_EQ(out, 2);
  EXPECT_EQ(Quarter(6, out).message(), "odd");
}

TEST(DateTest, RejectsImpossibleDates) {
  EXPECT_FALSE(ParseDate("2025-02-29").ok());
  EXPECT_FALSE(ParseDate("2025-13-01").ok());
  EXPECT_FALSE(ParseDate("2025-1-01").ok());
  EXPECT_FALSE(ParseDate("").ok());
  EXPECT_TRUE(ParseDate("2024-02-29").ok());
}

TEST(DateTest, MonthArithmeticClampsToMonthEnd) {
  Date d = ParseDate("2025-08-31").value();
  EXPECT_EQ(d.AddMonths(-6).ToString(), "2025-02-28");
  EXPECT_EQ(d.AddMonths(6).ToString(), "2026-02-28");
  EXPECT_EQ(ParseDate("2026-01-01")->DaysSinceEpoch() - ParseDate("2025-12-31")->DaysSinceEpoch(), 1);
  EXPECT_EQ(ParseDate("1970-01-01")->DaysSinceEpoch(), 0);
}

}  // namespace
}  // namespace kaif
