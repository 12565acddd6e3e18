// One HTTP request at a time over libcurl, keeping the connection for the next one. A
// response of any status is a response; only a request that got no answer (refused,
// reset, timed out, TLS failure) is an error. Not thread-safe: one client per thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace kaif::net {

struct HttpClientResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
};

struct HttpClientRequest {
  std::string method = "POST";
  std::string url;
  std::string body;
  std::vector<std::string> headers;  // "Name: value"
  double timeout_seconds = 300;      // connecting, sending and receiving together
  // When set, the body is handed over piece by piece as it arrives (server-sent events)
  // instead of being kept in the response; returning false stops the transfer (an error).
  std::function<bool(std::string_view piece)> on_body;
  // A transfer that receives nothing for this long is given up (a backend hanging
  // mid-stream); 0: only timeout_seconds applies.
  double stall_seconds = 0;
};

class HttpClient {
 public:
  static Result<std::unique_ptr<HttpClient>> Create();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // IoError when no response came; its message names the URL (without credentials) and
  // what happened, and never the request's headers.
  Result<HttpClientResponse> Send(const HttpClientRequest& request);

  // Responses larger than this are an error rather than a memory hazard.
  static constexpr size_t kMaxResponseBytes = size_t{256} << 20;

 private:
  HttpClient() = default;
  void* curl_ = nullptr;  // CURL*
};

// `url` with any user:password@ removed, for messages and identities.
std::string RedactUrl(const std::string& url);

}  // namespace kaif::net
