#include "arena/answer_style.h"

#include <gtest/gtest.h>

namespace kaif::arena {
namespace {

TEST(AnswerStyleTest, CountsMarkdownAsStyleControlReadsIt) {
  const AnswerStyle s = StyleOf("# 제목\n## Part\n- one\n* two\n+ three\n1. first\n10. tenth\n**bold** and __also__\n#hashtag\n-not a list");
  EXPECT_EQ(s.headers, 2);
  EXPECT_EQ(s.lists, 5);
  EXPECT_EQ(s.bold, 2);
  EXPECT_GT(s.tokens, 0);
  const AnswerStyle empty = StyleOf("");
  EXPECT_EQ(empty.tokens, 0);
  EXPECT_EQ(empty.headers + empty.lists + empty.bold, 0);
}

}  // namespace
}  // namespace kaif::arena
