// report.html: one self-contained page (inline CSS and SVG, no script, nothing fetched)
// with Korean and English labels: the decision, the charts, every team's explanation,
// the rules applied and the inputs' hashes.
#pragma once

#include <string>
#include <vector>

#include "program/decision.h"

namespace kaif::report {

// `earlier` are the decisions of previous stages, oldest first (may be empty); the path
// chart shows them with `decision`.
std::string RenderHtmlReport(const program::StageDecision& decision, const std::vector<program::StageDecision>& earlier);

}  // namespace kaif::report
