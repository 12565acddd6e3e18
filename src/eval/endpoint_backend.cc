#include "eval/endpoint_backend.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace kaif::eval {
namespace {

using nlohmann::json;

// Without the served model's tokenizer, text travels as its UTF-8 bytes: ids 0..255,
// decoded back to exactly the text, so a prompt reaches a chat API unchanged.
class Utf8BytesTokenizer : public tokenizer::Tokenizer {
 public:
  Result<std::vector<int>> Encode(std::string_view text, bool) const override {
    std::vector<int> ids;
    ids.reserve(text.size());
    for (unsigned char c : text) ids.push_back(c);
    return ids;
  }
  std::string Decode(const std::vector<int>& ids, bool) const override {
    std::string text;
    text.reserve(ids.size());
    for (int id : ids) {
      if (id >= 0 && id < 256) text.push_back(static_cast<char>(id));
    }
    return text;
  }
  std::string TokenText(int id) const override { return Decode({id}, false); }
  int vocab_size() const override { return 256; }
};

const json* Member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

// The first choice of a response (index 0), or null.
const json* FirstChoice(const json& response) {
  const json* choices = Member(response, "choices");
  if (!choices || !choices->is_array() || choices->empty()) return nullptr;
  for (const json& c : *choices) {
    const json* index = Member(c, "index");
    if (index && index->is_number_integer() && index->get<long long>() == 0) return &c;
  }
  return &(*choices)[0];
}

// Sampling settings as OpenAI-compatible servers name them; defaults are left out so that
// APIs without an extension still accept the request.
void AddSampling(json& body, const engine::GenerateRequest& r) {
  const engine::SamplingOptions& s = r.sampling;
  body["temperature"] = s.temperature;
  if (s.temperature > 0) body["seed"] = s.seed;
  if (s.top_p < 1) body["top_p"] = s.top_p;
  if (s.top_k > 0) body["top_k"] = s.top_k;
  if (s.min_p > 0) body["min_p"] = s.min_p;
  if (s.repetition_penalty != 1) body["repetition_penalty"] = s.repetition_penalty;
  if (!r.stop_strings.empty()) body["stop"] = r.stop_strings;
  if (!r.stop_tokens.empty()) body["stop_token_ids"] = r.stop_tokens;
  if (!r.stop_at_eos) body["ignore_eos"] = true;
}

}  // namespace

std::string EndpointBaseUrl(const std::string& url) {
  std::string base = url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  for (const char* tail : {"/chat/completions", "/completions"}) {
    const std::string t = tail;
    if (base.size() > t.size() && base.compare(base.size() - t.size(), t.size(), t) == 0) {
      base.resize(base.size() - t.size());
      break;
    }
  }
  const size_t scheme = base.find("://");
  const size_t path = base.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (path == std::string::npos) base += "/v1";
  return base;
}

Result<engine::ScoreResult> ReadEchoedLogprobs(const json& response, const std::vector<int>& prompt,
                                               size_t continuation, int max_tokens) {
  const json* choice = FirstChoice(response);
  if (!choice) return Status::Corruption("the response has no choices");
  const json* logprobs = Member(*choice, "logprobs");
  if (!logprobs || !logprobs->is_object()) {
    return Status::Corruption("the response has no logprobs; the server must support echo with logprobs");
  }
  const json* values = Member(*logprobs, "token_logprobs");
  const json* tops = Member(*logprobs, "top_logprobs");
  const size_t n = prompt.size();
  if (!values || !values->is_array()) return Status::Corruption("the response's logprobs have no token_logprobs list");
  const size_t got = values->size();
  if (got != n && !(max_tokens == 1 && got == n + 1)) {
    return Status::Corruption(fmt::format("the response lists {} token log-probabilities for a prompt of {} tokens "
                                          "(max_tokens {}); the server must echo the prompt's token ids as sent",
                                          got, n, max_tokens));
  }
  if (!tops || !tops->is_array() || tops->size() != got) {
    return Status::Corruption("the response's top_logprobs list is missing or not as long as token_logprobs");
  }
  // Servers that name tokens by id ("token_id:42", vLLM's return_tokens_as_token_ids)
  // let the prompt be checked token for token.
  if (const json* tokens = Member(*logprobs, "tokens"); tokens && tokens->is_array() && tokens->size() == got) {
    for (size_t j = 0; j < n; ++j) {
      const json& t = (*tokens)[j];
      if (!t.is_string() || t.get<std::string>().rfind("token_id:", 0) != 0) break;
      if (t.get<std::string>() != fmt::format("token_id:{}", prompt[j])) {
        return Status::Corruption(fmt::format("the response's token {} is {}, but the prompt sent {}", j,
                                              t.get<std::string>(), prompt[j]));
      }
    }
  }
  engine::ScoreResult result;
  for (size_t j = n - continuation; j < n; ++j) {
    const json& v = (*values)[j];
    if (!v.is_number() || !std::isfinite(v.get<double>())) {
      return Status::Corruption(fmt::format("token_logprobs[{}] is {}, not a finite number", j, v.dump()));
    }
    const double logprob = v.get<double>();
    const json& top = (*tops)[j];
    if (!top.is_object() || top.empty()) {
      return Status::Corruption(fmt::format("top_logprobs[{}] is {}, not an object of token log-probabilities", j,
                                            top.is_object() ? "empty" : top.dump()));
    }
    double best = -INFINITY;
    for (const auto& [token, value] : top.items()) {
      if (!value.is_number() || std::isnan(value.get<double>())) {
        return Status::Corruption(fmt::format("top_logprobs[{}][{}] is {}, not a number", j, json(token).dump(), value.dump()));
      }
      best = std::max(best, value.get<double>());
    }
    result.logprob += logprob;
    result.greedy = result.greedy && logprob >= best;
  }
  return result;
}

Result<std::unique_ptr<EndpointBackend>> EndpointBackend::Open(EndpointOptions options,
                                                               std::unique_ptr<tokenizer::Tokenizer> tokenizer) {
  if (options.url.rfind("http://", 0) != 0 && options.url.rfind("https://", 0) != 0) {
    return Status::InvalidInput("the endpoint '" + net::RedactUrl(options.url) + "' is not an http:// or https:// URL");
  }
  if (options.model.empty()) return Status::InvalidInput("the endpoint needs the served model's name (--endpoint-model)");
  std::unique_ptr<EndpointBackend> b(new EndpointBackend());
  b->has_tokenizer_ = tokenizer != nullptr;
  b->tokenizer_ = tokenizer ? std::move(tokenizer) : std::make_unique<Utf8BytesTokenizer>();
  b->chat_ = options.chat || !b->has_tokenizer_;
  b->base_url_ = EndpointBaseUrl(options.url);
  b->identity_ = fmt::format("endpoint {} model={} tokenizer={}{}", net::RedactUrl(b->base_url_), options.model,
                             b->has_tokenizer_ ? options.tokenizer_sha256 : "none", b->chat_ ? " api=chat" : "");
  options.http.headers.push_back("Content-Type: application/json");
  if (!options.api_key.empty()) {
    options.http.headers.push_back("Authorization: Bearer " + options.api_key);
    options.http.secrets.push_back(options.api_key);
  }
  b->pool_ = std::make_unique<net::HttpClientPool>(options.http);
  b->options_ = std::move(options);
  if (b->options_.max_length > 0) {
    b->max_length_ = b->options_.max_length;
    return b;
  }
  // The model's window from URL/models (vLLM and kaif serve list max_model_len).
  net::HttpClientRequest get;
  get.method = "GET";
  get.url = b->base_url_ + "/models";
  std::vector<Result<net::HttpClientResponse>> answer = b->pool_->Send({get});
  if (!answer[0].ok()) return answer[0].status().WithContext("cannot reach the endpoint");
  if (answer[0]->status == 200) {
    json models = json::parse(answer[0]->body, nullptr, false);
    const json* data = Member(models, "data");
    if (data && data->is_array()) {
      for (const json& m : *data) {
        const json* id = Member(m, "id");
        const json* length = Member(m, "max_model_len");
        if (id && *id == b->options_.model && length && length->is_number_integer() && length->get<long long>() > 0) {
          b->max_length_ = static_cast<size_t>(length->get<long long>());
        }
      }
    }
  }
  return b;
}

Result<json> EndpointBackend::ReadResponse(const std::string& path, const Result<net::HttpClientResponse>& response) const {
  const std::string where = "POST " + net::RedactUrl(base_url_) + path;
  if (!response.ok()) return response.status();
  json body = json::parse(response->body, nullptr, false);
  if (response->status != 200) {
    std::string message;
    const json* error = Member(body, "error");
    if (error && error->is_object() && Member(*error, "message") && (*error)["message"].is_string()) {
      message = (*error)["message"].get<std::string>();
    } else if (error && error->is_string()) {
      message = error->get<std::string>();
    } else if (const json* m = Member(body, "message"); m && m->is_string()) {
      message = m->get<std::string>();
    } else {
      message = response->body.substr(0, 300);
    }
    message = pool_->Redact(message);
    if (response->status == 401 && options_.api_key.empty()) {
      message += fmt::format(" (no API key was sent: ${} is not set)", options_.api_key_env.empty() ? "OPENAI_API_KEY" : options_.api_key_env);
    }
    const std::string text = fmt::format("{} answered {}: {}", where, response->status, message);
    return response->status >= 400 && response->status < 500 && response->status != 429 ? Status::InvalidInput(text)
                                                                                         : Status::IoError(text);
  }
  if (body.is_discarded()) return Status::Corruption(where + " answered 200 with a body that is not JSON");
  return body;
}

Result<std::vector<json>> EndpointBackend::PostAll(const std::string& path, const std::vector<json>& bodies) {
  std::vector<net::HttpClientRequest> requests(bodies.size());
  for (size_t i = 0; i < bodies.size(); ++i) {
    requests[i].url = base_url_ + path;
    requests[i].body = bodies[i].dump(-1, ' ', false, json::error_handler_t::replace);
  }
  std::vector<Result<net::HttpClientResponse>> responses = pool_->Send(requests);
  std::vector<json> out;
  out.reserve(responses.size());
  // The first real failure, not the "not sent" of the requests after it.
  for (size_t i = 0; i < responses.size(); ++i) {
    if (!responses[i].ok() || responses[i]->status != 200) {
      Result<json> failed = ReadResponse(path, responses[i]);
      if (!failed.ok()) return failed.status().WithContext(fmt::format("request {}", i));
    }
  }
  for (size_t i = 0; i < responses.size(); ++i) {
    Result<json> body = ReadResponse(path, responses[i]);
    if (!body.ok()) return body.status().WithContext(fmt::format("request {}", i));
    out.push_back(std::move(*body));
  }
  return out;
}

json EndpointBackend::ScoreBody(const std::vector<int>& prompt, int max_tokens) const {
  return {{"model", options_.model}, {"prompt", prompt}, {"max_tokens", max_tokens}, {"echo", true},
          {"logprobs", 1},           {"temperature", 0}};
}

Result<std::vector<engine::ScoreResult>> EndpointBackend::Loglikelihood(const std::vector<engine::ScoreRequest>& requests) {
  if (requests.empty()) return std::vector<engine::ScoreResult>();
  if (!has_tokenizer_) {
    return Status::InvalidInput("log-likelihoods over an endpoint need the served model's tokenizer: pass --tokenizer");
  }
  const size_t window = max_length_;
  std::vector<std::vector<int>> prompts(requests.size());
  std::vector<size_t> truncated(requests.size(), 0);
  for (size_t i = 0; i < requests.size(); ++i) {
    const engine::ScoreRequest& r = requests[i];
    const std::string what = fmt::format("request {}", i);
    if (r.continuation.empty()) return Status::InvalidInput(what + ": the continuation is empty");
    if (r.continuation.size() > window) {
      return Status::InvalidInput(fmt::format("{}: the continuation has {} tokens; the model's window is {}", what,
                                              r.continuation.size(), window));
    }
    std::vector<int>& prompt = prompts[i];
    if (r.context.empty()) {
      if (!options_.prefix_token) {
        return Status::InvalidInput(what + ": the context is empty and the served model's BOS token is unknown "
                                           "(the tokenizer folder has no config.json or tokenizer_config.json naming it)");
      }
      prompt.push_back(*options_.prefix_token);
    } else {
      prompt = r.context;
    }
    prompt.insert(prompt.end(), r.continuation.begin(), r.continuation.end());
    // As the engine: the last token is only predicted, so window + 1 tokens fit.
    if (prompt.size() - 1 > window) {
      truncated[i] = prompt.size() - 1 - window;
      prompt.erase(prompt.begin(), prompt.begin() + static_cast<long>(truncated[i]));
    }
  }
  std::vector<json> responses;
  size_t first = 0;
  if (!echo_max_tokens_) {
    // Does the server take max_tokens 0 with echo? Ask with the first request.
    std::vector<net::HttpClientRequest> probe(1);
    probe[0].url = base_url_ + "/completions";
    probe[0].body = ScoreBody(prompts[0], 0).dump();
    std::vector<Result<net::HttpClientResponse>> answer = pool_->Send(probe);
    if (answer[0].ok() && answer[0]->status == 400) {
      echo_max_tokens_ = 1;
    } else {
      KAIF_ASSIGN_OR_RETURN(json body, ReadResponse("/completions", answer[0]));
      echo_max_tokens_ = 0;
      responses.push_back(std::move(body));
      first = 1;
    }
  }
  std::vector<json> bodies;
  for (size_t i = first; i < prompts.size(); ++i) bodies.push_back(ScoreBody(prompts[i], *echo_max_tokens_));
  KAIF_ASSIGN_OR_RETURN(std::vector<json> rest, PostAll("/completions", bodies));
  for (json& r : rest) responses.push_back(std::move(r));

  std::vector<engine::ScoreResult> results(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    Result<engine::ScoreResult> score =
        ReadEchoedLogprobs(responses[i], prompts[i], requests[i].continuation.size(), *echo_max_tokens_);
    if (!score.ok()) {
      return score.status().WithContext(fmt::format("POST {}/completions, request {}", net::RedactUrl(base_url_), i));
    }
    results[i] = std::move(*score);
    results[i].truncated_tokens = truncated[i];
    stats_.request_tokens += prompts[i].size() - 1;
  }
  stats_.computed_tokens = stats_.request_tokens;
  return results;
}

Result<std::vector<engine::GenerateResult>> EndpointBackend::Generate(const std::vector<engine::GenerateRequest>& requests) {
  const size_t window = max_length_;
  std::vector<json> bodies;
  std::vector<engine::GenerateResult> results(requests.size());
  uint64_t tokens = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    const engine::GenerateRequest& r = requests[i];
    for (const std::string& s : r.stop_strings) {
      if (s.empty()) return Status::InvalidInput(fmt::format("request {}: a stop string is empty", i));
    }
    json body = {{"model", options_.model}, {"max_tokens", r.max_tokens}};
    AddSampling(body, r);
    if (chat_) {
      const std::string text = tokenizer_->Decode(r.prompt, /*skip_special_tokens=*/true);
      body["messages"] = json::array({{{"role", "user"}, {"content", text}}});
      tokens += r.prompt.size();
    } else {
      std::vector<int> prompt = r.prompt;
      if (prompt.empty()) {
        if (!options_.prefix_token) return Status::InvalidInput(fmt::format("request {}: the prompt is empty", i));
        prompt.push_back(*options_.prefix_token);
      }
      // As the engine: leave room for max_tokens, keeping at least one prompt token.
      const size_t room = window > r.max_tokens ? window - r.max_tokens : 1;
      if (prompt.size() > room) {
        results[i].truncated_tokens = prompt.size() - room;
        prompt.erase(prompt.begin(), prompt.begin() + static_cast<long>(prompt.size() - room));
      }
      tokens += prompt.size();
      body["prompt"] = prompt;
    }
    bodies.push_back(std::move(body));
  }
  const std::string path = chat_ ? "/chat/completions" : "/completions";
  KAIF_ASSIGN_OR_RETURN(std::vector<json> responses, PostAll(path, bodies));
  for (size_t i = 0; i < requests.size(); ++i) {
    const std::string where = fmt::format("POST {}{}, request {}", net::RedactUrl(base_url_), path, i);
    const json* choice = FirstChoice(responses[i]);
    if (!choice) return Status::Corruption(where + ": the response has no choices");
    const json* text = nullptr;
    if (chat_) {
      const json* message = Member(*choice, "message");
      text = message ? Member(*message, "content") : nullptr;
      if (message && (!text || text->is_null())) text = nullptr;  // a refusal or tool call: no text
      if (!message) return Status::Corruption(where + ": the choice has no message");
    } else {
      text = Member(*choice, "text");
      if (!text) return Status::Corruption(where + ": the choice has no text");
    }
    if (text && !text->is_string()) return Status::Corruption(where + ": the choice's text is not a string");
    engine::GenerateResult& g = results[i];
    g.text = text ? text->get<std::string>() : std::string();
    const json* reason = Member(*choice, "finish_reason");
    g.finish_reason = reason && reason->is_string() ? reason->get<std::string>() : "stop";
    // Servers leave the stop string out; cut anyway, at the earliest one, as the engine does.
    size_t cut = std::string::npos;
    for (const std::string& s : requests[i].stop_strings) cut = std::min(cut, g.text.find(s));
    if (cut != std::string::npos) {
      g.text.resize(cut);
      g.finish_reason = "stop";
    }
  }
  stats_.request_tokens += tokens;
  stats_.computed_tokens = stats_.request_tokens;
  return results;
}

}  // namespace kaif::eval
