// The frontier ratio: a team's benchmark scores as a fraction of the newest global models'
// ("moving target": the reference set is the models released within the window before
// the stage's evaluation date), with a standard error from both sides' standard errors.
#pragma once

#include <string>
#include <vector>

#include "program/decision.h"
#include "program/program.h"
#include "program/results.h"
#include "util/status.h"

namespace kaif::program {

// Reference models for `stage`, in file order. Fails if the window holds none.
Result<std::vector<const FrontierModel*>> ReferenceModels(const Program& program, const Stage& stage);

// Ratio per benchmark in `benchmark_ids` and overall, at z (two-sided) for the intervals.
// `team_results` must hold a score for every benchmark; the reference models must hold
// one for each benchmark too (at least one model per benchmark).
Result<FrontierResult> ComputeFrontierRatio(const Program& program, const std::vector<const FrontierModel*>& reference,
                                            const std::vector<std::string>& benchmark_ids,
                                            const ResultsDocument& team_results, double z);

// value -/+ z * stderr.
Estimate MakeEstimate(double value, double stderr_, double z);

}  // namespace kaif::program
