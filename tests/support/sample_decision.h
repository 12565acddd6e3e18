// A hand-built decision with hostile names, for the report tests.
#pragma once

#include <cmath>

#include "program/decision.h"

namespace kaif::testing {

inline program::StageDecision SampleDecision() {
  using namespace program;
  StageDecision d;
  d.kaif_version = "test";
  d.program_name = "Test program";
  d.program_name_ko = "시험 프로그램";
  d.currency = "KRW";
  d.stage = 2;
  d.stage_name = "2차 / Stage 2";
  d.evaluation_date = "2026-06-30";
  d.period = "2026-07-01..2026-12-31";
  d.program_sha256 = std::string(64, 'a');
  d.inputs = {{"program.toml", std::string(64, 'a')}, {"x.json", std::string(64, 'b')}};
  d.frontier_reference_models = {"frontier-d"};
  d.target_ratio = 0.95;
  d.confidence = 0.95;
  d.axis_order = {"bench", "users"};
  d.axis_names = {{"bench", "Benchmarks"}, {"users", "Users"}};
  d.axis_names_ko = {{"bench", "벤치마크"}, {"users", "사용자"}};
  const char* names[] = {"한빛 <script>alert(1)</script>", "Comma, \"Quoted\" Team", "Plain", "Gone"};
  for (int i = 0; i < 4; ++i) {
    TeamDecision t;
    t.team = "team" + std::to_string(i);
    t.team_name = names[i];
    t.rank = i + 1;
    t.composite = {80.0 - 5 * i, 1.0, 78.0 - 5 * i, 82.0 - 5 * i};
    t.composite_rounded = t.composite.value;
    t.outcome = i < 2 ? Outcome::kAdvances : i == 2 ? Outcome::kEliminatedByGate : Outcome::kNotParticipating;
    t.flagged = i == 1;
    t.excluded = i == 2;
    t.outcome_reason = "reason <b>" + std::to_string(i) + "</b>";
    if (t.outcome != Outcome::kNotParticipating) {
      t.axes = {{"bench", 70, "mean", {70, 1, 68, 72}, 60, 42, {"x.json#/benchmarks/a"}, "mean of 2"},
                {"users", 1010, "rating", {55, 2, 51, 59}, 40, 22, {"x.json#/arena/rating"}, "win probability"}};
      t.frontier.per_benchmark = {{"mmlu", 80, 1, "frontier-d", 88, 0.5, {80.0 / 88, 0.01, 0.89, 0.93}}};
      t.frontier.overall = {80.0 / 88, 0.01, 0.89, 0.93};
      t.gates = {{"independence", i != 2, false, i == 2 ? "exclude" : "", "verdict \"derived\" & more"}};
      t.certified = i == 0;
      t.certification_reasons = {"met: composite 80 >= 75"};
      t.parameters = 7e9;
    }
    if (i == 0) {
      t.allocation.gpus = {{"B200", 512, 64}};
      t.allocation.gpus_h100e = 1024;
    }
    t.allocation.data_money = i < 2 ? 1.4e9 : 0;
    t.allocation.talent_money = 1e9;
    t.allocation.explanation = {"step one", "step <two>"};
    d.teams.push_back(t);
  }
  d.teams[1].tie_note = "tied with team0; broken by team id";
  d.pools = {{"gpu:H100", 2048, 0}, {"gpu:B200", 1536, 512}, {"gpu:h100e", 5120, 1024}, {"data:teams", 7e9, 2.8e9}};
  d.common_data_pool = 5e9;
  d.rules = {"composite = sum of score x weight / 100"};
  return d;
}

}  // namespace kaif::testing
