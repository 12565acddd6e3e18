// A stage decision: everything `kaif round` computes, each number with the inputs and the
// rule it came from. Rendered by report/ and hashed into the audit log.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kaif::program {

// A value with its standard error and the interval kaif reports for it.
struct Estimate {
  double value = 0;
  double stderr_ = 0;
  double low = 0, high = 0;  // value -/+ z * stderr at the ranking's confidence
};

struct AxisScore {
  std::string axis;
  double raw = 0;            // the raw input in its own unit (mean accuracy, rating, count...)
  std::string raw_unit;      // what `raw` is
  Estimate score;            // 0-100
  double weight = 0;         // as declared
  double contribution = 0;   // score * weight / weights_total
  std::vector<std::string> inputs;  // "file#/json/pointer" for every value used
  std::string explanation;
};

struct BenchmarkRatio {
  std::string benchmark;
  double team_score = 0, team_stderr = 0;
  std::string reference_model;  // best reference, or "mean of N models"
  double reference_score = 0, reference_stderr = 0;
  Estimate ratio;
};

struct FrontierResult {
  std::vector<BenchmarkRatio> per_benchmark;
  Estimate overall;
  bool meets_target = false;           // point estimate >= target
  bool meets_target_confidently = false;  // interval's lower end >= target
};

struct GateResult {
  std::string gate;
  bool passed = true;
  bool missing_evidence = false;
  std::string action;  // "exclude" or "flag", when failed
  std::string reason;
};

struct GpuGrant {
  std::string gpu_type;
  int gpus = 0;
  int nodes = 0;
};

struct Allocation {
  std::vector<GpuGrant> gpus;  // by type, preferred first
  double gpus_h100e = 0;
  double entitlement_h100e = 0;  // what the rule gave before the pool ran short
  double gpu_value = 0;          // cost of the granted GPUs over the period
  double data_money = 0;
  double talent_money = 0;
  double self_pay_ratio = 0;
  double self_pay_amount = 0;  // the team's matching share of gpu_value + data_money
  std::vector<std::string> explanation;  // one line per step, in order
};

enum class Outcome { kAdvances, kEliminatedOnScore, kEliminatedByGate, kNotParticipating };

struct TeamDecision {
  std::string team;
  std::string team_name;
  std::vector<AxisScore> axes;
  FrontierResult frontier;
  std::vector<GateResult> gates;
  bool excluded = false;  // a gate with action "exclude" failed
  bool flagged = false;   // a gate with action "flag" failed
  Estimate composite;     // 0-100
  double composite_rounded = 0;
  int rank = 0;           // 1-based among all participants; excluded teams rank last
  std::string tie_note;   // how a tie with a neighbour was broken, if there was one
  Outcome outcome = Outcome::kAdvances;
  std::string outcome_reason;
  Allocation allocation;
  bool certified = false;
  std::vector<std::string> certification_reasons;  // every condition, met or not
  std::optional<double> parameters;
  std::optional<double> training_compute_flops;
};

struct InputFile {
  std::string name;
  std::string sha256;
};

struct PoolUse {
  std::string resource;  // "gpu:H100", "data:teams", "talent"...
  double pool = 0;
  double granted = 0;
};

struct StageDecision {
  std::string schema = "kaif.decision/1";
  std::string kaif_version;
  std::string program_name;
  std::string program_name_ko;
  std::string currency;
  int stage = 0;
  std::string stage_name;
  std::string evaluation_date;
  std::string period;  // "2026-01-01..2026-06-30"
  std::string program_sha256;
  std::vector<InputFile> inputs;
  std::vector<std::string> frontier_reference_models;  // in the moving window
  double target_ratio = 0;
  double confidence = 0;
  std::vector<std::string> axis_order;
  std::map<std::string, std::string> axis_names;     // id -> English name
  std::map<std::string, std::string> axis_names_ko;  // id -> Korean name
  std::vector<TeamDecision> teams;  // in rank order
  std::vector<PoolUse> pools;
  double common_data_pool = 0;  // licensed data bought for all teams this period
  std::vector<std::string> rules;  // the rules applied, in words, for the report
};

const char* ToString(Outcome outcome);

}  // namespace kaif::program
