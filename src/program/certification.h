// Certification: whether a team's model may carry the program's title ("K-AI model"),
// with every condition listed, met or not.
#pragma once

#include "program/decision.h"
#include "program/program.h"

namespace kaif::program {

// Sets team.certified and team.certification_reasons. `team` must be fully decided
// (gates, composite, frontier ratio, outcome).
void Certify(const Program& program, const Team& team_rules, TeamDecision& team);

}  // namespace kaif::program
