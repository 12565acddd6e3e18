#include "arena/answer_style.h"

#include <cctype>

namespace kaif::arena {

AnswerStyle StyleOf(std::string_view answer) {
  AnswerStyle style;
  style.tokens = static_cast<double>((answer.size() + 3) / 4);
  for (size_t start = 0; start < answer.size();) {
    size_t end = answer.find('\n', start);
    if (end == std::string_view::npos) end = answer.size();
    std::string_view line = answer.substr(start, end - start);
    start = end + 1;
    const size_t indent = line.find_first_not_of(" \t");
    if (indent == std::string_view::npos) continue;
    line.remove_prefix(indent);
    size_t hashes = 0;
    while (hashes < line.size() && line[hashes] == '#') ++hashes;
    if (hashes >= 1 && hashes <= 6 && hashes < line.size() && line[hashes] == ' ') {
      style.headers += 1;
      continue;
    }
    if (line.size() >= 2 && (line[0] == '-' || line[0] == '*' || line[0] == '+') && line[1] == ' ') {
      style.lists += 1;
      continue;
    }
    size_t digits = 0;
    while (digits < line.size() && std::isdigit(static_cast<unsigned char>(line[digits]))) ++digits;
    if (digits > 0 && digits + 1 < line.size() && line[digits] == '.' && line[digits + 1] == ' ') style.lists += 1;
  }
  for (std::string_view marker : {std::string_view("**"), std::string_view("__")}) {
    size_t markers = 0;
    for (size_t at = answer.find(marker); at != std::string_view::npos; at = answer.find(marker, at + 2)) ++markers;
    style.bold += static_cast<double>(markers / 2);
  }
  return style;
}

}  // namespace kaif::arena
