// The regular expressions tokenizer.json splitters use (Unicode classes such as \p{L},
// look-ahead, inline case-insensitivity), through PCRE2 in UTF + UCP mode with its JIT.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

struct pcre2_real_code_8;

namespace kaif::tokenizer {

class Regex {
 public:
  // InvalidInput naming the pattern and the position PCRE2 rejected.
  static Result<Regex> Compile(const std::string& pattern);
  Regex(Regex&&) noexcept = default;
  Regex& operator=(Regex&&) noexcept = default;

  // Calls `match(begin, end)` for every non-overlapping match, left to right.
  void FindAll(std::string_view text, const std::function<void(size_t, size_t)>& match) const;
  // The same with the capture groups of each non-empty match: groups[0] is the match,
  // then each group ("" when it did not take part). `text` must be valid UTF-8.
  void FindAllGroups(std::string_view text, const std::function<void(const std::vector<std::string_view>&)>& match) const;

 private:
  struct Deleter {
    void operator()(pcre2_real_code_8* code) const;
  };
  explicit Regex(pcre2_real_code_8* code) : code_(code) {}
  std::unique_ptr<pcre2_real_code_8, Deleter> code_;
};

}  // namespace kaif::tokenizer
