#include "net/http_client_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "net/http_server.h"

namespace kaif::net {
namespace {

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A real server on a free port whose answers the test decides.
struct CannedServer {
  std::unique_ptr<HttpServer> server;
  std::string url;

  explicit CannedServer(HttpHandler handler, size_t threads = 4) {
    HttpServerOptions options;
    options.handler_threads = threads;
    auto started = HttpServer::Start(options, std::move(handler));
    EXPECT_TRUE(started.ok()) << started.status().message();
    server = std::move(*started);
    url = "http://127.0.0.1:" + std::to_string(server->port()) + "/v1/completions";
  }
};

HttpClientPoolOptions FastRetries(int retries) {
  HttpClientPoolOptions o;
  o.max_retries = retries;
  o.first_backoff_seconds = 0.01;
  o.max_backoff_seconds = 5;
  o.timeout_seconds = 10;
  return o;
}

std::vector<HttpClientRequest> Requests(const std::string& url, size_t n) {
  std::vector<HttpClientRequest> out(n);
  for (size_t i = 0; i < n; ++i) {
    out[i].url = url;
    out[i].body = std::to_string(i);
  }
  return out;
}

TEST(HttpClientPoolTest, RetriesA500ThenSucceeds) {
  std::atomic<int> calls{0};
  CannedServer s([&](const HttpRequest&) {
    HttpResponse r;
    r.status = calls++ == 0 ? 500 : 200;
    r.body = r.status == 200 ? "fine" : "{\"error\": {\"message\": \"overloaded\"}}";
    return r;
  });
  HttpClientPool pool(FastRetries(3));
  auto out = pool.Send(Requests(s.url, 1));
  ASSERT_TRUE(out[0].ok()) << out[0].status().message();
  EXPECT_EQ(out[0]->status, 200);
  EXPECT_EQ(out[0]->body, "fine");
  EXPECT_EQ(calls, 2);
}

TEST(HttpClientPoolTest, A5xxThatStaysIsReturnedAfterTheRetries) {
  std::atomic<int> calls{0};
  CannedServer s([&](const HttpRequest&) {
    ++calls;
    HttpResponse r;
    r.status = 503;
    return r;
  });
  HttpClientPool pool(FastRetries(2));
  auto out = pool.Send(Requests(s.url, 1));
  ASSERT_TRUE(out[0].ok());
  EXPECT_EQ(out[0]->status, 503);
  EXPECT_EQ(calls, 3);
}

TEST(HttpClientPoolTest, Honours429RetryAfter) {
  std::atomic<int> calls{0};
  CannedServer s([&](const HttpRequest&) {
    HttpResponse r;
    if (calls++ == 0) {
      r.status = 429;
      r.headers.emplace_back("Retry-After", "1");
    }
    return r;
  });
  HttpClientPool pool(FastRetries(3));
  const auto start = std::chrono::steady_clock::now();
  auto out = pool.Send(Requests(s.url, 1));
  ASSERT_TRUE(out[0].ok());
  EXPECT_EQ(out[0]->status, 200);
  EXPECT_GE(Since(start), 0.95);  // the server's second, not the 0.01 s backoff
  EXPECT_EQ(calls, 2);
}

TEST(HttpClientPoolTest, TimeoutsAreRetriedThenReported) {
  std::atomic<int> calls{0};
  CannedServer s([&](const HttpRequest&) {
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    return HttpResponse{};
  });
  HttpClientPoolOptions o = FastRetries(1);
  o.timeout_seconds = 0.3;
  HttpClientPool pool(o);
  auto out = pool.Send(Requests(s.url, 1));
  ASSERT_FALSE(out[0].ok());
  EXPECT_NE(out[0].status().message().find("no response within 0.3 s (2 attempts)"), std::string::npos)
      << out[0].status().message();
  EXPECT_EQ(calls, 2);
}

TEST(HttpClientPoolTest, ConnectionErrorsAreRetriedThenReported) {
  std::string url;
  {
    CannedServer gone([](const HttpRequest&) { return HttpResponse{}; });
    url = gone.url;
  }
  HttpClientPool pool(FastRetries(2));
  auto out = pool.Send(Requests(url, 3));
  ASSERT_FALSE(out[0].ok());
  EXPECT_NE(out[0].status().message().find("(3 attempts)"), std::string::npos) << out[0].status().message();
  // After the first failure nothing more is sent.
  ASSERT_FALSE(out[2].ok());
  EXPECT_NE(out[2].status().message().find("not sent"), std::string::npos);
}

TEST(HttpClientPoolTest, OtherClientErrorsAreNotRetried) {
  std::atomic<int> calls{0};
  CannedServer s([&](const HttpRequest&) {
    ++calls;
    HttpResponse r;
    r.status = 400;
    return r;
  });
  HttpClientPool pool(FastRetries(3));
  auto out = pool.Send(Requests(s.url, 1));
  ASSERT_TRUE(out[0].ok());
  EXPECT_EQ(out[0]->status, 400);
  EXPECT_EQ(calls, 1);
}

TEST(HttpClientPoolTest, ConcurrentRequestsComeBackInOrder) {
  std::atomic<int> in_flight{0}, most{0};
  CannedServer s(
      [&](const HttpRequest& r) {
        int now = ++in_flight;
        for (int m = most; now > m && !most.compare_exchange_weak(m, now);) {
        }
        // Later requests answer sooner, so completion order differs from request order.
        std::this_thread::sleep_for(std::chrono::milliseconds(40 - 2 * std::stoi(r.body) % 40));
        --in_flight;
        HttpResponse out;
        out.body = "answer " + r.body;
        return out;
      },
      8);
  HttpClientPoolOptions o = FastRetries(0);
  o.concurrency = 4;
  HttpClientPool pool(o);
  auto out = pool.Send(Requests(s.url, 24));
  for (size_t i = 0; i < out.size(); ++i) {
    ASSERT_TRUE(out[i].ok());
    EXPECT_EQ(out[i]->body, "answer " + std::to_string(i));
  }
  EXPECT_GT(most, 1);
  EXPECT_LE(most, 4);
}

TEST(HttpClientPoolTest, RateLimitSpacesRequests) {
  CannedServer s([](const HttpRequest&) { return HttpResponse{}; });
  HttpClientPoolOptions o = FastRetries(0);
  o.concurrency = 3;
  o.requests_per_second = 20;
  HttpClientPool pool(o);
  const auto start = std::chrono::steady_clock::now();
  auto out = pool.Send(Requests(s.url, 7));
  EXPECT_GE(Since(start), 0.29);  // 7 requests, 1/20 s apart
  for (auto& r : out) EXPECT_TRUE(r.ok());
}

TEST(HttpClientPoolTest, SendsHeadersAndRedactsSecrets) {
  std::string seen;
  CannedServer s([&](const HttpRequest& r) {
    seen = r.headers.count("authorization") ? r.headers.at("authorization") : "";
    return HttpResponse{};
  });
  HttpClientPoolOptions o = FastRetries(0);
  o.headers = {"Authorization: Bearer sk-test-123"};
  o.secrets = {"sk-test-123"};
  HttpClientPool pool(o);
  ASSERT_TRUE(pool.Send(Requests(s.url, 1))[0].ok());
  EXPECT_EQ(seen, "Bearer sk-test-123");
  EXPECT_EQ(pool.Redact("bad key sk-test-123, sk-test-123!"), "bad key [redacted], [redacted]!");
}

TEST(HttpClientPoolTest, ReadsRetryAfter) {
  EXPECT_EQ(RetryAfterSeconds("3"), 3);
  EXPECT_EQ(RetryAfterSeconds("0.5"), 0.5);
  EXPECT_LT(RetryAfterSeconds(""), 0);
  EXPECT_LT(RetryAfterSeconds("soon"), 0);
  EXPECT_EQ(RetryAfterSeconds("Wed, 21 Oct 2015 07:28:00 GMT"), 0);  // in the past
}

}  // namespace
}  // namespace kaif::net
