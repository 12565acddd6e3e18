#include "program/money_allocation.h"

#include <algorithm>
#include <fmt/format.h>

#include "program/proportional_share.h"

namespace kaif::program {
namespace {

std::string Money(double x, const std::string& currency) { return fmt::format("{:.0f} {}", x, currency); }

// Scales `amounts` down in proportion if they exceed `pool`; returns the factor.
double FitToPool(std::vector<double>& amounts, double pool) {
  double sum = 0;
  for (double a : amounts) sum += a;
  if (sum <= pool || sum <= 0) return 1.0;
  double factor = pool / sum;
  for (double& a : amounts) a *= factor;
  return factor;
}


}  // namespace

double GpuValue(const Program& program, const Stage& stage, const Allocation& allocation) {
  double value = 0;
  for (const GpuGrant& g : allocation.gpus) {
    value += g.gpus * program.FindGpuType(g.gpu_type)->cost_per_gpu_month * stage.period_months();
  }
  return value;
}

MoneyPools AllocateMoney(const Program& program, const Stage& stage, const std::vector<MoneyCandidate>& candidates,
                         std::vector<Allocation*>& allocations) {
  const DataRule& data = program.data_rule;
  const TalentRule& talent = program.talent_rule;
  const std::string& cur = program.currency;
  double years = stage.period_months() / 12.0;
  MoneyPools pools;
  pools.data_pool = data.team_pool_per_year * years;
  pools.talent_pool = talent.pool_per_year * years;
  pools.common_data_pool = data.common_pool_per_year * years;

  // Data: advancing teams only, each up to min(request, per-team cap) for the period.
  std::vector<double> data_amount(candidates.size(), 0), data_ceiling(candidates.size(), 0), weights(candidates.size(), 0);
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (!candidates[i].advances) continue;
    data_ceiling[i] = std::min(candidates[i].team->request.data_money_per_year, data.per_team_cap_per_year) * years;
    weights[i] = std::max(candidates[i].composite, 0.0);
  }
  double data_factor = 1.0;
  if (data.method == DataMethod::kRequestCapped) {
    data_amount = data_ceiling;
    data_factor = FitToPool(data_amount, pools.data_pool);
  } else {
    data_amount = ShareByWeight(pools.data_pool, weights, data_ceiling);
  }

  // Talent: advancing teams, and eliminated ones while the program keeps paying them.
  long period_days = stage.period_end.DaysSinceEpoch() - stage.period_start.DaysSinceEpoch() + 1;
  long paid_days = std::clamp<long>(talent.continues_until.DaysSinceEpoch() - stage.period_start.DaysSinceEpoch() + 1,
                                    0, period_days);
  double after_elimination = static_cast<double>(paid_days) / static_cast<double>(period_days);
  std::vector<double> talent_amount(candidates.size(), 0);
  for (size_t i = 0; i < candidates.size(); ++i) {
    double per_year = std::min(candidates[i].team->request.talent_money_per_year, talent.per_team_per_year_max);
    if (candidates[i].advances) talent_amount[i] = per_year * years;
    if (candidates[i].talent_only) talent_amount[i] = per_year * years * after_elimination;
  }
  double talent_factor = FitToPool(talent_amount, pools.talent_pool);

  for (size_t i = 0; i < candidates.size(); ++i) {
    const Team& team = *candidates[i].team;
    Allocation& a = *allocations[i];
    a.data_money = data_amount[i];
    a.talent_money = talent_amount[i];
    pools.data_granted += a.data_money;
    pools.talent_granted += a.talent_money;
    if (candidates[i].advances) {
      if (data.method == DataMethod::kRequestCapped) {
        a.explanation.push_back(fmt::format(
            "data: min(request {}/year, cap {}/year ([allocation.data] per_team_cap_per_year)) x {:.3f} years{} = {}",
            Money(team.request.data_money_per_year, cur), Money(data.per_team_cap_per_year, cur), years,
            data_factor < 1 ? fmt::format(" x {:.4f} (pool {} shared in proportion)", data_factor,
                                          Money(pools.data_pool, cur))
                            : "",
            Money(a.data_money, cur)));
      } else {
        a.explanation.push_back(fmt::format("data: share of the {} pool in proportion to composite, capped at {} = {}",
                                            Money(pools.data_pool, cur), Money(data_ceiling[i], cur),
                                            Money(a.data_money, cur)));
      }
    }
    if (a.talent_money > 0 || candidates[i].advances || candidates[i].talent_only) {
      a.explanation.push_back(fmt::format(
          "talent: min(request {}/year, max {}/year) x {:.3f} years{}{} = {}",
          Money(team.request.talent_money_per_year, cur), Money(talent.per_team_per_year_max, cur), years,
          candidates[i].talent_only
              ? fmt::format(" x {:.4f} (after elimination, paid until {})", after_elimination,
                            talent.continues_until.ToString())
              : "",
          talent_factor < 1 ? fmt::format(" x {:.4f} (pool shared in proportion)", talent_factor) : "",
          Money(a.talent_money, cur)));
    }
    a.self_pay_ratio = program.self_pay.ratio.at(team.open_source_level).at(team.company_size);
    a.self_pay_amount = a.self_pay_ratio * (a.gpu_value + a.data_money);
    if (a.gpu_value + a.data_money > 0) {
      a.explanation.push_back(fmt::format(
          "self-pay: {:.0f}% for open-source level \"{}\" and company size {} ([allocation.self_pay]) x (GPU value {} "
          "+ data {}) = {}",
          100 * a.self_pay_ratio, team.open_source_level, ToString(team.company_size), Money(a.gpu_value, cur),
          Money(a.data_money, cur), Money(a.self_pay_amount, cur)));
    }
  }
  return pools;
}

}  // namespace kaif::program
