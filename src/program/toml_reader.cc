#include "program/toml_reader.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace kaif::program {
namespace {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "nothing";
  }
}

}  // namespace

std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

Result<toml::table> ParseToml(std::string_view text, const std::string& file) {
  try {
    return toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    return Status::InvalidInput(fmt::format("{}:{}:{}: TOML syntax error: {}", file, e.source().begin.line,
                                            e.source().begin.column, e.description()));
  }
}

std::string TomlReader::Where(std::string_view key) const {
  const toml::node* node = Get(key);
  int at = node ? static_cast<int>(node->source().begin.line) : line();
  std::string where = fmt::format("{}:{}: ", file_, at);
  if (path_.empty()) return where + std::string(key);
  return where + "[" + path_ + "] " + std::string(key);
}

Status TomlReader::Error(std::string_view key, const std::string& what) const {
  return Status::InvalidInput(Where(key) + " " + what);
}

Status TomlReader::CheckKeys(std::initializer_list<std::string_view> allowed) const {
  std::vector<std::string> names(allowed.begin(), allowed.end());
  for (const auto& [key, node] : table_) {
    if (std::find(names.begin(), names.end(), key.str()) != names.end()) continue;
    std::string hint = ClosestMatch(key.str(), names);
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    return Status::InvalidInput(fmt::format("{}:{}: [{}] has unknown key '{}'; {}", file_, node.source().begin.line,
                                            path_, key.str(),
                                            hint.empty() ? "allowed keys: " + list : "did you mean '" + hint + "'?"));
  }
  return Status::Ok();
}

Status TomlReader::String(std::string_view key, std::string& out, bool required) const {
  const toml::node* node = Get(key);
  if (!node) return required ? Error(key, "is missing; add it as a string") : Status::Ok();
  if (!node->is_string()) return Error(key, "is " + TypeName(*node) + ", expected a string in quotes");
  out = node->as_string()->get();
  return Status::Ok();
}

Status TomlReader::Number(std::string_view key, double& out, bool required) const {
  const toml::node* node = Get(key);
  if (!node) return required ? Error(key, "is missing; add it as a number") : Status::Ok();
  if (node->is_integer()) {
    out = static_cast<double>(node->as_integer()->get());
  } else if (node->is_floating_point()) {
    out = node->as_floating_point()->get();
  } else {
    return Error(key, "is " + TypeName(*node) + ", expected a number");
  }
  if (!std::isfinite(out)) return Error(key, "must be a finite number, not nan or inf");
  return Status::Ok();
}

Status TomlReader::Integer(std::string_view key, int& out, bool required) const {
  const toml::node* node = Get(key);
  if (!node) return required ? Error(key, "is missing; add it as a whole number") : Status::Ok();
  if (!node->is_integer()) return Error(key, "is " + TypeName(*node) + ", expected a whole number");
  int64_t v = node->as_integer()->get();
  if (v < -1'000'000'000 || v > 1'000'000'000) return Error(key, "is out of range");
  out = static_cast<int>(v);
  return Status::Ok();
}

Status TomlReader::Bool(std::string_view key, bool& out, bool required) const {
  const toml::node* node = Get(key);
  if (!node) return required ? Error(key, "is missing; write true or false") : Status::Ok();
  if (!node->is_boolean()) return Error(key, "is " + TypeName(*node) + ", expected true or false");
  out = node->as_boolean()->get();
  return Status::Ok();
}

Status TomlReader::DateField(std::string_view key, Date& out, bool required) const {
  const toml::node* node = Get(key);
  if (!node) return required ? Error(key, "is missing; add it as a date, e.g. 2025-12-31") : Status::Ok();
  if (node->is_date()) {
    toml::date d = node->as_date()->get();
    if (!IsValidDate(d.year, d.month, d.day)) return Error(key, "is not a valid date");
    out = Date{d.year, d.month, d.day};
    return Status::Ok();
  }
  if (node->is_string()) {
    Result<Date> parsed = ParseDate(node->as_string()->get());
    if (!parsed.ok()) return Error(key, parsed.status().message());
    out = *parsed;
    return Status::Ok();
  }
  return Error(key, "is " + TypeName(*node) + ", expected a date such as 2025-12-31");
}

Status TomlReader::StringList(std::string_view key, std::vector<std::string>& out, bool required) const {
  const toml::node* node = Get(key);
  if (!node) return required ? Error(key, "is missing; add it as a list of strings") : Status::Ok();
  const toml::array* array = node->as_array();
  if (!array) return Error(key, "is " + TypeName(*node) + ", expected a list of strings like [\"a\", \"b\"]");
  out.clear();
  for (const toml::node& item : *array) {
    if (!item.is_string()) return Error(key, "holds " + TypeName(item) + "; every item must be a string");
    out.push_back(item.as_string()->get());
  }
  return Status::Ok();
}

Status TomlReader::NumberList(std::string_view key, std::vector<double>& out, bool required) const {
  const toml::node* node = Get(key);
  if (!node) return required ? Error(key, "is missing; add it as a list of numbers") : Status::Ok();
  const toml::array* array = node->as_array();
  if (!array) return Error(key, "is " + TypeName(*node) + ", expected a list of numbers like [2.0, 1.5]");
  out.clear();
  for (const toml::node& item : *array) {
    if (item.is_integer()) {
      out.push_back(static_cast<double>(item.as_integer()->get()));
    } else if (item.is_floating_point() && std::isfinite(item.as_floating_point()->get())) {
      out.push_back(item.as_floating_point()->get());
    } else {
      return Error(key, "holds " + TypeName(item) + "; every item must be a finite number");
    }
  }
  return Status::Ok();
}

Status TomlReader::OptionalNumber(std::string_view key, std::optional<double>& out) const {
  if (!Has(key)) return Status::Ok();
  double v = 0;
  KAIF_RETURN_IF_ERROR(Number(key, v));
  out = v;
  return Status::Ok();
}

Status TomlReader::Choice(std::string_view key, std::initializer_list<std::string_view> choices, int& index,
                          bool required) const {
  std::string value;
  if (!Has(key) && !required) return Status::Ok();
  KAIF_RETURN_IF_ERROR(String(key, value, required));
  std::string list;
  int i = 0;
  for (std::string_view c : choices) {
    if (c == value) {
      index = i;
      return Status::Ok();
    }
    list += (list.empty() ? "\"" : ", \"") + std::string(c) + "\"";
    ++i;
  }
  return Error(key, "= \"" + value + "\" is not one of " + list);
}

Result<std::optional<TomlReader>> TomlReader::Table(std::string_view key, bool required) const {
  const toml::node* node = Get(key);
  if (!node) {
    if (required) return Error(key, "is missing; add a [" + (path_.empty() ? "" : path_ + ".") + std::string(key) + "] table");
    return std::optional<TomlReader>();
  }
  if (!node->is_table()) return Error(key, "is " + TypeName(*node) + ", expected a table");
  return std::optional<TomlReader>(
      TomlReader(*node->as_table(), file_, path_.empty() ? std::string(key) : path_ + "." + std::string(key)));
}

}  // namespace kaif::program
