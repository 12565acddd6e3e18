#include "serve/openai_service.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <random>

#include "serve/openai_request.h"
#include "tokenizer/utf8.h"

namespace kaif::serve {
namespace {

using nlohmann::json;

int HttpStatusOf(const Status& status) {
  switch (status.code()) {
    case Status::Code::kInvalidInput:
    case Status::Code::kResourceExhausted:  // the request does not fit this server's KV budget
      return 400;
    case Status::Code::kNotFound:
      return 404;
    default:
      return 500;
  }
}

const char* ErrorType(int status) {
  if (status == 404) return "not_found_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

net::HttpResponse JsonResponse(int status, const json& body) {
  net::HttpResponse r;
  r.status = status;
  // Token texts can hold a part of a UTF-8 character; they are written with U+FFFD.
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

// nlohmann's message without its "[json.exception.parse_error.101] " prefix.
std::string JsonErrorMessage(const std::exception& e) {
  std::string message = e.what();
  if (message.rfind("[json.exception.", 0) == 0 && message.find("] ") != std::string::npos) {
    message = message.substr(message.find("] ") + 2);
  }
  return message;
}

}  // namespace

net::HttpResponse ErrorResponse(int status, const std::string& message) {
  return JsonResponse(status, {{"error", {{"message", message}, {"type", ErrorType(status)}, {"code", status}}}});
}

OpenAiService::OpenAiService(engine::Engine& engine, const tokenizer::Tokenizer& tokenizer,
                             const tokenizer::ModelChatTemplate* chat, OpenAiServiceOptions options)
    : engine_(engine),
      tokenizer_(tokenizer),
      chat_(chat),
      options_(std::move(options)),
      created_(static_cast<int64_t>(std::time(nullptr))) {}

size_t OpenAiService::window() const {
  const int positions = engine_.architecture().max_positions;
  return positions > 0 ? static_cast<size_t>(positions) : size_t{1} << 30;
}

uint64_t OpenAiService::DrawSeed() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

Status OpenAiService::CheckModel(const std::string& requested) const {
  if (requested.empty() || requested == options_.model_name) return Status::Ok();
  return Status::NotFound(fmt::format("the model '{}' does not exist; this server serves '{}'", requested,
                                      options_.model_name));
}

json OpenAiService::Models() const {
  return {{"object", "list"},
          {"data", json::array({{{"id", options_.model_name},
                                 {"object", "model"},
                                 {"created", created_},
                                 {"owned_by", "kaif"},
                                 {"max_model_len", window()}}})}};
}

Result<json> OpenAiService::Completions(const json& body, Usage& usage) {
  KAIF_ASSIGN_OR_RETURN(CompletionRequest r, ParseCompletionRequest(body));
  KAIF_RETURN_IF_ERROR(CheckModel(r.model));
  const int vocab = engine_.architecture().vocab_size;
  const size_t n = r.prompts.size();
  std::vector<std::vector<int>> prompts(n);
  std::vector<std::string> prompt_texts(n);
  for (size_t i = 0; i < n; ++i) {
    const CompletionPrompt& p = r.prompts[i];
    if (p.text) {
      KAIF_ASSIGN_OR_RETURN(prompts[i], tokenizer_.Encode(*p.text, /*add_special_tokens=*/true));
      if (prompts[i].empty()) return Status::InvalidInput(fmt::format("prompt {} is empty", i));
      prompt_texts[i] = *p.text;
    } else {
      prompts[i] = p.ids;
      for (int id : prompts[i]) {
        if (id >= vocab) {
          return Status::InvalidInput(fmt::format("prompt {}: token id {} is outside the vocabulary of {}", i, id, vocab));
        }
      }
      prompt_texts[i] = tokenizer_.Decode(prompts[i]);
    }
    usage.prompt_tokens += prompts[i].size();
  }
  SamplingRequest sampling = r.sampling;
  if (!sampling.seeded && sampling.sampling.temperature > 0) sampling.sampling.seed = DrawSeed();

  std::lock_guard<std::mutex> lock(engine_mu_);
  std::vector<engine::GenerateResult> generated(n);
  if (r.max_tokens > 0) {
    std::vector<engine::GenerateRequest> requests(n);
    for (size_t i = 0; i < n; ++i) {
      engine::GenerateRequest& g = requests[i];
      g.prompt = prompts[i];
      g.max_tokens = r.max_tokens;
      g.sampling = sampling.sampling;
      g.stop_tokens = sampling.stop_token_ids;
      g.stop_strings = sampling.stop;
      g.stop_at_eos = !sampling.ignore_eos;
    }
    KAIF_ASSIGN_OR_RETURN(generated, engine_.Generate(requests, &tokenizer_));
  }
  // The generated tokens and, as vLLM lists it, the token that ended generation: a client
  // asking for one token (lm-evaluation-harness asks max_tokens 1 with echo) gets one even
  // when it is the end-of-sequence token. The text leaves that token out.
  std::vector<std::vector<int>> emitted(n);
  for (size_t i = 0; i < n; ++i) {
    emitted[i] = generated[i].tokens;
    if (generated[i].stop_token >= 0) emitted[i].push_back(generated[i].stop_token);
    usage.completion_tokens += emitted[i].size();
  }

  // Log-probabilities of the listed tokens (the prompt's when echoing, then the generated
  // ones), all choices in one engine call. When echoing, the first prompt token has none.
  std::vector<engine::ScoreResult> scores(n);
  if (r.logprobs) {
    std::vector<engine::ScoreRequest> requests;
    std::vector<size_t> scored;
    for (size_t i = 0; i < n; ++i) {
      engine::ScoreRequest s;
      const std::vector<int>& prompt = prompts[i];
      const std::vector<int>& tokens = emitted[i];
      if (r.echo) {
        s.context = {prompt[0]};
        s.continuation.assign(prompt.begin() + 1, prompt.end());
      } else {
        // The context the tokens were generated from, as Generate cut it to fit.
        s.context.assign(prompt.begin() + static_cast<long>(generated[i].truncated_tokens), prompt.end());
      }
      s.continuation.insert(s.continuation.end(), tokens.begin(), tokens.end());
      if (s.continuation.empty()) continue;
      requests.push_back(std::move(s));
      scored.push_back(i);
    }
    if (!requests.empty()) {
      KAIF_ASSIGN_OR_RETURN(std::vector<engine::ScoreResult> results, engine_.Loglikelihood(requests, true, *r.logprobs));
      for (size_t k = 0; k < scored.size(); ++k) scores[scored[k]] = std::move(results[k]);
    }
  }

  auto token_text = [&](int id) { return r.tokens_as_ids ? fmt::format("token_id:{}", id) : tokenizer_.Decode({id}); };
  json choices = json::array();
  for (size_t i = 0; i < n; ++i) {
    const engine::GenerateResult& g = generated[i];
    json choice = {{"index", i},
                   {"text", (r.echo ? prompt_texts[i] : std::string()) + g.text},
                   {"logprobs", nullptr},
                   {"finish_reason", r.max_tokens == 0 ? "length" : g.finish_reason}};
    if (r.logprobs) {
      std::vector<int> listed;
      if (r.echo) listed = prompts[i];
      listed.insert(listed.end(), emitted[i].begin(), emitted[i].end());
      json tokens = json::array(), token_logprobs = json::array(), top_logprobs = json::array(),
           offsets = json::array();
      const engine::ScoreResult& s = scores[i];
      const size_t unscored = listed.size() - s.token_logprobs.size();  // 1 when echoing, else 0
      size_t offset = 0;
      for (size_t t = 0; t < listed.size(); ++t) {
        const std::string text = token_text(listed[t]);
        tokens.push_back(text);
        offsets.push_back(offset);
        offset += tokenizer::CodePointCount(r.tokens_as_ids ? tokenizer_.Decode({listed[t]}) : text);
        if (t < unscored) {
          token_logprobs.push_back(nullptr);
          top_logprobs.push_back(nullptr);
          continue;
        }
        const double logprob = s.token_logprobs[t - unscored];
        token_logprobs.push_back(logprob);
        // The top tokens and, as vLLM does, the listed token itself. Tokens whose texts
        // coincide keep the larger value.
        json top = json::object();
        for (const engine::TokenLogprob& c : s.top_logprobs[t - unscored]) {
          const std::string key = token_text(c.id);
          if (!top.contains(key)) top[key] = c.logprob;
        }
        if (!top.contains(text)) top[text] = logprob;
        top_logprobs.push_back(std::move(top));
      }
      choice["logprobs"] = {{"tokens", tokens},
                            {"token_logprobs", token_logprobs},
                            {"top_logprobs", top_logprobs},
                            {"text_offset", offsets}};
    }
    choices.push_back(std::move(choice));
  }
  return json{{"id", fmt::format("cmpl-{}", next_id_++)},
              {"object", "text_completion"},
              {"created", static_cast<int64_t>(std::time(nullptr))},
              {"model", options_.model_name},
              {"choices", choices},
              {"usage",
               {{"prompt_tokens", usage.prompt_tokens},
                {"completion_tokens", usage.completion_tokens},
                {"total_tokens", usage.prompt_tokens + usage.completion_tokens}}}};
}

Result<net::HttpResponse> OpenAiService::ChatCompletions(const json& body, Usage& usage) {
  KAIF_ASSIGN_OR_RETURN(ChatRequest r, ParseChatRequest(body));
  KAIF_RETURN_IF_ERROR(CheckModel(r.model));
  if (!chat_) {
    return Status::InvalidInput("this model has no chat template (tokenizer_config.json's chat_template); use /v1/completions");
  }
  KAIF_ASSIGN_OR_RETURN(std::string text, chat_->Render(r.messages, /*add_generation_prompt=*/true));
  // The template writes the special tokens (BOS) itself.
  KAIF_ASSIGN_OR_RETURN(std::vector<int> prompt, tokenizer_.Encode(text, /*add_special_tokens=*/false));
  if (prompt.empty()) return Status::InvalidInput("the conversation renders to no tokens");
  const size_t room = window() > prompt.size() ? window() - prompt.size() : 0;
  const size_t max_tokens = r.max_tokens.value_or(room);
  if (max_tokens == 0 || max_tokens > room) {
    return Status::InvalidInput(fmt::format("the model's window is {} tokens; the conversation has {} and {} more were "
                                            "asked for; shorten the messages or lower max_tokens",
                                            window(), prompt.size(), r.max_tokens.value_or(1)));
  }
  engine::GenerateRequest g;
  g.prompt = prompt;
  g.max_tokens = max_tokens;
  g.sampling = r.sampling.sampling;
  if (!r.sampling.seeded && g.sampling.temperature > 0) g.sampling.seed = DrawSeed();
  g.stop_tokens = r.sampling.stop_token_ids;
  g.stop_strings = r.sampling.stop;
  g.stop_at_eos = !r.sampling.ignore_eos;
  usage.prompt_tokens = prompt.size();
  const std::string id = fmt::format("chatcmpl-{}", next_id_++);
  const int64_t created = static_cast<int64_t>(std::time(nullptr));
  if (r.stream) {
    // Server-sent events as OpenAI sends them: a role chunk, content deltas as the text
    // becomes final, a chunk with the finish reason, then [DONE].
    net::HttpResponse response;
    response.content_type = "text/event-stream";
    response.headers.emplace_back("Cache-Control", "no-store");
    response.stream = [this, g, id, created](const net::BodyWriter& send) {
      auto chunk = [&](const json& delta, const json& finish) {
        json c = {{"id", id}, {"object", "chat.completion.chunk"}, {"created", created}, {"model", options_.model_name},
                  {"choices", json::array({{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}})}};
        return "data: " + c.dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
      };
      bool listening = send(chunk({{"role", "assistant"}}, nullptr));
      Result<std::vector<engine::GenerateResult>> generated = [&]() -> Result<std::vector<engine::GenerateResult>> {
        std::lock_guard<std::mutex> lock(engine_mu_);
        return engine_.Generate({g}, &tokenizer_, [&](size_t, std::string_view piece) {
          if (listening && !piece.empty()) listening = send(chunk({{"content", std::string(piece)}}, nullptr));
        });
      }();
      if (!listening) return;
      if (!generated.ok()) {
        json e = {{"error", {{"message", generated.status().message()}, {"type", "server_error"}}}};
        send("data: " + e.dump() + "\n\n");
        return;
      }
      if (send(chunk(json::object(), (*generated)[0].finish_reason))) send("data: [DONE]\n\n");
    };
    return response;
  }
  std::vector<engine::GenerateResult> generated;
  {
    std::lock_guard<std::mutex> lock(engine_mu_);
    KAIF_ASSIGN_OR_RETURN(generated, engine_.Generate({g}, &tokenizer_));
  }
  usage.completion_tokens = generated[0].tokens.size();
  return JsonResponse(200, json{{"id", id},
              {"object", "chat.completion"},
              {"created", created},
              {"model", options_.model_name},
              {"choices", json::array({{{"index", 0},
                                        {"message", {{"role", "assistant"}, {"content", generated[0].text}}},
                                        {"finish_reason", generated[0].finish_reason}}})},
              {"usage",
               {{"prompt_tokens", usage.prompt_tokens},
                {"completion_tokens", usage.completion_tokens},
                {"total_tokens", usage.prompt_tokens + usage.completion_tokens}}}});
}

net::HttpResponse OpenAiService::Handle(const net::HttpRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  Usage usage;
  std::string problem;
  auto fail = [&](int status, const std::string& message) {
    problem = message;
    return ErrorResponse(status, message);
  };
  auto route = [&]() -> net::HttpResponse {
    const std::string& path = request.path;
    const bool post = path == "/v1/completions" || path == "/v1/chat/completions";
    const bool get = path == "/v1/models" || path == "/health";
    if (!post && !get) {
      return fail(404, "no such path: " + path +
                           "; kaif serve answers POST /v1/completions, POST /v1/chat/completions, GET /v1/models, GET /health");
    }
    if ((post && request.method != "POST") || (get && request.method != "GET")) {
      net::HttpResponse r = fail(405, fmt::format("{} takes {}, not {}", path, post ? "POST" : "GET", request.method));
      r.headers.emplace_back("Allow", post ? "POST" : "GET");
      return r;
    }
    if (path == "/health") return JsonResponse(200, {{"status", "ok"}});
    if (path == "/v1/models") return JsonResponse(200, Models());
    json body;
    try {
      body = json::parse(request.body);
    } catch (const json::exception& e) {
      return fail(400, "the request body is not JSON: " + JsonErrorMessage(e));
    }
    if (path == "/v1/chat/completions") {
      Result<net::HttpResponse> answer = ChatCompletions(body, usage);
      if (!answer.ok()) return fail(HttpStatusOf(answer.status()), answer.status().message());
      return std::move(*answer);
    }
    Result<json> answer = Completions(body, usage);
    if (!answer.ok()) return fail(HttpStatusOf(answer.status()), answer.status().message());
    return JsonResponse(200, *answer);
  };
  net::HttpResponse response;
  try {
    response = route();
  } catch (const std::exception& e) {
    response = fail(500, std::string("internal error: ") + e.what());
  }
  if (options_.log) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::string line = fmt::format("{} {} {} {} {:.3f}s", request.remote.empty() ? "-" : request.remote, request.method,
                                   request.path, response.status, seconds);
    if (usage.prompt_tokens || usage.completion_tokens) {
      line += fmt::format(" {} prompt + {} completion tokens", usage.prompt_tokens, usage.completion_tokens);
    }
    if (!problem.empty()) line += ": " + problem;
    options_.log(line);
  }
  return response;
}

}  // namespace kaif::serve
