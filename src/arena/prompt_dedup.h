// Duplicate and near-duplicate prompts among the recent ones: a battle whose prompt
// repeats an earlier battle's is flagged (and left out of the ratings by the
// duplicate_prompt filter), because one person pasting the same prompt again and again,
// and voting the same way each time, outweighs everyone else.
//
// Prompts are compared after normalisation: Unicode NFKC with case folding (fullwidth
// "ＡＢＣ" is "abc", "Hello" is "hello", decomposed Hangul jamo are syllables),
// punctuation and control characters removed, runs of white space one space. Identical
// normalised text is an exact duplicate. Near duplicates are measured on the normalised
// text without its spaces (Korean spacing is famously free), as the Jaccard similarity of
// the sets of 4-code-point shingles, estimated by MinHash (128 hash functions) and found
// by locality-sensitive hashing (16 bands of 4 of them: a pair at similarity 0.8 becomes
// a candidate with probability 0.9998, unrelated prompts almost never), then confirmed
// when the estimate reaches the threshold (0.8). The estimate's standard error is about
// 0.03, so pairs near the threshold go either way. In words: one word changed in a
// Korean prompt of 80 characters (English: 120) stays a near duplicate (similarity
// about 0.87); in a short question it does not, and should not ("서울 날씨 알려줘" and
// "부산 날씨 알려줘" are different questions).
//
// Short prompts (fewer than min_chars code points after normalisation, spaces not
// counted) are never flagged by default, and not remembered: everyone says "hi" and
// "안녕하세요", and that is not gaming. flag_short_exact flags their exact repeats too.
//
// Memory: about 0.65 KB per remembered prompt (a signature of 128 16-bit values, chain
// links and hash-table slots; measured), so 65 MB at the default window of 100,000; the
// oldest prompt is forgotten beyond the window. The prompts' text is not kept.
//
// Input is any bytes: invalid UTF-8 is read as U+FFFD, never a crash; only the first
// MiB of a prompt is read. Thread-safe: Find shares a lock, Add takes it alone, and the
// normalisation and hashing run outside it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace kaif::arena {

struct PromptDedupOptions {
  size_t window = 100000;  // prompts remembered (at most 2^30)
  double threshold = 0.8;  // estimated Jaccard similarity that makes a near duplicate
  size_t min_chars = 12;
  bool flag_short_exact = false;
  // Candidates confirmed per Find at most (the newest first), bounding the work when
  // thousands of remembered prompts share a band.
  size_t max_candidates = 256;
};

struct PromptMatch {
  int64_t id = 0;           // the id given to Add
  double similarity = 0;    // estimated Jaccard similarity; 1 for an exact duplicate
  bool exact = false;       // the same text after normalisation
};

// The normalised text (UTF-8): what "the same text" means.
std::string NormalizePrompt(const std::string& prompt);

// The exact Jaccard similarity of the two prompts' shingle sets (what Find estimates),
// for tests and for tuning the threshold.
double ShingleJaccard(const std::string& a, const std::string& b);

class PromptDedup {
 public:
  using Match = PromptMatch;

  explicit PromptDedup(PromptDedupOptions options = {});
  ~PromptDedup();
  PromptDedup(const PromptDedup&) = delete;
  PromptDedup& operator=(const PromptDedup&) = delete;

  // The remembered prompt this one repeats: an exact duplicate if there is one (the
  // newest), else the most similar near duplicate at or above the threshold (the newest
  // among equals); nullopt for none, and for a short prompt (see above).
  std::optional<PromptMatch> Find(const std::string& prompt) const;

  // Remembers the prompt under `id` (the battle's), forgetting the oldest beyond the
  // window. A short prompt is not remembered unless flag_short_exact.
  void Add(int64_t id, const std::string& prompt);

  size_t Size() const;  // prompts remembered

 private:
  class Index;
  std::unique_ptr<Index> index_;
};

}  // namespace kaif::arena
