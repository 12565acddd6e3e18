#include "arena/arena_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "arena/leaderboard.h"
#include "arena/service_support.h"
#include "util/file.h"
#include "util/sha256.h"

namespace kaif::arena {

std::string_view ArenaPageHtml();  // generated from page/arena.html

namespace {

using nlohmann::json;
using namespace service_support;

constexpr auto kBoardTtl = std::chrono::seconds(2);

// "/api/battles/17/vote" -> 17 and "vote"; false when the path is not of that form.
bool BattlePath(const std::string& path, int64_t& id, std::string& action) {
  static const std::string prefix = "/api/battles/";
  if (path.rfind(prefix, 0) != 0) return false;
  const size_t slash = path.find('/', prefix.size());
  if (slash == std::string::npos) return false;
  const std::string number = path.substr(prefix.size(), slash - prefix.size());
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), id);
  if (ec != std::errc() || end != number.data() + number.size() || id <= 0) return false;
  action = path.substr(slash + 1);
  return true;
}

std::string QueryValue(const std::string& target, const std::string& key) {
  const size_t q = target.find('?');
  if (q == std::string::npos) return "";
  std::string query = target.substr(q + 1);
  for (size_t start = 0; start <= query.size();) {
    size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    const std::string pair = query.substr(start, end - start);
    if (pair.rfind(key + "=", 0) == 0) return pair.substr(key.size() + 1);
    start = end + 1;
  }
  return "";
}
}  // namespace

ArenaService::ArenaService(ArenaConfig config, std::vector<std::unique_ptr<ChatModel>> models,
                           std::unique_ptr<ArenaStore> store, ArenaSecrets secrets)
    : config_(std::move(config)),
      models_(std::move(models)),
      store_(std::move(store)),
      secrets_(std::move(secrets)),
      limiter_(RateLimiterOptions{}),  // rates are given per kind of request in Limit()
      dedup_(PromptDedupOptions{}),
      leaks_(std::vector<std::string>{}),
      random_(std::random_device{}()) {}

ArenaService::~ArenaService() = default;

Result<std::unique_ptr<ArenaService>> ArenaService::Create(ArenaConfig config, std::vector<std::unique_ptr<ChatModel>> models,
                                                           std::unique_ptr<ArenaStore> store, ArenaSecrets secrets,
                                                           ArenaLog log) {
  if (secrets.pow_secret.empty()) return Status::InvalidInput("the arena needs a secret to sign proof-of-work challenges");
  std::unique_ptr<ArenaService> s(new ArenaService(std::move(config), std::move(models), std::move(store), std::move(secrets)));
  s->log_ = std::move(log);
  std::vector<std::string> names;
  for (const ArenaModelConfig& m : s->config_.models) {
    names.push_back(m.name);
    if (!m.team.empty()) names.push_back(m.team);
  }
  s->leaks_ = IdentityLeakDetector(names);
  for (const std::unique_ptr<ChatModel>& m : s->models_) {
    const ArenaModelConfig* c = nullptr;
    for (const ArenaModelConfig& mc : s->config_.models) {
      if (mc.name == m->name()) c = &mc;
    }
    KAIF_RETURN_IF_ERROR(s->store_->RegisterModel(m->name(), m->identity(), c ? c->team : ""));
    s->teams_[m->name()] = c ? c->team : "";
  }
  // What the caches start from: pair counts and the recent prompts.
  KAIF_ASSIGN_OR_RETURN(auto counts, s->store_->PairBattleCounts("public"));
  for (const auto& [pair, n] : counts) {
    s->pair_counts_[pair.first < pair.second ? pair : std::pair(pair.second, pair.first)] += n;
  }
  KAIF_ASSIGN_OR_RETURN(auto recent, s->store_->RecentPrompts(100000));
  for (auto it = recent.rbegin(); it != recent.rend(); ++it) s->dedup_.Add(it->first, it->second);
  if (!s->config_.expert_prompts.empty()) {
    KAIF_ASSIGN_OR_RETURN(std::string text, ReadFile(s->config_.expert_prompts));
    KAIF_ASSIGN_OR_RETURN(std::vector<ExpertPrompt> known, s->store_->ExpertPrompts());
    size_t line_number = 0;
    for (size_t start = 0; start < text.size();) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      const std::string line = text.substr(start, end - start);
      start = end + 1, ++line_number;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      json p = json::parse(line, nullptr, false);
      if (!p.is_object() || !p.contains("text") || !p["text"].is_string() || p["text"].get<std::string>().empty()) {
        return Status::InvalidInput(fmt::format("{}:{}: an expert prompt is a JSON object with a non-empty \"text\"",
                                                s->config_.expert_prompts.string(), line_number));
      }
      const std::string prompt = p["text"].get<std::string>();
      const std::string category = p.value("category", "");
      if (std::none_of(known.begin(), known.end(), [&](const ExpertPrompt& k) { return k.text == prompt; })) {
        KAIF_ASSIGN_OR_RETURN(int64_t id, s->store_->AddExpertPrompt(prompt, category));
        known.push_back({id, prompt, category});
      }
    }
  }
  return s;
}

double ArenaService::Uniform() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::uniform_real_distribution<double>(0, 1)(random_);
}

ChatModel* ArenaService::Model(const std::string& name) {
  std::shared_lock<std::shared_mutex> lock(models_mu_);
  for (const std::unique_ptr<ChatModel>& m : models_) {
    if (m->name() == name) return m.get();
  }
  return nullptr;
}

std::vector<std::string> ArenaService::ActiveModels() {
  std::vector<std::string> active;
  Result<std::vector<RegisteredModel>> registered = store_->Models();
  std::shared_lock<std::shared_mutex> lock(models_mu_);
  for (const std::unique_ptr<ChatModel>& m : models_) {
    bool withdrawn = false;
    if (registered.ok()) {
      for (const RegisteredModel& r : *registered) withdrawn |= r.name == m->name() && r.withdrawn_at.has_value();
    }
    if (!withdrawn) active.push_back(m->name());
  }
  return active;
}

std::optional<net::HttpResponse> ArenaService::Limit(bool vote, const Caller& caller) {
  const int per_client = vote ? config_.votes_per_client : config_.battles_per_client;
  const int per_network = vote ? config_.votes_per_network : config_.battles_per_network;
  const double now = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  RateDecision d = limiter_.Allow(std::string(vote ? "vote " : "battle ") + caller.client,
                                  std::string(vote ? "vote " : "battle ") + caller.network, per_client, per_network, now);
  if (d.allowed) return std::nullopt;
  const double wait = std::ceil(d.retry_after_seconds);
  net::HttpResponse r = Error(429, fmt::format("too many {} from {}; try again in {:.0f} s", vote ? "votes" : "battles", d.limit, wait));
  r.headers.emplace_back("Retry-After", fmt::format("{:.0f}", wait));
  return r;
}

json ArenaService::PublicConfig() const {
  json rubric = json::array();
  for (const RubricCriterion& c : config_.rubric) {
    rubric.push_back({{"id", c.id}, {"ko", c.ko}, {"en", c.en}, {"min", c.min}, {"max", c.max}});
  }
  return {{"pow_bits", config_.pow_bits},
          {"max_prompt_chars", config_.max_prompt_chars},
          {"max_turns", config_.max_turns},
          {"sampling", config_.sampling == PairSampling::kUniform ? "uniform" : "uncertainty"},
          {"sampling_rule", SamplingRule(config_.sampling, false)},
          {"sampling_rule_ko", SamplingRule(config_.sampling, true)},
          {"rubric", rubric},
          {"expert_kinds", json::array({})},
          {"models", ModelCount()}};
}

net::HttpResponse ArenaService::Handle(const net::HttpRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  Caller caller;
  const ClientAddress address = ParseClientAddress(request.remote);
  caller.client = address.address, caller.network = address.network;
  auto voter = request.headers.find("x-kaif-voter");
  caller.voter = voter != request.headers.end() && IsHex(voter->second, 16, 64) ? voter->second : "ip:" + caller.client;
  auto auth = request.headers.find("authorization");
  if (auth != request.headers.end() && auth->second.rfind("Bearer ", 0) == 0) caller.bearer = auth->second.substr(7);
  std::string route = request.path;
  net::HttpResponse response;
  try {
    response = Route(request, caller, route);
  } catch (const std::exception& e) {
    response = Error(500, std::string("internal error: ") + e.what());
  }
  auto measure = [this, route, start](int status) {
    metrics_.Request(route, status, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  };
  if (!response.later) {
    measure(response.status);
    return response;
  }
  // Measured when the answer goes out.
  response.later = [measure, later = std::move(response.later)](net::HttpRespond respond) {
    later([measure, respond = std::move(respond)](net::HttpResponse r) {
      measure(r.status);
      respond(std::move(r));
    });
  };
  return response;
}

bool ArenaService::AnswersQuickly(const net::HttpRequest& request) {
  // The leaderboard is not among them: when its cache has expired it refits every vote.
  static constexpr std::string_view kQuick[] = {"/", "/index.html", "/health", "/metrics", "/api/config", "/api/models",
                                                "/api/expert/login"};
  const std::string& path = request.path;
  if (std::find(std::begin(kQuick), std::end(kQuick), path) != std::end(kQuick)) return true;
  int64_t id = 0;
  std::string action;
  return BattlePath(path, id, action) && action == "vote";
}

net::HttpResponse ArenaService::Route(const net::HttpRequest& request, const Caller& caller, std::string& route) {
  const std::string& path = request.path;
  auto method_is = [&](const char* method) { return request.method == method; };
  auto wrong_method = [&](const char* allowed) {
    net::HttpResponse r = Error(405, fmt::format("{} takes {}, not {}", path, allowed, request.method));
    r.headers.emplace_back("Allow", allowed);
    return r;
  };
  auto body = [&]() { return json::parse(request.body.empty() ? "{}" : request.body, nullptr, false); };
  const net::HttpResponse not_json = Error(400, "the request body is not a JSON object (or not UTF-8)");

  if (path == "/" || path == "/index.html") {
    if (!method_is("GET")) return wrong_method("GET");
    net::HttpResponse r;
    r.content_type = "text/html; charset=utf-8";
    r.body = std::string(ArenaPageHtml());
    r.headers = {{"Content-Security-Policy",
                  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
                  "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"},
                 {"X-Content-Type-Options", "nosniff"},
                 {"Referrer-Policy", "no-referrer"}};
    return r;
  }
  if (path == "/health") return method_is("GET") ? Json(200, {{"status", "ok"}}) : wrong_method("GET");
  if (path == "/metrics") {
    if (!method_is("GET")) return wrong_method("GET");
    net::HttpResponse r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = metrics_.Render();
    return r;
  }
  if (path == "/api/config") return method_is("GET") ? Json(200, PublicConfig()) : wrong_method("GET");
  if (path == "/api/models") {
    if (!method_is("GET")) return wrong_method("GET");
    Result<std::vector<RegisteredModel>> models = store_->Models();
    if (!models.ok()) return Fail(models.status());
    json list = json::array();
    for (const RegisteredModel& m : *models) {
      list.push_back({{"name", m.name}, {"team", m.team}, {"identity", m.identity}, {"registered_at", m.registered_at},
                      {"withdrawn_at", m.withdrawn_at ? json(*m.withdrawn_at) : json()}});
    }
    return Json(200, {{"models", list}});
  }
  if (path == "/api/leaderboard") {
    if (!method_is("GET")) return wrong_method("GET");
    std::string mode = QueryValue(request.target, "mode");
    if (mode.empty()) mode = "public";
    if (mode != "public" && mode != "expert") return Error(400, "mode is public or expert, not " + mode);
    return Leaderboard(mode);
  }
  if (path == "/api/battles") {
    if (!method_is("POST")) return wrong_method("POST");
    json b = body();
    return b.is_object() ? StartBattle(b, caller) : not_json;
  }
  int64_t id = 0;
  std::string action;
  if (BattlePath(path, id, action) && (action == "turns" || action == "vote")) {
    route = "/api/battles/:id/" + action;
    if (!method_is("POST")) return wrong_method("POST");
    json b = body();
    if (!b.is_object()) return not_json;
    return action == "vote" ? CastVote(id, b, caller) : NextTurn(id, b, caller);
  }
  if (path == "/api/expert/login" || path == "/api/expert/next") {
    if (!method_is("POST")) return wrong_method("POST");
    if (caller.bearer.empty()) return Error(401, "experts send their token as Authorization: Bearer <token>");
    Result<std::optional<std::string>> expert = store_->ExpertByToken(Sha256Hex(caller.bearer));
    if (!expert.ok()) return Fail(expert.status());
    if (!*expert) return Error(401, "unknown expert token");
    if (path == "/api/expert/login") return Json(200, {{"expert", **expert}});
    return ExpertNext(**expert, caller);
  }
  if (path.rfind("/api/admin/", 0) == 0) {
    if (secrets_.admin_token.empty()) {
      return Error(403, "admin endpoints are off: set the environment variable " + config_.admin_token_env);
    }
    if (!SameSecret(caller.bearer, secrets_.admin_token)) return Error(403, "admin endpoints need the admin token");
    json b = body();
    if (!b.is_object()) return not_json;
    return Admin(request, b);
  }
  route = "other";
  return Error(404, "no such path: " + path + "; the arena's API is described in src/arena/API.md");
}

net::HttpResponse ArenaService::Leaderboard(const std::string& mode) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = boards_.find(mode);
    if (it != boards_.end() && std::chrono::steady_clock::now() - it->second.at < kBoardTtl) {
      net::HttpResponse r;
      r.body = it->second.body;
      return r;
    }
  }
  Result<json> board = LeaderboardNow(mode, std::nullopt);
  if (!board.ok()) return Fail(board.status());
  net::HttpResponse r = Json(200, *board);
  std::lock_guard<std::mutex> lock(mu_);
  boards_[mode] = {std::chrono::steady_clock::now(), r.body};
  return r;
}

Result<json> ArenaService::LeaderboardNow(const std::string& mode, std::optional<int64_t> until) {
  std::vector<BattleRecord> voted;
  std::map<int64_t, std::vector<RubricScore>> rubric;
  for (const char* m : mode == "public" ? std::vector<const char*>{"public"} : std::vector<const char*>{"expert", "single"}) {
    KAIF_ASSIGN_OR_RETURN(std::vector<BattleRecord> battles, store_->Battles(m, /*voted_only=*/true, until));
    voted.insert(voted.end(), std::make_move_iterator(battles.begin()), std::make_move_iterator(battles.end()));
    if (mode != "public") {
      KAIF_ASSIGN_OR_RETURN(auto scores, store_->RubricScores(m));
      rubric.merge(scores);
    }
  }
  KAIF_ASSIGN_OR_RETURN(std::vector<RegisteredModel> models, store_->Models());
  return LeaderboardJson(mode, voted, rubric, models, config_.rubric);
}

std::string ArenaService::TeamOf(const std::string& model) const {
  std::shared_lock<std::shared_mutex> lock(models_mu_);
  auto it = teams_.find(model);
  return it == teams_.end() ? "" : it->second;
}

size_t ArenaService::ModelCount() const {
  std::shared_lock<std::shared_mutex> lock(models_mu_);
  return models_.size();
}

net::HttpResponse ArenaService::RegisterEndpointModel(const json& body) {
  ArenaModelConfig m;
  for (auto [key, field] : {std::pair{"name", &m.name}, std::pair{"team", &m.team}, std::pair{"endpoint", &m.endpoint},
                            std::pair{"endpoint_model", &m.endpoint_model}, std::pair{"api_key_env", &m.api_key_env}}) {
    auto it = body.find(key);
    if (it != body.end() && !it->is_string()) return Error(400, fmt::format("'{}' is a string", key));
    if (it != body.end()) *field = it->get<std::string>();
  }
  if (m.name.empty() || m.name.size() > 128 || m.endpoint.empty() || m.endpoint_model.empty()) {
    return Error(400, "a model is registered with 'name' (1..128 characters), 'endpoint' and 'endpoint_model'");
  }
  if (Model(m.name)) return Error(409, m.name + " is already served");
  // Probing can take a while; no lock is held meanwhile.
  Result<std::unique_ptr<ChatModel>> model = OpenChatModel(m, config_.backend_timeout_seconds);
  if (!model.ok()) return Error(502, model.status().message());
  if (Status s = store_->RegisterModel(m.name, (*model)->identity(), m.team); !s.ok()) return Fail(s);
  const std::string identity = (*model)->identity();
  std::unique_lock<std::shared_mutex> lock(models_mu_);
  if (std::any_of(models_.begin(), models_.end(), [&](const auto& x) { return x->name() == m.name; })) {
    return Error(409, m.name + " is already served");
  }
  models_.push_back(std::move(*model));
  teams_[m.name] = m.team;
  return Json(200, {{"registered", m.name}, {"identity", identity}});
}

net::HttpResponse ArenaService::Admin(const net::HttpRequest& request, const json& body) {
  const std::string& path = request.path;
  if (path == "/api/admin/models") {
    if (request.method != "POST") return Error(405, "takes POST");
    return RegisterEndpointModel(body);
  }
  if (path == "/api/admin/withdraw") {
    if (request.method != "POST") return Error(405, "takes POST");
    const std::string model = body.value("model", "");
    if (Status s = store_->WithdrawModel(model); !s.ok()) return Fail(s);
    return Json(200, {{"withdrawn", model}});
  }
  if (path == "/api/admin/freeze") {
    if (request.method != "POST") return Error(405, "takes POST");
    const std::string name = body.value("round", "");
    if (name.empty()) return Error(400, "'round' (its name) is required");
    Result<FrozenRound> round = store_->FreezeRound(name);
    if (!round.ok()) return Fail(round.status());
    json out = {{"round", round->name}, {"frozen_at", round->frozen_at}};
    for (const char* mode : {"public", "expert"}) {
      Result<json> board = LeaderboardNow(mode, round->frozen_at);
      if (!board.ok()) return Fail(board.status());
      out[mode] = *board;
    }
    return Json(200, out);
  }
  if (path == "/api/admin/export") {
    if (request.method != "GET") return Error(405, "takes GET");
    Result<json> exported = ArenaExport(*store_, config_);
    if (!exported.ok()) return Fail(exported.status());
    return Json(200, *exported);
  }
  if (path == "/api/admin/voters") {
    if (request.method != "GET") return Error(405, "takes GET");
    Result<std::vector<BattleRecord>> voted = store_->Battles("public", true);
    if (!voted.ok()) return Fail(voted.status());
    RatingOptions options;
    options.threads = 1;
    json voters = json::array();
    for (const VoterVerdict& v : ApplyFilters(*voted, options).voters) {
      voters.push_back({{"voter", v.voter}, {"votes", v.votes}, {"llr", v.llr}, {"flagged", v.flagged}});
    }
    return Json(200, {{"voters", voters}});
  }
  return Error(404, "no such admin path: " + path);
}

}  // namespace kaif::arena
