#include "report/text_summary.h"

#include <cmath>
#include <fmt/format.h>
#include <map>

namespace kaif::report {
namespace {

using program::Outcome;
using program::StageDecision;
using program::TeamDecision;

std::string Gpus(const TeamDecision& t) {
  std::string out;
  for (const auto& g : t.allocation.gpus) out += fmt::format("{}{} {}", out.empty() ? "" : "+", g.gpus, g.gpu_type);
  return out.empty() ? "-" : out;
}

std::string Billions(double money) { return fmt::format("{:.2f}B", money / 1e9); }

const TeamDecision* Find(const StageDecision& d, const std::string& team) {
  for (const TeamDecision& t : d.teams) {
    if (t.team == team) return &t;
  }
  return nullptr;
}

std::string Outcome(const TeamDecision& t) {
  switch (t.outcome) {
    case Outcome::kAdvances: return t.flagged ? "advances (flagged)" : "advances";
    case Outcome::kEliminatedOnScore: return "eliminated (score)";
    case Outcome::kEliminatedByGate: return "eliminated (gate)";
    case Outcome::kNotParticipating: return "out earlier";
  }
  return "";
}

}  // namespace

std::string RenderTextSummary(const StageDecision& d) {
  std::string out = fmt::format("{}\n{} - evaluation {}, allocation for {}\n\n", d.program_name, d.stage_name,
                                d.evaluation_date, d.period);
  out += fmt::format("{:>4}  {:<10} {:>7} {:>17} {:>8}  {:<19} {:>14} {:>9} {:>9}  {}\n", "rank", "team", "score",
                     fmt::format("{:.0f}% interval", 100 * d.confidence), "frontier", "outcome", "GPUs", "data",
                     "talent", "certified");
  for (const TeamDecision& t : d.teams) {
    bool scored = t.outcome != Outcome::kNotParticipating;
    out += fmt::format("{:>4}  {:<10} {:>7} {:>17} {:>8}  {:<19} {:>14} {:>8.2f}B {:>8.2f}B  {}\n",
                       scored ? std::to_string(t.rank) : "-", t.team,
                       scored ? fmt::format("{:.2f}", t.composite.value) : "-",
                       scored ? fmt::format("[{:.2f}, {:.2f}]", t.composite.low, t.composite.high) : "-",
                       scored ? fmt::format("{:.3f}", t.frontier.overall.value) : "-", Outcome(t), Gpus(t),
                       t.allocation.data_money / 1e9, t.allocation.talent_money / 1e9,
                       scored ? (t.certified ? "yes" : "no") : "-");
  }
  out += "\n";
  for (const auto& pool : d.pools) {
    bool gpus = pool.resource.rfind("gpu:", 0) == 0;
    out += gpus ? fmt::format("pool {}: {:.0f} of {:.0f} granted\n", pool.resource, pool.granted, pool.pool)
                : fmt::format("pool {}: {:.2f}B of {:.2f}B granted\n", pool.resource, pool.granted / 1e9, pool.pool / 1e9);
  }
  out += fmt::format("amounts in {} (B = billion); frontier reference models: ", d.currency);
  for (size_t i = 0; i < d.frontier_reference_models.size(); ++i) {
    out += (i ? ", " : "") + d.frontier_reference_models[i];
  }
  return out + "\n";
}

Result<std::string> RenderTeamExplanation(const StageDecision& d, const std::string& team) {
  const TeamDecision* t = nullptr;
  std::string known;
  for (const TeamDecision& candidate : d.teams) {
    if (candidate.team == team) t = &candidate;
    known += (known.empty() ? "" : ", ") + candidate.team;
  }
  if (!t) return Status::NotFound("team '" + team + "' is not in this decision; teams: " + known);
  std::string out = fmt::format("{} ({}) - {}\n", t->team_name, t->team, d.stage_name);
  if (t->outcome != Outcome::kNotParticipating) {
    out += fmt::format("\ncomposite {:.4f} (interval {:.4f}..{:.4f}, standard error {:.4f}), rank {}\n",
                       t->composite.value, t->composite.low, t->composite.high, t->composite.stderr_, t->rank);
    if (!t->tie_note.empty()) out += "  " + t->tie_note + "\n";
    out += "\naxes:\n";
    for (const auto& a : t->axes) {
      out += fmt::format("  {}: raw {:.6g} ({}), score {:.4f} +/- {:.4f}\n    {}\n", a.axis, a.raw, a.raw_unit,
                         a.score.value, a.score.stderr_, a.explanation);
      for (const std::string& input : a.inputs) out += "    input: " + input + "\n";
    }
    out += fmt::format("\nfrontier ratio {:.4f} (interval {:.4f}..{:.4f}); target {} {}\n", t->frontier.overall.value,
                       t->frontier.overall.low, t->frontier.overall.high, d.target_ratio,
                       t->frontier.meets_target ? "met" : "not met");
    for (const auto& b : t->frontier.per_benchmark) {
      out += fmt::format("  {}: {:.2f} / {} {:.2f} = {:.4f}\n", b.benchmark, b.team_score, b.reference_model,
                         b.reference_score, b.ratio.value);
    }
    out += "\ngates:\n";
    for (const auto& g : t->gates) {
      out += fmt::format("  {}: {}{} - {}\n", g.gate, g.passed ? "passed" : "FAILED",
                         g.passed ? "" : " (" + g.action + ")", g.reason);
    }
  }
  out += fmt::format("\noutcome: {} - {}\n", ToString(t->outcome), t->outcome_reason);
  out += "\nallocation:\n";
  for (const std::string& line : t->allocation.explanation) out += "  " + line + "\n";
  if (!t->certification_reasons.empty()) {
    out += fmt::format("\ncertification: {}\n", t->certified ? "certified" : "not certified");
    for (const std::string& reason : t->certification_reasons) out += "  " + reason + "\n";
  }
  return out;
}

std::string RenderWhatIfDifferences(const StageDecision& before, const StageDecision& after) {
  std::string out;
  for (const TeamDecision& b : before.teams) {
    const TeamDecision* a = Find(after, b.team);
    if (!a) continue;
    std::vector<std::string> moves;
    if (a->rank != b.rank) moves.push_back(fmt::format("rank {} -> {}", b.rank, a->rank));
    if (a->outcome != b.outcome) moves.push_back(fmt::format("{} -> {}", ToString(b.outcome), ToString(a->outcome)));
    if (std::fabs(a->composite.value - b.composite.value) >= 0.005) {
      moves.push_back(fmt::format("composite {:.2f} -> {:.2f}", b.composite.value, a->composite.value));
    }
    if (Gpus(*a) != Gpus(b)) moves.push_back(fmt::format("GPUs {} -> {}", Gpus(b), Gpus(*a)));
    if (std::fabs(a->allocation.data_money - b.allocation.data_money) >= 1) {
      moves.push_back(fmt::format("data {} -> {}", Billions(b.allocation.data_money), Billions(a->allocation.data_money)));
    }
    if (std::fabs(a->allocation.talent_money - b.allocation.talent_money) >= 1) {
      moves.push_back(fmt::format("talent {} -> {}", Billions(b.allocation.talent_money),
                                  Billions(a->allocation.talent_money)));
    }
    if (std::fabs(a->allocation.self_pay_amount - b.allocation.self_pay_amount) >= 1) {
      moves.push_back(fmt::format("self-pay {} -> {}", Billions(b.allocation.self_pay_amount),
                                  Billions(a->allocation.self_pay_amount)));
    }
    if (a->certified != b.certified) moves.push_back(a->certified ? "now certified" : "no longer certified");
    if (moves.empty()) continue;
    std::string line = fmt::format("  {:<12}", b.team);
    for (size_t i = 0; i < moves.size(); ++i) line += (i ? "; " : "") + moves[i];
    out += line + "\n";
  }
  return out.empty() ? "  nothing moves: ranks, outcomes, composites, allocations and certifications are unchanged\n"
                     : out;
}

std::string RenderSimulationPaths(const std::vector<StageDecision>& stages) {
  if (stages.empty()) return "";
  std::vector<std::string> order;
  std::map<std::string, std::string> names;
  for (const StageDecision& d : stages) {
    for (const TeamDecision& t : d.teams) {
      if (names.emplace(t.team, t.team_name).second) order.push_back(t.team);
    }
  }
  std::string out = fmt::format("{} - path over {} stages\n\n", stages.front().program_name, stages.size());
  for (const std::string& team : order) {
    out += fmt::format("{} ({})\n", names[team], team);
    for (const StageDecision& d : stages) {
      const TeamDecision* t = Find(d, team);
      if (!t) {
        out += fmt::format("  stage {}: not yet in the program\n", d.stage);
      } else if (t->outcome == Outcome::kNotParticipating) {
        out += fmt::format("  stage {}: out (talent {})\n", d.stage, Billions(t->allocation.talent_money));
      } else {
        out += fmt::format("  stage {}: rank {}, composite {:.2f} [{:.2f}, {:.2f}], {}, GPUs {}, data {}, talent {}{}\n",
                           d.stage, t->rank, t->composite.value, t->composite.low, t->composite.high,
                           ToString(t->outcome), Gpus(*t), Billions(t->allocation.data_money),
                           Billions(t->allocation.talent_money), t->certified ? ", certified" : "");
      }
    }
  }
  double gpu_value = 0, data = 0, talent = 0, self_pay = 0, common = 0;
  for (const StageDecision& d : stages) {
    common += d.common_data_pool;
    for (const TeamDecision& t : d.teams) {
      gpu_value += t.allocation.gpu_value;
      data += t.allocation.data_money;
      talent += t.allocation.talent_money;
      self_pay += t.allocation.self_pay_amount;
    }
  }
  const std::string& cur = stages.front().currency;
  out += fmt::format(
      "\nTotal spend over {} stages: GPUs {} {}, team data {} {}, common data {} {}, talent {} {}; teams' self-pay "
      "{} {}; public cost {} {}\n",
      stages.size(), Billions(gpu_value), cur, Billions(data), cur, Billions(common), cur, Billions(talent), cur,
      Billions(self_pay), cur, Billions(gpu_value + data + common + talent - self_pay), cur);
  return out;
}

}  // namespace kaif::report
