// Answers that reveal who answered: "I am ChatGPT, developed by OpenAI", "저는 네이버가
// 만든 하이퍼클로바입니다". A voter who knows which model is which no longer votes blind,
// so such a battle is flagged (identity_revealed) and left out of the ratings.
//
// A name alone is not a leak: an answer may well discuss Google, Meta's Llama or the
// animal, and "Paris is the capital" must never trigger. A name counts only where the
// answer speaks of itself:
//   - after a self-reference ("I am", "I'm", "I was", "I've been", "call me", "my ...",
//     "as ...", "저는", "나는", "난", "제가", "내가", "저를", "제 이름은", "내 이름은"),
//     within one sentence and with nothing between them but filler words (at most 8):
//     articles, "AI", "large language model", "assistant", "developed/created/trained/
//     made/built by", "based on", "from", "team at", "언어 모델", "개발한", "만든",
//     "기반" ... So "I'm a large language model trained by Google" and "My creators at
//     Anthropic" count, "I am happy to explain how Google works" and "I'm not sure
//     whether Gemini..." do not. "my" and "as" are weak: they need a self noun among the
//     fillers ("my name is", "as an AI developed by"), or, for "as", a model's name right
//     after ("As ChatGPT, I"). Filler words, not a distance in characters: a 40-character
//     window would flag "I am happy to explain how Google search works".
//   - after a Korean self-reference, the rest of the clause must also be names and
//     fillers ("저는 구글이 개발한 제미나이입니다" counts; "저는 구글 검색을 할 수 없지만"
//     does not), because Korean puts the verb last.
//   - the answer's opening clause (after greetings) with no self-reference, in Korean:
//     only names and fillers, a model's name or a word of making in it, and no name as
//     the topic ("클로드입니다.", "OpenAI에서 개발한 ChatGPT입니다." count; "클로드는
//     앤트로픽이 개발한 AI입니다." describes Claude and does not).
//
// Names match case-insensitively after NFKC (fullwidth "ＧＰＴ" is "gpt"), at the start of
// a word: Latin names end where a letter or digit does not follow ("llamas" is no Llama,
// "GPT-4o" is not "GPT-4" but itself); Korean names may be followed only by a particle
// or copula ("클로드는", "네이버가", "클로드입니다"; "라마단", "메타버스" and "카카오톡" are
// not names). The longest name at a place wins.
//
// Known misses and false alarms, accepted: a self-description without a self-reference
// ("This AI was developed by Naver"), and role-play in the first person ("I am a llama
// farmer", "I am a Gemini" by birth) with a name that is also a common word.
//
// The built-in list has the well-known models and makers in English and Korean
// spellings; the arena adds its own model and team names (names of fewer than two
// characters, or that are filler words like "AI", are ignored: see ignored()).
// Immutable after construction, so Find is safe from any number of threads.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace kaif::arena {

class IdentityLeakDetector {
 public:
  // `names`: the arena's model and team names ("hanbit-7b", "한빛"), treated as model
  // names; added to the built-in list. (No default argument: `IdentityLeakDetector({})`
  // must not be ambiguous with the copy constructor.)
  explicit IdentityLeakDetector(const std::vector<std::string>& names);

  // The name the answer identifies itself with (spelled as listed), or nullopt. The
  // first self-identification in the answer wins.
  std::optional<std::string> Find(const std::string& answer) const;

  // The arena names passed in that are not matched (too short, or a filler word).
  const std::vector<std::string>& ignored() const { return ignored_; }

 private:
  struct Name {
    std::string text;     // normalised: NFKC, case folded, single spaces
    std::string display;  // as listed
    bool model = false;   // a model (not a maker)
    bool hangul_end = false;
  };
  std::vector<Name> names_;  // longest first
  std::vector<std::string> ignored_;
};

}  // namespace kaif::arena
