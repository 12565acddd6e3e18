#include "net/http_client.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace kaif::net {
namespace {

struct Received {
  HttpClientResponse response;
  const std::function<bool(std::string_view)>* on_body = nullptr;
  bool too_large = false, stopped = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* r = static_cast<Received*>(user);
  const size_t n = size * count;
  if (r->on_body && *r->on_body) {
    if ((*r->on_body)(std::string_view(data, n))) return n;
    r->stopped = true;
    return 0;
  }
  if (r->response.body.size() + n > HttpClient::kMaxResponseBytes) {
    r->too_large = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  r->response.body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* r = static_cast<Received*>(user);
  const size_t n = size * count;
  std::string line(data, n);
  if (line.rfind("HTTP/", 0) == 0) {
    r->response.headers.clear();  // a new response (after 100 Continue or a redirect)
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string::npos) return n;
  std::string name = line.substr(0, colon), value = line.substr(colon + 1);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const size_t first = value.find_first_not_of(" \t");
  const size_t last = value.find_last_not_of(" \t\r\n");
  r->response.headers[name] = first == std::string::npos ? "" : value.substr(first, last - first + 1);
  return n;
}

}  // namespace

std::string RedactUrl(const std::string& url) {
  const size_t scheme = url.find("://");
  const size_t host = scheme == std::string::npos ? 0 : scheme + 3;
  const size_t path = url.find_first_of("/?#", host);
  const size_t at = url.rfind('@', path == std::string::npos ? url.size() : path);
  if (at == std::string::npos || at < host) return url;
  return url.substr(0, host) + url.substr(at + 1);
}

Result<std::unique_ptr<HttpClient>> HttpClient::Create() {
  // libcurl wants its global setup done once before any handle; it is process-wide by
  // libcurl's design, not kaif's.
  static std::once_flag once;
  static CURLcode global = CURLE_OK;
  std::call_once(once, [] { global = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (global != CURLE_OK) return Status::Internal(std::string("libcurl: ") + curl_easy_strerror(global));
  std::unique_ptr<HttpClient> client(new HttpClient());
  client->curl_ = curl_easy_init();
  if (!client->curl_) return Status::Internal("libcurl: cannot create a handle");
  return client;
}

HttpClient::~HttpClient() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Result<HttpClientResponse> HttpClient::Send(const HttpClientRequest& request) {
  CURL* curl = static_cast<CURL*>(curl_);
  curl_easy_reset(curl);  // keeps the connection cache
  Received received;
  received.on_body = &request.on_body;
  char error[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = nullptr;
  // No "Expect: 100-continue" round trip before each body.
  headers = curl_slist_append(headers, "Expect:");
  for (const std::string& h : request.headers) headers = curl_slist_append(headers, h.c_str());
  const long timeout_ms = static_cast<long>(request.timeout_seconds * 1000);
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM, safe in threads
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 1L);
  if (request.stall_seconds > 0) {
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, std::max(1L, static_cast<long>(request.stall_seconds)));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &received);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &received);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // whatever libcurl can decode
  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  const std::string where = request.method + " " + RedactUrl(request.url);
  if (received.too_large) {
    return Status::IoError(where + ": the response is larger than " + std::to_string(kMaxResponseBytes >> 20) + " MiB");
  }
  if (received.stopped) return Status::IoError(where + ": the transfer was stopped by its receiver");
  if (rc == CURLE_OPERATION_TIMEDOUT && request.stall_seconds > 0) {
    return Status::IoError(fmt::format("{}: no response within {:g} s, or nothing received for {:g} s", where,
                                       request.timeout_seconds, request.stall_seconds));
  }
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    return Status::IoError(fmt::format("{}: no response within {:g} s", where, request.timeout_seconds));
  }
  if (rc != CURLE_OK) {
    std::string detail = error[0] ? std::string(error) : std::string(curl_easy_strerror(rc));
    // libcurl's message may quote the URL, credentials included.
    const std::string redacted = RedactUrl(request.url);
    if (redacted != request.url) {
      for (size_t at; (at = detail.find(request.url)) != std::string::npos;) detail.replace(at, request.url.size(), redacted);
    }
    return Status::IoError(where + ": " + detail);
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &received.response.status);
  return std::move(received.response);
}

}  // namespace kaif::net
