// Many HTTP requests to a remote API: `concurrency` connections at once, each request
// retried with exponential backoff when it got no answer (refused, reset, timed out) or a
// 429 or 5xx answer, waiting what a Retry-After header asks for, and a rate limit over
// all of them. Responses come back in request order.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "net/http_client.h"
#include "util/status.h"

namespace kaif::net {

struct HttpClientPoolOptions {
  size_t concurrency = 1;
  int max_retries = 5;             // attempts after the first
  double timeout_seconds = 600;    // per attempt
  double requests_per_second = 0;  // over every connection, retries included; 0: no limit
  double first_backoff_seconds = 1;  // doubled after each failed attempt
  double max_backoff_seconds = 60;   // also caps Retry-After
  std::vector<std::string> headers;  // sent with every request: "Authorization: Bearer ..."
  // Strings that never appear in a returned message (an API key a server might echo).
  std::vector<std::string> secrets;
};

// Send() is called from one thread at a time (it runs its own threads, one per connection).
class HttpClientPool {
 public:
  explicit HttpClientPool(HttpClientPoolOptions options);
  ~HttpClientPool();

  // Sends every request; the responses in the same order. An element is an error when the
  // request found no answer after every retry; a 429 or 5xx that stayed one after every
  // retry comes back as the response it is, as does any other status (the caller decides
  // what a 400 means). After the first failure (no answer, or a final status other than
  // 2xx) requests not yet sent are not sent: the batch is lost anyway (their element says so).
  std::vector<Result<HttpClientResponse>> Send(const std::vector<HttpClientRequest>& requests);

  // `text` with every secret replaced by "[redacted]".
  std::string Redact(std::string text) const;

  const HttpClientPoolOptions& options() const { return options_; }

 private:
  // One request on `client`, with retries.
  Result<HttpClientResponse> SendWithRetries(HttpClient& client, const HttpClientRequest& request);
  // Blocks until the rate limit lets one more request go.
  void WaitForTurn();

  HttpClientPoolOptions options_;
  std::vector<std::unique_ptr<HttpClient>> clients_;  // one per connection, kept between calls
  std::mutex rate_mu_;
  std::chrono::steady_clock::time_point next_send_;  // GUARDED_BY(rate_mu_)
};

// Seconds a Retry-After header value asks to wait (delta-seconds or an HTTP date); a
// negative number when it says nothing usable.
double RetryAfterSeconds(const std::string& value);

}  // namespace kaif::net
