#include "util/date.h"

#include <charconv>
#include <cstdio>

namespace kaif {
namespace {

bool IsLeap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

}  // namespace

bool IsValidDate(int year, int month, int day) {
  return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
         day <= DaysInMonth(year, month);
}

long Date::DaysSinceEpoch() const {
  // Howard Hinnant's days_from_civil.
  int y = year - (month <= 2 ? 1 : 0);
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date Date::AddMonths(int months) const {
  int total = year * 12 + (month - 1) + months;
  Date d{total / 12, total % 12 + 1, day};
  if (d.day > DaysInMonth(d.year, d.month)) d.day = DaysInMonth(d.year, d.month);
  return d;
}

std::string Date::ToString() const {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", year, month, day);
  return buffer;
}

Result<Date> ParseDate(std::string_view text) {
  auto number = [&](size_t pos, size_t len, int& out) {
    if (pos + len > text.size()) return false;
    auto [ptr, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, out);
    return ec == std::errc() && ptr == text.data() + pos + len;
  };
  Date d;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !number(0, 4, d.year) ||
      !number(5, 2, d.month) || !number(8, 2, d.day) || !IsValidDate(d.year, d.month, d.day)) {
    return Status::InvalidInput("'" + std::string(text) + "' is not a date; write YYYY-MM-DD");
  }
  return d;
}

}  // namespace kaif
