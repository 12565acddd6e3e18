#include "arena/sql_database.h"

#include <charconv>
#include <cmath>

namespace kaif::arena {
namespace {

template <typename T>
std::optional<T> Parse(const std::string& text) {
  T value{};
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::string NumberText(double value) {
  char buffer[64];
  auto [ptr, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);  // shortest exact form
  return ec == std::errc() ? std::string(buffer, ptr) : std::to_string(value);
}

}  // namespace

bool SqlRow::Null(size_t column) const {
  return column >= cells_.size() || std::holds_alternative<std::monostate>(cells_[column]);
}

std::optional<std::string> SqlRow::Text(size_t column) const {
  if (Null(column)) return std::nullopt;
  const SqlValue::Variant& cell = cells_[column];
  if (const auto* text = std::get_if<std::string>(&cell)) return *text;
  if (const auto* number = std::get_if<int64_t>(&cell)) return std::to_string(*number);
  return NumberText(std::get<double>(cell));
}

std::optional<int64_t> SqlRow::Int(size_t column) const {
  if (Null(column)) return std::nullopt;
  const SqlValue::Variant& cell = cells_[column];
  if (const auto* number = std::get_if<int64_t>(&cell)) return *number;
  if (const auto* real = std::get_if<double>(&cell)) {
    if (!std::isfinite(*real) || std::abs(*real) > 9.2e18) return std::nullopt;
    return static_cast<int64_t>(std::llround(*real));
  }
  return Parse<int64_t>(std::get<std::string>(cell));
}

std::optional<double> SqlRow::Real(size_t column) const {
  if (Null(column)) return std::nullopt;
  const SqlValue::Variant& cell = cells_[column];
  if (const auto* real = std::get_if<double>(&cell)) return *real;
  if (const auto* number = std::get_if<int64_t>(&cell)) return static_cast<double>(*number);
  return Parse<double>(std::get<std::string>(cell));
}

Result<std::unique_ptr<SqlDatabase>> OpenSqlDatabase(const std::string& location) {
  if (location.empty()) return Status::InvalidInput("no database: a SQLite file path or a postgresql:// URL is needed");
  if (location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0) {
    return OpenPostgresDatabase(location);
  }
  return OpenSqliteDatabase(location);
}

std::string NumberPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int next = 1;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {  // a string or identifier; a doubled quote inside is an escaped one
      const size_t close = sql.find(c, i + 1);
      const size_t end = close == std::string_view::npos ? sql.size() : close + 1;
      out.append(sql.substr(i, end - i));
      i = end - 1;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {  // to the end of the line
      const size_t newline = sql.find('\n', i);
      const size_t end = newline == std::string_view::npos ? sql.size() : newline;
      out.append(sql.substr(i, end - i));
      i = end - 1;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      const size_t close = sql.find("*/", i + 2);
      const size_t end = close == std::string_view::npos ? sql.size() : close + 2;
      out.append(sql.substr(i, end - i));
      i = end - 1;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(next++);
    } else {
      out += c;
    }
  }
  return out;
}

SqlConnectionSlots::SqlConnectionSlots(size_t size) : size_(size) {
  for (size_t i = size; i-- > 0;) free_.push_back(i);  // slot 0 (opened first) is taken first
}

size_t SqlConnectionSlots::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  freed_.wait(lock, [&] { return !free_.empty(); });
  const size_t index = free_.back();
  free_.pop_back();
  return index;
}

void SqlConnectionSlots::Release(size_t index) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(index);
  }
  freed_.notify_one();
}

}  // namespace kaif::arena
