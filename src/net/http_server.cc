#include "net/http_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace kaif::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::chrono::milliseconds Millis(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(std::max(0.001, seconds) * 1000));
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class Session;

}  // namespace

struct HttpServer::Impl {
  HttpServerOptions options;
  HttpHandler handler;
  // Declared before the I/O contexts: sessions a context still holds when it is destroyed
  // unregister themselves here.
  std::mutex mu;
  std::map<Session*, std::weak_ptr<Session>> sessions;  // GUARDED_BY(mu)
  bool stopped = false;                                 // GUARDED_BY(mu)
  // One context per I/O thread; a connection lives on one of them, so its socket is never
  // touched by two threads. The listener is on the first.
  std::vector<std::unique_ptr<asio::io_context>> ios;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;  // until Stop
  size_t next_io = 0;  // where the next connection goes; used on the first I/O thread only
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<asio::steady_timer> accept_retry;
  std::unique_ptr<asio::thread_pool> workers;
  std::vector<std::thread> io_threads;
  uint16_t port = 0;

  HttpResponse Error(int status, const std::string& message) const {
    if (options.error_response) return options.error_response(status, message);
    HttpResponse r;
    r.status = status;
    r.content_type = "text/plain; charset=utf-8";
    r.body = message + "\n";
    return r;
  }

  // The handler; an exception escaping it becomes a 500 rather than a dead worker.
  HttpResponse Call(const HttpRequest& request) const {
    try {
      return handler(request);
    } catch (const std::exception& e) {
      return Error(500, std::string("internal error: ") + e.what());
    } catch (...) {
      return Error(500, "internal error");
    }
  }

  bool IsQuick(const HttpRequest& request) const {
    try {
      return options.quick && options.quick(request);
    } catch (...) {
      return false;
    }
  }

  void Accept();
};

namespace {

// One connection: read a request, answer it (here or on a worker), write the response,
// repeat while the client keeps the connection alive. Every socket operation runs on the
// connection's I/O thread.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(HttpServer::Impl& server, asio::io_context& io, tcp::socket socket)
      : server_(server), io_(io), stream_(std::move(socket)) {}

  ~Session() {
    std::lock_guard<std::mutex> lock(server_.mu);
    server_.sessions.erase(this);
  }

  void Start() { ReadHeader(); }
  asio::io_context& io() { return io_; }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

 private:
  void ReadHeader() {
    parser_.emplace();
    parser_->body_limit(server_.options.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    stream_.expires_after(Millis(server_.options.idle_timeout_seconds));
    http::async_read_header(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    // A client that waits for permission before sending its body (curl does, for large
    // bodies) gets it now that the header has passed the size checks.
    if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
      asio::async_write(stream_, asio::buffer(kContinue, sizeof(kContinue) - 1),
                        [self = shared_from_this()](beast::error_code e, size_t) {
                          if (e) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_after(Millis(server_.options.idle_timeout_seconds));
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return Reject(413, "the request body is larger than the limit of " +
                             std::to_string(server_.options.max_body_bytes) + " bytes");
    }
    if (ec == http::error::header_limit) return Reject(431, "the request headers are too large");
    if (ec.category() == http::make_error_code(http::error::bad_target).category() && ec != http::error::end_of_stream &&
        ec != http::error::partial_message) {
      return Reject(400, "malformed HTTP request: " + ec.message());
    }
    Close();  // the peer left, timed out or reset
  }

  void OnRead(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec);
    http::request<http::string_body> req = parser_->release();
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.path = request.target.substr(0, request.target.find('?'));
    for (const auto& field : req) request.headers[Lower(std::string(field.name_string()))] = std::string(field.value());
    request.body = std::move(req.body());
    beast::error_code peer_error;
    tcp::endpoint peer = stream_.socket().remote_endpoint(peer_error);
    if (!peer_error) request.remote = peer.address().to_string() + ":" + std::to_string(peer.port());
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    stream_.expires_never();  // the handler's time is not the client's idleness
    if (server_.IsQuick(request)) return Answer(server_.Call(request), /*on_worker=*/false);
    // The guard keeps the I/O thread running until the response is out: a streamed body
    // waits on writes the I/O thread must complete, even while the server stops.
    asio::post(*server_.workers, [self = shared_from_this(), request = std::move(request),
                                  guard = asio::make_work_guard(io_)]() {
      self->Answer(self->server_.Call(request), /*on_worker=*/true);
    });
  }

  // What the handler returned, on the I/O thread or a worker: written, streamed (always
  // from a worker: it waits on the I/O thread), or left for later.
  void Answer(HttpResponse response, bool on_worker) {
    auto self = shared_from_this();
    if (response.later) {
      auto later = std::move(response.later);
      auto pending = std::make_shared<Pending>(self);
      try {
        later([pending](HttpResponse r) { pending->Send(std::move(r)); });
      } catch (const std::exception& e) {
        pending->Send(server_.Error(500, std::string("internal error: ") + e.what()));
      } catch (...) {
        pending->Send(server_.Error(500, "internal error"));
      }
      return;
    }
    if (response.stream) {
      if (on_worker) return Stream(std::move(response));
      asio::post(*server_.workers, [self, response = std::move(response), guard = asio::make_work_guard(io_)]() mutable {
        self->Stream(std::move(response));
      });
      return;
    }
    if (!on_worker) return Write(std::move(response));
    asio::post(io_, [self, response = std::move(response)]() mutable { self->Write(std::move(response)); });
  }

  // A response still to come: sent once, from any thread; a 500 if it never comes. Keeps
  // the I/O thread running meanwhile, so the server stops only after it is out.
  class Pending {
   public:
    explicit Pending(std::shared_ptr<Session> session)
        : session_(std::move(session)), guard_(asio::make_work_guard(session_->io_)) {}
    ~Pending() {
      if (!sent_) Send(session_->server_.Error(500, "internal error: the handler never answered"));
    }
    void Send(HttpResponse r) {
      if (sent_.exchange(true)) return;
      r.later = nullptr, r.stream = nullptr;
      asio::post(session_->io_, [session = session_, r = std::move(r)]() mutable { session->Write(std::move(r)); });
    }

   private:
    std::shared_ptr<Session> session_;
    asio::executor_work_guard<asio::io_context::executor_type> guard_;
    std::atomic<bool> sent_{false};
  };

  // On a handler thread: runs `op` on the I/O thread and waits for the result it reports.
  bool OnIoThread(std::function<void(std::function<void(bool)>)> op) {
    auto done = std::make_shared<std::promise<bool>>();
    std::future<bool> result = done->get_future();
    asio::post(stream_.get_executor(), [op = std::move(op), done] { op([done](bool ok) { done->set_value(ok); }); });
    return result.get();
  }

  // A streamed response, from a handler thread: the header, each piece as a chunk, the
  // last chunk; then the connection goes on (or closes) as after any response.
  void Stream(HttpResponse r) {
    auto self = shared_from_this();
    const bool started = OnIoThread([self, &r](std::function<void(bool)> done) {
      self->header_ = {};
      self->header_.version(self->version_);
      self->header_.result(static_cast<unsigned>(r.status >= 100 && r.status <= 599 ? r.status : 500));
      self->header_.set(http::field::server, "kaif");
      self->header_.set(http::field::content_type, r.content_type);
      for (const auto& [name, value] : r.headers) self->header_.set(name, value);
      self->header_.keep_alive(self->keep_alive_);
      self->header_.chunked(true);
      self->serializer_.emplace(self->header_);
      self->stream_.expires_after(Millis(self->server_.options.idle_timeout_seconds));
      http::async_write_header(self->stream_, *self->serializer_,
                               [done](beast::error_code ec, size_t) { done(!ec); });
    });
    if (!started) return Finish(false);
    const BodyWriter send = [self](std::string_view piece) {
      if (piece.empty()) return true;
      auto data = std::make_shared<std::string>(piece);
      return self->OnIoThread([self, data](std::function<void(bool)> done) {
        self->stream_.expires_after(Millis(self->server_.options.idle_timeout_seconds));
        asio::async_write(self->stream_, http::make_chunk(asio::buffer(*data)),
                          [done, data](beast::error_code ec, size_t) { done(!ec); });
      });
    };
    bool ok = true;
    try {
      r.stream([&](std::string_view piece) { return ok = ok && send(piece); });
    } catch (...) {
      // A producer that fails mid-body: end the body where it is.
    }
    if (ok) {
      ok = OnIoThread([self](std::function<void(bool)> done) {
        asio::async_write(self->stream_, http::make_chunk_last(), [done](beast::error_code ec, size_t) { done(!ec); });
      });
    }
    Finish(ok);
  }

  // After a streamed body: the next request, or the end of the connection.
  void Finish(bool written) {
    asio::post(stream_.get_executor(), [self = shared_from_this(), written] {
      if (!written) return self->Close();
      self->OnWrite({}, 0);
    });
  }

  void Write(HttpResponse r) {
    response_ = {};
    response_.version(version_);
    response_.result(static_cast<unsigned>(r.status >= 100 && r.status <= 599 ? r.status : 500));
    response_.set(http::field::server, "kaif");
    response_.set(http::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers) response_.set(name, value);
    response_.body() = std::move(r.body);
    response_.keep_alive(keep_alive_);
    response_.prepare_payload();
    stream_.expires_after(Millis(server_.options.idle_timeout_seconds));
    http::async_write(stream_, response_, beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, size_t) {
    if (ec) return Close();
    if (!keep_alive_) return Drain();
    ReadHeader();
  }

  // Answers a request the handler never sees, then closes the connection.
  void Reject(int status, const std::string& message) {
    keep_alive_ = false;
    Write(server_.Error(status, message));
  }

  // Closes gracefully: stop sending, then read (and drop) what the client still sends
  // for a moment, so that unread request bytes do not turn the close into a reset that
  // destroys the response before the client has read it.
  void Drain() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    stream_.expires_after(std::chrono::seconds(2));
    stream_.async_read_some(asio::buffer(drain_), [self = shared_from_this()](beast::error_code e, size_t) {
      if (e) return self->Close();
      self->DrainMore();
    });
  }
  void DrainMore() {
    stream_.async_read_some(asio::buffer(drain_), [self = shared_from_this()](beast::error_code e, size_t) {
      if (e) return self->Close();
      self->DrainMore();
    });
  }

  static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

  HttpServer::Impl& server_;
  asio::io_context& io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;  // alive while it is written
  http::response<http::empty_body> header_;      // a streamed response's header
  std::optional<http::response_serializer<http::empty_body>> serializer_;
  std::array<char, 4096> drain_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
};

}  // namespace

void HttpServer::Impl::Accept() {
  asio::io_context& io = *ios[next_io];
  acceptor->async_accept(io, [this, &io](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
    if (ec) {
      // Out of file descriptors and the like: try again shortly instead of spinning.
      accept_retry->expires_after(std::chrono::milliseconds(100));
      accept_retry->async_wait([this](beast::error_code e) {
        if (!e) Accept();
      });
      return;
    }
    std::shared_ptr<Session> session;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!stopped && sessions.size() < options.max_connections) {
        session = std::make_shared<Session>(*this, io, std::move(socket));
        sessions[session.get()] = session;
      }
    }
    if (session) {
      next_io = (next_io + 1) % ios.size();
      asio::dispatch(io, [session] { session->Start(); });
    } else {
      beast::error_code ignored;
      socket.close(ignored);
    }
    Accept();
  });
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

uint16_t HttpServer::port() const { return impl_->port; }

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options, HttpHandler handler) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->handler = std::move(handler);
  for (size_t i = 0; i < std::max<size_t>(1, options.io_threads); ++i) {
    impl->ios.push_back(std::make_unique<asio::io_context>(1));
    impl->keep_running.push_back(asio::make_work_guard(*impl->ios.back()));
  }
  impl->acceptor = std::make_unique<tcp::acceptor>(*impl->ios[0]);
  impl->accept_retry = std::make_unique<asio::steady_timer>(*impl->ios[0]);
  const std::string where = options.host + ":" + std::to_string(options.port);
  beast::error_code ec;
  tcp::endpoint endpoint;
  asio::ip::address address = asio::ip::make_address(options.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options.port);
  } else {
    tcp::resolver resolver(*impl->ios[0]);
    auto found = resolver.resolve(options.host, std::to_string(options.port), ec);
    if (ec || found.empty()) return Status::InvalidInput(where + ": cannot resolve the host: " + ec.message());
    endpoint = found.begin()->endpoint();
  }
  impl->acceptor->open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor->bind(endpoint, ec);
  if (!ec) impl->acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::IoError(where + ": cannot listen: " + ec.message());
  impl->port = impl->acceptor->local_endpoint(ec).port();
  impl->workers = std::make_unique<asio::thread_pool>(std::max<size_t>(1, options.handler_threads));
  impl->Accept();
  for (auto& io : impl->ios) {
    impl->io_threads.emplace_back([io = io.get()] {
      for (;;) {
        try {
          io->run();
          return;
        } catch (...) {
          // Handlers on this thread do not throw; should one, keep serving the others.
        }
      }
    });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

void HttpServer::Stop() {
  Impl& s = *impl_;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.stopped) return;
    s.stopped = true;
  }
  // Close the listener and every connection on its I/O thread (their operations end
  // there), let running handlers finish, then the I/O threads run out of work and return.
  // No connection is added from here on: Accept sees `stopped`.
  asio::post(*s.ios[0], [&s] {
    beast::error_code ec;
    s.acceptor->close(ec);
    s.accept_retry->cancel();
  });
  {
    std::lock_guard<std::mutex> lock(s.mu);
    for (auto& [raw, weak] : s.sessions) {
      if (auto session = weak.lock()) asio::post(session->io(), [session] { session->Close(); });
    }
  }
  s.keep_running.clear();
  s.workers->join();
  for (std::thread& t : s.io_threads) {
    if (t.joinable()) t.join();
  }
}

}  // namespace kaif::net
