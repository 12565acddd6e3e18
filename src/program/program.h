// The program: every rule of a staged foundation-model program, as read from its TOML
// file (see README.md in this folder for the file format). Nothing in the decision engine
// is a constant; it all comes from here.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/date.h"

namespace kaif::program {

enum class CompanySize { kLarge, kSme, kStartup };
enum class Procurement { kRental, kPurchased };

struct GpuType {
  std::string id;              // "H100", "B200"
  double h100_equivalent = 1;  // exchange rate: one GPU of this type counts as this many H100
  int gpus_per_node = 8;       // allocations come in whole nodes
  int per_team_cap = 0;        // most GPUs of this type one team may hold
  double cost_per_gpu_month = 0;  // in the program currency, for self-pay and spend
};

struct Stage {
  int number = 0;  // 1-based
  std::string name;
  Date evaluation_date;
  Date period_start, period_end;  // the support period this stage's decision allocates
  int survivors = 0;              // teams that continue after this stage
  Procurement procurement = Procurement::kRental;
  std::map<std::string, int> gpu_pool;  // GPU type id -> GPUs available for the period
  std::optional<double> advance_min_composite;  // below this a team is eliminated even with slots left
  double period_months() const;
};

struct TeamRequest {
  std::vector<std::string> gpu_types;  // preferred first
  double gpus_h100e = 0;                // requested GPUs in H100 equivalents
  double data_money_per_year = 0;
  double talent_money_per_year = 0;
};

struct Team {
  std::string id;  // key used by results files
  std::string name;
  std::vector<std::string> members;
  CompanySize company_size = CompanySize::kLarge;
  std::string open_source_level;
  int open_source_rank = 0;  // index into Program::open_source_levels, 0 = most open
  TeamRequest request;
  std::string model_weights_sha256;
  std::string model_endpoint;
  int joins_stage = 1;
  std::vector<std::string> chosen_benchmarks;  // benchmarks a team picked itself
  int declared_line = 0;                       // for error messages and display order
};

struct Benchmark {
  std::string id;
  std::string name;
  std::string group;  // e.g. "korean", "global", "team_choice"
  double min = 0, max = 100;  // the unit results use
  bool higher_is_better = true;
};

// How an axis turns its raw inputs into a 0-100 score.
enum class AxisSource { kBenchmarks, kSafety, kArena, kExpert, kDerivatives, kOpenness };
enum class AxisMethod {
  kMeanScore,       // benchmarks: mean of (score - min) / (max - min) * 100
  kFrontierRatio,   // benchmarks: 100 * min(1, ratio / full_marks_ratio)
  kPassRate,        // safety: 100 * pass rate
  kWinProbability,  // arena: 100 * P(win) against an anchor rating
  kLinear,          // any scalar: 100 * (x - floor) / (ceiling - floor), clamped
  kExpertMean,      // expert: trimmed mean of panel scores / max_score * 100
  kLogScaled,       // derivatives: 100 * log1p(weighted count) / log1p(saturation), capped
  kLevelPoints,     // openness: points per open-source level
};

struct Axis {
  std::string id;
  std::string name;
  std::string name_ko;
  std::string category;  // "verification", "contest", "derivatives", "openness", "plans"
  double weight = 0;
  AxisSource source = AxisSource::kBenchmarks;
  AxisMethod method = AxisMethod::kMeanScore;
  // Benchmarks the axis averages: by group, by id, and/or the team's own choices.
  std::vector<std::string> benchmark_groups;
  std::vector<std::string> benchmark_ids;
  bool team_chosen_benchmarks = false;
  std::string pool;    // arena pool ("public", "expert", "offline") or expert panel name
  double floor = 0, ceiling = 100;                   // kLinear
  double anchor_rating = 1000, rating_scale = 400;   // kWinProbability (Elo scale)
  bool anchor_is_team_mean = false;                  // anchor = mean rating of the stage's teams
  double full_marks_ratio = 1.0;                     // kFrontierRatio
  int trim = 0;                                      // kExpertMean: drop this many high and low
  double saturation = 100;                           // kLogScaled
  std::map<std::string, double> derivative_weights;  // kLogScaled: kind -> weight
  std::map<std::string, double> level_points;        // kLevelPoints
  int declared_line = 0;
};

struct FrontierModel {
  std::string id;
  std::string name;
  Date released;
  std::map<std::string, double> scores;   // benchmark id -> score
  std::map<std::string, double> stderrs;  // benchmark id -> standard error (0 if unknown)
};

enum class FrontierReference { kBest, kMean };
enum class FrontierAggregate { kMean, kGeometricMean };

struct Frontier {
  int window_months = 6;  // reference set: released within this many months before evaluation
  double target_ratio = 0.95;
  FrontierReference reference = FrontierReference::kBest;
  FrontierAggregate aggregate = FrontierAggregate::kMean;
  std::vector<std::string> benchmarks;  // the benchmarks the ratio is computed on
  std::vector<FrontierModel> models;
};

enum class GateKind { kIndependence, kSafetyMinimum, kAxisMinimum, kFrontierMinimum };
enum class GateAction { kExclude, kFlag };
enum class MissingEvidence { kError, kFail };

struct Gate {
  std::string id;
  std::string description;
  GateKind kind = GateKind::kIndependence;
  GateAction on_fail = GateAction::kExclude;
  MissingEvidence when_missing = MissingEvidence::kError;
  double minimum = 0;                 // pass rate, axis score or ratio
  std::string axis;                   // kAxisMinimum
  std::vector<std::string> accepted;  // kIndependence: verdicts that pass
  std::optional<std::string> category;  // kSafetyMinimum: one category instead of overall
  int declared_line = 0;
};

enum class TieBreaker { kLowerBound, kAxis, kFrontierRatio, kTeamId };
struct TieRule {
  TieBreaker kind = TieBreaker::kTeamId;
  std::string axis;  // for kAxis
};

struct Ranking {
  int composite_decimals = 2;  // composites are compared after rounding to this many decimals
  std::vector<TieRule> tie_breakers;  // always ends with kTeamId
  double confidence = 0.95;           // for every interval kaif reports
};

enum class GpuMethod { kRankPriority, kProportional };

struct GpuAllocationRule {
  GpuMethod method = GpuMethod::kRankPriority;
  double base_h100e = 512;                  // entitlement before rank growth
  std::vector<double> rank_multipliers;     // by rank among advancing teams; last repeats
  double score_exponent = 1;                // kProportional: share ~ composite^exponent
  double team_cap_h100e = 1000;             // across types, in H100 equivalents
  bool cap_by_request = true;               // never give more than asked
};

enum class DataMethod { kRequestCapped, kScoreProportional };

// Money amounts are per year; a stage's period gets them pro rata (period_months / 12).
struct DataRule {
  DataMethod method = DataMethod::kRequestCapped;
  double per_team_cap_per_year = 0;
  double team_pool_per_year = 0;    // money for teams' own data building, shared among them
  double common_pool_per_year = 0;  // licensed data bought once for all teams
  double open_release_share = 0.5;  // part of funded data that must be released
};

struct TalentRule {
  double per_team_per_year_min = 0;
  double per_team_per_year_max = 0;
  double pool_per_year = 0;
  Date continues_until;  // eliminated teams keep talent money until this date
};

struct SelfPay {
  // ratio[level][size]: the team's matching share of the support it receives.
  std::map<std::string, std::map<CompanySize, double>> ratio;
};

struct Certification {
  std::string title = "K-AI model";
  std::optional<double> min_composite;
  std::optional<double> min_frontier_ratio;
  bool frontier_lower_bound = false;  // require the interval's lower end, not the point
  std::vector<std::string> required_gates;
  std::optional<std::string> min_open_source_level;  // at least this open
  bool require_advance = false;
};

struct Program {
  std::string name, name_ko;
  std::string currency = "KRW";
  Date start_date;
  std::vector<std::string> open_source_levels;  // most open first
  std::vector<Stage> stages;
  std::vector<GpuType> gpu_types;
  std::vector<Team> teams;  // in file order
  std::vector<Benchmark> benchmarks;
  std::vector<Axis> axes;   // in file order
  double weights_total = 100;
  Frontier frontier;
  std::vector<Gate> gates;
  Ranking ranking;
  GpuAllocationRule gpu_rule;
  DataRule data_rule;
  TalentRule talent_rule;
  SelfPay self_pay;
  Certification certification;
  std::map<std::string, size_t> team_index, benchmark_index;  // filled by BuildIndex

  const Team* FindTeam(const std::string& id) const;
  const GpuType* FindGpuType(const std::string& id) const;
  const Benchmark* FindBenchmark(const std::string& id) const;
  // Indexes teams and benchmarks by id for the lookups above, which are on the hot path
  // of a round (a program built by hand without an index is searched linearly).
  // Call again after changing `teams` or `benchmarks`.
  void BuildIndex();
  const Axis* FindAxis(const std::string& id) const;
  const Stage* FindStage(int number) const;
};

const char* ToString(CompanySize size);
const char* ToString(AxisSource source);
const char* ToString(AxisMethod method);
const char* ToString(GateKind kind);
const char* ToString(GateAction action);

}  // namespace kaif::program
