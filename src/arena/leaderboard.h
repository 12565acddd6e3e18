// A leaderboard from the arena's records: which voted battles count (the filters), the
// ratings of the counted ones with intervals, and what each filter changed - the ratings
// with that filter switched off - so that nobody has to trust a filter blindly.
//
// Filters, each excluding battles:
//   duplicate_prompt   the prompt repeats (or nearly repeats) an earlier battle's;
//   identity_revealed  an answer named its model or maker;
//   flagged_voter      the voter's votes disagree with the consensus far beyond chance
//                      (voter_check.h; the consensus is the other filters' ratings).
// Votes are never deleted: excluded battles stay in the data and in the export.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "arena/arena_config.h"
#include "arena/bradley_terry.h"
#include "arena/store.h"
#include "arena/voter_check.h"

namespace kaif::arena {

struct FilteredBattles {
  std::vector<Battle> counted;                           // in the ratings' form
  std::vector<int64_t> counted_ids;
  std::map<int64_t, std::vector<std::string>> excluded;  // battle id -> the filters excluding it
  std::map<std::string, std::vector<Battle>> without;    // filter -> the battles counted with it off
  std::vector<VoterVerdict> voters;
};

// The filters' names, in the order they are applied.
const std::vector<std::string>& FilterNames();

FilteredBattles ApplyFilters(const std::vector<BattleRecord>& voted, const RatingOptions& options);

// The leaderboard's JSON (see API.md): models best first with rating and 95% interval
// (sandwich), the filters' effects, and for expert battles the rubric means per model.
nlohmann::json LeaderboardJson(const std::string& mode, const std::vector<BattleRecord>& voted,
                               const std::map<int64_t, std::vector<RubricScore>>& rubric,
                               const std::vector<RegisteredModel>& models, const std::vector<RubricCriterion>& criteria);

}  // namespace kaif::arena
