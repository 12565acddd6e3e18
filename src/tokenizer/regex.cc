#define PCRE2_CODE_UNIT_WIDTH 8
#include "tokenizer/regex.h"

#include <pcre2.h>

#include "tokenizer/utf8.h"

namespace kaif::tokenizer {

void Regex::Deleter::operator()(pcre2_real_code_8* code) const { pcre2_code_free(code); }

Result<Regex> Regex::Compile(const std::string& pattern) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   PCRE2_UTF | PCRE2_UCP, &error, &offset, nullptr);
  if (!code) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    return Status::InvalidInput("regex " + pattern + " is not supported at offset " + std::to_string(offset) + ": " +
                                reinterpret_cast<const char*>(message));
  }
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // a plain interpreter run is the fallback
  return Regex(code);
}

void Regex::FindAllGroups(std::string_view text,
                          const std::function<void(const std::vector<std::string_view>&)>& match) const {
  pcre2_match_data* data = pcre2_match_data_create_from_pattern(code_.get(), nullptr);
  std::vector<std::string_view> groups;
  FindAll(text, [&](size_t begin, size_t end) {
    // Match again, anchored where the match was found (the same match), to read its groups.
    int rc = pcre2_match(code_.get(), reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), begin,
                         PCRE2_NO_UTF_CHECK | PCRE2_ANCHORED, data, nullptr);
    PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data);
    groups.clear();
    for (int g = 0; g < (rc > 0 ? rc : 1); ++g) {
      size_t b = ovector[2 * g], e = ovector[2 * g + 1];
      groups.push_back(b == PCRE2_UNSET || rc <= 0 ? std::string_view() : text.substr(b, e - b));
    }
    uint32_t captures = 0;
    pcre2_pattern_info(code_.get(), PCRE2_INFO_CAPTURECOUNT, &captures);
    while (groups.size() < captures + 1) groups.emplace_back();
    groups[0] = text.substr(begin, end - begin);
    match(groups);
  });
  pcre2_match_data_free(data);
}

void Regex::FindAll(std::string_view text, const std::function<void(size_t, size_t)>& match) const {
  pcre2_match_data* data = pcre2_match_data_create_from_pattern(code_.get(), nullptr);
  size_t start = 0;
  while (start <= text.size()) {
    // The text was checked to be valid UTF-8 already, so PCRE2 need not check it again.
    int rc = pcre2_match(code_.get(), reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), start,
                         PCRE2_NO_UTF_CHECK, data, nullptr);
    if (rc < 0) break;
    PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data);
    size_t begin = ovector[0], end = ovector[1];
    if (end > begin) match(begin, end);
    if (end == begin) {
      if (end >= text.size()) break;
      end += static_cast<size_t>(Utf8Length(static_cast<unsigned char>(text[end])));
    }
    start = end;
  }
  pcre2_match_data_free(data);
}

}  // namespace kaif::tokenizer
