#include "eval/endpoint_backend.h"

#include <gtest/gtest.h>

#include <atomic>

#include "eval/generation.h"
#include "eval/multiple_choice.h"
#include "net/http_server.h"
#include "serve/openai_service.h"
#include "support/model_fixtures.h"

namespace kaif::eval {
namespace {

engine::GenerateRequest Request(std::vector<int> prompt, size_t max_tokens) {
  engine::GenerateRequest r;
  r.prompt = std::move(prompt);
  r.max_tokens = max_tokens;
  return r;
}

using nlohmann::json;

std::filesystem::path Models() { return kaif::testing::ModelFixtures(); }
std::filesystem::path EvalData() { return std::filesystem::path(KAIF_SOURCE_DIR) / "tests" / "data" / "eval"; }

std::unique_ptr<tokenizer::Tokenizer> Bytes() { return tokenizer::Tokenizer::Load(Models() / "bytes").value(); }

// kaif serve in this process: the tiny Llama behind the OpenAI API on a free port.
struct Server {
  std::unique_ptr<engine::Engine> engine;
  std::unique_ptr<tokenizer::Tokenizer> tokenizer = Bytes();
  std::unique_ptr<serve::OpenAiService> service;
  std::unique_ptr<net::HttpServer> http;
  std::string url;

  Server() {
    engine = engine::Engine::Open(Models() / "llama3").value();
    serve::OpenAiServiceOptions options;
    options.model_name = "tiny";
    service = std::make_unique<serve::OpenAiService>(*engine, *tokenizer, nullptr, options);
    net::HttpServerOptions http_options;
    http_options.error_response = serve::ErrorResponse;
    http = net::HttpServer::Start(http_options, [this](const net::HttpRequest& r) { return service->Handle(r); }).value();
    url = "http://127.0.0.1:" + std::to_string(http->port()) + "/v1";
  }
};

// A real HTTP server whose answers the test writes.
struct Canned {
  std::unique_ptr<net::HttpServer> http;
  std::string url;
  explicit Canned(net::HttpHandler handler) {
    http = net::HttpServer::Start({}, std::move(handler)).value();
    url = "http://127.0.0.1:" + std::to_string(http->port());
  }
};

EndpointOptions Options(const std::string& url) {
  EndpointOptions o;
  o.url = url;
  o.model = "tiny";
  o.tokenizer_sha256 = "abc";
  o.prefix_token = 1;  // the tiny Llama's BOS
  o.http.first_backoff_seconds = 0.01;
  o.http.max_retries = 2;
  o.http.timeout_seconds = 30;
  return o;
}

std::unique_ptr<EndpointBackend> Open(EndpointOptions options, bool tokenizer = true) {
  auto b = EndpointBackend::Open(std::move(options), tokenizer ? Bytes() : nullptr);
  EXPECT_TRUE(b.ok()) << b.status().message();
  return b.ok() ? std::move(*b) : nullptr;
}

struct Native {
  std::unique_ptr<engine::Engine> engine = engine::Engine::Open(Models() / "llama3").value();
  std::unique_ptr<tokenizer::Tokenizer> tokenizer = Bytes();
  NativeBackend backend{*engine, *tokenizer, "native"};
};

std::vector<int> Ids(const std::string& text) { return Bytes()->Encode(text).value(); }

TEST(EndpointBackendTest, BaseUrls) {
  EXPECT_EQ(EndpointBaseUrl("http://127.0.0.1:8000"), "http://127.0.0.1:8000/v1");
  EXPECT_EQ(EndpointBaseUrl("http://127.0.0.1:8000/"), "http://127.0.0.1:8000/v1");
  EXPECT_EQ(EndpointBaseUrl("http://h/v1/"), "http://h/v1");
  EXPECT_EQ(EndpointBaseUrl("http://h/v1/completions"), "http://h/v1");
  EXPECT_EQ(EndpointBaseUrl("https://h/v1beta/openai/chat/completions"), "https://h/v1beta/openai");
}

TEST(EndpointBackendTest, RefusesBadOptions) {
  EndpointOptions o = Options("ftp://x");
  auto bad = EndpointBackend::Open(o, Bytes());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("not an http:// or https:// URL"), std::string::npos);
  o = Options("http://127.0.0.1:1");
  o.model = "";
  EXPECT_FALSE(EndpointBackend::Open(o, Bytes()).ok());
}

// The point of the endpoint backend: through kaif serve, the same numbers as the engine.
TEST(EndpointBackendTest, LoglikelihoodsThroughKaifServeEqualTheEngines) {
  Server server;
  auto endpoint = Open(Options(server.url));
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->max_length(), 256u);  // from /v1/models
  EXPECT_EQ(endpoint->identity(), "endpoint " + server.url + " model=tiny tokenizer=abc");
  Native native;
  std::vector<int> long_context;
  for (int i = 0; i < 40; ++i) {
    std::vector<int> piece = Ids("문맥 " + std::to_string(i) + ", ");
    long_context.insert(long_context.end(), piece.begin(), piece.end());
  }
  ASSERT_GT(long_context.size(), 300u);
  const std::vector<engine::ScoreRequest> requests = {
      {Ids("Question: 2+2=?\nAnswer:"), Ids(" 4")},
      {Ids("Question: 2+2=?\nAnswer:"), Ids(" five")},
      {{}, Ids("from the BOS token")},
      {long_context, Ids(" and the end")},  // cut from the left to fit the window
      {Ids("x"), std::vector<int>(256, 97)},   // a continuation as long as the window
  };
  auto want = native.backend.Loglikelihood(requests);
  ASSERT_TRUE(want.ok()) << want.status().message();
  auto got = endpoint->Loglikelihood(requests);
  ASSERT_TRUE(got.ok()) << got.status().message();
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ((*got)[i].logprob, (*want)[i].logprob) << i;
    EXPECT_EQ((*got)[i].greedy, (*want)[i].greedy) << i;
    EXPECT_EQ((*got)[i].truncated_tokens, (*want)[i].truncated_tokens) << i;
  }
  EXPECT_GT((*want)[3].truncated_tokens, 0u);
  // A greedy continuation is recognized as such.
  auto greedy = native.engine->Generate({Request(Ids("abc"), 4)});
  ASSERT_TRUE(greedy.ok());
  auto scored = endpoint->Loglikelihood({{Ids("abc"), (*greedy)[0].tokens}});
  ASSERT_TRUE(scored.ok());
  EXPECT_TRUE((*scored)[0].greedy);

  EXPECT_FALSE(endpoint->Loglikelihood({{Ids("x"), {}}}).ok());
  EXPECT_FALSE(endpoint->Loglikelihood({{Ids("x"), std::vector<int>(257, 97)}}).ok());
  auto out_of_range = endpoint->Loglikelihood({{{1, 2}, {300}}});
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_NE(out_of_range.status().message().find("answered 400: prompt 0: token id 300 is outside the vocabulary"),
            std::string::npos)
      << out_of_range.status().message();
}

TEST(EndpointBackendTest, TasksThroughKaifServeEqualTheEngines) {
  Server server;
  EndpointOptions options = Options(server.url);
  options.http.concurrency = 3;
  auto endpoint = Open(options);
  ASSERT_TRUE(endpoint);
  Native native;
  EvalOptions eval;
  eval.data_dir = EvalData() / "data";
  eval.num_fewshot = 1;
  eval.bootstrap_iters = 0;

  TaskConfig choice = LoadTaskConfig(EvalData() / "tasks" / "kmmlu_law_sample.yaml").value();
  auto want = RunMultipleChoice(choice, native.backend, eval);
  auto got = RunMultipleChoice(choice, *endpoint, eval);
  ASSERT_TRUE(want.ok() && got.ok()) << got.status().message();
  ASSERT_EQ(got->samples.size(), want->samples.size());
  for (size_t d = 0; d < want->samples.size(); ++d) EXPECT_EQ(got->samples[d], want->samples[d]) << d;
  EXPECT_EQ(got->metrics["acc,none"].value, want->metrics["acc,none"].value);
  EXPECT_EQ(got->request_tokens, want->request_tokens);

  TaskConfig generation = LoadTaskConfig(EvalData() / "tasks" / "gsm8k_sample.yaml").value();
  auto want_gen = RunGeneration(generation, native.backend, eval);
  auto got_gen = RunGeneration(generation, *endpoint, eval);
  ASSERT_TRUE(want_gen.ok() && got_gen.ok()) << got_gen.status().message();
  for (size_t d = 0; d < want_gen->samples.size(); ++d) EXPECT_EQ(got_gen->samples[d], want_gen->samples[d]) << d;
}

TEST(EndpointBackendTest, ChatGenerationWithoutATokenizer) {
  std::string seen;
  Canned canned([&](const net::HttpRequest& r) {
    net::HttpResponse out;
    if (r.path == "/v1/models") return out;  // no window listed: the default
    seen = r.path + " " + r.body;
    out.body = R"({"choices": [{"index": 0, "message": {"role": "assistant", "content": "The answer is 4.\n\nQuestion: more"},
                    "finish_reason": "stop"}]})";
    return out;
  });
  auto endpoint = Open(Options(canned.url), /*tokenizer=*/false);
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->max_length(), 2048u);
  EXPECT_EQ(endpoint->identity(), "endpoint " + canned.url + "/v1 model=tiny tokenizer=none api=chat");
  engine::GenerateRequest g;
  g.prompt = endpoint->tokenizer().Encode("질문: 2+2?").value();
  g.max_tokens = 32;
  g.stop_strings = {"\n\n", "Question:"};
  auto out = endpoint->Generate({g});
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ((*out)[0].text, "The answer is 4.");
  EXPECT_EQ((*out)[0].finish_reason, "stop");
  json sent = json::parse(seen.substr(seen.find(' ') + 1));
  EXPECT_EQ(seen.substr(0, seen.find(' ')), "/v1/chat/completions");
  EXPECT_EQ(sent["messages"][0]["content"], "질문: 2+2?");
  EXPECT_EQ(sent["max_tokens"], 32);
  EXPECT_EQ(sent["temperature"], 0);
  auto scores = endpoint->Loglikelihood({{{1}, {2}}});
  ASSERT_FALSE(scores.ok());
  EXPECT_NE(scores.status().message().find("pass --tokenizer"), std::string::npos);
}

// A server that answers /v1/completions with `body(request)` and lists no window.
Canned Answering(std::function<std::string(const json&)> body, std::atomic<int>* calls = nullptr, int status = 200) {
  return Canned([=](const net::HttpRequest& r) {
    net::HttpResponse out;
    if (r.path == "/v1/models") return out;
    if (calls) ++*calls;
    out.status = status;
    out.body = body(json::parse(r.body, nullptr, false));
    return out;
  });
}

std::string Echoed(size_t n, const json& value, size_t extra = 0) {
  json values = json::array(), tops = json::array();
  for (size_t i = 0; i < n + extra; ++i) {
    values.push_back(i == 0 ? json() : value);
    tops.push_back(i == 0 ? json() : json{{"a", -0.5}});
  }
  return json{{"choices", {{{"index", 0}, {"text", ""}, {"logprobs", {{"token_logprobs", values}, {"top_logprobs", tops}}}}}}}
      .dump();
}

std::string ScoreError(Canned& canned) {
  auto endpoint = Open(Options(canned.url));
  if (!endpoint) return "cannot open";
  auto r = endpoint->Loglikelihood({{{5, 6, 7}, {8, 9}}});
  return r.ok() ? "" : r.status().message();
}

TEST(EndpointBackendTest, MalformedResponsesAreClearErrors) {
  auto not_json = Answering([](const json&) { return "{not json"; });
  EXPECT_NE(ScoreError(not_json).find("answered 200 with a body that is not JSON"), std::string::npos);
  auto no_choices = Answering([](const json&) { return "{\"choices\": []}"; });
  EXPECT_NE(ScoreError(no_choices).find("the response has no choices"), std::string::npos);
  auto no_logprobs = Answering([](const json&) { return R"({"choices": [{"text": "x", "logprobs": null}]})"; });
  EXPECT_NE(ScoreError(no_logprobs).find("no logprobs; the server must support echo"), std::string::npos);
  auto short_list = Answering([](const json& r) { return Echoed(r["prompt"].size() - 1, -1.0); });
  EXPECT_NE(ScoreError(short_list).find("lists 4 token log-probabilities for a prompt of 5 tokens"), std::string::npos)
      << ScoreError(short_list);
  auto nulls = Answering([](const json& r) { return Echoed(r["prompt"].size(), json()); });
  EXPECT_NE(ScoreError(nulls).find("token_logprobs[3] is null, not a finite number"), std::string::npos)
      << ScoreError(nulls);
  auto strings = Answering([](const json& r) { return Echoed(r["prompt"].size(), "-1.5"); });
  EXPECT_NE(ScoreError(strings).find("is \"-1.5\", not a finite number"), std::string::npos);
  auto retokenized = Answering([](const json&) {
    json r = json::parse(Echoed(5, -1.0));
    r["choices"][0]["logprobs"]["tokens"] = {"token_id:5", "token_id:6", "token_id:70", "token_id:8", "token_id:9"};
    return r.dump();
  });
  EXPECT_NE(ScoreError(retokenized).find("token 2 is token_id:70, but the prompt sent 7"), std::string::npos);
  auto refused = Answering([](const json&) { return R"({"error": {"message": "no such model", "type": "x"}})"; }, nullptr, 404);
  EXPECT_NE(ScoreError(refused).find("answered 404: no such model"), std::string::npos) << ScoreError(refused);
}

TEST(EndpointBackendTest, FallsBackToOneTokenWhenMaxTokensZeroIsRefused) {
  std::atomic<int> zero_asked{0}, calls{0};
  Canned canned([&](const net::HttpRequest& r) {
    net::HttpResponse out;
    if (r.path == "/v1/models") return out;
    ++calls;
    json request = json::parse(r.body);
    if (request["max_tokens"] == 0) {
      ++zero_asked;
      out.status = 400;
      out.body = R"({"error": {"message": "max_tokens must be at least 1"}})";
      return out;
    }
    out.body = Echoed(request["prompt"].size(), -1.0, /*extra=*/1);  // the prompt and one generated token
    return out;
  });
  auto endpoint = Open(Options(canned.url));
  ASSERT_TRUE(endpoint);
  auto r = endpoint->Loglikelihood({{{5, 6, 7}, {8, 9}}, {{5}, {9}}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)[0].logprob, -2.0);
  EXPECT_FALSE((*r)[0].greedy);  // -1 is below the top -0.5
  EXPECT_EQ((*r)[1].logprob, -1.0);
  r = endpoint->Loglikelihood({{{5}, {9}}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(zero_asked, 1);  // asked once, then remembered
  EXPECT_EQ(calls, 4);
}

TEST(EndpointBackendTest, RetriesServerErrorsThenSucceeds) {
  std::atomic<int> calls{0};
  Canned canned([&](const net::HttpRequest& r) {
    net::HttpResponse out;
    if (r.path == "/v1/models") return out;
    if (calls++ < 2) {
      out.status = calls == 1 ? 500 : 429;
      out.headers.emplace_back("Retry-After", "0");
      out.body = "busy";
      return out;
    }
    out.body = Echoed(json::parse(r.body)["prompt"].size(), -0.25);
    return out;
  });
  auto endpoint = Open(Options(canned.url));
  ASSERT_TRUE(endpoint);
  auto r = endpoint->Loglikelihood({{{5}, {9, 10}}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)[0].logprob, -0.5);
  EXPECT_EQ(calls, 3);
}

TEST(EndpointBackendTest, TheApiKeyIsSentButNeverShown) {
  const std::string key = "sk-kaif-test-0123456789";
  std::string authorization;
  Canned canned([&](const net::HttpRequest& r) {
    net::HttpResponse out;
    if (r.path == "/v1/models") return out;
    authorization = r.headers.count("authorization") ? r.headers.at("authorization") : "";
    out.status = 401;
    out.body = json{{"error", {{"message", "Incorrect API key provided: " + key}}}}.dump();
    return out;
  });
  EndpointOptions options = Options("http://user:" + key + "@127.0.0.1:" + std::to_string(canned.http->port()));
  options.api_key = key;
  auto endpoint = Open(options);
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->identity().find(key), std::string::npos);
  auto r = endpoint->Loglikelihood({{{5}, {9}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(authorization, "Bearer " + key);
  EXPECT_EQ(r.status().message().find(key), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("Incorrect API key provided: [redacted]"), std::string::npos);
  auto g = endpoint->Generate({Request({5, 6}, 4)});
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().message().find(key), std::string::npos);

  // Without a key, a 401 says which variable to set.
  EndpointOptions keyless = Options(canned.url);
  keyless.api_key_env = "KAIF_TEST_KEY";
  auto anonymous = Open(keyless);
  ASSERT_TRUE(anonymous);
  auto refused = anonymous->Loglikelihood({{{5}, {9}}});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("no API key was sent: $KAIF_TEST_KEY is not set"), std::string::npos);
}

TEST(EndpointBackendTest, UnreachableEndpointIsAnError) {
  std::string url;
  {
    Canned gone([](const net::HttpRequest&) { return net::HttpResponse{}; });
    url = gone.url;
  }
  EndpointOptions options = Options(url);
  options.http.max_retries = 0;
  auto b = EndpointBackend::Open(options, Bytes());
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("cannot reach the endpoint: GET " + url + "/v1/models"), std::string::npos)
      << b.status().message();
}

}  // namespace
}  // namespace kaif::eval
