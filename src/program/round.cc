#include "program/round.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>

#include "program/axis_scoring.h"
#include "program/certification.h"
#include "program/frontier_ratio.h"
#include "program/gates.h"
#include "program/gpu_allocation.h"
#include "program/money_allocation.h"
#include "program/ranking.h"
#include "util/normal.h"

namespace kaif::program {
namespace {

bool Contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

std::string TeamList(const Program& program) {
  std::string list;
  for (const Team& t : program.teams) list += (list.empty() ? "" : ", ") + t.id;
  return list;
}

// Every results document must belong to this stage, to a participating team and to its
// registered model, and name only benchmarks the program knows, with scores in range.
Status CheckResults(const RoundInputs& in) {
  const Program& p = *in.program;
  std::map<std::string, const Team*> teams;
  for (const Team& t : p.teams) teams[t.id] = &t;
  std::set<std::string> participants(in.participants.begin(), in.participants.end());
  for (const ResultsDocument& doc : in.results->documents()) {
    auto found = teams.find(doc.team);
    const Team* team = found == teams.end() ? nullptr : found->second;
    if (!team) {
      return Status::InvalidInput(fmt::format("{}: results for unknown team '{}'; the program's teams are {}",
                                              doc.source, doc.team, TeamList(p)));
    }
    if (!participants.count(doc.team)) {
      return Status::InvalidInput(fmt::format("{}: team '{}' does not take part in stage {} ({}); remove the file",
                                              doc.source, doc.team, in.stage,
                                              Contains(in.eliminated_before, doc.team) ? "eliminated earlier"
                                                                                       : "joins at a later stage"));
    }
    if (doc.stage != in.stage) {
      return Status::InvalidInput(fmt::format("{}: results are for stage {}, but this round decides stage {}",
                                              doc.source, doc.stage, in.stage));
    }
    // Results must come from the registered weights, so a team cannot submit a tuned variant.
    if (!team->model_weights_sha256.empty() && !doc.model_weights_sha256.empty() &&
        team->model_weights_sha256 != doc.model_weights_sha256) {
      return Status::InvalidInput(fmt::format(
          "{}: evaluated weights {} but the program registers {} for team '{}'; results must come from the "
          "registered model",
          doc.source, doc.model_weights_sha256, team->model_weights_sha256, team->id));
    }
    for (const auto& [id, m] : doc.benchmarks) {
      const Benchmark* b = p.FindBenchmark(id);
      if (!b) {
        return Status::InvalidInput(fmt::format("{}: /benchmarks/{} is not a benchmark of the program; check the "
                                                "name or add it to [benchmarks]",
                                                doc.source, id));
      }
      if (m.value < b->min || m.value > b->max) {
        return Status::InvalidInput(fmt::format("{}: /benchmarks/{}/score = {} is outside the benchmark's range {}..{}",
                                                doc.source, id, m.value, b->min, b->max));
      }
    }
  }
  return Status::Ok();
}

// The rating a 50% arena score stands for: fixed, or the mean of the participants' ratings.
double AnchorRating(const RoundInputs& in, const Axis& axis) {
  if (!axis.anchor_is_team_mean) return axis.anchor_rating;
  double sum = 0;
  int n = 0;
  for (const std::string& id : in.participants) {
    if (const ResultsDocument* doc = in.results->Find(id, ResultsKind::kArena, axis.pool)) {
      sum += doc->arena_rating.value;
      ++n;
    }
  }
  return n ? sum / n : axis.anchor_rating;
}

Result<TeamDecision> ScoreTeam(const RoundInputs& in, const Team& team, const std::vector<const FrontierModel*>& reference,
                               const std::vector<double>& anchors, double z) {
  const Program& p = *in.program;
  TeamDecision t;
  t.team = team.id;
  t.team_name = team.name;
  double variance = 0, composite = 0;
  for (size_t i = 0; i < p.axes.size(); ++i) {
    const Axis& axis = p.axes[i];
    AxisContext context{&p, reference, z, anchors[i]};
    KAIF_ASSIGN_OR_RETURN(AxisScore score, ScoreAxis(context, axis, team, *in.results));
    composite += score.contribution;
    variance += std::pow(score.score.stderr_ * axis.weight / p.weights_total, 2);
    t.axes.push_back(std::move(score));
  }
  t.composite = MakeEstimate(composite, std::sqrt(variance), z);
  t.composite.low = std::max(0.0, t.composite.low);
  t.composite.high = std::min(100.0, t.composite.high);

  const ResultsDocument* bench = in.results->Find(team.id, ResultsKind::kBenchmarks);
  if (!bench) {
    return Status::InvalidInput(fmt::format("no benchmarks results for team '{}', which the frontier ratio needs",
                                            team.id));
  }
  KAIF_ASSIGN_OR_RETURN(t.frontier, ComputeFrontierRatio(p, reference, p.frontier.benchmarks, *bench, z));
  t.parameters = bench->parameters;
  t.training_compute_flops = bench->training_compute_flops;

  KAIF_ASSIGN_OR_RETURN(t.gates, EvaluateGates(p, team, t, *in.results));
  for (const GateResult& g : t.gates) {
    if (g.passed) continue;
    if (g.action == "exclude") t.excluded = true;
    if (g.action == "flag") t.flagged = true;
  }
  return t;
}

void DecideOutcomes(const Program& p, const Stage& stage, std::vector<TeamDecision>& teams) {
  int eligible_rank = 0;
  int eligible = static_cast<int>(std::count_if(teams.begin(), teams.end(), [](const TeamDecision& t) { return !t.excluded; }));
  for (TeamDecision& t : teams) {
    std::string flags;
    for (const GateResult& g : t.gates) {
      if (!g.passed) flags += fmt::format("{}gate {} failed ({}): {}", flags.empty() ? "" : "; ", g.gate, g.action, g.reason);
    }
    if (t.excluded) {
      t.outcome = Outcome::kEliminatedByGate;
      t.outcome_reason = "excluded: " + flags;
      continue;
    }
    ++eligible_rank;
    if (eligible_rank > stage.survivors) {
      t.outcome = Outcome::kEliminatedOnScore;
      t.outcome_reason = fmt::format("place {} of {} eligible teams; stage {} keeps {} ([[stages]] survivors)",
                                     eligible_rank, eligible, stage.number, stage.survivors);
    } else if (stage.advance_min_composite && t.composite_rounded < *stage.advance_min_composite) {
      t.outcome = Outcome::kEliminatedOnScore;
      t.outcome_reason = fmt::format("composite {:.{}f} is below the stage's advance_min_composite {:.2f}",
                                     t.composite_rounded, p.ranking.composite_decimals, *stage.advance_min_composite);
    } else {
      t.outcome = Outcome::kAdvances;
      t.outcome_reason = fmt::format("place {} of {} eligible teams; stage {} keeps {}", eligible_rank, eligible,
                                     stage.number, stage.survivors);
      if (!flags.empty()) t.outcome_reason += "; flagged: " + flags;
    }
  }
}

std::vector<std::string> RulesInWords(const Program& p, const Stage& stage, double z) {
  std::vector<std::string> rules;
  std::string axes;
  for (const Axis& a : p.axes) axes += fmt::format("{}{} {}", axes.empty() ? "" : ", ", a.id, a.weight);
  rules.push_back(fmt::format("composite = sum of axis score x weight / {} (weights: {})", p.weights_total, axes));
  rules.push_back(fmt::format("intervals: +/- {:.3f} standard errors ({}% confidence), errors propagated from the "
                              "inputs assuming independent axes",
                              z, 100 * p.ranking.confidence));
  rules.push_back(fmt::format("frontier: {} of the models released in the {} months before {}; target ratio {}",
                              p.frontier.reference == FrontierReference::kBest ? "best score" : "mean score",
                              p.frontier.window_months, stage.evaluation_date.ToString(), p.frontier.target_ratio));
  for (const Gate& g : p.gates) {
    rules.push_back(fmt::format("gate {} ({}): on failure {}{}", g.id, ToString(g.kind), ToString(g.on_fail),
                                g.description.empty() ? "" : " - " + g.description));
  }
  std::string ties;
  for (const TieRule& r : p.ranking.tie_breakers) {
    ties += (ties.empty() ? "" : ", ") +
            std::string(r.kind == TieBreaker::kLowerBound      ? "lower_bound"
                        : r.kind == TieBreaker::kAxis          ? "axis:" + r.axis
                        : r.kind == TieBreaker::kFrontierRatio ? "frontier_ratio"
                                                               : "team_id");
  }
  rules.push_back(fmt::format("ranking: excluded teams last; composite rounded to {} decimals; ties broken by {}",
                              p.ranking.composite_decimals, ties));
  rules.push_back(fmt::format("elimination: the best {} eligible teams advance{}", stage.survivors,
                              stage.advance_min_composite
                                  ? fmt::format(" if their composite is at least {:.2f}", *stage.advance_min_composite)
                                  : ""));
  rules.push_back(fmt::format("the period {}..{} ({:.4g} months) uses {} GPUs", stage.period_start.ToString(),
                              stage.period_end.ToString(), stage.period_months(),
                              stage.procurement == Procurement::kRental ? "rented" : "government-purchased"));
  rules.push_back(p.gpu_rule.method == GpuMethod::kRankPriority
                      ? fmt::format("GPUs: rank priority, base {} H100e x rank multiplier, cap {} H100e per team, "
                                    "whole nodes, preferred type first",
                                    p.gpu_rule.base_h100e, p.gpu_rule.team_cap_h100e)
                      : fmt::format("GPUs: pool shared in proportion to composite^{}, cap {} H100e per team, whole nodes",
                                    p.gpu_rule.score_exponent, p.gpu_rule.team_cap_h100e));
  return rules;
}

}  // namespace

Status SetParticipants(const Program& program, int stage, const StageDecision* previous, RoundInputs& inputs) {
  inputs.participants.clear();
  inputs.eliminated_before.clear();
  if (!program.FindStage(stage)) {
    return Status::InvalidInput(fmt::format("stage {} is not in the program, which has stages 1..{}", stage,
                                            program.stages.size()));
  }
  if (stage > 1 && !previous) {
    return Status::InvalidInput(fmt::format(
        "stage {} needs the decision of stage {} to know who advanced; pass --previous <dir>/decision.json", stage,
        stage - 1));
  }
  if (previous && previous->stage != stage - 1) {
    return Status::InvalidInput(fmt::format("the previous decision is for stage {}, but stage {} needs stage {}'s",
                                            previous->stage, stage, stage - 1));
  }
  for (const Team& team : program.teams) {
    if (team.joins_stage == stage) {
      inputs.participants.push_back(team.id);
      continue;
    }
    if (team.joins_stage > stage) continue;
    if (!previous) continue;
    auto it = std::find_if(previous->teams.begin(), previous->teams.end(),
                           [&](const TeamDecision& t) { return t.team == team.id; });
    if (it == previous->teams.end()) {
      return Status::InvalidInput(fmt::format("the previous decision does not mention team '{}', which joined at stage "
                                              "{}; was it made with another program file?",
                                              team.id, team.joins_stage));
    }
    if (it->outcome == Outcome::kAdvances) {
      inputs.participants.push_back(team.id);
    } else {
      inputs.eliminated_before.push_back(team.id);
    }
  }
  if (inputs.participants.empty()) return Status::InvalidInput(fmt::format("no team takes part in stage {}", stage));
  return Status::Ok();
}

Result<StageDecision> DecideRound(const RoundInputs& in) {
  const Program& p = *in.program;
  const Stage* stage = p.FindStage(in.stage);
  if (!stage) {
    return Status::InvalidInput(fmt::format("stage {} is not in the program, which has stages 1..{}", in.stage,
                                            p.stages.size()));
  }
  KAIF_RETURN_IF_ERROR(CheckResults(in));
  double z = TwoSidedZ(p.ranking.confidence);
  KAIF_ASSIGN_OR_RETURN(std::vector<const FrontierModel*> reference, ReferenceModels(p, *stage));

  StageDecision d;
  d.kaif_version = KAIF_VERSION;
  d.program_name = p.name;
  d.program_name_ko = p.name_ko;
  d.currency = p.currency;
  d.stage = stage->number;
  d.stage_name = stage->name;
  d.evaluation_date = stage->evaluation_date.ToString();
  d.period = stage->period_start.ToString() + ".." + stage->period_end.ToString();
  d.program_sha256 = in.program_sha256;
  d.inputs.push_back({in.program_source, in.program_sha256});
  for (const ResultsDocument& doc : in.results->documents()) d.inputs.push_back({doc.source, doc.sha256});
  for (const FrontierModel* m : reference) d.frontier_reference_models.push_back(m->id);
  d.target_ratio = p.frontier.target_ratio;
  d.confidence = p.ranking.confidence;
  for (const Axis& a : p.axes) {
    d.axis_order.push_back(a.id);
    d.axis_names[a.id] = a.name;
    d.axis_names_ko[a.id] = a.name_ko;
  }

  std::vector<double> anchors;
  for (const Axis& axis : p.axes) anchors.push_back(AnchorRating(in, axis));
  for (const std::string& id : in.participants) {
    KAIF_ASSIGN_OR_RETURN(TeamDecision t, ScoreTeam(in, *p.FindTeam(id), reference, anchors, z));
    d.teams.push_back(std::move(t));
  }
  RankTeams(p, d.teams);
  DecideOutcomes(p, *stage, d.teams);

  std::vector<GpuCandidate> advancing;
  for (TeamDecision& t : d.teams) {
    if (t.outcome == Outcome::kAdvances) advancing.push_back({p.FindTeam(t.team), t.composite.value});
  }
  GpuAllocationResult gpus = AllocateGpus(p, *stage, advancing);
  for (size_t i = 0, k = 0; i < d.teams.size(); ++i) {
    if (d.teams[i].outcome != Outcome::kAdvances) continue;
    d.teams[i].allocation = std::move(gpus.allocations[k++]);
    d.teams[i].allocation.gpu_value = GpuValue(p, *stage, d.teams[i].allocation);
  }

  // Teams out before this stage appear last, for the talent money that continues.
  for (const std::string& id : in.eliminated_before) {
    TeamDecision t;
    t.team = id;
    t.team_name = p.FindTeam(id)->name;
    t.outcome = Outcome::kNotParticipating;
    t.outcome_reason = "eliminated at an earlier stage";
    d.teams.push_back(std::move(t));
  }
  std::vector<MoneyCandidate> money;
  std::vector<Allocation*> allocations;
  for (TeamDecision& t : d.teams) {
    money.push_back({p.FindTeam(t.team), t.outcome == Outcome::kAdvances, t.outcome != Outcome::kAdvances,
                     t.composite.value});
    allocations.push_back(&t.allocation);
  }
  MoneyPools pools = AllocateMoney(p, *stage, money, allocations);

  for (TeamDecision& t : d.teams) {
    if (t.outcome != Outcome::kNotParticipating) Certify(p, *p.FindTeam(t.team), t);
  }

  double pool_h100e = 0, granted_h100e = 0;
  for (const GpuType& type : p.gpu_types) {
    auto it = stage->gpu_pool.find(type.id);
    int pool = it == stage->gpu_pool.end() ? 0 : it->second;
    int left = gpus.pool_left.count(type.id) ? gpus.pool_left.at(type.id) : 0;
    d.pools.push_back({"gpu:" + type.id, static_cast<double>(pool), static_cast<double>(pool - left)});
    pool_h100e += pool * type.h100_equivalent;
    granted_h100e += (pool - left) * type.h100_equivalent;
  }
  d.pools.push_back({"gpu:h100e", pool_h100e, granted_h100e});
  d.pools.push_back({"data:teams", pools.data_pool, pools.data_granted});
  d.pools.push_back({"talent", pools.talent_pool, pools.talent_granted});
  d.common_data_pool = pools.common_data_pool;
  d.rules = RulesInWords(p, *stage, z);
  return d;
}

}  // namespace kaif::program
