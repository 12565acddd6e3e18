// Plain-text views of decisions for the terminal: the summary table `kaif round` prints,
// the full explanation of one team's numbers (`--explain TEAM`), what a what-if moves,
// and each team's path over a simulation.
#pragma once

#include <string>
#include <vector>

#include "program/decision.h"
#include "util/status.h"

namespace kaif::report {

std::string RenderTextSummary(const program::StageDecision& decision);

// Every number of one team with where it came from. NotFound if the team is not in the decision.
Result<std::string> RenderTeamExplanation(const program::StageDecision& decision, const std::string& team);

// What a what-if moves: one line per team whose rank, outcome, composite, allocation or
// certification changed, or a line saying nothing moved.
std::string RenderWhatIfDifferences(const program::StageDecision& before, const program::StageDecision& after);

// Each team's rank, composite, outcome and GPUs per stage, then the total spend.
std::string RenderSimulationPaths(const std::vector<program::StageDecision>& stages);

}  // namespace kaif::report
