#include "report/text_summary.h"

#include <fmt/format.h>

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

}  // namespace kaif::report
