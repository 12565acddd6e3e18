// Data money, talent money and the team's self-pay share for a stage's period. Amounts in
// the program are per year and are pro-rated by the period's length. A pool that cannot
// cover every team's amount scales all of them down in proportion, so no team is favoured
// by the order of the file.
#pragma once

#include <string>
#include <vector>

#include "program/decision.h"
#include "program/program.h"

namespace kaif::program {

struct MoneyCandidate {
  const Team* team = nullptr;
  bool advances = false;  // advancing teams get data and talent money
  bool talent_only = false;  // eliminated teams keep talent money until the program's date
  double composite = 0;
};

struct MoneyPools {
  double data_pool = 0, data_granted = 0;
  double talent_pool = 0, talent_granted = 0;
  double common_data_pool = 0;
};

// Fills data_money, talent_money, self_pay_* and the explanation of each allocation
// (same order as `candidates`); gpu_value must already be set.
MoneyPools AllocateMoney(const Program& program, const Stage& stage, const std::vector<MoneyCandidate>& candidates,
                         std::vector<Allocation*>& allocations);

// Value of GPUs for the stage's period: GPUs x cost per GPU-month x months.
double GpuValue(const Program& program, const Stage& stage, const Allocation& allocation);

}  // namespace kaif::program
