#include "program/gates.h"

#include <algorithm>
#include <fmt/format.h>

namespace kaif::program {
namespace {

Status MissingError(const Gate& gate, const Team& team, ResultsKind kind) {
  return Status::InvalidInput(fmt::format(
      "no {} results for team '{}', which gate '{}' needs; add the results file, or set when_missing = \"fail\" in "
      "[gates.{}] to fail the gate instead",
      ToString(kind), team.id, gate.id, gate.id));
}

}  // namespace

Result<std::vector<GateResult>> EvaluateGates(const Program& program, const Team& team, const TeamDecision& so_far,
                                              const ResultsSet& results) {
  std::vector<GateResult> out;
  for (const Gate& gate : program.gates) {
    GateResult g;
    g.gate = gate.id;
    switch (gate.kind) {
      case GateKind::kIndependence: {
        const ResultsDocument* doc = results.Find(team.id, ResultsKind::kIndependence);
        if (!doc) {
          if (gate.when_missing == MissingEvidence::kError) return MissingError(gate, team, ResultsKind::kIndependence);
          g.passed = false;
          g.missing_evidence = true;
          g.reason = "no independence report was submitted";
          break;
        }
        const IndependenceReport& r = doc->independence;
        g.passed = std::find(gate.accepted.begin(), gate.accepted.end(), r.verdict) != gate.accepted.end();
        g.reason = fmt::format("verdict \"{}\"{}{}{} ({})", r.verdict,
                               r.closest_model.empty() ? "" : ", closest model " + r.closest_model,
                               r.p_value ? fmt::format(", p = {:.3g}", *r.p_value) : "",
                               r.detail.empty() ? "" : ": " + r.detail, doc->source);
        break;
      }
      case GateKind::kSafetyMinimum: {
        const ResultsDocument* doc = results.Find(team.id, ResultsKind::kSafety);
        if (!doc) {
          if (gate.when_missing == MissingEvidence::kError) return MissingError(gate, team, ResultsKind::kSafety);
          g.passed = false;
          g.missing_evidence = true;
          g.reason = "no safety results were submitted";
          break;
        }
        long items = 0, passed = 0;
        for (const auto& [name, c] : doc->safety) {
          if (gate.category && name != *gate.category) continue;
          items += c.items;
          passed += c.passed;
        }
        if (items == 0) {
          if (gate.when_missing == MissingEvidence::kError) {
            return Status::InvalidInput(fmt::format("{}: has no safety category '{}', which gate '{}' needs",
                                                    doc->source, gate.category.value_or(""), gate.id));
          }
          g.passed = false;
          g.missing_evidence = true;
          g.reason = "no safety items in category " + gate.category.value_or("");
          break;
        }
        double rate = static_cast<double>(passed) / static_cast<double>(items);
        g.passed = rate >= gate.minimum;
        g.reason = fmt::format("{}pass rate {:.4f} ({} of {}) {} minimum {:.4f}",
                               gate.category ? "category " + *gate.category + " " : "", rate, passed, items,
                               g.passed ? ">=" : "<", gate.minimum);
        break;
      }
      case GateKind::kAxisMinimum: {
        auto it = std::find_if(so_far.axes.begin(), so_far.axes.end(), [&](const AxisScore& a) { return a.axis == gate.axis; });
        double score = it == so_far.axes.end() ? 0 : it->score.value;
        g.passed = score >= gate.minimum;
        g.reason = fmt::format("axis {} score {:.2f} {} minimum {:.2f}", gate.axis, score, g.passed ? ">=" : "<", gate.minimum);
        break;
      }
      case GateKind::kFrontierMinimum: {
        double ratio = so_far.frontier.overall.value;
        g.passed = ratio >= gate.minimum;
        g.reason = fmt::format("frontier ratio {:.4f} {} minimum {:.4f}", ratio, g.passed ? ">=" : "<", gate.minimum);
        break;
      }
    }
    if (!g.passed) g.action = ToString(gate.on_fail);
    out.push_back(g);
  }
  return out;
}

}  // namespace kaif::program
