// `kaif round`: a stage decision as a pure function of the program, the stage's results
// and who takes part. The same inputs give the same StageDecision, field for field.
#pragma once

#include <string>
#include <vector>

#include "program/decision.h"
#include "program/program.h"
#include "program/results.h"
#include "util/status.h"

namespace kaif::program {

struct RoundInputs {
  const Program* program = nullptr;
  std::string program_source;  // file name, for the decision's input list
  std::string program_sha256;
  int stage = 1;
  const ResultsSet* results = nullptr;
  std::vector<std::string> participants;       // teams evaluated at this stage
  std::vector<std::string> eliminated_before;  // out at an earlier stage (talent money may continue)
};

// Who takes part in `stage`: every team that joined by stage 1 when there is no previous
// decision; otherwise the previous decision's advancing teams plus teams joining now.
// Fails when stage > 1 and no previous decision is given.
Status SetParticipants(const Program& program, int stage, const StageDecision* previous, RoundInputs& inputs);

Result<StageDecision> DecideRound(const RoundInputs& inputs);

}  // namespace kaif::program
