// A small HTTP/1.1 server on Boost.Beast: a few I/O threads drive the sockets
// asynchronously (reads and writes with timeouts, keep-alive, Expect: 100-continue; each
// connection stays on one of them), and a pool of threads runs the handler, so a slow
// handler never stalls another connection's reads. Requests the caller marks quick are
// answered on the I/O thread that read them, which saves two thread hand-offs each, and a
// handler may answer later (from any thread) without holding a thread while it waits.
// Malformed requests, bodies over the limit and connections over the limit are answered
// (or closed) by the server itself; the handler only sees well-formed requests.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"

namespace kaif::net {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: "/v1/completions?x=1"
  std::string path;    // the target without its query: "/v1/completions"
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string remote;  // the peer, "127.0.0.1:53412"
};

// Sends one piece of a streamed body; returns once it is written, false when the client
// is gone (the producer should stop then).
using BodyWriter = std::function<bool(std::string_view piece)>;

struct HttpResponse;
// Sends a response that was not ready when the handler returned; callable from any thread.
using HttpRespond = std::function<void(HttpResponse)>;

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type and Content-Length
  // When set, the body is produced while it is sent (chunked; server-sent events): the
  // header goes out, then `stream` runs on the handler thread and sends its pieces; `body`
  // is not used. An exception from it ends the body where it is.
  std::function<void(const BodyWriter& send)> stream;
  // When set, the response comes later: the server calls `later` with a function that
  // sends it (once, from any thread) and serves other requests meanwhile; nothing else of
  // this response is used. Should every copy of that function be dropped uncalled, the
  // client gets a 500.
  std::function<void(HttpRespond respond)> later;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;
// The response the server sends on its own (400 malformed request, 413 body too large,
// 500 handler exception), from the status and a message saying what was wrong.
using HttpErrorResponse = std::function<HttpResponse(int status, const std::string& message)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port; HttpServer::port() says which
  size_t max_body_bytes = size_t{32} << 20;
  size_t max_header_bytes = size_t{64} << 10;
  size_t max_connections = 256;  // more are closed as soon as they are accepted
  size_t handler_threads = 4;
  size_t io_threads = 1;
  // Requests for which this returns true are answered on the I/O thread, without the
  // hand-off to a handler thread: for handlers that never wait long (no model, no remote
  // call, no long computation), since the connections of that I/O thread wait meanwhile.
  // Empty: every request goes to the handler threads.
  std::function<bool(const HttpRequest&)> quick;
  // A connection that sends no complete request for this long is closed; a response that
  // cannot be written in this long too. The handler's own time does not count.
  double idle_timeout_seconds = 120;
  HttpErrorResponse error_response;  // empty: a text/plain body
};

class HttpServer {
 public:
  // Binds, listens and starts serving before it returns; InvalidInput for a bad host,
  // IoError when the address cannot be bound (in use, no permission).
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options, HttpHandler handler);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;
  // Stops accepting, closes every connection and waits for handlers in progress and for
  // responses still to come (HttpResponse::later). Safe to call more than once.
  void Stop();

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kaif::net
