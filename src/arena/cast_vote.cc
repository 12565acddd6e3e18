// A vote: public (the battle's token and a proof of work) or an expert's (the expert's
// token and the rubric), recorded in one statement, then the reveal.
#include <fmt/format.h>

#include "arena/arena_service.h"
#include "arena/proof_of_work.h"
#include "arena/service_support.h"
#include "util/sha256.h"

namespace kaif::arena {

using nlohmann::json;
using namespace service_support;

net::HttpResponse ArenaService::CastVote(int64_t id, const json& body, const Caller& caller) {
  const std::string token = body.value("token", "");
  if (!IsHex(token, 32, 32)) return Error(400, "'token' (the battle's token) is required");
  std::optional<std::string> expert;
  if (!caller.bearer.empty()) {
    Result<std::optional<std::string>> e = store_->ExpertByToken(Sha256Hex(caller.bearer));
    if (!e.ok()) return Fail(e.status());
    if (!*e) return Error(401, "unknown expert token");
    expert = **e;
  }
  const std::string mode = expert ? "expert" : "public";
  auto rejected = [&](net::HttpResponse r) {
    metrics_.Vote(mode, r.status == 429 ? "rate_limited" : "rejected");
    return r;
  };
  if (auto limited = Limit(true, caller)) return rejected(*limited);
  std::optional<Outcome> outcome;
  if (body.contains("winner")) {
    if (!body["winner"].is_string() || !(outcome = ParseOutcome(body["winner"].get<std::string>()))) {
      return rejected(Error(400, "'winner' is \"model_a\", \"model_b\", \"tie\" or \"tie (bothbad)\""));
    }
  }
  std::vector<RubricScore> rubric;
  if (expert) {
    Result<BattleRecord> battle = store_->GetBattle(id);
    if (!battle.ok()) return rejected(Fail(battle.status()));
    if (battle->client != *expert || (battle->mode != "expert" && battle->mode != "single")) {
      return rejected(Error(403, "battle " + std::to_string(id) + " was not assigned to you"));
    }
    const int sides = battle->mode == "single" ? 1 : 2;
    if (sides == 1) outcome = Outcome::kTie;  // a single answer has no winner; it is never rated pairwise
    if (!outcome) return rejected(Error(400, "'winner' is required for a pairwise judgement"));
    const json scores = body.value("scores", json::object());
    if (!scores.is_object()) return rejected(Error(400, "'scores' is an object: criterion -> one score per answer"));
    for (const RubricCriterion& c : config_.rubric) {
      auto it = scores.find(c.id);
      if (it == scores.end() || !it->is_array() || static_cast<int>(it->size()) != sides) {
        return rejected(Error(400, fmt::format("'scores.{}' needs {} score{}", c.id, sides, sides == 1 ? "" : "s")));
      }
      for (int side = 0; side < sides; ++side) {
        const json& v = (*it)[side];
        if (!v.is_number_integer() || v.get<int64_t>() < c.min || v.get<int64_t>() > c.max) {
          return rejected(Error(400, fmt::format("'scores.{}' are whole numbers from {} to {}", c.id, c.min, c.max)));
        }
        rubric.push_back({side, c.id, v.get<int>()});
      }
    }
  } else {
    if (!outcome) return rejected(Error(400, "'winner' is required"));
    const std::string nonce = body.contains("nonce") && body["nonce"].is_string() ? body["nonce"].get<std::string>() : "";
    if (config_.pow_bits > 0 && !PowSatisfied(PowChallenge(secrets_.pow_secret, id), nonce, config_.pow_bits)) {
      return rejected(Error(403, "the proof of work does not check out: 'nonce' must solve the battle's challenge"));
    }
  }
  // The answer comes once the store's writer committed the vote (with others queued
  // meanwhile); no thread waits for it.
  net::HttpResponse later;
  later.later = [this, id, mode, token_hash = Sha256Hex(token), outcome = *outcome,
                 voter = expert ? *expert : caller.voter, rubric = std::move(rubric)](net::HttpRespond respond) {
    store_->RecordVoteLater(id, token_hash, outcome, voter, rubric,
                            [this, id, mode, respond = std::move(respond)](Status voted, ArenaStore::Reveal reveal) {
                              respond(VoteAnswer(id, mode, voted, reveal));
                            });
  };
  return later;
}

net::HttpResponse ArenaService::VoteAnswer(int64_t id, const std::string& mode, const Status& voted,
                                           const ArenaStore::Reveal& reveal) {
  if (!voted.ok()) {
    const std::string& m = voted.message();
    net::HttpResponse r = Fail(voted);
    if (m.find("wrong token") != std::string::npos) r = Error(403, m);
    if (m.find("no battle") != std::string::npos) r = Error(404, m);
    if (m.find("already has its vote") != std::string::npos || m.find("before") != std::string::npos) r = Error(409, m);
    metrics_.Vote(mode, "rejected");
    return r;
  }
  metrics_.Vote(mode, "accepted");
  return Json(200, {{"battle", id},
                    {"model_a", reveal.model_a},
                    {"model_b", reveal.model_b},
                    {"team_a", TeamOf(reveal.model_a)},
                    {"team_b", TeamOf(reveal.model_b)},
                    {"flags", reveal.flags}});
}

}  // namespace kaif::arena
