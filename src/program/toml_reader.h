// Typed, checked access to a TOML table, with errors that name the file, line and key and
// say what to write instead. Internal to program/: used by program_file.cc.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "util/date.h"
#include "util/status.h"

namespace kaif::program {

class TomlReader {
 public:
  // `file` names the document in messages; `path` is the table's dotted name ("axes.korean").
  TomlReader(const toml::table& table, std::string file, std::string path)
      : table_(table), file_(std::move(file)), path_(std::move(path)) {}

  const toml::table& table() const { return table_; }
  const std::string& path() const { return path_; }
  int line() const { return static_cast<int>(table_.source().begin.line); }

  // Fails on a key that is not in `allowed`, suggesting the closest allowed key.
  Status CheckKeys(std::initializer_list<std::string_view> allowed) const;

  bool Has(std::string_view key) const { return table_.contains(key); }

  // Required fields fail when missing; optional ones leave `out` as it was.
  Status String(std::string_view key, std::string& out, bool required = true) const;
  Status Number(std::string_view key, double& out, bool required = true) const;
  Status Integer(std::string_view key, int& out, bool required = true) const;
  Status Bool(std::string_view key, bool& out, bool required = true) const;
  Status DateField(std::string_view key, Date& out, bool required = true) const;
  Status StringList(std::string_view key, std::vector<std::string>& out, bool required = true) const;
  Status NumberList(std::string_view key, std::vector<double>& out, bool required = true) const;
  Status OptionalNumber(std::string_view key, std::optional<double>& out) const;
  // A string that must be one of `choices`; returns its index.
  Status Choice(std::string_view key, std::initializer_list<std::string_view> choices, int& index,
                bool required = true) const;

  // A sub-table; fails if the key holds something else. Missing + !required -> nullopt.
  Result<std::optional<TomlReader>> Table(std::string_view key, bool required = true) const;

  // "program.toml:12: [axes.korean] weight" - the prefix of every message about `key`.
  std::string Where(std::string_view key) const;
  Status Error(std::string_view key, const std::string& what) const;

 private:
  const toml::node* Get(std::string_view key) const { return table_.get(key); }

  const toml::table& table_;
  std::string file_;
  std::string path_;
};

// Parses TOML text; a syntax error names the file, line and column.
Result<toml::table> ParseToml(std::string_view text, const std::string& file);

// Closest candidate by edit distance, or "" if none is close; for "did you mean" hints.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace kaif::program
