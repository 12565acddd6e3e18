#include "net/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "net/http_client.h"

namespace kaif::net {
namespace {

// Sends raw bytes to 127.0.0.1:port and returns everything the server sends back before
// it closes the connection (or `wait_seconds` pass).
std::string RawExchange(uint16_t port, const std::string& bytes, double wait_seconds = 5) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  timeval tv{static_cast<long>(wait_seconds), 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may close early (a body over the limit)
    sent += static_cast<size_t>(n);
  }
  std::string out;
  if (wait_seconds <= 0) {
    close(fd);
    return out;
  }
  shutdown(fd, SHUT_WR);  // nothing more to send: the server sees the end after these requests
  char buffer[4096];
  for (;;) {
    ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

HttpResponse Echo(const HttpRequest& r) {
  HttpResponse out;
  out.content_type = "text/plain";
  out.body = r.method + " " + r.path + " " + r.body;
  if (auto it = r.headers.find("x-test"); it != r.headers.end()) out.headers.emplace_back("X-Seen", it->second);
  return out;
}

std::unique_ptr<HttpServer> StartEcho(HttpServerOptions options = {}) {
  auto server = HttpServer::Start(options, Echo);
  EXPECT_TRUE(server.ok()) << server.status().message();
  return server.ok() ? std::move(*server) : nullptr;
}

Result<HttpClientResponse> Post(uint16_t port, const std::string& path, const std::string& body,
                                std::vector<std::string> headers = {}) {
  auto client = HttpClient::Create();
  if (!client.ok()) return client.status();
  HttpClientRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + path;
  r.body = body;
  r.headers = std::move(headers);
  r.timeout_seconds = 10;
  return (*client)->Send(r);
}

TEST(HttpServerTest, MalformedRequestsGet400AndTheServerKeepsRunning) {
  auto server = StartEcho();
  ASSERT_TRUE(server);
  std::string answer = RawExchange(server->port(), "THIS IS NOT HTTP\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
  EXPECT_NE(answer.find("malformed HTTP request"), std::string::npos);
  answer = RawExchange(server->port(), "POST / HTTP/1.1\r\nContent-Length: banana\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
  // A client that sends half a request and leaves does not disturb the server.
  RawExchange(server->port(), "POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc", 0);
  auto ok = Post(server->port(), "/x", "still here");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "POST /x still here");
}

TEST(HttpServerTest, BodiesOverTheLimitGet413) {
  HttpServerOptions options;
  options.max_body_bytes = 1000;
  auto server = StartEcho(options);
  ASSERT_TRUE(server);
  std::string big(5000, 'x');
  std::string answer = RawExchange(server->port(), "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + big);
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;
  EXPECT_NE(answer.find("larger than the limit of 1000 bytes"), std::string::npos);
  auto viaCurl = Post(server->port(), "/a", big);
  ASSERT_TRUE(viaCurl.ok()) << viaCurl.status().message();
  EXPECT_EQ(viaCurl->status, 413);
  auto small = Post(server->port(), "/a", std::string(1000, 'y'));
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->status, 200);
}

TEST(HttpServerTest, AnswersExpectContinueAndKeepsConnectionsAlive) {
  auto server = StartEcho();
  ASSERT_TRUE(server);
  std::string answer = RawExchange(server->port(),
                                   "POST /first HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi"
                                   "POST /second HTTP/1.1\r\nHost: x\r\nX-Test: yes\r\nConnection: close\r\n"
                                   "Content-Length: 3\r\n\r\nbye");
  EXPECT_EQ(answer.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("POST /first hi"), std::string::npos) << answer;
  EXPECT_NE(answer.find("POST /second bye"), std::string::npos) << answer;
  EXPECT_NE(answer.find("X-Seen: yes"), std::string::npos) << answer;
}

TEST(HttpServerTest, HandlerExceptionsBecome500WithTheCustomErrorBody) {
  HttpServerOptions options;
  options.error_response = [](int status, const std::string& message) {
    HttpResponse r;
    r.status = status;
    r.body = "{\"error\": \"" + message + "\"}";
    return r;
  };
  auto server = HttpServer::Start(options, [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); });
  ASSERT_TRUE(server.ok());
  auto r = Post((*server)->port(), "/", "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, "{\"error\": \"internal error: boom\"}");
  EXPECT_EQ(r->headers["content-type"], "application/json");
}

TEST(HttpServerTest, SlowHandlersDoNotBlockOtherConnections) {
  HttpServerOptions options;
  options.handler_threads = 2;
  std::atomic<int> slow_running{0};
  auto server = HttpServer::Start(options, [&](const HttpRequest& r) {
    HttpResponse out;
    if (r.path == "/slow") {
      ++slow_running;
      std::this_thread::sleep_for(std::chrono::milliseconds(800));
    }
    out.body = r.path;
    return out;
  });
  ASSERT_TRUE(server.ok());
  const uint16_t port = (*server)->port();
  std::thread slow([&] { EXPECT_EQ(Post(port, "/slow", "")->body, "/slow"); });
  while (slow_running == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto start = std::chrono::steady_clock::now();
  auto fast = Post(port, "/fast", "");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  slow.join();
  ASSERT_TRUE(fast.ok());
  EXPECT_EQ(fast->body, "/fast");
  EXPECT_LT(seconds, 0.6);
}

// Quick requests are answered on the I/O threads, the rest on the handler threads; a
// response given later does not hold either meanwhile.
TEST(HttpServerTest, QuickAndLaterResponsesOnSeveralIoThreads) {
  HttpServerOptions options;
  options.io_threads = 3;
  options.handler_threads = 1;
  options.quick = [](const HttpRequest& r) { return r.path != "/slow"; };
  std::mutex mu;
  std::vector<HttpRespond> waiting;  // GUARDED_BY(mu)
  std::set<std::thread::id> quick_threads;  // GUARDED_BY(mu)
  std::thread::id handler_thread;
  auto server = HttpServer::Start(options, [&](const HttpRequest& r) {
    HttpResponse out;
    std::lock_guard<std::mutex> lock(mu);
    if (r.path == "/slow") {
      handler_thread = std::this_thread::get_id();
    } else {
      quick_threads.insert(std::this_thread::get_id());
    }
    if (r.path == "/later") {
      out.later = [&](HttpRespond respond) {
        std::lock_guard<std::mutex> lock(mu);
        waiting.push_back(std::move(respond));
      };
    } else if (r.path == "/dropped") {
      out.later = [](HttpRespond) {};  // never answers
    } else {
      out.body = r.path;
    }
    return out;
  });
  ASSERT_TRUE(server.ok());
  const uint16_t port = (*server)->port();
  // Three requests wait for their answers while others come and go on every I/O thread.
  std::vector<std::thread> late;
  for (int i = 0; i < 3; ++i) late.emplace_back([&] { EXPECT_EQ(Post(port, "/later", "")->body, "answered"); });
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (waiting.size() == 3) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (int i = 0; i < 12; ++i) EXPECT_EQ(Post(port, "/quick", "")->body, "/quick");
  EXPECT_EQ(Post(port, "/slow", "")->body, "/slow");
  std::thread answering([&] {
    std::lock_guard<std::mutex> lock(mu);
    for (HttpRespond& respond : waiting) {
      HttpResponse r;
      r.body = "answered";
      respond(r);
      respond(r);  // a second call is ignored
    }
    waiting.clear();  // the server stops only once no response is still to come
  });
  answering.join();
  for (std::thread& t : late) t.join();
  auto dropped = Post(port, "/dropped", "");
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(dropped->status, 500);
  EXPECT_NE(dropped->body.find("never answered"), std::string::npos);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(quick_threads.size(), 3u) << "one per I/O thread, connections taken in turn";
  EXPECT_EQ(quick_threads.count(handler_thread), 0u);
}

TEST(HttpServerTest, StopClosesIdleConnectionsAndReturns) {
  auto server = StartEcho();
  ASSERT_TRUE(server);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server->port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);  // an idle keep-alive client
  const auto start = std::chrono::steady_clock::now();
  server->Stop();
  server->Stop();  // twice is fine
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 2.0);
  char c;
  EXPECT_LE(recv(fd, &c, 1, 0), 0);  // closed by the server
  close(fd);
}

TEST(HttpServerTest, BadAddressesAreErrors) {
  HttpServerOptions options;
  options.host = "no such host.invalid";
  auto bad = HttpServer::Start(options, Echo);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("cannot resolve"), std::string::npos);
  auto first = StartEcho();
  ASSERT_TRUE(first);
  options.host = "127.0.0.1";
  options.port = first->port();
  auto taken = HttpServer::Start(options, Echo);
  ASSERT_FALSE(taken.ok());
  EXPECT_NE(taken.status().message().find("cannot listen"), std::string::npos);
}

TEST(HttpClientTest, RedactsCredentialsInUrls) {
  EXPECT_EQ(RedactUrl("https://user:secret@example.com/v1"), "https://example.com/v1");
  EXPECT_EQ(RedactUrl("http://example.com/v1?x=a@b"), "http://example.com/v1?x=a@b");
  EXPECT_EQ(RedactUrl("http://127.0.0.1:8000"), "http://127.0.0.1:8000");
}

TEST(HttpClientTest, NoServerIsAnErrorNamingTheUrl) {
  uint16_t port = 0;
  {
    auto server = StartEcho();  // a port that was free a moment ago
    ASSERT_TRUE(server);
    port = server->port();
  }
  auto r = Post(port, "/v1/completions", "{}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kIoError);
  EXPECT_NE(r.status().message().find("POST http://127.0.0.1:" + std::to_string(port) + "/v1/completions"),
            std::string::npos)
      << r.status().message();
}

// A streamed body (server-sent events): pieces arrive as chunks while the producer runs;
// a client that leaves makes `send` return false, and the producer stops.
TEST(HttpServerTest, StreamedBodiesArriveInPiecesAndStopWhenTheClientLeaves) {
  std::atomic<int> sent{0};
  std::atomic<bool> refused{false};
  auto server = HttpServer::Start({}, [&](const HttpRequest& r) {
    HttpResponse out;
    out.content_type = "text/event-stream";
    const int pieces = r.path == "/long" ? 100000 : 3;
    out.stream = [&, pieces](const BodyWriter& send) {
      for (int i = 0; i < pieces; ++i) {
        if (!send("data: " + std::to_string(i) + "\n\n")) {
          refused = true;
          return;
        }
        ++sent;
        if (pieces > 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    };
    return out;
  });
  ASSERT_TRUE(server.ok());
  const uint16_t port = (*server)->port();
  auto r = Post(port, "/short", "");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "data: 0\n\ndata: 1\n\ndata: 2\n\n");
  const std::string raw = RawExchange(port, "GET /short HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(raw.find("Transfer-Encoding: chunked"), std::string::npos) << raw;
  EXPECT_NE(raw.find("text/event-stream"), std::string::npos);
  EXPECT_NE(raw.find("\r\n0\r\n\r\n"), std::string::npos) << raw;  // the last chunk

  sent = 0;
  RawExchange(port, "GET /long HTTP/1.1\r\nHost: x\r\n\r\n", 0);  // sends, then leaves at once
  for (int i = 0; i < 500 && !refused; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(refused);
  EXPECT_LT(sent.load(), 100000);
  auto after = Post(port, "/short", "");  // the server carries on
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->status, 200);
}

}  // namespace
}  // namespace kaif::net
