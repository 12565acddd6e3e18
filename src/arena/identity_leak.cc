#include "arena/identity_leak.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <string_view>
#include <unordered_set>

namespace kaif::arena {
namespace {

constexpr size_t kMaxAnswerBytes = 1 << 20;  // an answer longer than this is read in part
constexpr int kMaxGap = 8;                   // filler tokens between a self-reference and a name
constexpr int kMaxClauseRest = 10;           // tokens after a name in a Korean clause

struct BuiltIn {
  const char* name;
  bool model;
};

// Models (true) and makers (false), in the spellings answers use.
constexpr BuiltIn kBuiltIn[] = {
    // OpenAI
    {"ChatGPT", true}, {"챗GPT", true}, {"챗지피티", true}, {"GPT", true}, {"지피티", true}, {"GPT-3.5", true},
    {"GPT-4", true}, {"GPT-4o", true}, {"GPT-4.1", true}, {"GPT-4.5", true}, {"GPT-5", true}, {"OpenAI", false},
    {"오픈AI", false}, {"오픈에이아이", false},
    // Anthropic
    {"Claude", true}, {"클로드", true}, {"Anthropic", false}, {"앤트로픽", false}, {"앤스로픽", false},
    // Google
    {"Gemini", true}, {"제미나이", true}, {"제미니", true}, {"Gemma", true}, {"젬마", true}, {"Bard", true},
    {"바드", true}, {"PaLM", true}, {"Google", false}, {"구글", false}, {"DeepMind", false}, {"Google DeepMind", false},
    {"딥마인드", false},
    // Meta
    {"Llama", true}, {"라마", true}, {"Meta AI", false}, {"Meta", false}, {"메타", false},
    // Mistral
    {"Mistral", true}, {"미스트랄", true}, {"Mixtral", true}, {"믹스트랄", true}, {"Mistral AI", false},
    // Alibaba
    {"Qwen", true}, {"큐웬", true}, {"큐원", true}, {"Tongyi", true}, {"Alibaba", false}, {"알리바바", false},
    // Others abroad
    {"DeepSeek", true}, {"딥시크", true}, {"Grok", true}, {"그록", true}, {"xAI", false}, {"Copilot", true},
    {"코파일럿", true}, {"Bing Chat", true}, {"Phi-3", true}, {"Phi-4", true}, {"Microsoft", false},
    {"마이크로소프트", false}, {"Command R", true}, {"Cohere", false}, {"ERNIE Bot", true}, {"Baidu", false},
    {"바이두", false}, {"ChatGLM", true},
    // Naver
    {"HyperCLOVA", true}, {"HyperCLOVA X", true}, {"하이퍼클로바", true}, {"하이퍼클로바X", true}, {"CLOVA X", true},
    {"클로바X", true}, {"클로바", true}, {"Naver", false}, {"네이버", false},
    // LG
    {"EXAONE", true}, {"엑사원", true}, {"LG AI Research", false}, {"LG AI연구원", false}, {"LG AI", false},
    {"LG", false}, {"엘지", false},
    // Upstage
    {"Solar", true}, {"솔라", true}, {"Upstage", false}, {"업스테이지", false},
    // Kakao
    {"Kanana", true}, {"카나나", true}, {"Kakao", false}, {"카카오", false},
    // SKT
    {"A.X", true}, {"에이닷", true}, {"SKT", false}, {"SK Telecom", false}, {"SK텔레콤", false},
};

// Self-references. `weak` ones need a self noun among the fillers (or, for "as", a model
// named right after); `korean` ones check the rest of the clause.
struct Trigger {
  std::array<std::string_view, 3> tokens;
  int size;
  bool weak, korean;
};
constexpr Trigger kTriggers[] = {
    {{"i", "am"}, 2, false, false},      {{"i'm"}, 1, false, false},         {{"i", "was"}, 2, false, false},
    {{"i've", "been"}, 2, false, false}, {{"i", "have", "been"}, 3, false, false}, {{"call", "me"}, 2, false, false},
    {{"my"}, 1, true, false},            {{"as"}, 1, true, false},
    {{"저는"}, 1, false, true},          {{"저는요"}, 1, false, true},       {{"나는"}, 1, false, true},
    {{"난"}, 1, false, true},            {{"제가"}, 1, false, true},         {{"내가"}, 1, false, true},
    {{"저를"}, 1, false, true},          {{"나를"}, 1, false, true},         {{"제", "이름은"}, 2, false, true},
    {{"내", "이름은"}, 2, false, true},  {{"저의", "이름은"}, 2, false, true}, {{"제이름은"}, 1, false, true},
};

// Words that may stand between a self-reference and a name ("a large language model
// trained by"), compared whole; "ai입니다" (a Korean ending after them) counts too.
const std::unordered_set<std::string_view>& EnglishFillers() {
  static const std::unordered_set<std::string_view> words = {
      "a", "an", "the", "ai", "artificial", "intelligence", "large", "language", "model", "models", "assistant",
      "chatbot", "chat", "bot", "helpful", "virtual", "conversational", "generative", "multimodal", "llm", "lm",
      "version", "of", "called", "named", "known", "as", "developed", "created", "trained", "made", "built",
      "designed", "programmed", "fine-tuned", "finetuned", "released", "powered", "provided", "by", "from", "at",
      "with", "on", "based", "team", "researchers", "engineers", "company", "and", "is", "also", "officially", "just",
      "simply", "system", "program", "product", "creators", "creator", "developers", "developer", "makers", "maker",
      "underlying", "base", "architecture", "family", "series", "open-source", "open", "source", "research", "lab",
      "labs", "name", "proudly", "originally", "latest", "new", "newest", "iteration", "instance", "variant",
      "edition", "one", "currently", "actually", "really", "indeed", "here"};
  return words;
}

// Nouns that make a weak self-reference ("my", "as") about the answerer itself.
const std::unordered_set<std::string_view>& SelfNouns() {
  static const std::unordered_set<std::string_view> words = {
      "ai", "model", "models", "assistant", "chatbot", "bot", "llm", "lm", "system", "program", "product",
      "creators", "creator", "developers", "developer", "makers", "maker", "underlying", "base", "architecture", "name"};
  return words;
}

const std::unordered_set<std::string_view>& EnglishMaking() {
  static const std::unordered_set<std::string_view> words = {"developed", "created", "trained", "made", "built",
                                                              "designed", "released", "powered", "programmed"};
  return words;
}

// Korean fillers: a token starting with one of these stems ("모델입니다", "개발한",
// "기반의").
constexpr std::string_view kKoreanFillerStems[] = {
    "인공지능", "언어", "모델", "대규모", "대형", "거대", "초거대", "어시스턴트", "비서", "챗봇", "에이아이", "생성형",
    "대화형", "기반", "버전", "개발", "만든", "만들", "학습", "훈련", "설계", "제작", "출시", "의해", "바로", "한국어",
    "회사", "팀", "곳", "연구", "오픈소스", "시스템", "프로그램", "서비스", "제공", "엔진", "이라는", "라는", "입니다",
    "이에요", "예요", "이며", "이고", "그리고", "또한", "최신", "합니다", "해요", "했습니다", "했어요", "하는", "되었",
    "됐", "된"};
constexpr std::string_view kKoreanMakingStems[] = {"개발", "만든", "만들", "학습", "훈련", "설계", "제작", "출시"};

// What may follow a Korean name inside its word: particles and the copula.
const std::unordered_set<std::string_view>& KoreanEndings() {
  static const std::unordered_set<std::string_view> endings = {
      "이", "가", "은", "는", "을", "를", "의", "에", "에서", "에게", "에서는", "에서의", "에서도", "에게서", "께서",
      "와", "과", "랑", "이랑", "하고", "로", "으로", "로서", "으로서", "로써", "도", "만", "까지", "부터", "보다",
      "처럼", "에도", "로도", "으로도", "이다", "입니다", "이에요", "예요", "에요", "이야", "야", "이며", "며", "이고",
      "고", "이자", "라고", "이라고", "라는", "이라는", "라고요", "이라고요", "랍니다", "이랍니다", "임", "이죠", "죠",
      "인", "인데", "이지만", "였", "이었", "였습니다", "이었습니다", "였어요", "이었어요", "입니다만", "이고요", "이요",
      "요", "사", "측", "팀", "팀이", "팀에서", "팀의"};
  return endings;
}

const std::unordered_set<std::string_view>& Greetings() {
  static const std::unordered_set<std::string_view> words = {
      "안녕하세요", "안녕하십니까", "안녕", "반갑습니다", "반가워요", "반가워", "네", "예", "hi", "hello", "hey"};
  return words;
}

bool IsHangul(UChar32 c) {
  return (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0x1100 && c <= 0x11FF) || (c >= 0x3130 && c <= 0x318F) ||
         (c >= 0xA960 && c <= 0xA97F) || (c >= 0xD7B0 && c <= 0xD7FF);
}

bool IsAsciiAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// The code point at byte i, moving i past it (U+FFFD for a malformed sequence, which
// normalised text never has).
UChar32 Next(std::string_view s, size_t& i) {
  UChar32 c = 0;
  int32_t at = static_cast<int32_t>(i);
  U8_NEXT(s.data(), at, static_cast<int32_t>(s.size()), c);
  i = static_cast<size_t>(at);
  return c < 0 ? 0xFFFD : c;
}

UChar32 First(std::string_view s) {
  size_t i = 0;
  return Next(s, i);
}

UChar32 LastCodePoint(std::string_view s) {
  if (s.empty()) return -1;
  int32_t at = static_cast<int32_t>(s.size());
  UChar32 c = 0;
  U8_PREV(s.data(), 0, at, c);
  return c;
}

// NFKC with case folding (so "ＣｈａｔＧＰＴ" is "chatgpt" and zero-width characters are
// gone), curly apostrophes straight, white space single spaces, line breaks kept.
std::string Normalize(std::string_view text) {
  text = text.substr(0, kMaxAnswerBytes);
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(status);
  icu::UnicodeString n;
  if (U_SUCCESS(status)) n = nfkc_cf->normalize(u, status);
  if (U_FAILURE(status)) n = u.foldCase();
  icu::UnicodeString out;
  for (int32_t i = 0; i < n.length();) {
    UChar32 c = n.char32At(i);
    i = n.moveIndex32(i, 1);
    if (c == 0x2018 || c == 0x2019) c = '\'';
    if (c == '\n' || c == 0x2028 || c == 0x2029) {
      if (out.length() > 0 && out.charAt(out.length() - 1) == ' ') out.truncate(out.length() - 1);
      out.append(static_cast<UChar>('\n'));
    } else if (u_isUWhiteSpace(c)) {
      if (out.length() > 0 && out.charAt(out.length() - 1) != ' ' && out.charAt(out.length() - 1) != '\n') {
        out.append(static_cast<UChar>(' '));
      }
    } else {
      out.append(c);
    }
  }
  std::string utf8;
  out.trim().toUTF8String(utf8);
  return utf8;
}

enum Break { kNone = 0, kClause = 1, kSentence = 2 };

struct Token {
  size_t begin = 0, end = 0;
  int brk = kNone;  // the strongest break between the previous token and this one
};

// Words, and the breaks between them: sentence ends (. ! ? and line breaks), clause ends
// (, ; :). A '.' between letters or digits ("A.X", "3.5") and '-' or '\'' inside a word
// ("GPT-4o", "i'm") belong to the word.
std::vector<Token> Tokenize(std::string_view t) {
  std::vector<Token> tokens;
  int pending = kNone;
  size_t begin = std::string_view::npos;
  auto close = [&](size_t end) {
    if (begin == std::string_view::npos) return;
    while (begin < end && (t[begin] == '\'' || t[begin] == '-')) ++begin;  // "'quoted'", "- item"
    if (begin < end) {
      tokens.push_back({begin, end, pending});
      pending = kNone;
    }
    begin = std::string_view::npos;
  };
  for (size_t i = 0; i < t.size();) {
    const size_t at = i;
    const UChar32 c = Next(t, i);
    int brk = -1;  // -1: part of a word
    if (c == '\n' || c == '!' || c == '?' || c == 0x3002 /* 。 */) {
      brk = kSentence;
    } else if (c == '.') {
      brk = i < t.size() && IsAsciiAlnum(t[i]) && at > 0 && IsAsciiAlnum(t[at - 1]) ? -1 : kSentence;
    } else if (c == ',' || c == ';' || c == ':' || c == 0x3001 /* 、 */) {
      brk = kClause;
    } else if (c == '\'' || c == '-') {
      brk = -1;
    } else if (c < 0x80) {
      brk = IsAsciiAlnum(static_cast<char>(c)) ? -1 : kNone;
    } else {
      const uint32_t mask = U_GET_GC_MASK(c);
      brk = mask & (U_GC_L_MASK | U_GC_M_MASK | U_GC_N_MASK) ? -1 : kNone;
    }
    if (brk < 0) {
      if (begin == std::string_view::npos) begin = at;
    } else {
      close(at);
      pending = std::max(pending, brk);
    }
  }
  close(t.size());
  return tokens;
}

// The leading run of ASCII letters, digits, '-' and '\'' of a token, when the token is
// that run alone or that run followed by non-ASCII text (a Korean ending); else empty.
std::string_view AsciiHead(std::string_view token) {
  size_t n = 0;
  while (n < token.size() && (IsAsciiAlnum(token[n]) || token[n] == '-' || token[n] == '\'')) ++n;
  if (n < token.size() && static_cast<unsigned char>(token[n]) < 0x80) return {};
  return token.substr(0, n);
}

bool StartsWithAny(std::string_view token, const std::string_view* stems, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    if (token.substr(0, stems[i].size()) == stems[i]) return true;
  }
  return false;
}

bool IsFiller(std::string_view token) {
  const std::string_view head = AsciiHead(token);
  if (!head.empty()) return EnglishFillers().count(head) > 0;
  return StartsWithAny(token, kKoreanFillerStems, std::size(kKoreanFillerStems));
}

bool IsSelfNoun(std::string_view token) {
  const std::string_view head = AsciiHead(token);
  return !head.empty() && SelfNouns().count(head) > 0;
}

// A filler or greeting as a whole word: such an arena name would match everywhere.
bool IsFillerWord(std::string_view word) {
  return EnglishFillers().count(word) > 0 || Greetings().count(word) > 0 ||
         std::find(std::begin(kKoreanFillerStems), std::end(kKoreanFillerStems), word) != std::end(kKoreanFillerStems) ||
         std::any_of(std::begin(kTriggers), std::end(kTriggers),
                     [&](const Trigger& t) { return t.size == 1 && t.tokens[0] == word; });
}

bool IsMaking(std::string_view token) {
  const std::string_view head = AsciiHead(token);
  if (!head.empty()) return EnglishMaking().count(head) > 0;
  return StartsWithAny(token, kKoreanMakingStems, std::size(kKoreanMakingStems));
}

bool HasHangul(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (IsHangul(Next(s, i))) return true;
  }
  return false;
}

}  // namespace

IdentityLeakDetector::IdentityLeakDetector(const std::vector<std::string>& names) {
  std::unordered_set<std::string> seen;
  auto add = [&](const std::string& display, bool model, bool from_arena) {
    const std::string text = Normalize(display);
    // A name must read as words: what the tokenizer would see in an answer.
    const std::vector<Token> tokens = Tokenize(text);
    std::string rejoined;
    for (const Token& t : tokens) rejoined += (rejoined.empty() ? "" : " ") + text.substr(t.begin, t.end - t.begin);
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
    if (text.empty() || u.countChar32() < 2 || rejoined != text || (from_arena && IsFillerWord(text))) {
      if (from_arena) ignored_.push_back(display);
      return;
    }
    if (auto [it, added] = seen.insert(text); !added) {
      if (model) {
        for (Name& n : names_) n.model |= n.text == text;
      }
      return;
    }
    names_.push_back(Name{text, display, model, IsHangul(LastCodePoint(text))});
  };
  for (const std::string& n : names) add(n, true, true);  // the arena's own names first: listed as given
  for (const BuiltIn& b : kBuiltIn) add(b.name, b.model, false);
  std::stable_sort(names_.begin(), names_.end(), [](const Name& a, const Name& b) { return a.text.size() > b.text.size(); });
}

std::optional<std::string> IdentityLeakDetector::Find(const std::string& answer) const {
  const std::string t = Normalize(answer);
  const std::vector<Token> tokens = Tokenize(t);
  const size_t n = tokens.size();
  auto text = [&](size_t i) { return std::string_view(t).substr(tokens[i].begin, tokens[i].end - tokens[i].begin); };

  // The name starting at token i: its index, the token it ends in, and what follows it
  // inside that token. Memoised: the scans below ask about the same tokens repeatedly.
  struct At {
    int name = -1;
    size_t last = 0;
    std::string_view rest;
  };
  std::vector<std::optional<At>> memo(n);
  auto name_at = [&](size_t i) -> const At& {
    if (memo[i]) return *memo[i];
    At found;
    for (size_t k = 0; k < names_.size() && found.name < 0; ++k) {
      const Name& name = names_[k];
      if (t.compare(tokens[i].begin, name.text.size(), name.text) != 0) continue;
      const size_t end = tokens[i].begin + name.text.size();
      size_t last = i;
      while (last + 1 < n && tokens[last + 1].begin < end) ++last;
      if (end > tokens[last].end) continue;  // ends in a break
      const std::string_view rest = std::string_view(t).substr(end, tokens[last].end - end);
      if (!rest.empty()) {
        const UChar32 next = First(rest);
        const bool latin_end = IsAsciiAlnum(name.text.back());
        if (next < 0x80 && IsAsciiAlnum(static_cast<char>(next)) && latin_end) continue;  // "llamas", "gpt-4" in "gpt-4o"
        if (IsHangul(next) && !KoreanEndings().count(rest)) continue;  // "라마단", "카카오톡", "google드라이브"
      }
      found = At{static_cast<int>(k), last, rest};
    }
    memo[i] = found;
    return *memo[i];
  };
  auto filler_or_name = [&](size_t i) { return IsFiller(text(i)) || name_at(i).name >= 0; };

  // After a self-reference ending before token k: fillers, then a name.
  auto after_trigger = [&](size_t k, const Trigger& trigger) -> std::optional<std::string> {
    bool self_noun = false;
    for (int gap = 0; k < n && gap <= kMaxGap; ++gap, ++k) {
      if (tokens[k].brk == kSentence) return std::nullopt;
      const At& at = name_at(k);
      if (at.name >= 0) {
        const Name& name = names_[static_cast<size_t>(at.name)];
        if (trigger.weak && !self_noun && !(gap == 0 && name.model && trigger.tokens[0] == "as")) return std::nullopt;
        if (trigger.korean) {
          // Korean puts the verb last: the rest of the clause must be about the name too.
          size_t j = at.last + 1;
          for (int rest = 0; j < n && tokens[j].brk == kNone; ++j, ++rest) {
            if (rest >= kMaxClauseRest || !filler_or_name(j)) return std::nullopt;
          }
        }
        return name.display;
      }
      if (!IsFiller(text(k))) return std::nullopt;
      self_noun |= IsSelfNoun(text(k));
    }
    return std::nullopt;
  };

  for (size_t i = 0; i < n; ++i) {
    for (const Trigger& trigger : kTriggers) {
      const size_t m = static_cast<size_t>(trigger.size);
      if (i + m > n) continue;
      bool match = true;
      for (size_t j = 0; j < m && match; ++j) {
        match = text(i + j) == trigger.tokens[j] && (j == 0 || tokens[i + j].brk != kSentence);
      }
      if (!match) continue;
      if (std::optional<std::string> name = after_trigger(i + m, trigger)) return name;
    }
  }

  // The opening clause, after greetings, introducing the answerer in Korean without a
  // self-reference: "클로드입니다.", "OpenAI에서 개발한 ChatGPT입니다."
  size_t start = 0;
  while (start < n) {
    size_t end = start + 1;
    while (end < n && tokens[end].brk == kNone) ++end;
    bool greeting = true;
    for (size_t i = start; i < end && greeting; ++i) greeting = Greetings().count(text(i)) > 0;
    if (greeting) {
      start = end;
      continue;
    }
    std::optional<std::string> first;
    bool model_or_making = false;
    for (size_t i = start; i < end; ++i) {
      const At& at = name_at(i);
      if (at.name >= 0) {
        const Name& name = names_[static_cast<size_t>(at.name)];
        if (at.rest == "은" || at.rest == "는") return std::nullopt;  // the topic: about the model, not by it
        if (!first) first = name.display;
        model_or_making |= name.model;
        i = at.last;
        continue;
      }
      if (!IsFiller(text(i))) return std::nullopt;
      model_or_making |= IsMaking(text(i));
    }
    if (first && model_or_making && HasHangul(text(end - 1))) return first;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace kaif::arena
