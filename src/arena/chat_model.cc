#include "arena/chat_model.h"

#include <fmt/format.h>

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "engine/engine.h"
#include "model/weights.h"
#include "net/http_client.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"
#include "util/file.h"
#include "util/sha256.h"

namespace kaif::arena {
namespace {

using nlohmann::json;

json Messages(const std::vector<ChatMessage>& conversation) {
  json messages = json::array();
  for (const ChatMessage& m : conversation) messages.push_back({{"role", m.role}, {"content", m.content}});
  return messages;
}

class NativeChatModel : public ChatModel {
 public:
  NativeChatModel(std::string name, std::string identity, std::unique_ptr<engine::Engine> engine,
                  std::unique_ptr<tokenizer::Tokenizer> tokenizer, tokenizer::ModelChatTemplate chat)
      : ChatModel(std::move(name), std::move(identity)),
        engine_(std::move(engine)),
        tokenizer_(std::move(tokenizer)),
        chat_(std::move(chat)) {}

  Result<std::string> Answer(const std::vector<ChatMessage>& conversation, const AnswerOptions& options,
                             const PieceSink& sink) override {
    KAIF_ASSIGN_OR_RETURN(std::string text, chat_.Render(Messages(conversation), /*add_generation_prompt=*/true));
    engine::GenerateRequest request;
    KAIF_ASSIGN_OR_RETURN(request.prompt, tokenizer_->Encode(text, /*add_special_tokens=*/false));
    request.max_tokens = options.max_tokens;
    request.sampling.temperature = options.temperature;
    request.sampling.seed = options.seed;
    // The engine cannot be stopped mid-answer; a client that left only stops the sending.
    bool listening = true;
    std::lock_guard<std::mutex> lock(mu_);  // the engine answers one conversation at a time
    KAIF_ASSIGN_OR_RETURN(std::vector<engine::GenerateResult> results,
                          engine_->Generate({request}, tokenizer_.get(), [&](size_t, std::string_view piece) {
                            if (listening && !piece.empty()) listening = sink(piece);
                          }));
    return std::move(results[0].text);
  }

 private:
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<tokenizer::Tokenizer> tokenizer_;
  tokenizer::ModelChatTemplate chat_;
  std::mutex mu_;
};

// Server-sent events of a streaming chat completion, parsed as they arrive; a server that
// answers with one JSON body instead is read whole at the end.
class ChatStreamParser {
 public:
  explicit ChatStreamParser(const PieceSink& sink) : sink_(sink) {}

  bool Feed(std::string_view bytes) {
    if (buffer_.size() + bytes.size() > (size_t{64} << 20)) return Fail("the answer is larger than 64 MiB");
    buffer_.append(bytes);
    if (plain_) return true;
    if (!decided_) {
      const size_t first = buffer_.find_first_not_of(" \t\r\n");
      if (first == std::string::npos) return true;
      decided_ = true;
      plain_ = buffer_[first] == '{';
      if (plain_) return true;
    }
    for (size_t end; (end = buffer_.find('\n')) != std::string::npos;) {
      std::string line = buffer_.substr(0, end);
      buffer_.erase(0, end + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!Line(line)) return false;
    }
    return true;
  }

  // After the transfer: the answer, or why there is none.
  Result<std::string> Finish(long status) {
    if (!error_.empty()) return Status::IoError(error_);
    if (plain_ || status != 200) {
      json body = json::parse(buffer_, nullptr, false);
      std::string message;
      if (body.is_object() && body.contains("error")) {
        const json& e = body["error"];
        message = e.is_object() ? e.value("message", e.dump()) : e.dump();
      }
      if (status != 200) return Status::IoError(fmt::format("HTTP {}{}", status, message.empty() ? "" : ": " + message));
      if (!message.empty()) return Status::IoError(message);
      const json* content = nullptr;
      if (body.is_object() && body.contains("choices") && body["choices"].is_array() && !body["choices"].empty()) {
        const json& choice = body["choices"][0];
        if (choice.is_object() && choice.contains("message") && choice["message"].is_object()) {
          auto it = choice["message"].find("content");
          if (it != choice["message"].end() && it->is_string()) content = &*it;
        }
      }
      if (!content) return Status::IoError("the response has no choices[0].message.content");
      answer_ = content->get<std::string>();
      if (!answer_.empty()) sink_(answer_);
      return answer_;
    }
    if (!done_) return Status::IoError("the stream ended before its [DONE]");
    return answer_;
  }

 private:
  bool Fail(std::string message) {
    error_ = std::move(message);
    return false;
  }

  bool Line(const std::string& line) {
    if (line.rfind("data:", 0) != 0) return true;  // event names, comments, blank lines
    std::string_view data(line);
    data.remove_prefix(5);
    if (!data.empty() && data.front() == ' ') data.remove_prefix(1);
    if (data == "[DONE]") {
      done_ = true;
      return true;
    }
    json event = json::parse(data, nullptr, false);
    if (!event.is_object()) return Fail("a stream event is not JSON");
    if (event.contains("error")) {
      const json& e = event["error"];
      return Fail("the endpoint failed mid-stream: " + (e.is_object() ? e.value("message", e.dump()) : e.dump()));
    }
    if (!event.contains("choices") || !event["choices"].is_array()) return true;
    for (const json& choice : event["choices"]) {
      if (!choice.is_object() || !choice.contains("delta") || !choice["delta"].is_object()) continue;
      auto it = choice["delta"].find("content");
      if (it == choice["delta"].end() || !it->is_string()) continue;
      const std::string piece = it->get<std::string>();
      answer_ += piece;
      if (!piece.empty() && !sink_(piece)) return Fail("the client left");
    }
    return true;
  }

  const PieceSink& sink_;
  std::string buffer_, answer_, error_;
  bool decided_ = false, plain_ = false, done_ = false;
};

class EndpointChatModel : public ChatModel {
 public:
  EndpointChatModel(std::string name, std::string identity, std::string url, std::string model, std::string api_key)
      : ChatModel(std::move(name), std::move(identity)),
        url_(std::move(url)),
        model_(std::move(model)),
        api_key_(std::move(api_key)) {}

  static std::string BaseUrl(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    const size_t scheme = url.find("://");
    if (scheme != std::string::npos && url.find('/', scheme + 3) == std::string::npos) url += "/v1";
    return url;
  }

  Result<std::string> Answer(const std::vector<ChatMessage>& conversation, const AnswerOptions& options,
                             const PieceSink& sink) override {
    return Ask(conversation, options, /*stream=*/true, sink);
  }

  Result<std::string> Ask(const std::vector<ChatMessage>& conversation, const AnswerOptions& options, bool stream,
                          const PieceSink& sink) {
    json body = {{"model", model_},
                 {"messages", Messages(conversation)},
                 {"max_tokens", options.max_tokens},
                 {"temperature", options.temperature},
                 {"stream", stream}};
    if (options.seed) body["seed"] = options.seed;
    net::HttpClientRequest request;
    request.url = url_ + "/chat/completions";
    request.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    request.headers = {"Content-Type: application/json", "Accept: text/event-stream"};
    if (!api_key_.empty()) request.headers.push_back("Authorization: Bearer " + api_key_);
    request.timeout_seconds = options.timeout_seconds;
    request.stall_seconds = std::max(1.0, options.timeout_seconds / 3);
    ChatStreamParser parser(sink);
    request.on_body = [&parser](std::string_view piece) { return parser.Feed(piece); };
    KAIF_ASSIGN_OR_RETURN(std::unique_ptr<net::HttpClient> client, Client());
    Result<net::HttpClientResponse> response = client->Send(request);
    Release(std::move(client));
    Result<std::string> answer = response.ok() ? parser.Finish(response->status) : parser.Finish(0);
    if (!response.ok() && answer.ok()) return response.status();
    if (!answer.ok()) return Status::IoError(name() + " (" + net::RedactUrl(url_) + "): " + answer.status().message());
    return answer;
  }

 private:
  // Connections are kept for the next answer; one per answer being streamed.
  Result<std::unique_ptr<net::HttpClient>> Client() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        std::unique_ptr<net::HttpClient> c = std::move(idle_.back());
        idle_.pop_back();
        return c;
      }
    }
    return net::HttpClient::Create();
  }
  void Release(std::unique_ptr<net::HttpClient> client) {
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < 16) idle_.push_back(std::move(client));
  }

  std::string url_, model_, api_key_;
  std::mutex mu_;
  std::vector<std::unique_ptr<net::HttpClient>> idle_;
};

std::filesystem::path TokenizerFile(const std::filesystem::path& path) {
  if (!std::filesystem::is_directory(path)) return path;
  if (std::filesystem::exists(path / "tokenizer.json")) return path / "tokenizer.json";
  return path / "tokenizer.model";
}

Result<std::unique_ptr<ChatModel>> OpenNative(const ArenaModelConfig& config) {
  const std::filesystem::path tokenizer_dir = config.tokenizer.empty() ? config.weights : config.tokenizer;
  const std::string where = config.name + ": ";
  Result<std::unique_ptr<tokenizer::Tokenizer>> tokenizer = tokenizer::Tokenizer::Load(tokenizer_dir);
  if (!tokenizer.ok()) return tokenizer.status().WithContext(config.name);
  std::filesystem::path template_dir = tokenizer_dir;
  if (!std::filesystem::is_directory(template_dir)) template_dir = template_dir.parent_path();
  Result<tokenizer::ModelChatTemplate> chat = tokenizer::LoadChatTemplate(template_dir);
  if (!chat.ok()) return Status::InvalidInput(where + "an arena model needs a chat template: " + chat.status().message());
  engine::EngineOptions options;
  options.threads = 1;  // battles run side by side; each model answers on one core
  Result<std::unique_ptr<engine::Engine>> engine = engine::Engine::Open(config.weights, options);
  if (!engine.ok()) return engine.status().WithContext(config.name);
  const engine::ModelWeights& weights = (*engine)->weights();
  std::string hash;
  if (weights.safetensors) {
    hash = model::WeightsContentHash(*weights.safetensors);
  } else {
    std::vector<const tensor::TensorView*> tensors;
    for (const tensor::TensorView& t : weights.gguf->tensors()) tensors.push_back(&t);
    hash = model::WeightsContentHash(tensors);
  }
  KAIF_ASSIGN_OR_RETURN(std::string tokenizer_bytes, ReadFile(TokenizerFile(tokenizer_dir)));
  std::string identity = "weights sha256:" + hash + " tokenizer sha256:" + Sha256Hex(tokenizer_bytes);
  return std::unique_ptr<ChatModel>(new NativeChatModel(config.name, std::move(identity), std::move(*engine),
                                                        std::move(*tokenizer), std::move(*chat)));
}

Result<std::unique_ptr<ChatModel>> OpenEndpoint(const ArenaModelConfig& config, double timeout_seconds) {
  std::string key;
  if (!config.api_key_env.empty()) {
    const char* value = std::getenv(config.api_key_env.c_str());
    if (!value || !*value) return Status::InvalidInput(config.name + ": the environment variable " + config.api_key_env + " is not set");
    key = value;
  }
  const std::string url = EndpointChatModel::BaseUrl(config.endpoint);
  auto model = std::make_unique<EndpointChatModel>(config.name, "", url, config.endpoint_model, key);
  // The fingerprint: greedy answers to the probes. A different model behind the same name
  // answers differently, and the registration refuses it.
  AnswerOptions probe;
  probe.max_tokens = 16, probe.temperature = 0, probe.seed = 1, probe.timeout_seconds = timeout_seconds;
  std::string answers;
  for (const std::string& prompt : ProbePrompts()) {
    Result<std::string> answer = model->Ask({{"user", prompt}}, probe, /*stream=*/false, [](std::string_view) { return true; });
    if (!answer.ok()) return answer.status().WithContext("probing the endpoint");
    answers += *answer + '\x1f';
  }
  std::string identity = "endpoint " + net::RedactUrl(url) + " model=" + config.endpoint_model +
                         " probes sha256:" + Sha256Hex(answers);
  return std::unique_ptr<ChatModel>(
      new EndpointChatModel(config.name, std::move(identity), url, config.endpoint_model, std::move(key)));
}

}  // namespace

const std::vector<std::string>& ProbePrompts() {
  static const std::vector<std::string> prompts = {
      "대한민국의 수도는 어디입니까? 한 문장으로 답하세요.",
      "Write the numbers from one to five in words, separated by commas.",
      "다음 문장을 영어로 번역하세요: 오늘은 날씨가 맑습니다.",
  };
  return prompts;
}

Result<std::unique_ptr<ChatModel>> OpenChatModel(const ArenaModelConfig& config, double timeout_seconds) {
  if (config.native()) return OpenNative(config);
  return OpenEndpoint(config, timeout_seconds);
}

}  // namespace kaif::arena
