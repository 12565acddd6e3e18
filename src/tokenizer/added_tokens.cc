#include "tokenizer/added_tokens.h"

#include <algorithm>
#include <cctype>

namespace kaif::tokenizer {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool IsWordByte(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (c & 0x80); }

}  // namespace

Result<std::vector<AddedToken>> ParseAddedTokens(const nlohmann::json& added) {
  std::vector<AddedToken> tokens;
  if (added.is_null()) return tokens;
  try {
    for (const auto& t : added) {
      AddedToken a;
      a.content = t.at("content").get<std::string>();
      a.id = t.at("id").get<int>();
      a.special = t.value("special", false);
      a.normalized = t.value("normalized", !a.special);
      a.lstrip = t.value("lstrip", false);
      a.rstrip = t.value("rstrip", false);
      a.single_word = t.value("single_word", false);
      if (a.content.empty() || a.id < 0) return Status::InvalidInput("added_tokens has an empty token or a negative id");
      tokens.push_back(std::move(a));
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidInput(std::string("added_tokens: ") + e.what());
  }
  return tokens;
}

AddedTokenMatcher::AddedTokenMatcher(const std::vector<AddedToken>& tokens, bool match_normalized)
    : by_first_byte_(256) {
  for (const AddedToken& t : tokens) {
    if (t.normalized == match_normalized) tokens_.push_back(t);
  }
  for (size_t i = 0; i < tokens_.size(); ++i) {
    by_first_byte_[static_cast<unsigned char>(tokens_[i].content[0])].push_back(i);
  }
  for (auto& list : by_first_byte_) {
    std::stable_sort(list.begin(), list.end(),
                     [&](size_t a, size_t b) { return tokens_[a].content.size() > tokens_[b].content.size(); });
  }
}

std::vector<Segment> AddedTokenMatcher::Split(std::string_view text) const {
  std::vector<Segment> out;
  std::string pending;
  size_t i = 0;
  while (i < text.size()) {
    const AddedToken* found = nullptr;
    for (size_t index : by_first_byte_[static_cast<unsigned char>(text[i])]) {
      const AddedToken& t = tokens_[index];
      if (text.compare(i, t.content.size(), t.content) != 0) continue;
      if (t.single_word) {
        size_t end = i + t.content.size();
        bool left_ok = i == 0 || !IsWordByte(text[i - 1]);
        bool right_ok = end == text.size() || !IsWordByte(text[end]);
        if (!left_ok || !right_ok) continue;
      }
      found = &t;
      break;
    }
    if (!found) {
      pending += text[i++];
      continue;
    }
    if (found->lstrip) {
      while (!pending.empty() && IsSpace(pending.back())) pending.pop_back();
    }
    if (!pending.empty()) out.push_back({false, 0, std::move(pending)});
    pending.clear();
    out.push_back({true, found->id, ""});
    i += found->content.size();
    if (found->rstrip) {
      while (i < text.size() && IsSpace(text[i])) ++i;
    }
  }
  if (!pending.empty()) out.push_back({false, 0, std::move(pending)});
  return out;
}

}  // namespace kaif::tokenizer
