#include "arena/service_support.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>

#include "serve/openai_service.h"

namespace kaif::arena::service_support {

using nlohmann::json;

net::HttpResponse Json(int status, const json& body) {
  net::HttpResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

net::HttpResponse Error(int status, const std::string& message) {
  net::HttpResponse r = serve::ErrorResponse(status, message);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

net::HttpResponse Fail(const Status& s) {
  switch (s.code()) {
    case Status::Code::kInvalidInput: return Error(400, s.message());
    case Status::Code::kNotFound: return Error(404, s.message());
    case Status::Code::kIoError: return Error(503, "the arena's database failed: " + s.message());
    default: return Error(500, s.message());
  }
}

bool SameSecret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool IsHex(const std::string& s, size_t min, size_t max) {
  return s.size() >= min && s.size() <= max &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

size_t CodePoints(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string WithoutNul(std::string text) {
  for (size_t at; (at = text.find('\0')) != std::string::npos;) text.replace(at, 1, "\xEF\xBF\xBD");
  return text;
}

std::string SseEvent(const char* name, const json& data) {
  return fmt::format("event: {}\ndata: {}\n\n", name, data.dump(-1, ' ', false, json::error_handler_t::replace));
}

net::HttpResponse PromptError(const Status& s) {
  return Error(s.code() == Status::Code::kResourceExhausted ? 413 : 400, s.message());
}

}  // namespace kaif::arena::service_support
