#include "eval/response_filter.h"

#include <unicode/unistr.h>

#include <algorithm>

#include "eval/prompt.h"
#include "tokenizer/utf8.h"

namespace kaif::eval {
namespace {

std::string ChangeCase(const std::string& text, bool upper) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
  if (upper) u.toUpper(); else u.toLower();
  std::string out;
  u.toUTF8String(out);
  return out;
}

// Python's str.strip(): Unicode whitespace at both ends.
std::string Strip(const std::string& text) {
  std::string s = text.substr(0, RstripLength(text));
  size_t start = 0;
  while (start < s.size()) {
    size_t len = static_cast<size_t>(tokenizer::Utf8Length(static_cast<unsigned char>(s[start])));
    std::string first = s.substr(start, len);
    if (RstripLength(first) != 0) break;
    start += len;
  }
  return s.substr(start);
}

std::string RemoveMatches(const tokenizer::Regex& regex, const std::string& text) {
  std::string out;
  size_t at = 0;
  regex.FindAll(text, [&](size_t begin, size_t end) {
    out.append(text, at, begin - at);
    at = end;
  });
  return out + text.substr(at);
}

}  // namespace

Result<FilterChain> FilterChain::Compile(const FilterPipeline& pipeline) {
  FilterChain chain;
  chain.name_ = pipeline.name;
  for (const FilterStep& s : pipeline.steps) {
    Step step;
    step.function = s.function;
    if (s.function == "regex") {
      std::string pattern = s.args.value("regex_pattern", std::string("#### (\\-?[0-9\\.\\,]+)"));
      KAIF_ASSIGN_OR_RETURN(tokenizer::Regex regex, tokenizer::Regex::Compile(pattern));
      step.regex = std::make_shared<tokenizer::Regex>(std::move(regex));
      step.group_select = s.args.value("group_select", 0LL);
      step.fallback = s.args.value("fallback", std::string("[invalid]"));
    } else if (s.function != "take_first" && s.function != "take_first_k" && s.function != "remove_whitespace" &&
               s.function != "lowercase" && s.function != "uppercase" && s.function != "majority_vote") {
      // take_first, take_first_k and majority_vote choose among a document's responses;
      // kaif generates one per document (no `repeats`), so they keep it as it is.
      return Status::InvalidInput("filter " + s.function + " is not run yet");
    }
    chain.steps_.push_back(std::move(step));
  }
  return chain;
}

std::string FilterChain::Apply(std::string response) const {
  for (const Step& s : steps_) {
    if (s.function == "regex") {
      // re.findall: the whole match without groups, the group with one, else a tuple
      // whose first non-empty member is taken.
      std::vector<std::string> found;
      response = tokenizer::ToValidUtf8(response);
      s.regex->FindAllGroups(response, [&](const std::vector<std::string_view>& groups) {
        if (groups.size() == 1) {
          found.emplace_back(groups[0]);
        } else if (groups.size() == 2) {
          found.emplace_back(groups[1]);
        } else {
          std::string first;
          for (size_t g = 1; g < groups.size() && first.empty(); ++g) first = std::string(groups[g]);
          found.push_back(first.empty() ? s.fallback : first);
        }
      });
      long long n = static_cast<long long>(found.size()), i = s.group_select < 0 ? n + s.group_select : s.group_select;
      response = found.empty() || i < 0 || i >= n ? s.fallback : Strip(found[static_cast<size_t>(i)]);
    } else if (s.function == "remove_whitespace") {
      response = Strip(response);
    } else if (s.function == "lowercase" || s.function == "uppercase") {
      response = ChangeCase(response, s.function == "uppercase");
    }
  }
  return response;
}

Result<double> ExactMatch(const std::string& prediction, const std::string& reference, const nlohmann::json& options) {
  std::string p = prediction, r = reference;
  if (options.contains("regexes_to_ignore") && options["regexes_to_ignore"].is_array()) {
    for (const auto& pattern : options["regexes_to_ignore"]) {
      if (!pattern.is_string()) return Status::InvalidInput("exact_match: regexes_to_ignore must be strings");
      KAIF_ASSIGN_OR_RETURN(tokenizer::Regex regex, tokenizer::Regex::Compile(pattern.get<std::string>()));
      p = RemoveMatches(regex, tokenizer::ToValidUtf8(p));
      r = RemoveMatches(regex, tokenizer::ToValidUtf8(r));
    }
  }
  if (options.value("ignore_case", false)) p = ChangeCase(p, false), r = ChangeCase(r, false);
  auto drop = [](std::string& s, const std::string& chars) {
    s.erase(std::remove_if(s.begin(), s.end(), [&](char c) { return chars.find(c) != std::string::npos; }), s.end());
  };
  if (options.value("ignore_punctuation", false)) {
    const std::string punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    drop(p, punctuation), drop(r, punctuation);
  }
  if (options.value("ignore_numbers", false)) drop(p, "0123456789"), drop(r, "0123456789");
  return p == r ? 1.0 : 0.0;
}

}  // namespace kaif::eval
