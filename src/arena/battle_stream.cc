// Battles: started, continued by another turn, assigned to an expert; both answers
// streamed as server-sent events, one thread per side, each saved when it finished.
#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "arena/answer_style.h"
#include "arena/arena_service.h"
#include "arena/proof_of_work.h"
#include "arena/service_support.h"
#include "tokenizer/utf8.h"
#include "util/hex.h"
#include "util/sha256.h"

namespace kaif::arena {

using nlohmann::json;
using namespace service_support;

struct ArenaService::Stream {
  BattleRecord battle;
  int turn = 0;
  std::array<std::vector<ChatMessage>, 2> conversations;
  std::mutex send_mu;
  const net::BodyWriter* send = nullptr;  // GUARDED_BY(send_mu)
  bool client_gone = false;               // GUARDED_BY(send_mu)
  std::array<bool, 2> answered{};
  std::vector<std::string> flags;  // GUARDED_BY(send_mu)

  bool Send(const std::string& event) {
    std::lock_guard<std::mutex> lock(send_mu);
    if (client_gone) return false;
    if (!(*send)(event)) client_gone = true;
    return !client_gone;
  }
};

Result<std::string> ArenaService::CheckPrompt(const json& body) const {
  auto it = body.find("prompt");
  if (it == body.end() || !it->is_string()) return Status::InvalidInput("'prompt' (a string) is required");
  std::string prompt = it->get<std::string>();
  if (prompt.find_first_not_of(" \t\r\n") == std::string::npos) return Status::InvalidInput("the prompt is empty");
  if (prompt.find('\0') != std::string::npos) return Status::InvalidInput("the prompt contains a NUL character");
  if (CodePoints(prompt) > static_cast<size_t>(config_.max_prompt_chars)) {
    return Status::ResourceExhausted(fmt::format("the prompt is longer than {} characters", config_.max_prompt_chars));
  }
  return prompt;
}

net::HttpResponse ArenaService::StartBattle(const json& body, const Caller& caller) {
  Result<std::string> prompt = CheckPrompt(body);
  if (!prompt.ok()) return PromptError(prompt.status());
  if (auto limited = Limit(false, caller)) return *limited;
  const std::vector<std::string> active = ActiveModels();
  if (active.size() < 2) return Error(503, "fewer than two models are taking battles");
  std::pair<std::string, std::string> pair;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::uniform_real_distribution<double> u(0, 1);
    const double r1 = u(random_), r2 = u(random_);
    pair = ChoosePair(config_.sampling, active, pair_counts_, r1, r2);
    auto key = pair.first < pair.second ? pair : std::pair(pair.second, pair.first);
    ++pair_counts_[key];
  }
  Result<std::string> token = RandomHex(16);
  if (!token.ok()) return Fail(token.status());
  NewBattle nb{pair.first, pair.second, "public", caller.voter, caller.network, Sha256Hex(*token)};
  Result<int64_t> id = store_->CreateBattle(nb, *prompt);
  if (!id.ok()) return Fail(id.status());
  metrics_.Battle("public");
  std::optional<PromptMatch> duplicate = dedup_.Find(*prompt);
  dedup_.Add(*id, *prompt);
  if (duplicate) {
    (void)store_->FlagBattle(*id, "duplicate_prompt",
                             fmt::format("{} battle {} (similarity {:.2f})", duplicate->exact ? "the same prompt as" : "nearly the same prompt as",
                                         duplicate->id, duplicate->similarity));
  }
  BattleRecord battle;
  battle.id = *id, battle.model_a = pair.first, battle.model_b = pair.second, battle.mode = "public";
  battle.turns.push_back(Turn{*prompt, {}, {}});
  if (duplicate) battle.flags["duplicate_prompt"] = "";
  json opening = {{"id", *id}, {"token", *token}, {"challenge", PowChallenge(secrets_.pow_secret, *id)},
                  {"pow_bits", config_.pow_bits}, {"turn", 0}};
  return StreamTurn(battle, 0, opening);
}

net::HttpResponse ArenaService::NextTurn(int64_t id, const json& body, const Caller& caller) {
  Result<std::string> prompt = CheckPrompt(body);
  if (!prompt.ok()) return PromptError(prompt.status());
  const std::string token = body.value("token", "");
  if (!IsHex(token, 32, 32)) return Error(400, "'token' (the battle's token) is required");
  if (auto limited = Limit(false, caller)) return *limited;
  Result<BattleRecord> battle = store_->GetBattle(id);
  if (!battle.ok()) return Fail(battle.status());
  if (!SameSecret(Sha256Hex(token), battle->token_hash)) return Error(403, "wrong token for battle " + std::to_string(id));
  if (battle->mode != "public") return Error(409, "expert battles have one turn");
  if (static_cast<int>(battle->turns.size()) >= config_.max_turns) {
    return Error(409, fmt::format("a battle has at most {} turns; vote, then start a new one", config_.max_turns));
  }
  Result<int> turn = store_->AddTurn(id, *prompt);
  if (!turn.ok()) return Error(409, turn.status().message());
  battle->turns.push_back(Turn{*prompt, {}, {}});
  json opening = {{"id", id}, {"turn", *turn}};
  return StreamTurn(*battle, *turn, opening);
}

net::HttpResponse ArenaService::StreamTurn(const BattleRecord& battle, int turn, json opening) {
  auto stream = std::make_shared<Stream>();
  stream->battle = battle;
  stream->turn = turn;
  for (int side = 0; side < 2; ++side) {
    for (int t = 0; t <= turn; ++t) {
      stream->conversations[side].push_back({"user", battle.turns[t].prompt});
      if (t < turn) stream->conversations[side].push_back({"assistant", battle.turns[t].answers[side]});
    }
  }
  for (const auto& [flag, why] : battle.flags) stream->flags.push_back(flag);
  net::HttpResponse r;
  r.content_type = "text/event-stream; charset=utf-8";
  // No Cache-Control: no-store here: Chromium reports such streams as aborted, and POST
  // responses are not cached anyway.
  r.headers = {{"X-Accel-Buffering", "no"}};
  r.stream = [this, stream, opening = std::move(opening)](const net::BodyWriter& send) {
    {
      std::lock_guard<std::mutex> lock(stream->send_mu);
      stream->send = &send;
    }
    if (!stream->Send(SseEvent("battle", opening))) return;
    metrics_.StreamsOpen(1);
    const bool single = stream->battle.mode == "single";
    std::thread other;
    if (!single) other = std::thread([this, stream] { AnswerSide(*stream, 1); });
    AnswerSide(*stream, 0);
    if (other.joinable()) other.join();
    metrics_.StreamsOpen(-1);
    const bool votable = stream->answered[0] && (single || stream->answered[1]);
    std::vector<std::string> flags;
    {
      std::lock_guard<std::mutex> lock(stream->send_mu);
      flags = stream->flags;
    }
    stream->Send(SseEvent("end", {{"votable", votable}, {"flags", flags}}));
  };
  return r;
}

void ArenaService::AnswerSide(Stream& stream, int side) {
  const BattleRecord& battle = stream.battle;
  const std::string& name = side == 0 ? battle.model_a : battle.model_b;
  ChatModel* model = Model(name);
  AnswerOptions options;
  options.max_tokens = static_cast<size_t>(config_.max_tokens);
  options.timeout_seconds = config_.backend_timeout_seconds;
  {
    std::lock_guard<std::mutex> lock(mu_);
    options.seed = random_() >> 1;  // OpenAI-compatible servers take a signed 64-bit seed
  }
  Result<std::string> answer = model ? model->Answer(stream.conversations[side], options,
                                                     [&](std::string_view piece) {
                                                       return stream.Send(SseEvent(
                                                           "delta", {{"side", side}, {"text", WithoutNul(tokenizer::ToValidUtf8(piece))}}));
                                                     })
                                     : Result<std::string>(Status::NotFound(name + " is not served by this process"));
  if (!answer.ok()) {
    metrics_.BackendError(name);
    if (log_) log_(fmt::format("battle {} turn {}: {} failed: {}", battle.id, stream.turn, name, answer.status().message()));
    (void)store_->FlagBattle(battle.id, "backend_error", answer.status().message());
    // The reason stays in the records: it could name the model.
    stream.Send(SseEvent("failed", {{"side", side}, {"message", "this answer failed; the battle cannot be voted on"}}));
    return;
  }
  // Byte-level models can end mid-character or emit NUL; the records (and PostgreSQL,
  // whose text holds no NUL) keep valid UTF-8 without NUL.
  *answer = WithoutNul(tokenizer::ToValidUtf8(*answer));
  Status finished = store_->FinishAnswer(battle.id, stream.turn, side, *answer, StyleOf(*answer));
  if (!finished.ok()) {
    if (log_) log_(fmt::format("battle {} turn {}: the answer of {} was not saved: {}", battle.id, stream.turn, name, finished.message()));
    stream.Send(SseEvent("failed", {{"side", side}, {"message", "the answer could not be saved"}}));
    return;
  }
  if (std::optional<std::string> leaked = leaks_.Find(*answer)) {
    (void)store_->FlagBattle(battle.id, "identity_revealed",
                             fmt::format("turn {} answer {} names {}", stream.turn, side == 0 ? "A" : "B", *leaked));
    std::lock_guard<std::mutex> lock(stream.send_mu);
    if (std::find(stream.flags.begin(), stream.flags.end(), "identity_revealed") == stream.flags.end()) {
      stream.flags.push_back("identity_revealed");
    }
  }
  stream.answered[side] = true;
  stream.Send(SseEvent("answered", {{"side", side}}));
}

net::HttpResponse ArenaService::ExpertNext(const std::string& expert, const Caller& caller) {
  if (auto limited = Limit(false, caller)) return *limited;
  Result<std::vector<ExpertPrompt>> prompts = store_->ExpertPrompts();
  if (!prompts.ok()) return Fail(prompts.status());
  if (prompts->empty()) return Error(409, "no expert prompts: the arena's config names none ([expert] prompts)");
  Result<ArenaStore::ExpertLoad> load = store_->ExpertLoadNow();
  if (!load.ok()) return Fail(load.status());
  // The prompt judged least so far that this expert has not had; ties broken at random.
  std::vector<const ExpertPrompt*> open;
  for (const ExpertPrompt& p : *prompts) {
    if (!load->seen.count({expert, p.id})) open.push_back(&p);
  }
  if (open.empty()) return Error(409, "you have judged every expert prompt; thank you");
  auto count = [&](const auto& map, const auto& key) {
    auto it = map.find(key);
    return it == map.end() ? 0 : it->second;
  };
  std::vector<std::string> active = ActiveModels();
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::shuffle(open.begin(), open.end(), random_);
    std::shuffle(active.begin(), active.end(), random_);
  }
  const ExpertPrompt& prompt = **std::min_element(open.begin(), open.end(), [&](const ExpertPrompt* a, const ExpertPrompt* b) {
    return count(load->per_prompt, a->id) < count(load->per_prompt, b->id);
  });
  // The models judged least so far, so that every model gets its share of experts.
  std::stable_sort(active.begin(), active.end(),
                   [&](const std::string& a, const std::string& b) { return count(load->per_model, a) < count(load->per_model, b); });
  const bool pairwise = config_.expert_pairwise && (!config_.expert_single || Uniform() < 0.5);
  if (active.size() < (pairwise ? 2u : 1u)) return Error(503, "not enough models are taking battles");
  Result<std::string> token = RandomHex(16);
  if (!token.ok()) return Fail(token.status());
  NewBattle nb{active[0], pairwise ? active[1] : "", pairwise ? "expert" : "single", expert, caller.network,
               Sha256Hex(*token)};
  if (pairwise && Uniform() < 0.5) std::swap(nb.model_a, nb.model_b);
  Result<int64_t> id = store_->CreateBattle(nb, prompt.text);
  if (!id.ok()) return Fail(id.status());
  if (Status s = store_->LinkExpertPrompt(*id, prompt.id); !s.ok()) return Fail(s);
  metrics_.Battle(nb.mode);
  BattleRecord battle;
  battle.id = *id, battle.model_a = nb.model_a, battle.model_b = nb.model_b, battle.mode = nb.mode;
  battle.turns.push_back(Turn{prompt.text, {}, {}});
  json opening = {{"id", *id},     {"token", *token},           {"challenge", ""},
                  {"pow_bits", 0}, {"turn", 0},                {"prompt", prompt.text},
                  {"category", prompt.category}, {"kind", pairwise ? "pairwise" : "single"}};
  return StreamTurn(battle, 0, opening);
}

}  // namespace kaif::arena
