// Plain-text views of a decision for the terminal: the summary table `kaif round` prints
// and the full explanation of one team's numbers (`kaif round --explain TEAM`).
#pragma once

#include <string>

#include "program/decision.h"
#include "util/status.h"

namespace kaif::report {

std::string RenderTextSummary(const program::StageDecision& decision);

// Every number of one team with where it came from. NotFound if the team is not in the decision.
Result<std::string> RenderTeamExplanation(const program::StageDecision& decision, const std::string& team);

}  // namespace kaif::report
