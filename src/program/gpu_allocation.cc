#include "program/gpu_allocation.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "program/proportional_share.h"

namespace kaif::program {
namespace {

// Slack for comparing H100-equivalent sums that went through multiplications.
constexpr double kEpsilon = 1e-9;

std::string Num(double x) { return fmt::format("{:.6g}", x); }

// The most a team may hold: the rule's cap, its request, and what its GPU types' caps allow.
double TeamCeiling(const Program& program, const Team& team, std::vector<std::string>* why) {
  const GpuAllocationRule& rule = program.gpu_rule;
  double ceiling = rule.team_cap_h100e;
  if (why) why->push_back(fmt::format("team cap {} H100e ([allocation.gpu] team_cap_h100e)", Num(rule.team_cap_h100e)));
  if (rule.cap_by_request && team.request.gpus_h100e < ceiling) {
    ceiling = team.request.gpus_h100e;
    if (why) why->push_back(fmt::format("request {} H100e ([teams.{}.request] gpus_h100e) is lower", Num(ceiling), team.id));
  }
  double type_caps = 0;
  for (const std::string& type : team.request.gpu_types) {
    const GpuType* t = program.FindGpuType(type);
    type_caps += t->per_team_cap * t->h100_equivalent;
  }
  if (type_caps < ceiling) {
    ceiling = type_caps;
    if (why) why->push_back(fmt::format("per-type caps of the accepted GPU types allow only {} H100e", Num(ceiling)));
  }
  return ceiling;
}

// Serves `want_h100e` from the team's GPU types in preference order, in whole nodes.
void ServeInNodes(const Program& program, const Team& team, double want_h100e, std::map<std::string, int>& pool_left,
                  Allocation& out) {
  double remaining = want_h100e;
  for (const std::string& type_id : team.request.gpu_types) {
    const GpuType& type = *program.FindGpuType(type_id);
    int wanted = static_cast<int>(std::floor(remaining / type.h100_equivalent + kEpsilon));
    int available = pool_left[type_id];
    int bound = std::min({wanted, type.per_team_cap, available});
    std::string limit = bound == wanted ? "as wanted"
                        : bound == available ? fmt::format("limited by the pool ({} left)", available)
                                             : fmt::format("limited by the per-team cap {}", type.per_team_cap);
    int gpus = std::max(0, bound / type.gpus_per_node * type.gpus_per_node);
    if (gpus != bound) limit += ", rounded down to whole nodes";
    out.explanation.push_back(fmt::format("{}: wanted {} ({} H100e / {}), {} -> {} GPUs = {} nodes of {}", type_id,
                                          wanted, Num(remaining), Num(type.h100_equivalent), limit, gpus,
                                          gpus / type.gpus_per_node, type.gpus_per_node));
    if (gpus == 0) continue;
    pool_left[type_id] -= gpus;
    out.gpus.push_back(GpuGrant{type_id, gpus, gpus / type.gpus_per_node});
    remaining -= gpus * type.h100_equivalent;
    out.gpus_h100e += gpus * type.h100_equivalent;
    if (remaining < kEpsilon) break;
  }
}


}  // namespace

GpuAllocationResult AllocateGpus(const Program& program, const Stage& stage, const std::vector<GpuCandidate>& ranked) {
  const GpuAllocationRule& rule = program.gpu_rule;
  GpuAllocationResult result;
  result.pool_left = stage.gpu_pool;
  result.allocations.resize(ranked.size());

  std::vector<double> ceilings;
  for (const GpuCandidate& c : ranked) ceilings.push_back(TeamCeiling(program, *c.team, nullptr));

  std::vector<double> entitlement(ranked.size(), 0);
  if (rule.method == GpuMethod::kRankPriority) {
    for (size_t i = 0; i < ranked.size(); ++i) {
      Allocation& a = result.allocations[i];
      size_t m = std::min(i, rule.rank_multipliers.size() - 1);
      double base = rule.base_h100e * rule.rank_multipliers[m];
      a.explanation.push_back(fmt::format(
          "rule rank_priority: place {} of {} advancing teams -> base {} H100e x rank multiplier {} = {} H100e "
          "([allocation.gpu] base_h100e, rank_multipliers[{}])",
          i + 1, ranked.size(), Num(rule.base_h100e), Num(rule.rank_multipliers[m]), Num(base), m));
      entitlement[i] = base;
    }
  } else {
    double pool_h100e = 0;
    for (const auto& [type, gpus] : stage.gpu_pool) pool_h100e += gpus * program.FindGpuType(type)->h100_equivalent;
    std::vector<double> weights;
    for (const GpuCandidate& c : ranked) weights.push_back(std::pow(std::max(c.composite, 0.0), rule.score_exponent));
    double weight_sum = 0;
    for (double w : weights) weight_sum += w;
    entitlement = ShareByWeight(pool_h100e, weights, ceilings);
    for (size_t i = 0; i < ranked.size(); ++i) {
      result.allocations[i].explanation.push_back(fmt::format(
          "rule proportional: share of the {} H100e pool in proportion to composite^{} ({} of {}), shared again past "
          "other teams' caps -> {} H100e",
          Num(pool_h100e), Num(rule.score_exponent), Num(weights[i]), Num(weight_sum), Num(entitlement[i])));
    }
  }

  for (size_t i = 0; i < ranked.size(); ++i) {
    Allocation& a = result.allocations[i];
    std::vector<std::string> why;
    double ceiling = TeamCeiling(program, *ranked[i].team, &why);
    double target = std::min(entitlement[i], ceiling);
    if (target + kEpsilon < entitlement[i]) {
      std::string reasons;
      for (const std::string& w : why) reasons += (reasons.empty() ? "" : "; ") + w;
      a.explanation.push_back(fmt::format("capped at {} H100e: {}", Num(target), reasons));
    }
    a.entitlement_h100e = target;
    ServeInNodes(program, *ranked[i].team, target, result.pool_left, a);
    a.explanation.push_back(fmt::format("granted {} H100e of {} entitled{}", Num(a.gpus_h100e), Num(target),
                                        a.gpus_h100e + kEpsilon < target ? " (the pool or whole nodes allowed no more)"
                                                                         : ""));
  }
  return result;
}

}  // namespace kaif::program
