#include "eval/response_filter.h"

#include <fmt/format.h>
#include <unicode/uchar.h>
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

// re.findall's item `group_select` (negative from the end): the match without groups,
// the group with one, else the first non-empty group; "" when nothing matches.
std::string FindMatch(const tokenizer::Regex& regex, const std::string& text, long long group_select) {
  std::vector<std::string> found;
  regex.FindAllGroups(text, [&](const std::vector<std::string_view>& groups) {
    if (groups.size() == 1) {
      found.emplace_back(groups[0]);
    } else {
      std::string first;
      for (size_t g = 1; g < groups.size() && first.empty(); ++g) first = std::string(groups[g]);
      found.push_back(first);
    }
  });
  const long long n = static_cast<long long>(found.size()), i = group_select < 0 ? n + group_select : group_select;
  return i < 0 || i >= n ? "" : Strip(found[static_cast<size_t>(i)]);
}

// Python's str.translate that drops every Unicode punctuation character (category P).
std::string DropPunctuation(const std::string& text) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(text), out;
  for (int32_t i = 0; i < u.length();) {
    const UChar32 c = u.char32At(i);
    if (!u_ispunct(c)) out.append(c);
    i += U16_LENGTH(c);
  }
  std::string s;
  out.toUTF8String(s);
  return s;
}

// A literal inside a PCRE pattern (re.escape).
std::string Literal(const std::string& text) {
  return fmt::format("\\Q{}\\E", tokenizer::ReplaceAll(text, "\\E", "\\E\\\\E\\Q"));
}

}  // namespace

std::string FilterChain::ChooseAnswer(const Step& s, const std::string& response, const nlohmann::json& doc) {
  std::string match = FindMatch(*s.regex, response, s.group_select);
  if (!match.empty()) return match;
  auto ignores = [&](std::string text) {
    for (const auto& regex : s.ignore) text = RemoveMatches(*regex, text);
    if (s.ignore_case) text = ChangeCase(text, false);
    if (s.ignore_punctuation) text = DropPunctuation(text);
    return text;
  };
  const nlohmann::json choices = doc.is_object() ? doc.value("choices", nlohmann::json::array()) : nlohmann::json::array();
  std::string alternatives, letters;
  std::vector<std::pair<std::string, std::string>> to_letter;  // choice text as compared -> "(A)"
  char letter = 'A';
  for (const nlohmann::json& c : choices) {
    const std::string text = ignores(Strip(c.is_string() ? c.get<std::string>() : c.dump()));
    alternatives += fmt::format("{}{}", alternatives.empty() ? "" : "|", Literal(text));
    letters += fmt::format("{}{}", letters.empty() ? "" : "|", letter);
    to_letter.emplace_back(text, fmt::format("({})", letter));
    ++letter;
  }
  if (!choices.empty()) {
    Result<tokenizer::Regex> by_text = tokenizer::Regex::Compile(alternatives);
    if (by_text.ok()) {
      match = FindMatch(*by_text, ignores(response), s.group_select);
      for (const auto& [text, answer] : to_letter) {
        if (!match.empty() && match == text) return answer;
      }
      if (!match.empty()) return match;
    }
    Result<tokenizer::Regex> by_letter = tokenizer::Regex::Compile(fmt::format(":[\\s]*({})", letters));
    if (by_letter.ok()) {
      match = FindMatch(*by_letter, response, s.group_select);
      if (!match.empty()) return fmt::format("({})", match);
    }
  }
  return s.fallback;
}

Result<FilterChain> FilterChain::Compile(const FilterPipeline& pipeline) {
  FilterChain chain;
  chain.name_ = pipeline.name;
  for (const FilterStep& s : pipeline.steps) {
    Step step;
    step.function = s.function;
    if (s.function == "regex" || s.function == "multi_choice_regex") {
      std::string pattern = s.args.value("regex_pattern", std::string("#### (\\-?[0-9\\.\\,]+)"));
      KAIF_ASSIGN_OR_RETURN(tokenizer::Regex regex, tokenizer::Regex::Compile(pattern));
      step.regex = std::make_shared<tokenizer::Regex>(std::move(regex));
      step.group_select = s.args.value("group_select", 0LL);
      step.fallback = s.args.value("fallback", std::string("[invalid]"));
      step.ignore_case = s.args.value("ignore_case", false);
      step.ignore_punctuation = s.args.value("ignore_punctuation", false);
      for (const auto& r : s.args.value("regexes_to_ignore", nlohmann::json::array())) {
        if (!r.is_string()) return Status::InvalidInput("regexes_to_ignore must be patterns");
        KAIF_ASSIGN_OR_RETURN(tokenizer::Regex ignore, tokenizer::Regex::Compile(r.get<std::string>()));
        step.ignore.push_back(std::make_shared<tokenizer::Regex>(std::move(ignore)));
      }
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

std::string FilterChain::Apply(std::string response, const nlohmann::json& doc) const {
  for (const Step& s : steps_) {
    if (s.function == "multi_choice_regex") {
      response = ChooseAnswer(s, tokenizer::ToValidUtf8(response), doc);
    } else if (s.function == "regex") {
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
