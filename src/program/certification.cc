#include "program/certification.h"

#include <algorithm>
#include <fmt/format.h>

namespace kaif::program {

void Certify(const Program& program, const Team& team_rules, TeamDecision& team) {
  const Certification& c = program.certification;
  bool all = true;
  auto check = [&](bool met, std::string text) {
    all = all && met;
    team.certification_reasons.push_back(std::string(met ? "met: " : "not met: ") + text);
  };
  if (c.min_composite) {
    check(team.composite.value >= *c.min_composite,
          fmt::format("composite {:.2f} >= {:.2f}", team.composite.value, *c.min_composite));
  }
  if (c.min_frontier_ratio) {
    double ratio = c.frontier_lower_bound ? team.frontier.overall.low : team.frontier.overall.value;
    check(ratio >= *c.min_frontier_ratio, fmt::format("frontier ratio{} {:.4f} >= {:.4f}",
                                                      c.frontier_lower_bound ? " (interval's lower end)" : "", ratio,
                                                      *c.min_frontier_ratio));
  }
  for (const std::string& gate : c.required_gates) {
    auto it = std::find_if(team.gates.begin(), team.gates.end(), [&](const GateResult& g) { return g.gate == gate; });
    check(it != team.gates.end() && it->passed, "gate " + gate + " passed");
  }
  if (c.min_open_source_level) {
    auto& levels = program.open_source_levels;
    int required = static_cast<int>(std::find(levels.begin(), levels.end(), *c.min_open_source_level) - levels.begin());
    check(team_rules.open_source_rank <= required, fmt::format("open-source level \"{}\" at least \"{}\"",
                                                               team_rules.open_source_level, *c.min_open_source_level));
  }
  if (c.require_advance) check(team.outcome == Outcome::kAdvances, "advances to the next stage");
  team.certified = all;
}

}  // namespace kaif::program
