// The job behind `kaif arena ratings`: battles from a file, the ratings, and the files: a
// ratings JSON, and for a stage, one kaif.results/1 arena document per team
// (OUT/<team>.arena-<pool>.json, the contest axis `kaif round` reads). Models without a
// team (frontier references, withdrawn entries) are rated but get no document.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "arena/bradley_terry.h"
#include "util/status.h"

namespace kaif::job {

struct ArenaRatingsJob {
  std::filesystem::path battles;
  arena::RatingOptions options;
  std::filesystem::path json;            // empty: no ratings JSON
  std::filesystem::path out;             // empty: no results documents
  std::map<std::string, std::string> teams;  // model -> team
  int stage = 0;
  std::string pool = "public";           // "public" or an expert panel's name
};

struct ArenaRatingsOutcome {
  arena::Ratings ratings;
  std::vector<std::filesystem::path> written;
};

Result<ArenaRatingsOutcome> RunArenaRatings(const ArenaRatingsJob& job);

}  // namespace kaif::job
