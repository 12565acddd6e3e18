// Ranking: excluded teams last, then by composite rounded to the program's decimals, ties
// broken by the program's tie_breakers in order (the last is always the team id, so the
// order is total and every rerun agrees).
#pragma once

#include <vector>

#include "program/decision.h"
#include "program/program.h"

namespace kaif::program {

// Sorts `teams` into rank order, sets rank and tie_note. `teams` must carry composites,
// axis scores, frontier ratios and the excluded flag.
void RankTeams(const Program& program, std::vector<TeamDecision>& teams);

}  // namespace kaif::program
