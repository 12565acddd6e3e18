#include "eval/prompt.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "tokenizer/utf8.h"

namespace kaif::eval {
namespace {

using nlohmann::json;

bool IsTemplate(const json& field) { return field.is_string(); }

Result<std::optional<tokenizer::ChatTemplate>> Compile(const json& field, const TaskConfig& c, const char* name) {
  if (!IsTemplate(field)) return std::optional<tokenizer::ChatTemplate>();
  tokenizer::TemplateOptions plain;
  plain.trim_blocks = false;
  plain.strict_undefined = true;
  Result<tokenizer::ChatTemplate> t = tokenizer::ChatTemplate::Parse(field.get<std::string>(), plain);
  if (!t.ok()) return t.status().WithContext(c.source.string() + ": " + name);
  return std::optional<tokenizer::ChatTemplate>(std::move(*t));
}

bool IsDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char ch) { return std::isdigit(ch); });
}

// Parses Python/JSON literals: strings, numbers, True/False/None, lists and tuples.
class LiteralParser {
 public:
  explicit LiteralParser(const std::string& s) : s_(s) {}
  bool Parse(json& out) {
    if (!Value(out)) return false;
    Skip();
    return p_ == s_.size();
  }

 private:
  void Skip() {
    while (p_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[p_]))) ++p_;
  }
  bool Value(json& out) {
    Skip();
    if (p_ >= s_.size()) return false;
    char c = s_[p_];
    if (c == '[' || c == '(') {
      char close = c == '[' ? ']' : ')';
      ++p_;
      out = json::array();
      Skip();
      if (p_ < s_.size() && s_[p_] == close) return ++p_, true;
      for (;;) {
        json item;
        if (!Value(item)) return false;
        out.push_back(std::move(item));
        Skip();
        if (p_ < s_.size() && s_[p_] == ',') {
          ++p_;
          Skip();
          if (p_ < s_.size() && s_[p_] == close) return ++p_, true;
          continue;
        }
        if (p_ < s_.size() && s_[p_] == close) return ++p_, true;
        return false;
      }
    }
    if (c == '\'' || c == '"') {
      ++p_;
      std::string text;
      while (p_ < s_.size() && s_[p_] != c) {
        if (s_[p_] == '\\' && p_ + 1 < s_.size()) {
          char e = s_[++p_];
          uint32_t cp = 0;
          if (e == 'u' && Hex4(p_ + 1, cp)) {
            p_ += 4;
            uint32_t low = 0;  // a UTF-16 surrogate pair, as JSON writes characters beyond the BMP
            if (cp >= 0xD800 && cp < 0xDC00 && s_.compare(p_ + 1, 2, "\\u") == 0 && Hex4(p_ + 3, low) &&
                low >= 0xDC00 && low < 0xE000) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
              p_ += 6;
            }
            tokenizer::AppendUtf8(cp, text);
          } else {
            text += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
          }
        } else {
          text += s_[p_];
        }
        ++p_;
      }
      if (p_ >= s_.size()) return false;
      ++p_;
      out = text;
      return true;
    }
    size_t start = p_;
    while (p_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[p_])) || s_[p_] == '.' || s_[p_] == '-' ||
                              s_[p_] == '+')) {
      ++p_;
    }
    std::string word = s_.substr(start, p_ - start);
    if (word == "True") return out = true, true;
    if (word == "False") return out = false, true;
    if (word == "None") return out = nullptr, true;
    json number = json::parse(word, nullptr, false);
    if (number.is_discarded() || !number.is_number()) return false;
    out = number;
    return true;
  }

  bool Hex4(size_t at, uint32_t& out) const {
    if (at + 4 > s_.size()) return false;
    out = 0;
    for (size_t i = at; i < at + 4; ++i) {
      char c = s_[i];
      int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (digit < 0) return false;
      out = out * 16 + static_cast<uint32_t>(digit);
    }
    return true;
  }

  const std::string& s_;
  size_t p_ = 0;
};

// The UTF-8 length of the code point whose last byte ends at `end` (exclusive), and it.
uint32_t LastCodePoint(const std::string& s, size_t end, size_t& length) {
  size_t start = end - 1;
  while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80 && end - start < 4) --start;
  length = end - start;
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(s[i])); };
  if (length == 1) return b(start);
  if (length == 2) return ((b(start) & 0x1F) << 6) | (b(start + 1) & 0x3F);
  if (length == 3) return ((b(start) & 0x0F) << 12) | ((b(start + 1) & 0x3F) << 6) | (b(start + 2) & 0x3F);
  return ((b(start) & 0x07) << 18) | ((b(start + 1) & 0x3F) << 12) | ((b(start + 2) & 0x3F) << 6) | (b(start + 3) & 0x3F);
}

}  // namespace

bool IsPythonSpace(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

Result<json> LiteralEval(const std::string& text) {
  json out;
  LiteralParser parser(text);
  if (!parser.Parse(out)) return Status::InvalidInput("not a Python literal: " + text.substr(0, 80));
  return out;
}

size_t RstripLength(const std::string& text) {
  size_t end = text.size();
  while (end > 0) {
    size_t length = 1;
    uint32_t cp = LastCodePoint(text, end, length);
    if (!IsPythonSpace(cp)) break;
    end -= length;
  }
  return end;
}

Result<TaskPrompts> TaskPrompts::Create(const TaskConfig& config, PromptFormat format) {
  TaskPrompts p;
  p.config_ = config;
  p.format_ = std::move(format);
  KAIF_ASSIGN_OR_RETURN(p.text_, Compile(config.doc_to_text, config, "doc_to_text"));
  KAIF_ASSIGN_OR_RETURN(p.target_, Compile(config.doc_to_target, config, "doc_to_target"));
  KAIF_ASSIGN_OR_RETURN(p.choice_, Compile(config.doc_to_choice, config, "doc_to_choice"));
  if (!config.description.empty()) {
    KAIF_ASSIGN_OR_RETURN(p.description_, Compile(json(config.description), config, "description"));
  }
  return p;
}

Result<std::string> TaskPrompts::Render(const std::optional<tokenizer::ChatTemplate>& t, const json& field,
                                        const json& doc, const char* name) const {
  Result<std::string> out = t->Render(doc);
  if (!out.ok()) {
    std::string id = doc.contains("id") ? " (document " + doc["id"].dump() + ")" : "";
    return out.status().WithContext(fmt::format("{}: {}{}", config_.task, name, id));
  }
  return out;
}

Result<std::string> TaskPrompts::Text(const json& doc) const {
  const json& f = config_.doc_to_text;
  if (f.is_string() && doc.contains(f.get<std::string>())) {
    const json& v = doc[f.get<std::string>()];
    return v.is_string() ? v.get<std::string>() : v.dump();
  }
  if (!text_) return Status::InvalidInput(config_.task + ": doc_to_text must be a template or a column name");
  return Render(text_, f, doc, "doc_to_text");
}

Result<json> TaskPrompts::Target(const json& doc) const {
  const json& f = config_.doc_to_target;
  if (f.is_number_integer() || f.is_array()) return f;
  if (!f.is_string()) return Status::InvalidInput(config_.task + ": doc_to_target is not set");
  if (doc.contains(f.get<std::string>())) return doc[f.get<std::string>()];
  KAIF_ASSIGN_OR_RETURN(std::string s, Render(target_, f, doc, "doc_to_target"));
  if (IsDigits(s) && !config_.doc_to_choice.is_null()) return json(std::stoll(s));
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') {
    Result<json> list = LiteralEval(s);
    if (list.ok()) return *list;
  }
  return json(s);
}

Result<std::vector<std::string>> TaskPrompts::Choices(const json& doc) const {
  const json& f = config_.doc_to_choice;
  json list;
  if (f.is_array()) {
    list = f;
  } else if (f.is_object()) {
    list = json::array();
    for (auto& [k, v] : f.items()) list.push_back(v);
  } else if (f.is_string() && doc.contains(f.get<std::string>())) {
    list = doc[f.get<std::string>()];
  } else if (f.is_string()) {
    KAIF_ASSIGN_OR_RETURN(std::string s, Render(choice_, f, doc, "doc_to_choice"));
    Result<json> parsed = LiteralEval(s);
    if (!parsed.ok()) return parsed.status().WithContext(config_.task + ": doc_to_choice");
    list = *parsed;
  } else {
    return Status::InvalidInput(config_.task + ": the task has no doc_to_choice");
  }
  if (!list.is_array()) return Status::InvalidInput(config_.task + ": doc_to_choice is not a list");
  std::vector<std::string> out;
  for (const json& c : list) out.push_back(c.is_string() ? c.get<std::string>() : c.dump());
  return out;
}

Result<std::string> TaskPrompts::AnswerText(const json& doc) const {
  KAIF_ASSIGN_OR_RETURN(json target, Target(doc));
  if (target.is_number_integer() && !config_.doc_to_choice.is_null()) {
    KAIF_ASSIGN_OR_RETURN(std::vector<std::string> choices, Choices(doc));
    long long index = target.get<long long>();
    if (index < 0 || static_cast<size_t>(index) >= choices.size()) {
      return Status::InvalidInput(fmt::format("{}: the target {} is out of range for {} choices", config_.task, index,
                                              choices.size()));
    }
    return choices[static_cast<size_t>(index)];
  }
  if (target.is_array()) {
    if (target.empty()) return Status::InvalidInput(config_.task + ": the target list is empty");
    return target[0].is_string() ? target[0].get<std::string>() : target[0].dump();
  }
  return target.is_string() ? target.get<std::string>() : target.dump();
}

Result<std::optional<size_t>> TaskPrompts::InputIndex(const json& doc) const {
  if (config_.doc_to_choice.is_null()) return std::optional<size_t>();
  KAIF_ASSIGN_OR_RETURN(std::string text, Text(doc));
  if (!IsDigits(text)) return std::optional<size_t>();
  return std::optional<size_t>(std::stoull(text));
}

Result<std::string> TaskPrompts::Question(const json& doc) const {
  KAIF_ASSIGN_OR_RETURN(std::optional<size_t> input, InputIndex(doc));
  if (!input) return Text(doc);
  KAIF_ASSIGN_OR_RETURN(std::vector<std::string> choices, Choices(doc));
  if (*input >= choices.size()) {
    return Status::InvalidInput(fmt::format("{}: doc_to_text picks input {} of {}", config_.task, *input, choices.size()));
  }
  return choices[*input];
}

Result<std::vector<PromptTurn>> TaskPrompts::Turns(const json& doc, const std::vector<const json*>& fewshot,
                                                   const std::string& question) const {
  std::vector<PromptTurn> turns;
  std::string system;
  if (description_) {
    KAIF_ASSIGN_OR_RETURN(system, Render(description_, json(config_.description), doc, "description"));
  }
  // lm-evaluation-harness's maybe_delimit(system_instruction, description, fewshot_delimiter).
  if (!format_.system_instruction.empty()) {
    const std::string& head = format_.system_instruction;
    const bool spaced = std::isspace(static_cast<unsigned char>(head.back())) ||
                        (!system.empty() && std::isspace(static_cast<unsigned char>(system.front())));
    system = system.empty() ? head : head + (spaced ? "" : config_.fewshot_delimiter) + system;
  }
  if (!system.empty()) turns.push_back({"system", system, ""});
  for (const json* example : fewshot) {
    KAIF_ASSIGN_OR_RETURN(std::string q, Question(*example));
    KAIF_ASSIGN_OR_RETURN(json target, Target(*example));
    const bool has_answer = !target.is_null() && target != "";
    turns.push_back({"user", q, has_answer ? config_.target_delimiter : ""});
    if (!has_answer) continue;
    KAIF_ASSIGN_OR_RETURN(std::optional<size_t> input, InputIndex(*example));
    std::string answer;
    if (input) {
      answer = target.is_string() ? target.get<std::string>() : target.dump();
    } else {
      KAIF_ASSIGN_OR_RETURN(answer, AnswerText(*example));
    }
    turns.push_back({"assistant", answer, config_.fewshot_delimiter});
  }
  turns.push_back({"user", question, ""});
  return turns;
}

Result<std::string> TaskPrompts::RenderTurns(std::vector<PromptTurn> turns) const {
  auto text = [](const std::vector<PromptTurn>& ts) {
    std::string out;
    for (const PromptTurn& t : ts) out += t.content + t.delimiter;
    return out;
  };
  if (!format_.chat) return text(turns);
  json messages = json::array();
  if (format_.fewshot_as_multiturn) {
    for (const PromptTurn& t : turns) messages.push_back({{"role", t.role}, {"content", t.content}});
  } else {
    // Everything but the system turn collapses into one user turn, delimiters kept.
    size_t first = 0;
    if (turns[0].role == "system") messages.push_back({{"role", "system"}, {"content", turns[0].content}}), first = 1;
    std::vector<PromptTurn> user(turns.begin() + static_cast<long>(first), turns.end());
    user.back().delimiter.clear();
    messages.push_back({{"role", "user"}, {"content", text(user)}});
  }
  Result<std::string> rendered = format_.chat->Render(messages, /*add_generation_prompt=*/true);
  if (!rendered.ok()) return rendered.status().WithContext(config_.task + ": the chat template");
  return rendered;
}

Result<std::string> TaskPrompts::Context(const json& doc, const std::vector<const json*>& fewshot) const {
  KAIF_ASSIGN_OR_RETURN(std::string q, Text(doc));
  KAIF_ASSIGN_OR_RETURN(std::vector<PromptTurn> turns, Turns(doc, fewshot, q));
  return RenderTurns(std::move(turns));
}

Result<std::vector<std::pair<std::string, std::string>>> TaskPrompts::MultipleChoice(
    const json& doc, const std::vector<const json*>& fewshot) const {
  KAIF_ASSIGN_OR_RETURN(std::vector<std::string> choices, Choices(doc));
  if (choices.empty()) return Status::InvalidInput(config_.task + ": a document has no choices");
  for (const std::string& choice : choices) {
    if (choice.empty()) return Status::InvalidInput(config_.task + ": a document has an empty choice");
  }
  // With a chat template the answer starts the assistant's turn: no target delimiter.
  const std::string delimiter = format_.chat ? "" : config_.target_delimiter;
  KAIF_ASSIGN_OR_RETURN(std::optional<size_t> input, InputIndex(doc));
  std::vector<std::pair<std::string, std::string>> out;
  if (input) {
    // Multiple inputs (WinoGrande): one context per choice, the target is the shared continuation.
    KAIF_ASSIGN_OR_RETURN(json target, Target(doc));
    const std::string continuation = target.is_string() ? target.get<std::string>() : target.dump();
    for (const std::string& choice : choices) {
      KAIF_ASSIGN_OR_RETURN(std::vector<PromptTurn> turns, Turns(doc, fewshot, choice));
      KAIF_ASSIGN_OR_RETURN(std::string context, RenderTurns(std::move(turns)));
      out.emplace_back(std::move(context), delimiter + continuation);
    }
    return out;
  }
  KAIF_ASSIGN_OR_RETURN(std::string context, Context(doc, fewshot));
  for (const std::string& choice : choices) out.emplace_back(context, delimiter + choice);
  return out;
}

FewshotSampler::FewshotSampler(std::vector<json> pool, std::string sampler, uint64_t seed, bool pool_is_eval_split)
    : pool_(std::move(pool)), sampler_(std::move(sampler)), random_(seed), pool_is_eval_split_(pool_is_eval_split) {}

Result<std::vector<const json*>> FewshotSampler::Sample(size_t n, const json& eval_doc) {
  std::vector<const json*> out;
  if (n == 0) return out;
  const bool skip_self = pool_is_eval_split_;
  if (sampler_ == "first_n") {
    for (const json& d : pool_) {
      if (out.size() == n) break;
      if (skip_self && d == eval_doc) continue;
      out.push_back(&d);
    }
  } else {
    size_t draw = skip_self ? n + 1 : n;
    if (draw > pool_.size()) draw = pool_.size();
    for (size_t i : random_.Sample(pool_.size(), draw)) {
      if (skip_self && pool_[i] == eval_doc) continue;
      if (out.size() < n) out.push_back(&pool_[i]);
    }
  }
  if (out.size() < n) {
    return Status::InvalidInput(fmt::format("{} few-shot examples were asked for; the few-shot split has {}", n, out.size()));
  }
  return out;
}

Result<TokenPair> EncodePair(const tokenizer::Tokenizer& tokenizer, const std::string& context,
                             const std::string& continuation, bool add_special_tokens) {
  const size_t kept = RstripLength(context);
  const std::string ctx = context.substr(0, kept);
  const std::string cont = context.substr(kept) + continuation;
  KAIF_ASSIGN_OR_RETURN(std::vector<int> whole, tokenizer.Encode(ctx + cont, add_special_tokens));
  KAIF_ASSIGN_OR_RETURN(std::vector<int> context_ids, tokenizer.Encode(ctx, add_special_tokens));
  TokenPair pair;
  pair.context = context_ids;
  if (context_ids.size() <= whole.size()) pair.continuation.assign(whole.begin() + static_cast<long>(context_ids.size()), whole.end());
  return pair;
}

}  // namespace kaif::eval
