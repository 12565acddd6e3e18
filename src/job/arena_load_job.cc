#include "job/arena_load_job.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "arena/arena_config.h"
#include "arena/store.h"
#include "util/hex.h"
#include "util/sha256.h"

namespace kaif::job {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Run {
  std::string host, port, token;
  int64_t first_id = 0;
  size_t battles = 0, next = 0;
  Clock::time_point deadline;
  std::vector<float> latencies_ms;
  ArenaLoadOutcome outcome;
  std::FILE* acked = nullptr;
};

// One keep-alive connection sending votes one after another.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(asio::io_context& io, Run& run, std::string voter) : socket_(io), run_(run), voter_(std::move(voter)) {}

  void Start(const tcp::resolver::results_type& endpoints) {
    asio::async_connect(socket_, endpoints, [self = shared_from_this()](boost::system::error_code ec, const tcp::endpoint&) {
      if (ec) {
        ++self->run_.outcome.broken;
        return;
      }
      socket_option(self->socket_);
      self->Next();
    });
  }

 private:
  static void socket_option(tcp::socket& s) {
    boost::system::error_code ignored;
    s.set_option(tcp::no_delay(true), ignored);
  }

  void Next() {
    if (run_.next >= run_.battles || Clock::now() >= run_.deadline) return;
    id_ = run_.first_id + static_cast<int64_t>(run_.next++);
    static const char* winners[] = {"model_a", "model_b", "tie", "model_a", "tie (bothbad)"};
    const std::string body =
        fmt::format(R"({{"winner":"{}","token":"{}","nonce":"0"}})", winners[id_ % 5], run_.token);
    request_ = fmt::format(
        "POST /api/battles/{}/vote HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nX-Kaif-Voter: {}\r\n"
        "Content-Length: {}\r\n\r\n{}",
        id_, run_.host, voter_, body.size(), body);
    start_ = Clock::now();
    ++run_.outcome.sent;
    asio::async_write(socket_, asio::buffer(request_), [self = shared_from_this()](boost::system::error_code ec, size_t) {
      if (ec) return self->Broken();
      self->Read();
    });
  }

  void Read() {
    parser_.emplace();
    parser_->body_limit(1 << 20);
    http::async_read(socket_, buffer_, *parser_, [self = shared_from_this()](boost::system::error_code ec, size_t) {
      if (ec) return self->Broken();
      const int status = static_cast<int>(self->parser_->get().result_int());
      self->run_.latencies_ms.push_back(
          static_cast<float>(std::chrono::duration<double, std::milli>(Clock::now() - self->start_).count()));
      ++self->run_.outcome.statuses[status];
      if (status == 200) {
        ++self->run_.outcome.acknowledged;
        if (self->run_.acked) {
          std::fprintf(self->run_.acked, "%lld\n", static_cast<long long>(self->id_));
          std::fflush(self->run_.acked);
        }
      } else {
        ++self->run_.outcome.refused;
      }
      if (!self->parser_->keep_alive()) return;
      self->Next();
    });
  }

  void Broken() { ++run_.outcome.broken; }

  tcp::socket socket_;
  Run& run_;
  std::string voter_, request_;
  int64_t id_ = 0;
  Clock::time_point start_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
};

double Percentile(std::vector<float>& sorted, double q) {
  if (sorted.empty()) return 0;
  const size_t i = std::min(sorted.size() - 1, static_cast<size_t>(q * static_cast<double>(sorted.size())));
  return sorted[i];
}

}  // namespace

Result<ArenaLoadOutcome> RunArenaLoad(const ArenaLoadJob& job) {
  Run run;
  const std::string prefix = "http://";
  if (job.url.rfind(prefix, 0) != 0) return Status::InvalidInput("the url is http://HOST:PORT, not " + job.url);
  std::string hostport = job.url.substr(prefix.size());
  if (const size_t slash = hostport.find('/'); slash != std::string::npos) hostport.resize(slash);
  const size_t colon = hostport.rfind(':');
  if (colon == std::string::npos || colon == 0) return Status::InvalidInput("the url needs a port: " + job.url);
  run.host = hostport.substr(0, colon), run.port = hostport.substr(colon + 1);
  if (job.connections == 0 || job.seconds <= 0) return Status::InvalidInput("connections and seconds must be positive");

  KAIF_ASSIGN_OR_RETURN(arena::ArenaConfig config, arena::ReadArenaConfig(job.config));
  if (config.pow_bits != 0) {
    return Status::InvalidInput(job.config.string() + ": a load test needs pow_bits = 0 ([battles]) and no vote limits");
  }
  KAIF_ASSIGN_OR_RETURN(std::unique_ptr<arena::ArenaStore> store, arena::ArenaStore::Open(config.database));
  KAIF_ASSIGN_OR_RETURN(run.token, RandomHex(16));
  run.battles = job.battles ? job.battles : static_cast<size_t>(job.seconds * 50000);
  const auto seed_start = Clock::now();
  KAIF_ASSIGN_OR_RETURN(run.first_id, store->CreateAnsweredBattles(config.models[0].name, config.models[1].name,
                                                                   Sha256Hex(run.token), run.battles));
  run.outcome.seed_seconds = std::chrono::duration<double>(Clock::now() - seed_start).count();
  store.reset();

  if (!job.acked.empty()) {
    run.acked = std::fopen(job.acked.c_str(), "w");
    if (!run.acked) return Status::IoError(job.acked.string() + ": cannot write");
  }
  asio::io_context io;
  tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto endpoints = resolver.resolve(run.host, run.port, ec);
  if (ec) return Status::InvalidInput("cannot resolve " + run.host + ": " + ec.message());
  run.latencies_ms.reserve(run.battles);
  const auto start = Clock::now();
  run.deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(job.seconds));
  for (size_t i = 0; i < job.connections; ++i) {
    std::make_shared<Session>(io, run, fmt::format("{:016x}{:016x}", 0x6b616966ULL, i))->Start(endpoints);
  }
  io.run();
  run.outcome.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (run.acked) std::fclose(run.acked);
  ArenaLoadOutcome out = run.outcome;
  out.votes_per_second = out.acknowledged / std::max(out.seconds, 1e-9);
  std::sort(run.latencies_ms.begin(), run.latencies_ms.end());
  out.p50_ms = Percentile(run.latencies_ms, 0.50);
  out.p90_ms = Percentile(run.latencies_ms, 0.90);
  out.p99_ms = Percentile(run.latencies_ms, 0.99);
  out.max_ms = run.latencies_ms.empty() ? 0 : run.latencies_ms.back();
  return out;
}

}  // namespace kaif::job
