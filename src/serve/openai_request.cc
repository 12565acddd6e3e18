#include "serve/openai_request.h"

#include <fmt/format.h>

#include <climits>
#include <cmath>

namespace kaif::serve {
namespace {

using nlohmann::json;

// The value of `key` when it is present and not null.
const json* Field(const json& body, const char* key) {
  auto it = body.find(key);
  return it == body.end() || it->is_null() ? nullptr : &*it;
}

// The string value of `key` in an object, "" when absent or not a string.
std::string StringField(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Status Wrong(const char* key, const std::string& what) {
  return Status::InvalidInput(fmt::format("'{}' must be {}", key, what));
}

// An integer, or a float with no fractional part (16.0), as OpenAI-compatible servers accept.
bool AsInteger(const json& v, long long& out) {
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() && v.get<unsigned long long>() > static_cast<unsigned long long>(LLONG_MAX)) return false;
    out = v.get<long long>();
    return true;
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9e15) return false;
    out = static_cast<long long>(d);
    return true;
  }
  return false;
}

Status ReadInteger(const json& body, const char* key, long long lo, long long hi, std::optional<long long>& out) {
  const json* v = Field(body, key);
  if (!v) return Status::Ok();
  long long x = 0;
  if (!AsInteger(*v, x) || x < lo || x > hi) return Wrong(key, fmt::format("an integer from {} to {}", lo, hi));
  out = x;
  return Status::Ok();
}

Status ReadNumber(const json& body, const char* key, double lo, double hi, bool lo_open, double& out) {
  const json* v = Field(body, key);
  if (!v) return Status::Ok();
  const double x = v->is_number() ? v->get<double>() : NAN;
  if (!std::isfinite(x) || x < lo || (lo_open && x == lo) || x > hi) {
    return Wrong(key, lo_open ? fmt::format("a number above {} and at most {}", lo, hi)
                              : fmt::format("a number from {} to {}", lo, hi));
  }
  out = x;
  return Status::Ok();
}

Status ReadBool(const json& body, const char* key, bool& out) {
  const json* v = Field(body, key);
  if (!v) return Status::Ok();
  if (!v->is_boolean()) return Wrong(key, "true or false");
  out = v->get<bool>();
  return Status::Ok();
}

Status ReadModel(const json& body, std::string& out) {
  const json* v = Field(body, "model");
  if (!v) return Status::Ok();
  if (!v->is_string()) return Wrong("model", "a string");
  out = v->get<std::string>();
  return Status::Ok();
}

Result<std::vector<int>> ReadIds(const json& list, const char* key) {
  std::vector<int> ids;
  ids.reserve(list.size());
  for (const json& v : list) {
    long long id = -1;
    if (!AsInteger(v, id) || id < 0 || id > INT_MAX) return Wrong(key, "text, or a list of non-negative token ids");
    ids.push_back(static_cast<int>(id));
  }
  return ids;
}

// Fields that would change the answer and that kaif does not implement.
Status RefuseUnsupported(const json& body, bool stream_allowed) {
  if (const json* v = Field(body, "stream"); v && !v->is_boolean()) return Status::InvalidInput("'stream' must be true or false");
  if (const json* v = Field(body, "stream"); v && v->get<bool>() && !stream_allowed) {
    return Status::InvalidInput("'stream' is supported by /v1/chat/completions only; leave it out or send false");
  }
  for (const char* key : {"n", "best_of"}) {
    long long one = 1;
    if (const json* v = Field(body, key); v && !(AsInteger(*v, one) && one == 1)) {
      return Status::InvalidInput(fmt::format("'{}' must be 1; kaif serve returns one choice per prompt", key));
    }
  }
  for (const char* key : {"presence_penalty", "frequency_penalty"}) {
    if (const json* v = Field(body, key); v && !(v->is_number() && v->get<double>() == 0)) {
      return Status::InvalidInput(fmt::format("'{}' is not supported; use repetition_penalty", key));
    }
  }
  if (const json* v = Field(body, "logit_bias"); v && !(v->is_object() && v->empty())) {
    return Status::InvalidInput("'logit_bias' is not supported");
  }
  return Status::Ok();
}

Status ReadSampling(const json& body, SamplingRequest& out) {
  engine::SamplingOptions& s = out.sampling;
  s.temperature = 1;  // OpenAI's default
  KAIF_RETURN_IF_ERROR(ReadNumber(body, "temperature", 0, 100, false, s.temperature));
  KAIF_RETURN_IF_ERROR(ReadNumber(body, "top_p", 0, 1, true, s.top_p));
  KAIF_RETURN_IF_ERROR(ReadNumber(body, "min_p", 0, 1, false, s.min_p));
  KAIF_RETURN_IF_ERROR(ReadNumber(body, "repetition_penalty", 0, 100, true, s.repetition_penalty));
  std::optional<long long> top_k, seed;
  KAIF_RETURN_IF_ERROR(ReadInteger(body, "top_k", -1, INT_MAX, top_k));  // -1 or 0: off (vLLM's -1)
  if (top_k) s.top_k = static_cast<int>(std::max(0LL, *top_k));
  KAIF_RETURN_IF_ERROR(ReadInteger(body, "seed", LLONG_MIN, LLONG_MAX, seed));
  if (seed) {
    s.seed = static_cast<uint64_t>(*seed);
    out.seeded = true;
  }
  if (const json* stop = Field(body, "stop")) {
    if (stop->is_string()) {
      out.stop.push_back(stop->get<std::string>());
    } else if (stop->is_array()) {
      for (const json& v : *stop) {
        if (!v.is_string()) return Wrong("stop", "a string or a list of strings");
        out.stop.push_back(v.get<std::string>());
      }
    } else {
      return Wrong("stop", "a string or a list of strings");
    }
    for (const std::string& text : out.stop) {
      if (text.empty()) return Wrong("stop", "a list of non-empty strings");
    }
  }
  if (const json* ids = Field(body, "stop_token_ids")) {
    if (!ids->is_array()) return Wrong("stop_token_ids", "a list of token ids");
    KAIF_ASSIGN_OR_RETURN(out.stop_token_ids, ReadIds(*ids, "stop_token_ids"));
  }
  return ReadBool(body, "ignore_eos", out.ignore_eos);
}

}  // namespace

Result<CompletionRequest> ParseCompletionRequest(const json& body) {
  if (!body.is_object()) return Status::InvalidInput("the request body must be a JSON object");
  KAIF_RETURN_IF_ERROR(RefuseUnsupported(body, /*stream_allowed=*/false));
  if (const json* v = Field(body, "suffix"); v && !(v->is_string() && v->get<std::string>().empty())) {
    return Status::InvalidInput("'suffix' is not supported");
  }
  CompletionRequest r;
  KAIF_RETURN_IF_ERROR(ReadModel(body, r.model));
  const json* prompt = Field(body, "prompt");
  if (!prompt) return Status::InvalidInput("'prompt' is required: text, token ids, or a list of either");
  auto add_text = [&](const json& v) { r.prompts.push_back({v.get<std::string>(), {}}); };
  if (prompt->is_string()) {
    add_text(*prompt);
  } else if (prompt->is_array() && !prompt->empty() && (*prompt)[0].is_number()) {
    KAIF_ASSIGN_OR_RETURN(std::vector<int> ids, ReadIds(*prompt, "prompt"));
    r.prompts.push_back({std::nullopt, std::move(ids)});
  } else if (prompt->is_array() && !prompt->empty()) {
    if (prompt->size() > kMaxPrompts) {
      return Status::InvalidInput(fmt::format("'prompt' lists {} prompts; at most {} go in one request", prompt->size(), kMaxPrompts));
    }
    for (const json& p : *prompt) {
      if (p.is_string()) {
        add_text(p);
      } else if (p.is_array()) {
        KAIF_ASSIGN_OR_RETURN(std::vector<int> ids, ReadIds(p, "prompt"));
        r.prompts.push_back({std::nullopt, std::move(ids)});
      } else {
        return Wrong("prompt", "text, token ids, or a list of either");
      }
    }
  } else {
    return Wrong("prompt", "text, token ids, or a non-empty list of either");
  }
  for (const CompletionPrompt& p : r.prompts) {
    if (!p.text && p.ids.empty()) return Status::InvalidInput("'prompt' holds an empty list of token ids");
  }
  std::optional<long long> max_tokens, logprobs;
  KAIF_RETURN_IF_ERROR(ReadInteger(body, "max_tokens", 0, INT_MAX, max_tokens));
  if (max_tokens) r.max_tokens = static_cast<size_t>(*max_tokens);
  KAIF_RETURN_IF_ERROR(ReadBool(body, "echo", r.echo));
  if (r.max_tokens == 0 && !r.echo) return Status::InvalidInput("'max_tokens' is 0: that asks for nothing unless 'echo' is true");
  KAIF_RETURN_IF_ERROR(ReadInteger(body, "logprobs", 0, static_cast<long long>(kMaxLogprobs), logprobs));
  if (logprobs) r.logprobs = static_cast<size_t>(*logprobs);
  KAIF_RETURN_IF_ERROR(ReadBool(body, "return_tokens_as_token_ids", r.tokens_as_ids));
  KAIF_RETURN_IF_ERROR(ReadSampling(body, r.sampling));
  return r;
}

Result<ChatRequest> ParseChatRequest(const json& body) {
  if (!body.is_object()) return Status::InvalidInput("the request body must be a JSON object");
  KAIF_RETURN_IF_ERROR(RefuseUnsupported(body, /*stream_allowed=*/true));
  if (const json* v = Field(body, "tools"); v && !(v->is_array() && v->empty())) {
    return Status::InvalidInput("'tools' is not supported");
  }
  if (const json* v = Field(body, "response_format"); v && !(v->is_object() && StringField(*v, "type") == "text")) {
    return Status::InvalidInput("'response_format' other than {\"type\": \"text\"} is not supported");
  }
  if (const json* v = Field(body, "logprobs"); v && !(v->is_boolean() && !v->get<bool>())) {
    return Status::InvalidInput("'logprobs' is not supported in chat completions; use /v1/completions with echo");
  }
  ChatRequest r;
  if (const json* v = Field(body, "stream")) r.stream = v->get<bool>();
  KAIF_RETURN_IF_ERROR(ReadModel(body, r.model));
  const json* messages = Field(body, "messages");
  if (!messages || !messages->is_array() || messages->empty()) {
    return Status::InvalidInput("'messages' is required: a non-empty list of {\"role\", \"content\"}");
  }
  r.messages = json::array();
  for (size_t i = 0; i < messages->size(); ++i) {
    const json& m = (*messages)[i];
    const std::string where = fmt::format("'messages'[{}]", i);
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string()) {
      return Status::InvalidInput(where + " must be an object with a string 'role'");
    }
    std::string content;
    const json* c = Field(m, "content");
    if (c && c->is_string()) {
      content = c->get<std::string>();
    } else if (c && c->is_array()) {
      for (const json& part : *c) {
        if (!part.is_object() || StringField(part, "type") != "text" || !part.contains("text") || !part["text"].is_string()) {
          return Status::InvalidInput(where + ": only text content parts ({\"type\": \"text\", \"text\": ...}) are supported");
        }
        content += part["text"].get<std::string>();
      }
    } else if (c) {
      return Status::InvalidInput(where + ": 'content' must be a string or a list of text parts");
    }
    r.messages.push_back({{"role", m["role"]}, {"content", content}});
  }
  std::optional<long long> max_tokens, max_completion_tokens;
  KAIF_RETURN_IF_ERROR(ReadInteger(body, "max_tokens", 1, INT_MAX, max_tokens));
  KAIF_RETURN_IF_ERROR(ReadInteger(body, "max_completion_tokens", 1, INT_MAX, max_completion_tokens));
  if (max_completion_tokens) max_tokens = max_completion_tokens;
  if (max_tokens) r.max_tokens = static_cast<size_t>(*max_tokens);
  KAIF_RETURN_IF_ERROR(ReadSampling(body, r.sampling));
  return r;
}

}  // namespace kaif::serve
