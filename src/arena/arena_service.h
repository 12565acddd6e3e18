// The arena's HTTP side (API.md): the page, battles streamed as server-sent events, votes
// with their integrity checks, experts and their rubric, admin actions, the leaderboards
// and /metrics. Every record lives in the store, so several processes on one PostgreSQL
// serve the same arena: a battle started on one can be voted on another. What a process
// keeps for itself is only a cache or a limit: the leaderboard (recomputed at most every
// two seconds), the pair counts of the sampling rule, recent prompts for duplicate
// detection, and the rate limits.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <shared_mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "arena/arena_config.h"
#include "arena/chat_model.h"
#include "arena/identity_leak.h"
#include "arena/metrics.h"
#include "arena/pair_sampler.h"
#include "arena/prompt_dedup.h"
#include "arena/rate_limiter.h"
#include "arena/store.h"
#include "net/http_server.h"
#include "util/status.h"

namespace kaif::arena {

struct ArenaSecrets {
  std::string admin_token;  // empty: admin endpoints are off
  std::string pow_secret;   // signs proof-of-work challenges
};

// Lines for the operator: backend failures and records that could not be written.
using ArenaLog = std::function<void(const std::string&)>;

class ArenaService {
 public:
  // Registers every model under its identity (refused if a name is taken by another
  // identity) and reads what the caches start from.
  static Result<std::unique_ptr<ArenaService>> Create(ArenaConfig config, std::vector<std::unique_ptr<ChatModel>> models,
                                                      std::unique_ptr<ArenaStore> store, ArenaSecrets secrets,
                                                      ArenaLog log = {});
  ~ArenaService();

  // Never throws; safe to call from many threads at once.
  net::HttpResponse Handle(const net::HttpRequest& request);
  // Whether Handle answers `request` without waiting on a model, a remote endpoint or a
  // long computation (a vote, the page, the metrics), so the server may answer it on an
  // I/O thread (net::HttpServerOptions::quick).
  static bool AnswersQuickly(const net::HttpRequest& request);

  ArenaStore& store() { return *store_; }

 private:
  ArenaService(ArenaConfig config, std::vector<std::unique_ptr<ChatModel>> models, std::unique_ptr<ArenaStore> store,
               ArenaSecrets secrets);
  struct Caller {
    std::string voter;    // the page's voter id, else "ip:" + the client's address
    std::string client;   // the peer's address, without its port
    std::string network;  // its network prefix
    std::string bearer;   // the Authorization token, if any
  };
  struct Stream;

  net::HttpResponse Route(const net::HttpRequest& request, const Caller& caller, std::string& route);
  net::HttpResponse StartBattle(const nlohmann::json& body, const Caller& caller);
  net::HttpResponse NextTurn(int64_t battle, const nlohmann::json& body, const Caller& caller);
  net::HttpResponse CastVote(int64_t battle, const nlohmann::json& body, const Caller& caller);
  // The answer to a vote the store wrote or refused: the reveal, or why not.
  net::HttpResponse VoteAnswer(int64_t battle, const std::string& mode, const Status& voted, const ArenaStore::Reveal& reveal);
  net::HttpResponse ExpertNext(const std::string& expert, const Caller& caller);
  net::HttpResponse Leaderboard(const std::string& mode);
  net::HttpResponse Admin(const net::HttpRequest& request, const nlohmann::json& body);
  // Computed now: from the votes cast until `until` (ms), or all of them.
  Result<nlohmann::json> LeaderboardNow(const std::string& mode, std::optional<int64_t> until);
  nlohmann::json PublicConfig() const;

  // The streamed answers of one turn of a battle, as server-sent events.
  net::HttpResponse StreamTurn(const BattleRecord& battle, int turn, nlohmann::json opening);
  void AnswerSide(Stream& stream, int side);
  Result<std::string> CheckPrompt(const nlohmann::json& body) const;
  // The 429 answer when the caller is over a rate limit (battles or votes).
  std::optional<net::HttpResponse> Limit(bool vote, const Caller& caller);
  // An endpoint model registered at run time (POST /api/admin/models): probed, pinned to
  // its identity, and served by this process (list it in arena.toml for every process).
  net::HttpResponse RegisterEndpointModel(const nlohmann::json& body);
  ChatModel* Model(const std::string& name);
  size_t ModelCount() const;
  std::string TeamOf(const std::string& model) const;
  std::vector<std::string> ActiveModels();
  double Uniform();

  ArenaConfig config_;
  mutable std::shared_mutex models_mu_;  // guards models_: admins may add one while battles run
  std::vector<std::unique_ptr<ChatModel>> models_;
  std::map<std::string, std::string> teams_;  // GUARDED_BY(models_mu_): model -> team, for the reveal
  std::unique_ptr<ArenaStore> store_;
  ArenaSecrets secrets_;
  ArenaLog log_;
  ArenaMetrics metrics_;
  RateLimiter limiter_;
  PromptDedup dedup_;
  IdentityLeakDetector leaks_;

  std::mutex mu_;  // guards what follows
  PairCounts pair_counts_;
  std::mt19937_64 random_;
  struct CachedBoard {
    std::chrono::steady_clock::time_point at;
    std::string body;
  };
  std::map<std::string, CachedBoard> boards_;
};

// The export anyone can recompute the leaderboard from: the rules, every model ever
// registered, every battle with its turns, votes (voters hashed), flags, and which filter
// excluded it. `battles` are the public leaderboard's counted battles in FastChat's format
// (kaif arena ratings reads the file as it is); `expert_battles` the expert leaderboard's;
// `expert_single_answers` rubric scores of single answers; `excluded_battles` the voted
// battles a filter excluded, with the filters; `unvoted_battles` the rest.
// `round`: only the votes of that frozen round (cast until it was frozen).
Result<nlohmann::json> ArenaExport(ArenaStore& store, const ArenaConfig& config, const std::string& round = "");

}  // namespace kaif::arena
