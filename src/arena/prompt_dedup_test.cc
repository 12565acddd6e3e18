#include "arena/prompt_dedup.h"

#include <gtest/gtest.h>

#include <unicode/unistr.h>

#include <random>
#include <thread>

namespace kaif::arena {
namespace {

// Near duplicates below are well above the threshold (exact Jaccard 0.87 to 1): the
// estimate's standard error is about 0.03, so a pair at 0.82 could go either way.
const std::string kEnglish =
    "Can you explain the difference between a list and a tuple in Python, with a short example of each and a note on "
    "when to prefer one over the other?";
const std::string kKorean =
    "서울에서 부산까지 기차로 가는 가장 빠른 방법과 대략적인 소요 시간, 그리고 요금을 자세히 알려주세요. 주말 아침에 "
    "출발하는 기준으로, 어른 두 명과 어린이 한 명이 함께 갈 때를 생각해 주세요.";

TEST(PromptDedupTest, NormalisationFoldsWidthCaseSpacesAndPunctuation) {
  EXPECT_EQ(NormalizePrompt("  Ｗｈａｔ　ＩＳ the   Capital\tof France?!  "), "what is the capital of france");
  EXPECT_EQ(NormalizePrompt("Straße — ΣΊΣΥΦΟΣ"), "strasse σίσυφοσ");
  EXPECT_EQ(NormalizePrompt("안녕하세요!! 반갑습니다…"), "안녕하세요 반갑습니다");
  // Decomposed jamo (NFD, as some macOS input gives) are the composed syllables.
  EXPECT_EQ(NormalizePrompt("\u1112\u1161\u11ab\u1100\u1173\u11af"), "한글");
  // Halfwidth katakana and circled digits are their plain forms.
  EXPECT_EQ(NormalizePrompt("ｶﾀｶﾅ ①"), "カタカナ 1");
  // Zero-width and control characters vanish.
  EXPECT_EQ(NormalizePrompt("a\u200bb\u0007c\u00ad"), "abc");
  EXPECT_EQ(NormalizePrompt(""), "");
  EXPECT_EQ(NormalizePrompt(" ...!!! "), "");
}

TEST(PromptDedupTest, ExactDuplicatesAfterNormalisation) {
  PromptDedup dedup;
  dedup.Add(7, "What is the capital of France? Please answer briefly.");
  for (const std::string& again : {std::string("what is the capital of france please answer briefly"),
                                   std::string("ＷＨＡＴ　ＩＳ　ＴＨＥ　ＣＡＰＩＴＡＬ　ＯＦ　ＦＲＡＮＣＥ？ Please answer, briefly!!!"),
                                   std::string("  What is the capital of France?\n\nPlease answer briefly.  ")}) {
    std::optional<PromptMatch> m = dedup.Find(again);
    ASSERT_TRUE(m.has_value()) << again;
    EXPECT_EQ(m->id, 7);
    EXPECT_TRUE(m->exact);
    EXPECT_EQ(m->similarity, 1.0);
  }
  dedup.Add(8, kKorean);
  std::optional<PromptMatch> m = dedup.Find(
      "서울에서   부산까지 기차로 가는 가장 빠른 방법과 대략적인 소요 시간 그리고 요금을 자세히 알려주세요 주말 아침에 "
      "출발하는 기준으로 어른 두 명과 어린이 한 명이 함께 갈 때를 생각해 주세요!");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->id, 8);
  EXPECT_TRUE(m->exact);
  // The newest of several exact duplicates.
  dedup.Add(9, kKorean);
  EXPECT_EQ(dedup.Find(kKorean)->id, 9);
}

TEST(PromptDedupTest, EnglishNearDuplicates) {
  PromptDedup dedup;
  dedup.Add(1, kEnglish);
  const std::string variants[] = {
      // One word changed.
      "Can you explain the difference between a list and a set in Python, with a short example of each and a note on "
      "when to prefer one over the other?",
      // Another word, and a comma dropped.
      "Could you explain the difference between a list and a tuple in Python with a short example of each and a note on "
      "when to prefer one over the other?",
      // Case and punctuation changed, and a word.
      "CAN you explain the difference between a list and a tuple in python -- with a short example for each and a note "
      "on when to prefer one over the other",
      // Spacing gone wrong.
      "Can you explain the difference between alist and a tuple in Python, with a short example of each and a note on "
      "when to prefer one over the other?",
  };
  for (const std::string& v : variants) {
    std::optional<PromptMatch> m = dedup.Find(v);
    ASSERT_TRUE(m.has_value()) << v << " (Jaccard " << ShingleJaccard(kEnglish, v) << ")";
    EXPECT_EQ(m->id, 1);
    EXPECT_FALSE(m->exact);
    EXPECT_GE(m->similarity, 0.8);
    EXPECT_NEAR(m->similarity, ShingleJaccard(kEnglish, v), 0.12) << v;
  }
  // Spaces removed altogether: the shingles (taken without spaces) are the same.
  std::optional<PromptMatch> m = dedup.Find(
      "Canyouexplainthedifferencebetweenalistandatupleinpython,withashortexampleofeachandanoteonwhentopreferoneovertheother?");
  ASSERT_TRUE(m.has_value());
  EXPECT_FALSE(m->exact);
  EXPECT_EQ(m->similarity, 1.0);
}

TEST(PromptDedupTest, KoreanNearDuplicates) {
  PromptDedup dedup;
  dedup.Add(1, kKorean);
  const std::string variants[] = {
      // One word changed: 부산 -> 대구.
      "서울에서 대구까지 기차로 가는 가장 빠른 방법과 대략적인 소요 시간, 그리고 요금을 자세히 알려주세요. 주말 아침에 "
      "출발하는 기준으로, 어른 두 명과 어린이 한 명이 함께 갈 때를 생각해 주세요.",
      // One syllable: 두 -> 세.
      "서울에서 부산까지 기차로 가는 가장 빠른 방법과 대략적인 소요 시간, 그리고 요금을 자세히 알려주세요. 주말 아침에 "
      "출발하는 기준으로, 어른 세 명과 어린이 한 명이 함께 갈 때를 생각해 주세요.",
      // Spacing and punctuation.
      "서울에서부산까지 기차로가는 가장빠른 방법과 대략적인 소요시간 그리고 요금을 자세히 알려주세요 주말아침에 출발하는 "
      "기준으로 어른 두명과 어린이 한명이 함께 갈때를 생각해주세요",
      // A fullwidth word added.
      "서울에서 부산까지 ＫＴＸ 기차로 가는 가장 빠른 방법과 대략적인 소요 시간, 그리고 요금을 자세히 알려주세요!! 주말 "
      "아침에 출발하는 기준으로, 어른 두 명과 어린이 한 명이 함께 갈 때를 생각해 주세요.",
  };
  for (const std::string& v : variants) {
    std::optional<PromptMatch> m = dedup.Find(v);
    ASSERT_TRUE(m.has_value()) << v << " (Jaccard " << ShingleJaccard(kKorean, v) << ")";
    EXPECT_EQ(m->id, 1);
    EXPECT_FALSE(m->exact);
    EXPECT_NEAR(m->similarity, ShingleJaccard(kKorean, v), 0.12) << v;
  }
}

TEST(PromptDedupTest, UnrelatedAndMerelySimilarPromptsAreNotMatched) {
  PromptDedup dedup;
  dedup.Add(1, kEnglish);
  dedup.Add(2, kKorean);
  dedup.Add(3, "양자역학에 대해 자세히 설명해 주세요");
  for (const std::string& other : {
           std::string("Write a haiku about the first snow of winter in Seoul."),
           std::string("Can you explain the difference between a process and a thread in an operating system?"),
           std::string("부산에서 제주도까지 배로 가는 방법을 알려주세요."),
           std::string("서울에서 부산까지 자동차로 가는 길에 들를 만한 맛집을 추천해 주세요."),
           // The same template, another topic: a different question.
           std::string("상대성이론에 대해 자세히 설명해 주세요"),
           std::string("인공지능에 대해 자세히 설명해 주세요"),
       }) {
    std::optional<PromptMatch> m = dedup.Find(other);
    EXPECT_FALSE(m.has_value()) << other << " matched " << m->id << " at " << m->similarity;
  }
  // A one-word change in a short question is another question.
  dedup.Add(4, "서울 날씨 어때요 오늘");
  EXPECT_FALSE(dedup.Find("부산 날씨 어때요 오늘").has_value());
}

TEST(PromptDedupTest, ShortPromptsAreNeverFlaggedByDefault) {
  PromptDedup dedup;
  for (const char* greeting : {"hi", "안녕하세요", "hello there", "hello there!"}) {
    EXPECT_FALSE(dedup.Find(greeting).has_value()) << greeting;
    dedup.Add(1, greeting);
  }
  EXPECT_EQ(dedup.Size(), 0u);  // not even remembered
  // 11 code points is short; 12 is not (spaces do not count).
  dedup.Add(2, "abcdef ghijkl");
  dedup.Add(3, "abcdef ghijk");
  EXPECT_EQ(dedup.Size(), 1u);
  EXPECT_TRUE(dedup.Find("ABCDEF GHIJKL!").has_value());
  EXPECT_FALSE(dedup.Find("abcdef ghijk").has_value());
  dedup.Add(4, "날씨가 정말 좋네요 오늘은");  // 11 syllables
  EXPECT_FALSE(dedup.Find("날씨가 정말 좋네요 오늘은").has_value());

  PromptDedupOptions o;
  o.flag_short_exact = true;
  PromptDedup strict(o);
  strict.Add(5, "안녕하세요!");
  std::optional<PromptMatch> m = strict.Find("안녕하세요");
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->exact);
  EXPECT_EQ(m->id, 5);
  strict.Add(6, "hello there");
  EXPECT_FALSE(strict.Find("hello where").has_value());  // short prompts: exact repeats only
}

TEST(PromptDedupTest, OldestIsForgottenBeyondTheWindow) {
  PromptDedupOptions o;
  o.window = 3;
  PromptDedup dedup(o);
  const std::string p[] = {"the first prompt of the test", "the second prompt, a different one",
                           "a third prompt about something else", "and a fourth prompt, the last one"};
  for (int i = 0; i < 4; ++i) dedup.Add(i, p[i]);
  EXPECT_EQ(dedup.Size(), 3u);
  EXPECT_FALSE(dedup.Find(p[0]).has_value());
  for (int i = 1; i < 4; ++i) EXPECT_EQ(dedup.Find(p[i])->id, i);

  // Chains through many generations of the ring: the newest copy inside the window.
  o.window = 50;
  PromptDedup ring(o);
  std::mt19937_64 rng(1);
  for (int i = 0; i < 2000; ++i) {
    if (i % 7 == 0) {
      ring.Add(i, kEnglish);
    } else {
      ring.Add(i, "filler prompt number " + std::to_string(rng()) + " about nothing in particular");
    }
    std::optional<PromptMatch> m = ring.Find(kEnglish);
    ASSERT_TRUE(m.has_value()) << i;
    EXPECT_EQ(m->id, i - i % 7);
  }
  EXPECT_EQ(ring.Size(), 50u);
  for (int i = 2000; i < 2050; ++i) ring.Add(i, "another filler prompt " + std::to_string(i) + " nothing else");
  EXPECT_FALSE(ring.Find(kEnglish).has_value());
}

TEST(PromptDedupTest, InvalidUtf8NeverCrashes) {
  PromptDedupOptions o;
  o.min_chars = 1;
  PromptDedup dedup(o);
  const std::string bad[] = {
      "\xff\xfe\xfd\xfc\xfb\xfa",
      "truncated \xe1\x84",
      "surrogate \xed\xa0\x80 encoded",
      "overlong \xc0\xaf slash",
      std::string("embedded \0 nul \0 bytes here", 27),
      "\xf4\x90\x80\x80 beyond U+10FFFF",
      std::string(3000, '\x80'),
  };
  int64_t id = 0;
  for (const std::string& b : bad) {
    const std::string n = NormalizePrompt(b);
    icu::UnicodeString check = icu::UnicodeString::fromUTF8(n);
    std::string round;
    check.toUTF8String(round);
    EXPECT_EQ(round, n);  // valid UTF-8 out
    (void)dedup.Find(b);
    dedup.Add(++id, b);
    std::optional<PromptMatch> m = dedup.Find(b);
    ASSERT_TRUE(m.has_value());
    EXPECT_TRUE(m->exact);
  }
  EXPECT_EQ(NormalizePrompt("ok \xff ok"), "ok \xef\xbf\xbd ok");  // U+FFFD
}

TEST(PromptDedupTest, TenThousandPromptsQuickly) {
  // A vocabulary of English and Korean words; prompts of 10 to 20 random words.
  const std::vector<std::string> words = {
      "model", "answer", "explain", "python", "seoul", "weather", "history", "recipe", "kimchi", "train", "music",
      "write", "poem", "about", "the", "river", "mountain", "code", "bug", "fix", "translate", "korean", "english",
      "서울", "부산", "날씨", "역사", "요리", "김치", "기차", "음악", "시를", "써줘", "설명해", "주세요", "코드", "버그",
      "번역", "한국어", "영어", "산", "강", "바다", "여행", "추천", "방법", "이유", "차이", "알려줘", "비교해"};
  std::mt19937_64 rng(42);
  auto prompt = [&] {
    std::string p;
    const int n = 10 + static_cast<int>(rng() % 11);
    for (int i = 0; i < n; ++i) p += words[rng() % words.size()] + " ";
    return p;
  };
  PromptDedup dedup;
  std::vector<std::string> planted;
  int false_matches = 0, found = 0;
  for (int i = 0; i < 10000; ++i) {
    std::string p = prompt();
    if (i % 100 == 0) planted.push_back(p);
    if (i % 100 == 50) {
      // Plant a near duplicate of an earlier prompt: one word more at the end.
      p = planted.back() + "please";
      std::optional<PromptMatch> m = dedup.Find(p);
      found += m.has_value() && m->id == i - 50;
    } else {
      false_matches += dedup.Find(p).has_value();
    }
    dedup.Add(i, p);
  }
  EXPECT_EQ(found, 100);
  // Random word salad from a 50-word vocabulary shares many shingles by chance; still,
  // almost none reach 0.8.
  EXPECT_LT(false_matches, 20);
  EXPECT_EQ(dedup.Size(), 10000u);
}

TEST(PromptDedupTest, ManyThreadsAddAndFind) {
  PromptDedupOptions o;
  o.window = 500;
  PromptDedup dedup(o);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&dedup, t] {
      for (int i = 0; i < 400; ++i) {
        const std::string p = "thread " + std::to_string(t) + " asks question number " + std::to_string(i % 50);
        (void)dedup.Find(p);
        dedup.Add(t * 1000 + i, p);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(dedup.Size(), 500u);
  // Which thread's prompts are still in the window depends on the interleaving; every
  // exact match found is the right one. (The prompts differ in a digit or two, so many
  // are near duplicates of each other too.)
  int exact = 0;
  for (int t = 0; t < 4; ++t) {
    for (int q = 0; q < 50; ++q) {
      std::optional<PromptMatch> m = dedup.Find("thread " + std::to_string(t) + " asks question number " + std::to_string(q));
      if (!m || !m->exact) continue;
      ++exact;
      EXPECT_EQ(m->id / 1000, t);
      EXPECT_EQ(m->id % 1000 % 50, q);
    }
  }
  EXPECT_GE(exact, 50);  // the last thread to finish added its last 50 questions last
}

}  // namespace
}  // namespace kaif::arena
