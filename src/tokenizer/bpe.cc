#include "tokenizer/bpe.h"

#include <algorithm>

#include <fmt/format.h>
#include <queue>

#include "tokenizer/utf8.h"

namespace kaif::tokenizer {

Result<BpeModel> BpeModel::FromJson(const nlohmann::json& m) {
  BpeModel bpe;
  try {
    if (m.value("type", "BPE") != "BPE") {
      return Status::InvalidInput("model type \"" + m.value("type", "") + "\" is not supported; kaif reads BPE");
    }
    if (!m.value("continuing_subword_prefix", nlohmann::json()).is_null() &&
        !m["continuing_subword_prefix"].get<std::string>().empty()) {
      return Status::InvalidInput("BPE with a continuing_subword_prefix is not supported");
    }
    const auto& vocab = m.at("vocab");
    if (!vocab.is_object() || vocab.empty()) return Status::InvalidInput("model.vocab is empty or not an object");
    for (const auto& [token, id] : vocab.items()) {
      if (!id.is_number_integer() || id.get<long long>() < 0 || id.get<long long>() > (1 << 24)) {
        return Status::InvalidInput("model.vocab[\"" + token + "\"] is not a valid id");
      }
      bpe.AddToken(token, id.get<int>());
    }
    const auto& merges = m.at("merges");
    int rank = 0;
    for (const auto& merge : merges) {
      std::string left, right;
      if (merge.is_string()) {  // "a b"
        std::string s = merge.get<std::string>();
        size_t space = s.find(' ', 1);
        if (space == std::string::npos) return Status::InvalidInput(fmt::format("merge {} \"{}\" has no space", rank, s));
        left = s.substr(0, space);
        right = s.substr(space + 1);
      } else if (merge.is_array() && merge.size() == 2) {  // ["a", "b"]
        left = merge[0].get<std::string>();
        right = merge[1].get<std::string>();
      } else {
        return Status::InvalidInput(fmt::format("merge {} is neither \"a b\" nor [\"a\", \"b\"]", rank));
      }
      auto l = bpe.vocab_.find(left), r = bpe.vocab_.find(right), result = bpe.vocab_.find(left + right);
      if (l == bpe.vocab_.end() || r == bpe.vocab_.end() || result == bpe.vocab_.end()) {
        return Status::InvalidInput(fmt::format("merge {} (\"{}\" + \"{}\") uses a token the vocabulary lacks", rank,
                                                left, right));
      }
      bpe.merges_.emplace(PairKey(l->second, r->second), Merge{rank, result->second});
      ++rank;
    }
    bpe.byte_fallback_ = m.value("byte_fallback", false);
    bpe.ignore_merges_ = m.value("ignore_merges", false);
    bpe.fuse_unk_ = m.value("fuse_unk", false);
    if (m.contains("unk_token") && m["unk_token"].is_string()) {
      auto it = bpe.vocab_.find(m["unk_token"].get<std::string>());
      if (it != bpe.vocab_.end()) bpe.unk_id_ = it->second;
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidInput(std::string("model: ") + e.what());
  }
  for (int b = 0; b < 256; ++b) {
    auto it = bpe.vocab_.find(fmt::format("<0x{:02X}>", b));
    bpe.byte_tokens_[b] = bpe.byte_fallback_ && it != bpe.vocab_.end() ? it->second : -1;
  }
  return bpe;
}

void BpeModel::AddToken(const std::string& token, int id) {
  vocab_[token] = id;
  if (static_cast<size_t>(id) >= id_to_token_.size()) id_to_token_.resize(static_cast<size_t>(id) + 1);
  id_to_token_[static_cast<size_t>(id)] = token;
}

std::optional<int> BpeModel::Find(const std::string& token) const {
  auto it = vocab_.find(token);
  if (it == vocab_.end()) return std::nullopt;
  return it->second;
}

const std::string& BpeModel::TokenText(int id) const {
  static const std::string kEmpty;
  return id >= 0 && static_cast<size_t>(id) < id_to_token_.size() ? id_to_token_[static_cast<size_t>(id)] : kEmpty;
}

std::vector<std::string> BpeModel::Merges() const {
  std::vector<std::pair<int, std::string>> ranked;
  for (const auto& [key, merge] : merges_) {
    ranked.emplace_back(merge.rank, TokenText(static_cast<int>(key >> 32)) + " " +
                                        TokenText(static_cast<int>(key & 0xffffffffu)));
  }
  std::sort(ranked.begin(), ranked.end());
  std::vector<std::string> out;
  for (auto& [rank, text] : ranked) out.push_back(std::move(text));
  return out;
}

void BpeModel::EncodeCharacters(const std::string& word, std::vector<int>& symbols) const {
  bool previous_unk = false;
  for (size_t i = 0; i < word.size();) {
    size_t n = std::min<size_t>(static_cast<size_t>(Utf8Length(static_cast<unsigned char>(word[i]))), word.size() - i);
    auto it = vocab_.find(word.substr(i, n));
    if (it != vocab_.end()) {
      symbols.push_back(it->second);
      previous_unk = false;
    } else {
      bool all_bytes = byte_fallback_;
      for (size_t k = 0; k < n && all_bytes; ++k) all_bytes = byte_tokens_[static_cast<unsigned char>(word[i + k])] >= 0;
      if (all_bytes) {
        for (size_t k = 0; k < n; ++k) symbols.push_back(byte_tokens_[static_cast<unsigned char>(word[i + k])]);
        previous_unk = false;
      } else if (unk_id_ && !(fuse_unk_ && previous_unk)) {
        symbols.push_back(*unk_id_);
        previous_unk = true;
      }
    }
    i += n;
  }
}

void BpeModel::Encode(const std::string& word, std::vector<int>& out) const {
  if (word.empty()) return;
  if (ignore_merges_) {
    auto it = vocab_.find(word);
    if (it != vocab_.end()) {
      out.push_back(it->second);
      return;
    }
  }
  std::vector<int> ids;
  EncodeCharacters(word, ids);
  size_t n = ids.size();
  std::vector<int> prev(n), next(n);
  for (size_t i = 0; i < n; ++i) {
    prev[i] = static_cast<int>(i) - 1;
    next[i] = i + 1 < n ? static_cast<int>(i) + 1 : -1;
  }
  // Candidate merges ordered by rank, then position; stale ones are skipped when popped.
  struct Candidate {
    int rank;
    int left;
    int left_id, right_id;
    bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : left > o.left; }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
  auto consider = [&](int left) {
    if (left < 0 || next[static_cast<size_t>(left)] < 0) return;
    int right = next[static_cast<size_t>(left)];
    auto it = merges_.find(PairKey(ids[static_cast<size_t>(left)], ids[static_cast<size_t>(right)]));
    if (it != merges_.end()) queue.push({it->second.rank, left, ids[static_cast<size_t>(left)], ids[static_cast<size_t>(right)]});
  };
  for (size_t i = 0; i + 1 < n; ++i) consider(static_cast<int>(i));
  std::vector<bool> gone(n, false);
  while (!queue.empty()) {
    Candidate c = queue.top();
    queue.pop();
    size_t left = static_cast<size_t>(c.left);
    if (gone[left] || ids[left] != c.left_id || next[left] < 0) continue;
    size_t right = static_cast<size_t>(next[left]);
    if (ids[right] != c.right_id) continue;
    ids[left] = merges_.at(PairKey(c.left_id, c.right_id)).result;
    gone[right] = true;
    next[left] = next[right];
    if (next[right] >= 0) prev[static_cast<size_t>(next[right])] = static_cast<int>(left);
    consider(prev[left]);
    consider(static_cast<int>(left));
  }
  for (size_t i = 0; i < n; ++i) {
    if (!gone[i]) out.push_back(ids[i]);
  }
}

}  // namespace kaif::tokenizer
