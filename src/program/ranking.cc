#include "program/ranking.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace kaif::program {
namespace {

double AxisValue(const TeamDecision& t, const std::string& axis) {
  for (const AxisScore& a : t.axes) {
    if (a.axis == axis) return a.score.value;
  }
  return 0;
}

// The value a tie rule compares (higher ranks first), and its name for the tie note.
double TieValue(const TieRule& rule, const TeamDecision& t) {
  switch (rule.kind) {
    case TieBreaker::kLowerBound: return t.composite.low;
    case TieBreaker::kAxis: return AxisValue(t, rule.axis);
    case TieBreaker::kFrontierRatio: return t.frontier.overall.value;
    case TieBreaker::kTeamId: return 0;
  }
  return 0;
}

std::string TieName(const TieRule& rule) {
  switch (rule.kind) {
    case TieBreaker::kLowerBound: return "the composite interval's lower end";
    case TieBreaker::kAxis: return "axis " + rule.axis;
    case TieBreaker::kFrontierRatio: return "frontier ratio";
    case TieBreaker::kTeamId: return "team id (alphabetical)";
  }
  return "";
}

// <0 if a ranks before b, >0 after, 0 equal on this rule.
int Compare(const TieRule& rule, const TeamDecision& a, const TeamDecision& b) {
  if (rule.kind == TieBreaker::kTeamId) return a.team.compare(b.team);
  double va = TieValue(rule, a), vb = TieValue(rule, b);
  return va > vb ? -1 : va < vb ? 1 : 0;
}

}  // namespace

void RankTeams(const Program& program, std::vector<TeamDecision>& teams) {
  double scale = std::pow(10.0, program.ranking.composite_decimals);
  for (TeamDecision& t : teams) t.composite_rounded = std::round(t.composite.value * scale) / scale;
  const auto& rules = program.ranking.tie_breakers;
  std::sort(teams.begin(), teams.end(), [&](const TeamDecision& a, const TeamDecision& b) {
    if (a.excluded != b.excluded) return !a.excluded;
    if (a.composite_rounded != b.composite_rounded) return a.composite_rounded > b.composite_rounded;
    for (const TieRule& rule : rules) {
      int c = Compare(rule, a, b);
      if (c != 0) return c < 0;
    }
    return false;
  });
  for (size_t i = 0; i < teams.size(); ++i) {
    teams[i].rank = static_cast<int>(i) + 1;
    if (i == 0) continue;
    TeamDecision& above = teams[i - 1];
    TeamDecision& t = teams[i];
    if (above.excluded != t.excluded || above.composite_rounded != t.composite_rounded) continue;
    for (const TieRule& rule : rules) {
      if (Compare(rule, above, t) == 0) continue;
      std::string values = rule.kind == TieBreaker::kTeamId
                               ? fmt::format("{} before {}", above.team, t.team)
                               : fmt::format("{:.4f} vs {:.4f}", TieValue(rule, above), TieValue(rule, t));
      std::string note = fmt::format("tied with {} at composite {:.{}f}; broken by {} ({})", above.team,
                                     t.composite_rounded, program.ranking.composite_decimals, TieName(rule), values);
      // A team tied on both sides carries both notes.
      t.tie_note += (t.tie_note.empty() ? "" : "; ") + note;
      above.tie_note += (above.tie_note.empty() ? "" : "; ") +
                        fmt::format("tied with {} at composite {:.{}f}; ranked above by {} ({})", t.team,
                                    t.composite_rounded, program.ranking.composite_decimals, TieName(rule), values);
      break;
    }
  }
}

}  // namespace kaif::program
