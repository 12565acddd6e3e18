// Eligibility gates: independence verification, safety minimums, axis and frontier
// minimums. A failed gate excludes the team or flags it, as the program file says.
#pragma once

#include <vector>

#include "program/decision.h"
#include "program/program.h"
#include "program/results.h"
#include "util/status.h"

namespace kaif::program {

// `team` must already carry its axis scores and frontier ratio. Fails only when evidence
// is missing and the gate says when_missing = "error".
Result<std::vector<GateResult>> EvaluateGates(const Program& program, const Team& team, const TeamDecision& team_so_far,
                                              const ResultsSet& results);

}  // namespace kaif::program
