#include "job/decision_diff.h"

#include <cmath>
#include <fmt/format.h>
#include <map>

namespace kaif::job {
namespace {

using program::Outcome;
using program::StageDecision;
using program::TeamDecision;

std::string Gpus(const TeamDecision& t) {
  std::string out;
  for (const auto& g : t.allocation.gpus) out += fmt::format("{}{} {}", out.empty() ? "" : " + ", g.gpus, g.gpu_type);
  return out.empty() ? "0" : out;
}

std::string Billions(double money) { return fmt::format("{:.2f}B", money / 1e9); }

const TeamDecision* Find(const StageDecision& d, const std::string& team) {
  for (const TeamDecision& t : d.teams) {
    if (t.team == team) return &t;
  }
  return nullptr;
}

}  // namespace

std::string DescribeDifferences(const StageDecision& before, const StageDecision& after) {
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

std::string DescribePaths(const std::vector<StageDecision>& stages) {
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

}  // namespace kaif::job
