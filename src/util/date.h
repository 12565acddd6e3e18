// Calendar dates (no time of day, no zone): program stages, releases, evaluations.
#pragma once

#include <compare>
#include <string>
#include <string_view>

#include "util/status.h"

namespace kaif {

struct Date {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31

  auto operator<=>(const Date&) const = default;

  // Days since 1970-01-01 (proleptic Gregorian), for differences.
  long DaysSinceEpoch() const;
  // This date moved by `months` calendar months, the day clamped to the month's end.
  Date AddMonths(int months) const;
  // "YYYY-MM-DD".
  std::string ToString() const;
};

// Parses "YYYY-MM-DD" and checks the day exists.
Result<Date> ParseDate(std::string_view text);
bool IsValidDate(int year, int month, int day);

}  // namespace kaif
