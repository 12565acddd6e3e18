#include "serve/openai_request.h"

#include <gtest/gtest.h>

namespace kaif::serve {
namespace {

using nlohmann::json;

std::string CompletionError(const std::string& body) {
  Result<CompletionRequest> r = ParseCompletionRequest(json::parse(body));
  return r.ok() ? "" : r.status().message();
}

std::string ChatError(const std::string& body) {
  Result<ChatRequest> r = ParseChatRequest(json::parse(body));
  return r.ok() ? "" : r.status().message();
}

TEST(OpenAiRequestTest, RefusesMalformedCompletionFields) {
  EXPECT_EQ(CompletionError("[1, 2]"), "the request body must be a JSON object");
  EXPECT_EQ(CompletionError("{}"), "'prompt' is required: text, token ids, or a list of either");
  EXPECT_EQ(CompletionError(R"({"prompt": 5})"), "'prompt' must be text, token ids, or a non-empty list of either");
  EXPECT_EQ(CompletionError(R"({"prompt": []})"), "'prompt' must be text, token ids, or a non-empty list of either");
  EXPECT_EQ(CompletionError(R"({"prompt": [[]]})"), "'prompt' holds an empty list of token ids");
  EXPECT_EQ(CompletionError(R"({"prompt": [1, -2]})"), "'prompt' must be text, or a list of non-negative token ids");
  EXPECT_EQ(CompletionError(R"({"prompt": [1, 2.5]})"), "'prompt' must be text, or a list of non-negative token ids");
  EXPECT_EQ(CompletionError(R"({"prompt": [1, 99999999999]})"), "'prompt' must be text, or a list of non-negative token ids");
  EXPECT_EQ(CompletionError(R"({"prompt": [1, "a"]})"), "'prompt' must be text, or a list of non-negative token ids");
  EXPECT_EQ(CompletionError(R"({"prompt": [{"a": 1}]})"), "'prompt' must be text, token ids, or a list of either");
  EXPECT_EQ(CompletionError(R"({"prompt": "x", "max_tokens": -1})"), "'max_tokens' must be an integer from 0 to 2147483647");
  EXPECT_EQ(CompletionError(R"({"prompt": "x", "max_tokens": "8"})"), "'max_tokens' must be an integer from 0 to 2147483647");
  EXPECT_EQ(CompletionError(R"({"prompt": "x", "max_tokens": 0})"),
            "'max_tokens' is 0: that asks for nothing unless 'echo' is true");
  EXPECT_EQ(CompletionError(R"({"prompt": "x", "echo": "yes"})"), "'echo' must be true or false");
  EXPECT_EQ(CompletionError(R"({"prompt": "x", "logprobs": 21})"), "'logprobs' must be an integer from 0 to 20");
  EXPECT_EQ(CompletionError(R"({"prompt": "x", "temperature": -0.5})"),
            "'temperature' must be a number from 0 to 100");
  EXPECT_EQ(CompletionError(R"({"prompt": "x", "top_p": 0})"), "'top_p' must be a number above 0 and at most 1");
  EXPECT_EQ(CompletionError(R"({"prompt": "x", "stop": 3})"), "'stop' must be a string or a list of strings");
  EXPECT_EQ(CompletionError(R"({"prompt": "x", "stop": ["a", ""]})"), "'stop' must be a list of non-empty strings");
  EXPECT_EQ(CompletionError(R"({"prompt": "x", "model": 7})"), "'model' must be a string");
}

TEST(OpenAiRequestTest, RefusesWhatWouldChangeTheAnswerButIsNotImplemented) {
  EXPECT_EQ(CompletionError(R"({"prompt": "x", "stream": true})"),
            "'stream' is supported by /v1/chat/completions only; leave it out or send false");
  EXPECT_EQ(CompletionError(R"({"prompt": "x", "n": 2})"), "'n' must be 1; kaif serve returns one choice per prompt");
  EXPECT_EQ(CompletionError(R"({"prompt": "x", "best_of": 3})"), "'best_of' must be 1; kaif serve returns one choice per prompt");
  EXPECT_EQ(CompletionError(R"({"prompt": "x", "presence_penalty": 0.5})"),
            "'presence_penalty' is not supported; use repetition_penalty");
  EXPECT_EQ(CompletionError(R"({"prompt": "x", "logit_bias": {"5": 100}})"), "'logit_bias' is not supported");
  EXPECT_EQ(CompletionError(R"({"prompt": "x", "suffix": "end"})"), "'suffix' is not supported");
  EXPECT_EQ(ChatError(R"({"messages": [{"role": "user", "content": "x"}], "tools": [{}]})"), "'tools' is not supported");
  EXPECT_EQ(ChatError(R"({"messages": [{"role": "user", "content": "x"}], "logprobs": true})"),
            "'logprobs' is not supported in chat completions; use /v1/completions with echo");
  EXPECT_EQ(ChatError(R"({"messages": [{"role": "user", "content": "x"}], "response_format": {"type": 5}})"),
            "'response_format' other than {\"type\": \"text\"} is not supported");
  // Defaults and nulls are what they say.
  EXPECT_EQ(CompletionError(R"({"prompt": "x", "stream": false, "n": 1, "presence_penalty": 0, "logit_bias": {},
                                "suffix": null, "user": "someone"})"),
            "");
}

TEST(OpenAiRequestTest, ReadsEveryPromptForm) {
  auto text = ParseCompletionRequest(json::parse(R"({"prompt": "hello"})"));
  ASSERT_TRUE(text.ok());
  ASSERT_EQ(text->prompts.size(), 1u);
  EXPECT_EQ(*text->prompts[0].text, "hello");
  EXPECT_EQ(text->max_tokens, 16u);
  EXPECT_EQ(text->sampling.sampling.temperature, 1.0);  // OpenAI's default
  EXPECT_FALSE(text->logprobs);

  auto ids = ParseCompletionRequest(json::parse(
      R"({"prompt": [1, 2, 3], "max_tokens": 0, "echo": true, "logprobs": 1, "temperature": 0, "seed": 7,
          "stop": "\n", "top_k": -1, "model": "m"})"));
  ASSERT_TRUE(ids.ok()) << ids.status().message();
  EXPECT_EQ(ids->prompts[0].ids, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(ids->max_tokens, 0u);
  EXPECT_EQ(*ids->logprobs, 1u);
  EXPECT_TRUE(ids->sampling.seeded);
  EXPECT_EQ(ids->sampling.sampling.seed, 7u);
  EXPECT_EQ(ids->sampling.sampling.top_k, 0);
  EXPECT_EQ(ids->sampling.stop, std::vector<std::string>{"\n"});
  EXPECT_EQ(ids->model, "m");

  auto batch = ParseCompletionRequest(json::parse(R"({"prompt": [[1, 2], "text", [3]], "max_tokens": 4.0})"));
  ASSERT_TRUE(batch.ok()) << batch.status().message();
  ASSERT_EQ(batch->prompts.size(), 3u);
  EXPECT_EQ(batch->prompts[0].ids, (std::vector<int>{1, 2}));
  EXPECT_EQ(*batch->prompts[1].text, "text");
  EXPECT_EQ(batch->prompts[2].ids, std::vector<int>{3});
  EXPECT_EQ(batch->max_tokens, 4u);
}

TEST(OpenAiRequestTest, ReadsChatMessages) {
  EXPECT_EQ(ChatError("{}"), "'messages' is required: a non-empty list of {\"role\", \"content\"}");
  EXPECT_EQ(ChatError(R"({"messages": []})"), "'messages' is required: a non-empty list of {\"role\", \"content\"}");
  EXPECT_EQ(ChatError(R"({"messages": [{"content": "x"}]})"), "'messages'[0] must be an object with a string 'role'");
  EXPECT_EQ(ChatError(R"({"messages": [{"role": "user", "content": 5}]})"),
            "'messages'[0]: 'content' must be a string or a list of text parts");
  EXPECT_EQ(ChatError(R"({"messages": [{"role": "user", "content": [{"type": "image_url"}]}]})"),
            "'messages'[0]: only text content parts ({\"type\": \"text\", \"text\": ...}) are supported");
  EXPECT_EQ(ChatError(R"({"messages": [{"role": "user", "content": "x"}], "max_tokens": 0})"),
            "'max_tokens' must be an integer from 1 to 2147483647");
  auto r = ParseChatRequest(json::parse(R"({"messages": [{"role": "system", "content": "be brief"},
      {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}],
      "max_completion_tokens": 5, "temperature": 0})"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->messages[1]["content"], "ab");
  EXPECT_EQ(*r->max_tokens, 5u);
  EXPECT_EQ(r->sampling.sampling.temperature, 0.0);
}

}  // namespace
}  // namespace kaif::serve
