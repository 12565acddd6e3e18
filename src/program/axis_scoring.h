// Turns one team's raw inputs on one axis into a 0-100 score with a standard error, by
// the axis's method (program.h: AxisMethod). Each method's formula is in axis_scoring.cc.
#pragma once

#include <string>
#include <vector>

#include "program/decision.h"
#include "program/program.h"
#include "program/results.h"
#include "util/status.h"

namespace kaif::program {

struct AxisContext {
  const Program* program = nullptr;
  std::vector<const FrontierModel*> reference;  // the stage's frontier window
  double z = 1.96;
  double anchor_rating = 0;  // kWinProbability: the rating a 50% score stands for
};

// The benchmarks an axis averages, for `team`, in program order.
std::vector<std::string> AxisBenchmarks(const Program& program, const Axis& axis, const Team& team);

// Fails with a message naming the missing results file or benchmark when an input is absent.
Result<AxisScore> ScoreAxis(const AxisContext& context, const Axis& axis, const Team& team, const ResultsSet& results);

}  // namespace kaif::program
