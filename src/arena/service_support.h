// What the arena service's files share: JSON replies and errors in OpenAI's error format,
// tokens, and checks of request fields. Internal to arena/.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "net/http_server.h"
#include "util/status.h"

namespace kaif::arena::service_support {

net::HttpResponse Json(int status, const nlohmann::json& body);
net::HttpResponse Error(int status, const std::string& message);
// A store error as the client sees it: its mistakes 4xx, the database's trouble 503.
net::HttpResponse Fail(const Status& s);
// A prompt refused: 413 when too long, else 400.
net::HttpResponse PromptError(const Status& s);

// Equal, in time independent of where they differ; never for empty strings.
bool SameSecret(const std::string& a, const std::string& b);
bool IsHex(const std::string& s, size_t min, size_t max);
size_t CodePoints(const std::string& s);
// NUL as U+FFFD, the replacement character.
std::string WithoutNul(std::string text);
// One server-sent event.
std::string SseEvent(const char* name, const nlohmann::json& data);

}  // namespace kaif::arena::service_support
