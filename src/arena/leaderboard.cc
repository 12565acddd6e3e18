#include "arena/leaderboard.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace kaif::arena {
namespace {

using nlohmann::json;

RatingOptions LiveOptions() {
  RatingOptions options;
  options.threads = 1;  // a server thread; the fit is milliseconds
  return options;
}

// Ratings by model, or empty when they do not exist yet (too few battles).
std::map<std::string, double> RatingMap(const std::vector<Battle>& battles) {
  std::map<std::string, double> out;
  Result<Ratings> r = RateModels(battles, LiveOptions());
  if (r.ok()) {
    for (const ModelRating& m : r->models) out[m.model] = m.rating;
  }
  return out;
}

}  // namespace

const std::vector<std::string>& FilterNames() {
  static const std::vector<std::string> names = {"duplicate_prompt", "identity_revealed", "flagged_voter"};
  return names;
}

FilteredBattles ApplyFilters(const std::vector<BattleRecord>& voted, const RatingOptions& options) {
  FilteredBattles out;
  // The flag filters first; the voter test measures voters against their consensus.
  std::vector<const BattleRecord*> unflagged;
  for (const BattleRecord& b : voted) {
    if (!b.vote || b.mode == "single") continue;
    std::vector<std::string> why;
    for (const char* flag : {"duplicate_prompt", "identity_revealed"}) {
      if (b.flags.count(flag)) why.push_back(flag);
    }
    if (why.empty()) unflagged.push_back(&b);
    else out.excluded[b.id] = why;
  }
  std::vector<Battle> consensus_battles;
  for (const BattleRecord* b : unflagged) consensus_battles.push_back(b->ForRatings());
  std::map<std::string, double> consensus;
  Result<Ratings> fitted = RateModels(consensus_battles, options);
  if (fitted.ok()) {
    for (const ModelRating& m : fitted->models) consensus[m.model] = m.rating;
  }
  std::set<std::string> flagged_voters;
  if (!consensus.empty()) {
    std::vector<VoterVote> votes;
    for (const BattleRecord* b : unflagged) votes.push_back({b->vote->voter, b->model_a, b->model_b, b->vote->outcome});
    auto p = [&](const std::string& a, const std::string& b) {
      auto ia = consensus.find(a), ib = consensus.find(b);
      if (ia == consensus.end() || ib == consensus.end()) return 0.5;
      return 1 / (1 + std::pow(options.base, (ib->second - ia->second) / options.scale));
    };
    out.voters = CheckVoters(votes, p, VoterCheckOptions{});
    for (const VoterVerdict& v : out.voters) {
      if (v.flagged) flagged_voters.insert(v.voter);
    }
  }
  for (const BattleRecord* b : unflagged) {
    if (flagged_voters.count(b->vote->voter)) {
      out.excluded[b->id].push_back("flagged_voter");
    } else {
      out.counted.push_back(b->ForRatings());
      out.counted_ids.push_back(b->id);
    }
  }
  // With one filter off: the counted battles plus those excluded by that filter alone.
  for (const std::string& filter : FilterNames()) {
    std::vector<Battle>& battles = out.without[filter];
    for (const BattleRecord& b : voted) {
      if (!b.vote || b.mode == "single") continue;
      auto it = out.excluded.find(b.id);
      if (it == out.excluded.end() || (it->second.size() == 1 && it->second[0] == filter)) {
        battles.push_back(b.ForRatings());
      }
    }
  }
  return out;
}

json LeaderboardJson(const std::string& mode, const std::vector<BattleRecord>& voted,
                     const std::map<int64_t, std::vector<RubricScore>>& rubric,
                     const std::vector<RegisteredModel>& models, const std::vector<RubricCriterion>& criteria) {
  const FilteredBattles filtered = ApplyFilters(voted, LiveOptions());
  std::map<std::string, const RegisteredModel*> registry;
  for (const RegisteredModel& m : models) registry[m.name] = &m;
  json out = {{"mode", mode}, {"votes", voted.size()}, {"counted", filtered.counted.size()}};

  Result<Ratings> ratings = RateModels(filtered.counted, LiveOptions());
  json rows = json::array();
  if (ratings.ok()) {
    for (const ModelRating& m : ratings->models) {
      auto it = registry.find(m.model);
      rows.push_back({{"model", m.model},
                      {"team", it == registry.end() ? "" : it->second->team},
                      {"rating", std::round(m.rating * 10) / 10},
                      {"lower", std::round(m.sandwich_low * 10) / 10},
                      {"upper", std::round(m.sandwich_high * 10) / 10},
                      {"battles", m.battles},
                      {"withdrawn", it != registry.end() && it->second->withdrawn_at.has_value()}});
    }
  } else {
    out["note"] = "no ratings yet: " + ratings.status().message();
  }
  out["models"] = rows;

  json filters = json::array();
  for (const std::string& filter : FilterNames()) {
    size_t excluded = 0;
    for (const auto& [id, why] : filtered.excluded) excluded += std::count(why.begin(), why.end(), filter);
    json without = json::object();
    for (const auto& [model, rating] : RatingMap(filtered.without.at(filter))) without[model] = std::round(rating * 10) / 10;
    filters.push_back({{"name", filter}, {"excluded", excluded}, {"ratings_without", without}});
  }
  out["filters"] = filters;
  size_t flagged = 0;
  for (const VoterVerdict& v : filtered.voters) flagged += v.flagged;
  out["flagged_voters"] = flagged;

  if (mode != "public") {
    // Rubric means per model and criterion, over every scored answer (pairwise and single).
    std::map<std::pair<std::string, std::string>, std::pair<double, int>> sums;
    std::map<int64_t, const BattleRecord*> by_id;
    for (const BattleRecord& b : voted) by_id[b.id] = &b;
    for (const auto& [id, scores] : rubric) {
      auto it = by_id.find(id);
      if (it == by_id.end()) continue;
      for (const RubricScore& s : scores) {
        const std::string& model = s.side == 0 ? it->second->model_a : it->second->model_b;
        auto& [sum, n] = sums[{model, s.criterion}];
        sum += s.score, ++n;
      }
    }
    json means = json::array();
    for (const RubricCriterion& c : criteria) {
      for (const auto& [key, value] : sums) {
        if (key.second != c.id) continue;
        means.push_back({{"model", key.first},
                         {"criterion", c.id},
                         {"mean", std::round(value.first / value.second * 100) / 100},
                         {"n", value.second}});
      }
    }
    out["rubric"] = means;
  }
  return out;
}

}  // namespace kaif::arena
