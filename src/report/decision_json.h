// decision.json ("kaif.decision/1"): every field of a StageDecision, in a fixed order,
// so the same decision always gives the same bytes; and the reader `--previous` uses.
#pragma once

#include <string>
#include <string_view>

#include "program/decision.h"
#include "util/status.h"

namespace kaif::report {

// Two-space indented JSON with a trailing newline.
std::string RenderDecisionJson(const program::StageDecision& decision);

// Reads a decision.json back (for the next stage's participants and the path over
// stages). `source` names the file in messages.
Result<program::StageDecision> ParseDecisionJson(std::string_view text, const std::string& source);

}  // namespace kaif::report
