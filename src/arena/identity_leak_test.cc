#include "arena/identity_leak.h"

#include <gtest/gtest.h>

namespace kaif::arena {
namespace {

struct Case {
  const char* answer;
  const char* name;  // nullptr: no leak
};

IdentityLeakDetector BuiltInOnly() { return IdentityLeakDetector({}); }

void Expect(const IdentityLeakDetector& detector, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    const std::optional<std::string> found = detector.Find(c.answer);
    if (c.name) {
      EXPECT_EQ(found, std::optional<std::string>(c.name)) << c.answer;
    } else {
      EXPECT_EQ(found, std::nullopt) << c.answer;
    }
  }
}

TEST(IdentityLeakTest, EnglishSelfIdentification) {
  Expect(BuiltInOnly(), {
      {"I am ChatGPT, developed by OpenAI.", "ChatGPT"},
      {"Hello! I'm Claude, an AI assistant made by Anthropic.", "Claude"},
      {"I’m a large language model, trained by Google.", "Google"},  // curly apostrophe
      {"As an AI language model developed by OpenAI, I cannot browse the web.", "OpenAI"},
      {"My name is Gemini. How can I help?", "Gemini"},
      {"I was created by the team at Upstage.", "Upstage"},
      {"I am **Grok**, built by xAI.", "Grok"},
      {"As ChatGPT, I can help you with that.", "ChatGPT"},
      {"I'm based on Meta's Llama 3 model.", "Meta"},
      {"I am an AI assistant called HyperCLOVA X.", "HyperCLOVA X"},
      {"Sure. I am GPT-4o, the latest model.", "GPT-4o"},  // the longest name at the place
      {"I am ＣｈａｔＧＰＴ.", "ChatGPT"},                  // fullwidth
      {"I am Chat\u200bGPT.", "ChatGPT"},                   // a zero-width space inside
      {"I AM CLAUDE", "Claude"},
      {"My creators at Anthropic trained me to be helpful.", "Anthropic"},
      {"Call me Qwen, an assistant from Alibaba Cloud.", "Qwen"},
      {"I've been trained by DeepSeek.", "DeepSeek"},
      {"I am the EXAONE model from LG AI Research.", "EXAONE"},
      {"I am A.X, made by SKT.", "A.X"},
  });
}

TEST(IdentityLeakTest, EnglishMentionsThatAreNotSelfIdentification) {
  Expect(BuiltInOnly(), {
      {"Paris is the capital of France.", nullptr},
      {"Llamas are domesticated South American animals; a llama can carry a quarter of its weight.", nullptr},
      {"I am happy to explain how Google search ranks pages.", nullptr},
      {"As a result, solar power has become cheaper than coal.", nullptr},
      {"I'm not sure whether Gemini or Claude is better for coding.", nullptr},
      {"The transformer architecture was developed by Google researchers in 2017.", nullptr},
      {"I think ChatGPT was released by OpenAI in 2022.", nullptr},
      {"My favourite open model is Llama.", nullptr},
      {"As Google's report shows, adoption grew.", nullptr},  // "as" and a maker: no
      {"Claude Monet was a French painter. I am fond of his water lilies.", nullptr},
      {"I am a fan of the Mistral wind in Provence.", nullptr},
      {"I was in Seoul when Naver announced it.", nullptr},
      {"I am. Google it.", nullptr},  // a sentence ends between them
      {"", nullptr},
  });
}

TEST(IdentityLeakTest, KoreanSelfIdentification) {
  Expect(BuiltInOnly(), {
      {"저는 네이버가 만든 하이퍼클로바입니다.", "네이버"},
      {"안녕하세요! 저는 OpenAI에서 개발한 AI 언어 모델입니다.", "OpenAI"},
      {"저는 구글이 개발한 제미나이예요.", "구글"},
      {"제 이름은 클로드입니다.", "클로드"},
      {"저는 챗GPT입니다. 무엇을 도와드릴까요?", "챗GPT"},
      {"저는 하이퍼클로바X예요!", "하이퍼클로바X"},
      {"저는 대규모 언어 모델로, 업스테이지에서 훈련되었습니다.", "업스테이지"},
      {"안녕하세요, 저는 카카오의 카나나입니다.", "카카오"},
      {"저는 엑사원이에요. LG AI연구원이 만들었어요.", "엑사원"},
      {"제가 바로 그록입니다.", "그록"},
      {"저는 메타의 라마 모델을 기반으로 합니다.", "메타"},
      // No self-reference, but the opening clause introduces the answerer.
      {"클로드입니다. 무엇을 도와드릴까요?", "클로드"},
      {"안녕하세요, 엑사원입니다.", "엑사원"},
      {"OpenAI에서 개발한 ChatGPT입니다.", "OpenAI"},
  });
}

TEST(IdentityLeakTest, KoreanMentionsThatAreNotSelfIdentification) {
  Expect(BuiltInOnly(), {
      {"파리는 프랑스의 수도입니다.", nullptr},
      {"저는 구글 검색을 직접 할 수는 없지만, 방법을 알려드릴게요.", nullptr},
      {"저는 네이버 블로그를 추천합니다.", nullptr},
      {"구글이 개발한 트랜스포머는 2017년에 발표되었습니다.", nullptr},
      {"클로드는 앤트로픽이 개발한 AI입니다.", nullptr},  // about Claude, as the topic
      {"저는 라마단 기간에 보기 좋은 드라마를 추천합니다.", nullptr},  // 라마단 is no 라마
      {"저는 카카오톡으로 친구와 연락합니다.", nullptr},
      {"메타버스에 대해 설명드릴게요.", nullptr},
      {"네이버 지도에서 길을 찾아보세요.", nullptr},
      {"라마는 남아메리카의 낙타과 동물입니다.", nullptr},
      {"질문에 답하기 전에, 구글이 만든 검색 엔진을 써 보셨나요?", nullptr},
      {"저는 AI라서 구글 검색은 못 해요.", nullptr},
      {"저는 개인적으로 네이버를 더 자주 씁니다.", nullptr},
  });
}

TEST(IdentityLeakTest, ArenaNamesAndTeams) {
  const IdentityLeakDetector detector({"hanbit-7b", "한빛", "kaif-small", "AI", "x", "모델", "open"});
  Expect(detector, {
      {"I am hanbit-7b, a helpful assistant.", "hanbit-7b"},
      {"I'm HANBIT-7B.", "hanbit-7b"},
      {"저는 한빛에서 만든 모델입니다.", "한빛"},
      {"저는 kaif-small입니다.", "kaif-small"},
      {"I am hanbit-7bx.", nullptr},  // another word
      {"hanbit-7b is a model I have not heard of.", nullptr},
      {"I am an AI model.", nullptr},  // "AI" as a team name is ignored
      {"I am open to questions.", nullptr},
  });
  EXPECT_EQ(detector.ignored(), (std::vector<std::string>{"AI", "x", "모델", "open"}));
  // Built-in names still count alongside.
  EXPECT_EQ(detector.Find("I am Claude."), "Claude");
}

TEST(IdentityLeakTest, OddInputIsSafe) {
  const IdentityLeakDetector detector = BuiltInOnly();
  // Invalid bytes read as U+FFFD, a symbol, and NUL a control character: both separate
  // words like a space.
  EXPECT_EQ(detector.Find("I am \xff\xfe ChatGPT"), "ChatGPT");
  EXPECT_EQ(detector.Find("I am ChatGPT\xff"), "ChatGPT");
  EXPECT_EQ(detector.Find(std::string("I am \0 Claude", 13)), "Claude");
  EXPECT_EQ(detector.Find("\xed\xa0\x80\xc0\xaf\xe1\x84"), std::nullopt);
  EXPECT_EQ(detector.Find(std::string(100000, 'a') + " I am Claude"), "Claude");
  EXPECT_EQ(detector.Find(std::string(5000, '.') + "!!!?"), std::nullopt);
  EXPECT_EQ(detector.Find("I am\n\nClaude"), std::nullopt);  // a line break ends the sentence
  EXPECT_EQ(detector.Find("- I am 'Claude'"), "Claude");
}

}  // namespace
}  // namespace kaif::arena
