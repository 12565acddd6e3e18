#include "program/frontier_ratio.h"

#include <cmath>
#include <fmt/format.h>

namespace kaif::program {

Estimate MakeEstimate(double value, double stderr_, double z) {
  return Estimate{value, stderr_, value - z * stderr_, value + z * stderr_};
}

Result<std::vector<const FrontierModel*>> ReferenceModels(const Program& program, const Stage& stage) {
  Date from = stage.evaluation_date.AddMonths(-program.frontier.window_months);
  std::vector<const FrontierModel*> models;
  for (const FrontierModel& m : program.frontier.models) {
    if (from < m.released && m.released <= stage.evaluation_date) models.push_back(&m);
  }
  if (models.empty()) {
    return Status::InvalidInput(fmt::format(
        "[frontier] has no reference model released after {} and on or before {} (stage {} evaluation, window {} "
        "months); add the newest global models to [frontier.models] or widen window_months",
        from.ToString(), stage.evaluation_date.ToString(), stage.number, program.frontier.window_months));
  }
  return models;
}

Result<FrontierResult> ComputeFrontierRatio(const Program& program, const std::vector<const FrontierModel*>& reference,
                                            const std::vector<std::string>& benchmark_ids,
                                            const ResultsDocument& team_results, double z) {
  FrontierResult result;
  double sum = 0, variance = 0, log_sum = 0, relative_variance = 0;
  for (const std::string& id : benchmark_ids) {
    const Benchmark* bench = program.FindBenchmark(id);
    auto team_it = team_results.benchmarks.find(id);
    if (team_it == team_results.benchmarks.end()) {
      return Status::InvalidInput(fmt::format("{}: has no score for benchmark '{}', which the frontier ratio needs",
                                              team_results.source, id));
    }
    BenchmarkRatio r;
    r.benchmark = id;
    r.team_score = team_it->second.value;
    r.team_stderr = team_it->second.stderr_;
    // Reference: the best model on this benchmark, or the mean of those that report it.
    int count = 0;
    double ref_sum = 0, ref_var = 0;
    const FrontierModel* best = nullptr;
    for (const FrontierModel* m : reference) {
      auto s = m->scores.find(id);
      if (s == m->scores.end()) continue;
      auto se = m->stderrs.find(id);
      double model_se = se == m->stderrs.end() ? 0.0 : se->second;
      ++count;
      ref_sum += s->second;
      ref_var += model_se * model_se;
      bool better = !best || (bench->higher_is_better ? s->second > best->scores.at(id) : s->second < best->scores.at(id));
      if (better) best = m;
    }
    if (count == 0) {
      return Status::InvalidInput(fmt::format(
          "[frontier] no reference model in the window has a score for benchmark '{}'; add one to its scores", id));
    }
    if (program.frontier.reference == FrontierReference::kBest) {
      r.reference_model = best->id;
      r.reference_score = best->scores.at(id);
      auto se = best->stderrs.find(id);
      r.reference_stderr = se == best->stderrs.end() ? 0.0 : se->second;
    } else {
      r.reference_model = fmt::format("mean of {} models", count);
      r.reference_score = ref_sum / count;
      r.reference_stderr = std::sqrt(ref_var) / count;
    }
    // Ratios are taken on the distance from the benchmark's worst value, so a lower-is-better
    // benchmark (error rates) and a shifted scale still read "1.0 = as good as the frontier".
    double team_good = bench->higher_is_better ? r.team_score - bench->min : bench->max - r.team_score;
    double ref_good = bench->higher_is_better ? r.reference_score - bench->min : bench->max - r.reference_score;
    if (ref_good <= 0) {
      return Status::InvalidInput(fmt::format(
          "[frontier] reference score {} for '{}' is at the benchmark's worst value; a ratio needs a positive reference",
          r.reference_score, id));
    }
    double ratio = team_good / ref_good;
    // Delta method for a quotient of independent estimates.
    double rel_team = team_good > 0 ? r.team_stderr / team_good : 0;
    double rel_ref = r.reference_stderr / ref_good;
    double se = std::fabs(ratio) * std::sqrt(rel_team * rel_team + rel_ref * rel_ref);
    if (team_good <= 0) se = r.team_stderr / ref_good;
    r.ratio = MakeEstimate(ratio, se, z);
    sum += ratio;
    variance += se * se;
    log_sum += std::log(std::max(ratio, 1e-12));
    relative_variance += ratio > 0 ? (se / ratio) * (se / ratio) : 0;
    result.per_benchmark.push_back(r);
  }
  double n = static_cast<double>(benchmark_ids.size());
  if (program.frontier.aggregate == FrontierAggregate::kMean) {
    result.overall = MakeEstimate(sum / n, std::sqrt(variance) / n, z);
  } else {
    double g = std::exp(log_sum / n);
    result.overall = MakeEstimate(g, g * std::sqrt(relative_variance) / n, z);
  }
  result.meets_target = result.overall.value >= program.frontier.target_ratio;
  result.meets_target_confidently = result.overall.low >= program.frontier.target_ratio;
  return result;
}

}  // namespace kaif::program
