#include "program/decision.h"

namespace kaif::program {

const char* ToString(Outcome outcome) {
  switch (outcome) {
    case Outcome::kAdvances: return "advances";
    case Outcome::kEliminatedOnScore: return "eliminated_on_score";
    case Outcome::kEliminatedByGate: return "eliminated_by_gate";
    case Outcome::kNotParticipating: return "not_participating";
  }
  return "?";
}

}  // namespace kaif::program
