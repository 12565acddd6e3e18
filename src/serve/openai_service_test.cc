#include "serve/openai_service.h"

#include <gtest/gtest.h>

#include <cmath>

#include "support/model_fixtures.h"

namespace kaif::serve {
namespace {

using nlohmann::json;

struct Served {
  std::unique_ptr<engine::Engine> engine;
  std::unique_ptr<tokenizer::Tokenizer> tokenizer;
  std::unique_ptr<tokenizer::ModelChatTemplate> chat;
  std::unique_ptr<OpenAiService> service;
  std::vector<std::string> log;
};

std::unique_ptr<Served> Serve(bool with_chat = true) {
  auto s = std::make_unique<Served>();
  s->engine = engine::Engine::Open(kaif::testing::ModelFixtures() / "llama3").value();
  s->tokenizer = tokenizer::Tokenizer::Load(kaif::testing::ModelFixtures() / "bytes").value();
  if (with_chat) {
    s->chat = std::make_unique<tokenizer::ModelChatTemplate>(
        tokenizer::LoadChatTemplate(kaif::testing::ModelFixtures() / "bytes").value());
  }
  OpenAiServiceOptions options;
  options.model_name = "tiny";
  Served* raw = s.get();
  options.log = [raw](const std::string& line) { raw->log.push_back(line); };
  s->service = std::make_unique<OpenAiService>(*s->engine, *s->tokenizer, s->chat.get(), options);
  return s;
}

struct Answer {
  int status;
  json body;
};

Answer Call(Served& s, const std::string& method, const std::string& path, const std::string& body = "") {
  net::HttpRequest r;
  r.method = method;
  r.path = r.target = path;
  r.body = body;
  net::HttpResponse response = s.service->Handle(r);
  return {response.status, json::parse(response.body, nullptr, false)};
}

Answer Post(Served& s, const std::string& path, const json& body) { return Call(s, "POST", path, body.dump()); }

std::string Message(const Answer& a) { return a.body["error"]["message"].get<std::string>(); }

TEST(OpenAiServiceTest, BadRequestsGetOpenAiErrors) {
  auto s = Serve();
  Answer a = Call(*s, "POST", "/v1/completions", "{\"prompt\": ");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body["error"]["type"], "invalid_request_error");
  EXPECT_EQ(Message(a).rfind("the request body is not JSON: parse error at line 1, column 12", 0), 0u) << Message(a);
  a = Call(*s, "POST", "/v1/completions", "");
  EXPECT_EQ(a.status, 400);
  a = Post(*s, "/v1/completions", {{"max_tokens", 3}});
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(Message(a), "'prompt' is required: text, token ids, or a list of either");
  a = Post(*s, "/v1/completions", {{"prompt", {1, 2, 256}}, {"max_tokens", 1}});
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(Message(a), "prompt 0: token id 256 is outside the vocabulary of 256");
  a = Post(*s, "/v1/completions", {{"prompt", {1, 2, 300}}, {"max_tokens", 0}, {"echo", true}});
  EXPECT_EQ(a.status, 400);
  a = Post(*s, "/v1/completions", {{"prompt", "x"}, {"model", "other"}});
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(a.body["error"]["type"], "not_found_error");
  EXPECT_EQ(Message(a), "the model 'other' does not exist; this server serves 'tiny'");
  // Longer than the window, with echo: the prompt cannot be scored.
  a = Post(*s, "/v1/completions", {{"prompt", std::vector<int>(300, 5)}, {"max_tokens", 0}, {"echo", true}, {"logprobs", 1}});
  EXPECT_EQ(a.status, 400);
  EXPECT_NE(Message(a).find("window is 256"), std::string::npos) << Message(a);
  a = Call(*s, "GET", "/v2/whatever");
  EXPECT_EQ(a.status, 404);
  EXPECT_NE(Message(a).find("no such path: /v2/whatever"), std::string::npos);
  a = Call(*s, "GET", "/v1/completions");
  EXPECT_EQ(a.status, 405);
  a = Post(*s, "/v1/chat/completions", {{"messages", "hi"}});
  EXPECT_EQ(a.status, 400);
  // Still serving, and every request was logged with its status.
  EXPECT_EQ(Call(*s, "GET", "/health").status, 200);
  ASSERT_EQ(s->log.size(), 11u);
  EXPECT_NE(s->log[0].find("POST /v1/completions 400"), std::string::npos) << s->log[0];
  EXPECT_NE(s->log[10].find("GET /health 200"), std::string::npos) << s->log[10];
}

TEST(OpenAiServiceTest, ListsTheModelWithItsWindow) {
  auto s = Serve();
  Answer a = Call(*s, "GET", "/v1/models");
  ASSERT_EQ(a.status, 200);
  EXPECT_EQ(a.body["object"], "list");
  EXPECT_EQ(a.body["data"][0]["id"], "tiny");
  EXPECT_EQ(a.body["data"][0]["max_model_len"], 256);
}

// Echoed prompt log-probabilities are the engine's, bit for bit, with OpenAI's layout.
TEST(OpenAiServiceTest, EchoedLogprobsAreTheEngines) {
  auto s = Serve();
  const std::vector<int> prompt = {72, 101, 108, 108, 111, 44, 32, 107, 97, 105, 102};
  Answer a = Post(*s, "/v1/completions",
                  {{"model", "tiny"}, {"prompt", prompt}, {"max_tokens", 0}, {"echo", true}, {"logprobs", 3},
                   {"temperature", 0}});
  ASSERT_EQ(a.status, 200) << a.body.dump();
  const json& choice = a.body["choices"][0];
  EXPECT_EQ(choice["text"], "Hello, kaif");
  EXPECT_EQ(choice["finish_reason"], "length");
  const json& lp = choice["logprobs"];
  ASSERT_EQ(lp["tokens"].size(), prompt.size());
  EXPECT_EQ(lp["tokens"][0], "H");
  EXPECT_TRUE(lp["token_logprobs"][0].is_null());
  EXPECT_TRUE(lp["top_logprobs"][0].is_null());
  EXPECT_EQ(lp["text_offset"][4], 4);

  auto expected = s->engine->Loglikelihood({{{prompt[0]}, std::vector<int>(prompt.begin() + 1, prompt.end())}}, true, 3);
  ASSERT_TRUE(expected.ok());
  for (size_t j = 1; j < prompt.size(); ++j) {
    EXPECT_EQ(lp["token_logprobs"][j].get<double>(), (*expected)[0].token_logprobs[j - 1]);
    const json& top = lp["top_logprobs"][j];
    EXPECT_GE(top.size(), 3u);  // the top three, and the token itself when it is not one of them
    EXPECT_LE(top.size(), 4u);
    for (const engine::TokenLogprob& t : (*expected)[0].top_logprobs[j - 1]) {
      const std::string text = s->tokenizer->Decode({t.id});
      if (text.find('\xEF') == std::string::npos) {
        EXPECT_EQ(top[text].get<double>(), t.logprob) << j;
      }
    }
  }
  EXPECT_EQ(a.body["usage"]["prompt_tokens"], prompt.size());
  EXPECT_EQ(a.body["usage"]["completion_tokens"], 0);

  // The same through token ids, so coinciding texts cannot hide a token.
  Answer ids = Post(*s, "/v1/completions",
                    {{"prompt", prompt}, {"max_tokens", 0}, {"echo", true}, {"logprobs", 1}, {"return_tokens_as_token_ids", true}});
  ASSERT_EQ(ids.status, 200);
  EXPECT_EQ(ids.body["choices"][0]["logprobs"]["tokens"][1], "token_id:101");
  EXPECT_EQ(ids.body["choices"][0]["logprobs"]["token_logprobs"], lp["token_logprobs"]);
}

TEST(OpenAiServiceTest, GeneratesAsTheEngineDoes) {
  auto s = Serve();
  const std::vector<int> prompt = {81, 58, 32, 50, 43, 50, 61};
  engine::GenerateRequest g;
  g.prompt = prompt;
  g.max_tokens = 12;
  auto expected = s->engine->Generate({g}, s->tokenizer.get());
  ASSERT_TRUE(expected.ok());
  Answer a = Post(*s, "/v1/completions", {{"prompt", prompt}, {"max_tokens", 12}, {"temperature", 0}, {"logprobs", 2}});
  ASSERT_EQ(a.status, 200) << a.body.dump();
  const json& choice = a.body["choices"][0];
  EXPECT_EQ(choice["text"], (*expected)[0].text);
  EXPECT_EQ(choice["finish_reason"], (*expected)[0].finish_reason);
  const size_t listed = (*expected)[0].tokens.size() + ((*expected)[0].stop_token >= 0 ? 1 : 0);
  EXPECT_EQ(choice["logprobs"]["tokens"].size(), listed);
  EXPECT_FALSE(choice["logprobs"]["token_logprobs"][0].is_null());  // no echo: every listed token has one
  EXPECT_EQ(a.body["usage"]["completion_tokens"], listed);

  // Seeded sampling is reproducible; a stop string cuts the text.
  json sampled = {{"prompt", "abc"}, {"max_tokens", 10}, {"temperature", 0.9}, {"seed", 3}};
  Answer first = Post(*s, "/v1/completions", sampled), second = Post(*s, "/v1/completions", sampled);
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.body["choices"][0]["text"], second.body["choices"][0]["text"]);
  // The sampled text holds replacement characters where bytes do not form UTF-8; stop at
  // its first ASCII character after the first.
  const std::string text = first.body["choices"][0]["text"];
  const size_t ascii = text.find_first_of("!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`"
                                          "abcdefghijklmnopqrstuvwxyz{|}~ ", 1);
  ASSERT_NE(ascii, std::string::npos) << text;
  sampled["stop"] = text.substr(ascii, 1);
  Answer stopped = Post(*s, "/v1/completions", sampled);
  EXPECT_EQ(stopped.body["choices"][0]["text"], text.substr(0, text.find(text[ascii])));
  EXPECT_EQ(stopped.body["choices"][0]["finish_reason"], "stop");

  // A list of prompts is a batch: one choice each, in order.
  Answer batch = Post(*s, "/v1/completions", {{"prompt", {prompt, "abc"}}, {"max_tokens", 12}, {"temperature", 0}});
  ASSERT_EQ(batch.status, 200);
  ASSERT_EQ(batch.body["choices"].size(), 2u);
  EXPECT_EQ(batch.body["choices"][0]["text"], (*expected)[0].text);
  EXPECT_EQ(batch.body["choices"][1]["index"], 1);
}

// lm-evaluation-harness asks for one token with echo and drops the last listed one: a
// generation that stops at once still lists the token that stopped it, as vLLM does.
TEST(OpenAiServiceTest, TheStopTokenIsListed) {
  auto s = Serve();
  const std::vector<int> prompt = {81, 58, 32};
  engine::GenerateRequest one;
  one.prompt = prompt, one.max_tokens = 1;
  auto next = s->engine->Generate({one});
  ASSERT_TRUE(next.ok());
  const int token = (*next)[0].stop_token >= 0 ? (*next)[0].stop_token : (*next)[0].tokens[0];
  Answer a = Post(*s, "/v1/completions",
                  {{"prompt", prompt}, {"max_tokens", 1}, {"echo", true}, {"logprobs", 1}, {"temperature", 0},
                   {"stop_token_ids", {token}}, {"return_tokens_as_token_ids", true}});
  ASSERT_EQ(a.status, 200) << a.body.dump();
  const json& choice = a.body["choices"][0];
  EXPECT_EQ(choice["finish_reason"], "stop");
  EXPECT_EQ(choice["text"], s->tokenizer->Decode(prompt));
  ASSERT_EQ(choice["logprobs"]["tokens"].size(), prompt.size() + 1);
  EXPECT_EQ(choice["logprobs"]["tokens"][3], "token_id:" + std::to_string(token));
  const json& top = choice["logprobs"]["top_logprobs"][3];
  EXPECT_EQ(top.begin().value(), choice["logprobs"]["token_logprobs"][3]);  // the greedy token
  EXPECT_EQ(a.body["usage"]["completion_tokens"], 1);
}

TEST(OpenAiServiceTest, ChatUsesTheTemplate) {
  auto s = Serve();
  json body = {{"messages", {{{"role", "user"}, {"content", "hello"}}}}, {"max_tokens", 3}, {"temperature", 0}};
  Answer a = Post(*s, "/v1/chat/completions", body);
  ASSERT_EQ(a.status, 200) << a.body.dump();
  EXPECT_EQ(a.body["object"], "chat.completion");
  EXPECT_EQ(a.body["choices"][0]["message"]["role"], "assistant");
  // The same as generating from the rendered template, as `kaif generate --chat` does.
  auto rendered = s->chat->Render(body["messages"], true);
  ASSERT_TRUE(rendered.ok());
  engine::GenerateRequest g;
  g.prompt = s->tokenizer->Encode(*rendered, false).value();
  g.max_tokens = 3;
  auto expected = s->engine->Generate({g}, s->tokenizer.get());
  EXPECT_EQ(a.body["choices"][0]["message"]["content"], (*expected)[0].text);
  EXPECT_EQ(a.body["usage"]["prompt_tokens"], g.prompt.size());

  body["max_tokens"] = 1000;
  Answer too_long = Post(*s, "/v1/chat/completions", body);
  EXPECT_EQ(too_long.status, 400);
  EXPECT_NE(Message(too_long).find("window is 256 tokens"), std::string::npos);

  auto plain = Serve(false);
  Answer none = Post(*plain, "/v1/chat/completions", body);
  EXPECT_EQ(none.status, 400);
  EXPECT_NE(Message(none).find("no chat template"), std::string::npos);
}

}  // namespace
}  // namespace kaif::serve
