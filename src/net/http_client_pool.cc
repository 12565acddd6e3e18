#include "net/http_client_pool.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <thread>

namespace kaif::net {

double RetryAfterSeconds(const std::string& value) {
  if (value.empty()) return -1;
  if (value.find_first_not_of("0123456789. ") == std::string::npos) {
    char* end = nullptr;
    const double seconds = std::strtod(value.c_str(), &end);
    return end != value.c_str() && std::isfinite(seconds) ? seconds : -1;
  }
  const time_t at = curl_getdate(value.c_str(), nullptr);
  if (at < 0) return -1;
  return std::max(0.0, std::difftime(at, std::time(nullptr)));
}

HttpClientPool::HttpClientPool(HttpClientPoolOptions options) : options_(std::move(options)) {
  options_.concurrency = std::max<size_t>(1, options_.concurrency);
  options_.max_retries = std::max(0, options_.max_retries);
  clients_.resize(options_.concurrency);
}

HttpClientPool::~HttpClientPool() = default;

std::string HttpClientPool::Redact(std::string text) const {
  for (const std::string& secret : options_.secrets) {
    if (secret.empty()) continue;
    for (size_t at; (at = text.find(secret)) != std::string::npos;) text.replace(at, secret.size(), "[redacted]");
  }
  return text;
}

void HttpClientPool::WaitForTurn() {
  if (options_.requests_per_second <= 0) return;
  const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(1.0 / options_.requests_per_second));
  std::chrono::steady_clock::time_point at;
  {
    std::lock_guard<std::mutex> lock(rate_mu_);
    at = std::max(std::chrono::steady_clock::now(), next_send_);
    next_send_ = at + interval;
  }
  std::this_thread::sleep_until(at);
}

Result<HttpClientResponse> HttpClientPool::SendWithRetries(HttpClient& client, const HttpClientRequest& request) {
  HttpClientRequest sent = request;
  sent.timeout_seconds = options_.timeout_seconds;
  sent.headers.insert(sent.headers.end(), options_.headers.begin(), options_.headers.end());
  for (int attempt = 0;; ++attempt) {
    WaitForTurn();
    Result<HttpClientResponse> r = client.Send(sent);
    const bool transient = !r.ok() || r->status == 429 || r->status >= 500;
    if (!transient) return r;
    if (attempt >= options_.max_retries) {
      if (r.ok()) return r;
      return Status::IoError(Redact(fmt::format("{} ({} attempt{})", r.status().message(), attempt + 1, attempt ? "s" : "")));
    }
    double wait = std::min(options_.max_backoff_seconds, options_.first_backoff_seconds * std::pow(2.0, attempt));
    if (r.ok()) {
      auto retry_after = r->headers.find("retry-after");
      if (retry_after != r->headers.end()) {
        const double asked = RetryAfterSeconds(retry_after->second);
        if (asked >= 0) wait = std::min(asked, options_.max_backoff_seconds);
      }
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(std::max(0.0, wait)));
  }
}

std::vector<Result<HttpClientResponse>> HttpClientPool::Send(const std::vector<HttpClientRequest>& requests) {
  std::vector<Result<HttpClientResponse>> out(
      requests.size(), Result<HttpClientResponse>(Status::IoError("not sent: an earlier request failed")));
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto work = [&](size_t connection) {
    std::unique_ptr<HttpClient>& client = clients_[connection];
    for (size_t i; !failed && (i = next++) < requests.size();) {
      if (!client) {
        Result<std::unique_ptr<HttpClient>> created = HttpClient::Create();
        if (!created.ok()) {
          out[i] = created.status();
          failed = true;
          return;
        }
        client = std::move(*created);
      }
      out[i] = SendWithRetries(*client, requests[i]);
      if (!out[i].ok() || out[i]->status < 200 || out[i]->status > 299) failed = true;
    }
  };
  const size_t threads = std::min(options_.concurrency, requests.size());
  if (threads <= 1) {
    work(0);
    return out;
  }
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) pool.emplace_back(work, t);
  for (std::thread& t : pool) t.join();
  return out;
}

}  // namespace kaif::net
