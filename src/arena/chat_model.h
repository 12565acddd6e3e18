// The models of an arena, behind one interface: a conversation in, an answer streamed out.
// NativeChatModel runs the native engine on local weights through the model's chat
// template; EndpointChatModel asks an OpenAI-compatible /chat/completions with stream: true
// (and takes a whole answer from a server that does not stream).
//
// Each model is pinned to an identity the arena registers it under:
//   native:   "weights sha256:<content hash> tokenizer sha256:<hash>"
//   endpoint: "endpoint <url> model=<name> probes sha256:<hash of its greedy answers to
//             fixed probe prompts>"
// so the same name cannot later be served by other weights, or by an endpoint that
// answers differently.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "arena/arena_config.h"
#include "util/status.h"

namespace kaif::arena {

struct ChatMessage {
  std::string role;  // "user" or "assistant"
  std::string content;
};

struct AnswerOptions {
  size_t max_tokens = 256;
  double temperature = 0.7;
  uint64_t seed = 0;
  double timeout_seconds = 60;  // the whole answer; an endpoint silent for a third of it fails sooner
};

// Gets each piece of the answer as it is produced; false stops the answer (the client left).
using PieceSink = std::function<bool(std::string_view piece)>;

class ChatModel {
 public:
  virtual ~ChatModel() = default;
  const std::string& name() const { return name_; }
  const std::string& identity() const { return identity_; }

  // The whole answer; its pieces went to `sink` on the way. Safe to call from several
  // threads (a native model answers one conversation at a time).
  virtual Result<std::string> Answer(const std::vector<ChatMessage>& conversation, const AnswerOptions& options,
                                     const PieceSink& sink) = 0;

 protected:
  ChatModel(std::string name, std::string identity) : name_(std::move(name)), identity_(std::move(identity)) {}

 private:
  std::string name_, identity_;
};

// Loads a configured model (weights and tokenizer, or checks the endpoint and fingerprints
// its answers to the probe prompts).
Result<std::unique_ptr<ChatModel>> OpenChatModel(const ArenaModelConfig& config, double timeout_seconds);

// The fixed prompts whose greedy answers fingerprint an endpoint model.
const std::vector<std::string>& ProbePrompts();

}  // namespace kaif::arena
