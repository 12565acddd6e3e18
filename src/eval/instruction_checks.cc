#include "eval/instruction_checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <vector>

#include "tokenizer/regex.h"
#include "tokenizer/utf8.h"

namespace kaif::eval {
namespace {

using nlohmann::json;
using tokenizer::Regex;

// An argument that is not a valid pattern matches nothing, as a failed re.search.
Regex Compiled(const std::string& pattern) {
  Result<Regex> re = Regex::Compile(pattern);
  if (!re.ok()) re = Regex::Compile("(?!)");
  return std::move(*re);
}

size_t CountMatches(const std::string& pattern, const std::string& text) {
  size_t n = 0;
  Compiled(pattern).FindAll(text, [&](size_t, size_t) { ++n; });
  return n;
}

bool Search(const std::string& pattern, const std::string& text) { return CountMatches(pattern, text) > 0; }

// re.sub with \1-style group references in the replacement.
std::string Sub(const std::string& pattern, const std::string& replacement, const std::string& text) {
  std::string out;
  size_t last = 0;
  Compiled(pattern).FindAllGroups(text, [&](const std::vector<std::string_view>& groups) {
    const size_t begin = static_cast<size_t>(groups[0].data() - text.data());
    out.append(text, last, begin - last);
    for (size_t k = 0; k < replacement.size(); ++k) {
      if (replacement[k] == '\\' && k + 1 < replacement.size() && std::isdigit(static_cast<unsigned char>(replacement[k + 1]))) {
        size_t g = static_cast<size_t>(replacement[++k] - '0');
        if (g < groups.size()) out += groups[g];
      } else {
        out += replacement[k];
      }
    }
    last = begin + groups[0].size();
  });
  return out + text.substr(last);
}

std::vector<std::string> Split(const std::string& text, const std::string& pattern) {
  std::vector<std::string> parts;
  size_t last = 0;
  Compiled(pattern).FindAll(text, [&](size_t begin, size_t end) {
    parts.push_back(text.substr(last, begin - last));
    last = end;
  });
  parts.push_back(text.substr(last));
  return parts;
}

std::string Strip(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool StartsWith(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }
bool EndsWith(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

// Python's str.isupper()/islower() over ASCII letters: some cased letter, none of the other case.
bool AllCase(const std::string& s, bool upper) {
  bool cased = false;
  for (unsigned char c : s) {
    if (!std::isalpha(c)) continue;
    cased = true;
    if (upper ? std::islower(c) : std::isupper(c)) return false;
  }
  return cased;
}

// The script most letters of `text` are written in, standing in for langdetect.
std::string MainScript(const std::string& text) {
  std::map<std::string, size_t> counts;
  for (size_t i = 0; i < text.size();) {
    const uint32_t cp = tokenizer::NextCodePoint(text, i);
    const char* script = nullptr;
    if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0x24F)) script = "latin";
    else if ((cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x3130 && cp <= 0x318F)) script = "hangul";
    else if (cp >= 0x3040 && cp <= 0x30FF) script = "kana";
    else if (cp >= 0x4E00 && cp <= 0x9FFF) script = "han";
    else if (cp >= 0x0400 && cp <= 0x04FF) script = "cyrillic";
    else if (cp >= 0x0600 && cp <= 0x06FF) script = "arabic";
    else if (cp >= 0x0900 && cp <= 0x097F) script = "devanagari";
    else if (cp >= 0x0E00 && cp <= 0x0E7F) script = "thai";
    else if (cp >= 0x0370 && cp <= 0x03FF) script = "greek";
    else if (cp >= 0x0590 && cp <= 0x05FF) script = "hebrew";
    if (script) ++counts[script];
  }
  // Japanese mixes kana with Han characters: any kana makes it Japanese.
  if (counts.count("kana") && counts["kana"] * 10 >= counts["han"]) return "kana";
  std::string best;
  size_t most = 0;
  for (const auto& [script, n] : counts) {
    if (n > most) best = script, most = n;
  }
  return best;
}

std::string ScriptOfLanguage(const std::string& language) {
  static const std::map<std::string, std::string> kScripts = {
      {"ko", "hangul"}, {"ja", "kana"},     {"zh", "han"},        {"ru", "cyrillic"}, {"bg", "cyrillic"},
      {"uk", "cyrillic"}, {"ar", "arabic"}, {"fa", "arabic"},     {"ur", "arabic"},   {"hi", "devanagari"},
      {"mr", "devanagari"}, {"ne", "devanagari"}, {"th", "thai"}, {"el", "greek"},    {"he", "hebrew"}};
  auto it = kScripts.find(language);
  return it == kScripts.end() ? "latin" : it->second;
}

bool Compare(size_t actual, const std::string& relation, long long threshold) {
  return relation == "less than" ? static_cast<long long>(actual) < threshold
                                 : static_cast<long long>(actual) >= threshold;
}

size_t CountWords(const std::string& text) { return CountMatches("\\w+", text); }

class Args {
 public:
  Args(const std::string& id, const json& args) : id_(id), args_(args) {}
  Result<std::string> Str(const char* key) const {
    if (!args_.is_object() || !args_.contains(key) || !args_[key].is_string()) return Missing(key);
    return args_[key].get<std::string>();
  }
  Result<long long> Int(const char* key) const {
    if (!args_.is_object() || !args_.contains(key) || !args_[key].is_number()) return Missing(key);
    return args_[key].get<long long>();
  }
  Result<std::vector<std::string>> List(const char* key) const {
    if (!args_.is_object() || !args_.contains(key) || !args_[key].is_array()) return Missing(key);
    std::vector<std::string> out;
    for (const json& v : args_[key]) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
    return out;
  }

 private:
  Status Missing(const char* key) const {
    return Status::InvalidInput(fmt::format("instruction {} needs the argument {}", id_, key));
  }
  std::string id_;
  const json& args_;
};

Result<bool> Check(const std::string& id, const Args& a, const std::string& value, const std::string& prompt) {
  if (id == "punctuation:no_comma") return value.find(',') == std::string::npos;
  if (id == "keywords:existence") {
    KAIF_ASSIGN_OR_RETURN(std::vector<std::string> keywords, a.List("keywords"));
    return std::all_of(keywords.begin(), keywords.end(), [&](const std::string& k) { return Search("(?i)" + k, value); });
  }
  if (id == "keywords:frequency") {
    KAIF_ASSIGN_OR_RETURN(std::string keyword, a.Str("keyword"));
    KAIF_ASSIGN_OR_RETURN(long long frequency, a.Int("frequency"));
    KAIF_ASSIGN_OR_RETURN(std::string relation, a.Str("relation"));
    return Compare(CountMatches("(?i)" + keyword, value), relation, frequency);
  }
  if (id == "keywords:forbidden_words") {
    KAIF_ASSIGN_OR_RETURN(std::vector<std::string> words, a.List("forbidden_words"));
    return std::none_of(words.begin(), words.end(), [&](const std::string& w) { return Search("(?i)\\b" + w + "\\b", value); });
  }
  if (id == "keywords:letter_frequency") {
    KAIF_ASSIGN_OR_RETURN(std::string letter, a.Str("letter"));
    KAIF_ASSIGN_OR_RETURN(long long frequency, a.Int("let_frequency"));
    KAIF_ASSIGN_OR_RETURN(std::string relation, a.Str("let_relation"));
    const std::string lower = Lower(value), l = Lower(letter);
    size_t n = 0;
    for (size_t at = lower.find(l); !l.empty() && at != std::string::npos; at = lower.find(l, at + l.size())) ++n;
    return Compare(n, relation, frequency);
  }
  if (id == "language:response_language") {
    KAIF_ASSIGN_OR_RETURN(std::string language, a.Str("language"));
    const std::string script = MainScript(value);
    return script.empty() || script == ScriptOfLanguage(language);  // langdetect failing counts as followed
  }
  if (id == "length_constraints:number_sentences") {
    KAIF_ASSIGN_OR_RETURN(long long n, a.Int("num_sentences"));
    KAIF_ASSIGN_OR_RETURN(std::string relation, a.Str("relation"));
    return Compare(SplitIntoSentences(value).size(), relation, n);
  }
  if (id == "length_constraints:number_words") {
    KAIF_ASSIGN_OR_RETURN(long long n, a.Int("num_words"));
    KAIF_ASSIGN_OR_RETURN(std::string relation, a.Str("relation"));
    return Compare(CountWords(value), relation, n);
  }
  if (id == "length_constraints:number_paragraphs" || id == "combination:two_responses") {
    const bool two = id == "combination:two_responses";
    std::vector<std::string> parts = two ? Split(value, "\\*\\*\\*\\*\\*\\*") : Split(value, "\\s?\\*\\*\\*\\s?");
    std::vector<std::string> kept;
    for (size_t i = 0; i < parts.size(); ++i) {
      if (Strip(parts[i]).empty()) {
        if (i != 0 && i != parts.size() - 1) return false;
      } else {
        kept.push_back(parts[i]);
      }
    }
    if (two) return kept.size() == 2 && Strip(kept[0]) != Strip(kept[1]);
    KAIF_ASSIGN_OR_RETURN(long long n, a.Int("num_paragraphs"));
    return static_cast<long long>(kept.size()) == n;
  }
  if (id == "length_constraints:nth_paragraph_first_word") {
    KAIF_ASSIGN_OR_RETURN(long long n, a.Int("num_paragraphs"));
    KAIF_ASSIGN_OR_RETURN(long long nth, a.Int("nth_paragraph"));
    KAIF_ASSIGN_OR_RETURN(std::string word, a.Str("first_word"));
    std::vector<std::string> paragraphs = Split(value, "\n\n");
    long long count = static_cast<long long>(paragraphs.size());
    for (const std::string& p : paragraphs) count -= Strip(p).empty();
    if (nth < 1 || nth > count) return false;
    const std::string paragraph = Strip(paragraphs[static_cast<size_t>(nth - 1)]);
    if (paragraph.empty()) return false;
    std::string first = paragraph.substr(0, paragraph.find_first_of(" \t\n\r\f\v"));
    while (!first.empty() && (first[0] == '\'' || first[0] == '"')) first.erase(0, 1);
    std::string found;
    for (char c : first) {
      if (std::string(".,?!'\"").find(c) != std::string::npos) break;
      found += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return count == n && found == Lower(word);
  }
  if (id == "detectable_content:number_placeholders") {
    KAIF_ASSIGN_OR_RETURN(long long n, a.Int("num_placeholders"));
    return static_cast<long long>(CountMatches("\\[.*?\\]", value)) >= n;
  }
  if (id == "detectable_content:postscript") {
    KAIF_ASSIGN_OR_RETURN(std::string marker, a.Str("postscript_marker"));
    std::string pattern = marker == "P.P.S"  ? "\\s*p\\.\\s?p\\.\\s?s.*$"
                          : marker == "P.S." ? "\\s*p\\.\\s?s\\..*$"
                                             : "\\s*" + Lower(marker) + ".*$";
    return Search("(?m)" + pattern, Lower(value));
  }
  if (id == "detectable_format:number_bullet_lists") {
    KAIF_ASSIGN_OR_RETURN(long long n, a.Int("num_bullets"));
    size_t bullets = CountMatches("(?m)^\\s*\\*[^\\*].*$", value) + CountMatches("(?m)^\\s*-.*$", value);
    return static_cast<long long>(bullets) == n;
  }
  if (id == "detectable_format:constrained_response") {
    const std::string v = Strip(value);
    for (const char* option : {"My answer is yes.", "My answer is no.", "My answer is maybe."}) {
      if (v.find(option) != std::string::npos) return true;
    }
    return false;
  }
  if (id == "detectable_format:number_highlighted_sections") {
    KAIF_ASSIGN_OR_RETURN(long long n, a.Int("num_highlights"));
    long long found = 0;
    Compiled("\\*[^\\n\\*]*\\*").FindAll(value, [&](size_t b, size_t e) { found += !Strip(value.substr(b + 1, e - b - 2)).empty(); });
    Compiled("\\*\\*[^\\n\\*]*\\*\\*").FindAll(value, [&](size_t b, size_t e) {
      found += !Strip(value.substr(b + 2, e - b - 4)).empty();
    });
    return found >= n;
  }
  if (id == "detectable_format:multiple_sections") {
    KAIF_ASSIGN_OR_RETURN(std::string splitter, a.Str("section_spliter"));
    KAIF_ASSIGN_OR_RETURN(long long n, a.Int("num_sections"));
    return static_cast<long long>(Split(value, "\\s?" + Strip(splitter) + "\\s?\\d+\\s?").size()) - 1 >= n;
  }
  if (id == "detectable_format:json_format") {
    std::string v = Strip(value);
    for (const char* prefix : {"```json", "```Json", "```JSON", "```"}) {
      if (StartsWith(v, prefix)) {
        v = v.substr(std::string(prefix).size());
        break;
      }
    }
    if (EndsWith(v, "```")) v.resize(v.size() - 3);
    return !json::parse(Strip(v), nullptr, false).is_discarded();
  }
  if (id == "detectable_format:title") {
    bool found = false;
    Compiled("<<[^\\n]+>>").FindAll(value, [&](size_t b, size_t e) {
      std::string t = value.substr(b, e - b);
      t.erase(0, t.find_first_not_of('<'));
      t.erase(t.find_last_not_of('>') + 1);
      found = found || !Strip(t).empty();
    });
    return found;
  }
  if (id == "combination:repeat_prompt") {
    KAIF_ASSIGN_OR_RETURN(std::string repeat, a.Str("prompt_to_repeat"));
    return StartsWith(Lower(Strip(value)), Lower(Strip(repeat)));
  }
  if (id == "startend:end_checker") {
    KAIF_ASSIGN_OR_RETURN(std::string end, a.Str("end_phrase"));
    return EndsWith(Lower(Strip(value)), Lower(Strip(end)));
  }
  if (id == "startend:quotation") {
    const std::string v = Strip(value);
    return v.size() > 1 && v.front() == '"' && v.back() == '"';
  }
  if (id == "change_case:english_capital" || id == "change_case:english_lowercase") {
    return AllCase(value, id == "change_case:english_capital") && MainScript(value) == "latin";
  }
  if (id == "change_case:capital_word_frequency") {
    KAIF_ASSIGN_OR_RETURN(long long n, a.Int("capital_frequency"));
    KAIF_ASSIGN_OR_RETURN(std::string relation, a.Str("capital_relation"));
    size_t capital = 0;
    Compiled("[\\w'-]+|[^\\w\\s]+").FindAll(value, [&](size_t b, size_t e) { capital += AllCase(value.substr(b, e - b), true); });
    return Compare(capital, relation, n);
  }
  (void)prompt;
  return Status::InvalidInput("instruction " + id + " is not one kaif checks");
}

}  // namespace

std::vector<std::string> SplitIntoSentences(const std::string& input) {
  const std::string alphabets = "([A-Za-z])", prefixes = "(Mr|St|Mrs|Ms|Dr)[.]", suffixes = "(Inc|Ltd|Jr|Sr|Co)",
                    starters = "(Mr|Mrs|Ms|Dr|Prof|Capt|Cpt|Lt|He\\s|She\\s|It\\s|They\\s|Their\\s|Our\\s|We\\s|But\\s|"
                               "However\\s|That\\s|This\\s|Wherever)",
                    acronyms = "([A-Z][.][A-Z][.](?:[A-Z][.])?)", websites = "[.](com|net|org|io|gov|edu|me)",
                    digits = "([0-9])";
  std::string text = tokenizer::ReplaceAll(" " + input + "  ", "\n", " ");
  text = Sub(prefixes, "\\1<prd>", text);
  text = Sub(websites, "<prd>\\1", text);
  text = Sub(digits + "[.]" + digits, "\\1<prd>\\2", text);
  std::string dotted;  // runs of two or more dots: "<prd>" per dot, then "<stop>"
  size_t last = 0;
  Compiled("\\.{2,}").FindAll(text, [&](size_t b, size_t e) {
    dotted.append(text, last, b - last);
    for (size_t k = b; k < e; ++k) dotted += "<prd>";
    dotted += "<stop>";
    last = e;
  });
  text = dotted + text.substr(last);
  text = tokenizer::ReplaceAll(text, "Ph.D.", "Ph<prd>D<prd>");
  text = Sub("\\s" + alphabets + "[.] ", " \\1<prd> ", text);
  text = Sub(acronyms + " " + starters, "\\1<stop> \\2", text);
  text = Sub(alphabets + "[.]" + alphabets + "[.]" + alphabets + "[.]", "\\1<prd>\\2<prd>\\3<prd>", text);
  text = Sub(alphabets + "[.]" + alphabets + "[.]", "\\1<prd>\\2<prd>", text);
  text = Sub(" " + suffixes + "[.] " + starters, " \\1<stop> \\2", text);
  text = Sub(" " + suffixes + "[.]", " \\1<prd>", text);
  text = Sub(" " + alphabets + "[.]", " \\1<prd>", text);
  text = tokenizer::ReplaceAll(text, ".\u201d", "\u201d.");
  text = tokenizer::ReplaceAll(text, ".\"", "\".");
  text = tokenizer::ReplaceAll(text, "!\"", "\"!");
  text = tokenizer::ReplaceAll(text, "?\"", "\"?");
  text = tokenizer::ReplaceAll(text, ".", ".<stop>");
  text = tokenizer::ReplaceAll(text, "?", "?<stop>");
  text = tokenizer::ReplaceAll(text, "!", "!<stop>");
  text = tokenizer::ReplaceAll(text, "<prd>", ".");
  std::vector<std::string> sentences;
  for (const std::string& s : Split(text, "<stop>")) sentences.push_back(Strip(s));
  if (!sentences.empty() && sentences.back().empty()) sentences.pop_back();
  return sentences;
}

Result<bool> FollowsInstruction(const std::string& id, const json& args, const std::string& response,
                                const std::string& prompt, bool loose) {
  Args a(id, args);
  if (!loose) return Strip(response).empty() ? Result<bool>(false) : Check(id, a, response, prompt);
  // lm-evaluation-harness's loose variants: without the first and/or last line, without "*".
  std::vector<std::string> lines = Split(response, "\n");
  auto join = [&](size_t from, size_t to) {
    std::string out;
    for (size_t i = from; i < to && i < lines.size(); ++i) out += (i > from ? "\n" : "") + lines[i];
    return Strip(out);
  };
  const size_t n = lines.size();
  std::vector<std::string> variants = {response, join(1, n), join(0, n > 0 ? n - 1 : 0), join(1, n > 0 ? n - 1 : 0)};
  for (size_t i = 0; i < 4; ++i) variants.push_back(tokenizer::ReplaceAll(variants[i], "*", ""));
  // The order lm-evaluation-harness tries them in does not change the outcome.
  for (const std::string& v : variants) {
    if (Strip(v).empty()) continue;
    KAIF_ASSIGN_OR_RETURN(bool ok, Check(id, a, v, prompt));
    if (ok) return true;
  }
  return false;
}

}  // namespace kaif::eval
