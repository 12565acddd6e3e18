#include <chrono>

#include "arena/arena_service.h"
#include "arena/leaderboard.h"
#include "arena/pair_sampler.h"
#include "util/sha256.h"

namespace kaif::arena {
namespace {

using nlohmann::json;

// One battle in FastChat's battle format, with kaif's records beside it.
json BattleJson(const BattleRecord& b) {
  json turns = json::array();
  for (const Turn& t : b.turns) turns.push_back({{"prompt", t.prompt}, {"answer_a", t.answers[0]}, {"answer_b", t.answers[1]}});
  json out = {{"battle_id", b.id}, {"mode", b.mode}, {"model_a", b.model_a}, {"model_b", b.model_b},
              {"created_at", b.created_at}, {"turn", b.turns.size()}, {"turns", turns}, {"flags", b.flags}};
  if (b.vote) {
    out["winner"] = OutcomeName(b.vote->outcome);
    out["cast_at"] = b.vote->cast_at;
    out["tstamp"] = static_cast<double>(b.vote->cast_at) / 1000;
    // Voters are pseudonymous in the export: a hash, enough to follow one voter's votes.
    out["judge"] = Sha256Hex("kaif-arena-voter:" + b.vote->voter).substr(0, 16);
    const Battle rated = b.ForRatings();
    if (rated.style) {
      json meta;
      for (int side = 0; side < 2; ++side) {
        const std::string s = side == 0 ? "a" : "b";
        const AnswerStyle& st = (*rated.style)[side];
        meta["sum_assistant_" + s + "_tokens"] = st.tokens;
        meta["header_count_" + s] = st.headers;
        meta["list_count_" + s] = st.lists;
        meta["bold_count_" + s] = st.bold;
      }
      out["conv_metadata"] = meta;
    }
  }
  return out;
}

}  // namespace

Result<json> ArenaExport(ArenaStore& store, const ArenaConfig& config, const std::string& round) {
  json out = {{"format", kArenaExportFormat},
              {"exported_at", std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch()).count()}};
  json rubric = json::array();
  for (const RubricCriterion& c : config.rubric) rubric.push_back({{"id", c.id}, {"ko", c.ko}, {"en", c.en}, {"min", c.min}, {"max", c.max}});
  out["rules"] = {{"sampling", config.sampling == PairSampling::kUniform ? "uniform" : "uncertainty"},
                  {"sampling_rule", SamplingRule(config.sampling, false)},
                  {"pow_bits", config.pow_bits},
                  {"max_turns", config.max_turns},
                  {"filters", FilterNames()},
                  {"ratings", "Bradley-Terry by maximum likelihood, Elo scale (base 10, scale 400), mean 1000, ties and "
                              "both-bad as half wins; kaif arena ratings reads this file and rates its 'battles'"},
                  {"rubric", rubric}};
  KAIF_ASSIGN_OR_RETURN(std::vector<RegisteredModel> models, store.Models());
  json model_list = json::array();
  for (const RegisteredModel& m : models) {
    model_list.push_back({{"name", m.name}, {"team", m.team}, {"identity", m.identity}, {"registered_at", m.registered_at},
                          {"withdrawn_at", m.withdrawn_at ? json(*m.withdrawn_at) : json()}});
  }
  out["models"] = model_list;
  KAIF_ASSIGN_OR_RETURN(std::vector<FrozenRound> rounds, store.Rounds());
  json round_list = json::array();
  std::optional<int64_t> until;
  for (const FrozenRound& r : rounds) {
    round_list.push_back({{"name", r.name}, {"frozen_at", r.frozen_at}});
    if (r.name == round) until = r.frozen_at;
  }
  out["rounds"] = round_list;
  if (!round.empty()) {
    if (!until) return Status::NotFound("no frozen round " + round + "; POST /api/admin/freeze freezes one");
    out["round"] = {{"name", round}, {"frozen_at", *until}};
  }

  json counted = json::array(), expert = json::array(), single = json::array(), excluded = json::array(),
       unvoted = json::array();
  RatingOptions options;
  options.threads = 1;
  for (const char* mode : {"public", "expert", "single"}) {
    KAIF_ASSIGN_OR_RETURN(std::vector<BattleRecord> battles, store.Battles(mode, /*voted_only=*/false, until));
    KAIF_ASSIGN_OR_RETURN(auto scores, store.RubricScores(mode));
    std::vector<BattleRecord> voted;
    for (const BattleRecord& b : battles) {
      if (b.vote) voted.push_back(b);
    }
    const FilteredBattles filtered = ApplyFilters(voted, options);
    for (const BattleRecord& b : battles) {
      json j = BattleJson(b);
      if (auto s = scores.find(b.id); s != scores.end()) {
        json r = json::array();
        for (const RubricScore& score : s->second) r.push_back({{"side", score.side}, {"criterion", score.criterion}, {"score", score.score}});
        j["rubric"] = r;
      }
      if (!b.vote) {
        unvoted.push_back(j);
      } else if (auto e = filtered.excluded.find(b.id); e != filtered.excluded.end()) {
        j["excluded_by"] = e->second;
        excluded.push_back(j);
      } else if (b.mode == "single") {
        single.push_back(j);  // rubric scores of one answer: never rated pairwise
      } else if (b.mode == "public") {
        counted.push_back(j);
      } else {
        expert.push_back(j);
      }
    }
  }
  out["battles"] = counted;
  out["expert_battles"] = expert;
  out["expert_single_answers"] = single;
  out["excluded_battles"] = excluded;
  out["unvoted_battles"] = unvoted;
  return out;
}

}  // namespace kaif::arena
