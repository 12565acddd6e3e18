#include "program/program.h"

#include <algorithm>

namespace kaif::program {
namespace {

template <typename T>
const T* FindById(const std::vector<T>& items, const std::string& id) {
  auto it = std::find_if(items.begin(), items.end(), [&](const T& item) { return item.id == id; });
  return it == items.end() ? nullptr : &*it;
}

// Indexed when the index is complete, linear otherwise.
template <typename T>
const T* FindIndexed(const std::vector<T>& items, const std::map<std::string, size_t>& index, const std::string& id) {
  if (index.size() != items.size()) return FindById(items, id);
  auto it = index.find(id);
  return it == index.end() ? nullptr : &items[it->second];
}

}  // namespace

double Stage::period_months() const {
  // A period from the first of a month to the last day of a month counts whole calendar
  // months (January-June is 6, as budgets say); any other period counts days.
  bool starts_on_first = period_start.day == 1;
  Date next_month = Date{period_end.year, period_end.month, 1}.AddMonths(1);
  bool ends_on_last = next_month.DaysSinceEpoch() - period_end.DaysSinceEpoch() == 1;
  if (starts_on_first && ends_on_last) {
    return (period_end.year * 12 + period_end.month) - (period_start.year * 12 + period_start.month) + 1;
  }
  long days = period_end.DaysSinceEpoch() - period_start.DaysSinceEpoch() + 1;
  return static_cast<double>(days) * 12.0 / 365.25;
}

void Program::BuildIndex() {
  team_index.clear();
  benchmark_index.clear();
  for (size_t i = 0; i < teams.size(); ++i) team_index[teams[i].id] = i;
  for (size_t i = 0; i < benchmarks.size(); ++i) benchmark_index[benchmarks[i].id] = i;
}

const Team* Program::FindTeam(const std::string& id) const { return FindIndexed(teams, team_index, id); }
const GpuType* Program::FindGpuType(const std::string& id) const { return FindById(gpu_types, id); }
const Benchmark* Program::FindBenchmark(const std::string& id) const {
  return FindIndexed(benchmarks, benchmark_index, id);
}
const Axis* Program::FindAxis(const std::string& id) const { return FindById(axes, id); }
const Stage* Program::FindStage(int number) const {
  for (const Stage& s : stages) {
    if (s.number == number) return &s;
  }
  return nullptr;
}

const char* ToString(CompanySize size) {
  switch (size) {
    case CompanySize::kLarge: return "large";
    case CompanySize::kSme: return "sme";
    case CompanySize::kStartup: return "startup";
  }
  return "?";
}

const char* ToString(AxisSource source) {
  switch (source) {
    case AxisSource::kBenchmarks: return "benchmarks";
    case AxisSource::kSafety: return "safety";
    case AxisSource::kArena: return "arena";
    case AxisSource::kExpert: return "expert";
    case AxisSource::kDerivatives: return "derivatives";
    case AxisSource::kOpenness: return "openness";
  }
  return "?";
}

const char* ToString(AxisMethod method) {
  switch (method) {
    case AxisMethod::kMeanScore: return "mean_score";
    case AxisMethod::kFrontierRatio: return "frontier_ratio";
    case AxisMethod::kPassRate: return "pass_rate";
    case AxisMethod::kWinProbability: return "win_probability";
    case AxisMethod::kLinear: return "linear";
    case AxisMethod::kExpertMean: return "expert_mean";
    case AxisMethod::kLogScaled: return "log_scaled";
    case AxisMethod::kLevelPoints: return "level_points";
  }
  return "?";
}

const char* ToString(GateKind kind) {
  switch (kind) {
    case GateKind::kIndependence: return "independence";
    case GateKind::kSafetyMinimum: return "safety_minimum";
    case GateKind::kAxisMinimum: return "axis_minimum";
    case GateKind::kFrontierMinimum: return "frontier_minimum";
  }
  return "?";
}

const char* ToString(GateAction action) {
  return action == GateAction::kExclude ? "exclude" : "flag";
}

}  // namespace kaif::program
