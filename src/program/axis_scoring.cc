#include "program/axis_scoring.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <numeric>

#include "program/frontier_ratio.h"

namespace kaif::program {
namespace {

double Clamp100(double x) { return std::clamp(x, 0.0, 100.0); }

std::string Fmt(double x) { return fmt::format("{:.4g}", x); }

Result<const ResultsDocument*> Require(const ResultsSet& results, const Team& team, const Axis& axis, ResultsKind kind,
                                       const std::string& pool) {
  const ResultsDocument* doc = results.Find(team.id, kind, pool);
  if (doc) return doc;
  return Status::InvalidInput(fmt::format(
      "no {} results{} for team '{}', which axis '{}' needs; add a results file with \"team\": \"{}\", \"kind\": "
      "\"{}\"{}",
      ToString(kind), pool.empty() ? "" : " (pool '" + pool + "')", team.id, axis.id, team.id, ToString(kind),
      pool.empty() ? "" : " and pool \"" + pool + "\""));
}

// Linear map of x onto 0-100 between floor and ceiling; the standard error scales alike.
void ScoreLinear(const Axis& axis, double x, double se, double z, AxisScore& out) {
  double span = axis.ceiling - axis.floor;
  double value = 100.0 * (x - axis.floor) / span;
  out.score = MakeEstimate(Clamp100(value), 100.0 * se / std::fabs(span), z);
  out.explanation += fmt::format("; linear: 100 x ({} - floor {}) / (ceiling {} - floor {}) = {}, clamped to 0..100",
                                 Fmt(x), Fmt(axis.floor), Fmt(axis.ceiling), Fmt(axis.floor), Fmt(value));
}

Status ScoreBenchmarks(const AxisContext& c, const Axis& axis, const Team& team, const ResultsSet& results,
                       AxisScore& out) {
  KAIF_ASSIGN_OR_RETURN(const ResultsDocument* doc, Require(results, team, axis, ResultsKind::kBenchmarks, ""));
  std::vector<std::string> ids = AxisBenchmarks(*c.program, axis, team);
  if (ids.empty()) {
    return Status::InvalidInput(fmt::format("axis '{}' averages the team's chosen benchmarks, but team '{}' has no "
                                            "chosen_benchmarks in the program file",
                                            axis.id, team.id));
  }
  for (const std::string& id : ids) {
    if (!doc->benchmarks.count(id)) {
      return Status::InvalidInput(fmt::format("{}: has no score for benchmark '{}', which axis '{}' needs; add "
                                              "\"benchmarks\": {{\"{}\": {{\"score\": ...}}}}",
                                              doc->source, id, axis.id, id));
    }
    out.inputs.push_back(doc->source + "#/benchmarks/" + id);
  }
  if (axis.method == AxisMethod::kFrontierRatio) {
    KAIF_ASSIGN_OR_RETURN(FrontierResult ratio, ComputeFrontierRatio(*c.program, c.reference, ids, *doc, c.z));
    out.raw = ratio.overall.value;
    out.raw_unit = "frontier ratio";
    double value = 100.0 * std::min(1.0, ratio.overall.value / axis.full_marks_ratio);
    double se = ratio.overall.value >= axis.full_marks_ratio ? 0.0 : 100.0 * ratio.overall.stderr_ / axis.full_marks_ratio;
    out.score = MakeEstimate(value, se, c.z);
    out.explanation = fmt::format("frontier ratio {} over {} benchmarks; score = 100 x min(1, ratio / full_marks_ratio {})",
                                  Fmt(ratio.overall.value), ids.size(), Fmt(axis.full_marks_ratio));
    return Status::Ok();
  }
  double raw_sum = 0, normalized_sum = 0, variance = 0;
  for (const std::string& id : ids) {
    const Benchmark* b = c.program->FindBenchmark(id);
    const Measurement& m = doc->benchmarks.at(id);
    double span = b->max - b->min;
    double normalized = 100.0 * (m.value - b->min) / span;
    if (!b->higher_is_better) normalized = 100.0 - normalized;
    raw_sum += m.value;
    normalized_sum += normalized;
    variance += std::pow(100.0 * m.stderr_ / span, 2);
  }
  double n = static_cast<double>(ids.size());
  out.raw = raw_sum / n;
  out.raw_unit = "mean benchmark score";
  out.score = MakeEstimate(normalized_sum / n, std::sqrt(variance) / n, c.z);
  out.explanation = fmt::format("mean of {} benchmark scores mapped to 0..100 by each benchmark's range", ids.size());
  return Status::Ok();
}

Status ScoreSafety(const AxisContext& c, const Axis& axis, const Team& team, const ResultsSet& results, AxisScore& out) {
  KAIF_ASSIGN_OR_RETURN(const ResultsDocument* doc, Require(results, team, axis, ResultsKind::kSafety, ""));
  long items = 0, passed = 0;
  for (const auto& [name, category] : doc->safety) {
    items += category.items;
    passed += category.passed;
  }
  double p = static_cast<double>(passed) / static_cast<double>(items);
  double se = std::sqrt(p * (1 - p) / static_cast<double>(items));
  out.raw = p;
  out.raw_unit = "pass rate";
  out.inputs.push_back(doc->source + "#/safety/categories");
  out.explanation = fmt::format("{} of {} safety items passed = {}", passed, items, Fmt(p));
  if (axis.method == AxisMethod::kPassRate) {
    out.score = MakeEstimate(100.0 * p, 100.0 * se, c.z);
  } else {
    ScoreLinear(axis, p, se, c.z, out);
  }
  return Status::Ok();
}

Status ScoreArena(const AxisContext& c, const Axis& axis, const Team& team, const ResultsSet& results, AxisScore& out) {
  KAIF_ASSIGN_OR_RETURN(const ResultsDocument* doc, Require(results, team, axis, ResultsKind::kArena, axis.pool));
  double r = doc->arena_rating.value, se = doc->arena_rating.stderr_;
  out.raw = r;
  out.raw_unit = "rating";
  out.inputs.push_back(doc->source + "#/arena/rating");
  out.explanation = fmt::format("rating {} +/- {} from {} battles", Fmt(r), Fmt(se), doc->arena_rating.n);
  if (axis.method == AxisMethod::kLinear) {
    ScoreLinear(axis, r, se, c.z, out);
    return Status::Ok();
  }
  // Expected score against the anchor on the Elo scale; its derivative carries the error.
  double p = 1.0 / (1.0 + std::pow(10.0, (c.anchor_rating - r) / axis.rating_scale));
  double dp = p * (1 - p) * std::log(10.0) / axis.rating_scale;
  out.score = MakeEstimate(100.0 * p, 100.0 * dp * se, c.z);
  out.explanation += fmt::format("; score = 100 x P(win against rating {}{}) = 100 / (1 + 10^(({} - {}) / {}))",
                                 Fmt(c.anchor_rating), axis.anchor_is_team_mean ? ", the teams' mean" : "",
                                 Fmt(c.anchor_rating), Fmt(r), Fmt(axis.rating_scale));
  return Status::Ok();
}

Status ScoreExpert(const AxisContext& c, const Axis& axis, const Team& team, const ResultsSet& results, AxisScore& out) {
  KAIF_ASSIGN_OR_RETURN(const ResultsDocument* doc, Require(results, team, axis, ResultsKind::kExpert, axis.pool));
  std::vector<double> scores = doc->expert_scores;
  if (scores.size() <= static_cast<size_t>(2 * axis.trim)) {
    return Status::InvalidInput(fmt::format("{}: {} expert scores, but axis '{}' trims {} from each end; it needs at "
                                            "least {}",
                                            doc->source, scores.size(), axis.id, axis.trim, 2 * axis.trim + 1));
  }
  std::sort(scores.begin(), scores.end());
  std::vector<double> kept(scores.begin() + axis.trim, scores.end() - axis.trim);
  double n = static_cast<double>(kept.size());
  double mean = std::accumulate(kept.begin(), kept.end(), 0.0) / n;
  double ss = 0;
  for (double s : kept) ss += (s - mean) * (s - mean);
  double se = kept.size() > 1 ? std::sqrt(ss / (n - 1)) / std::sqrt(n) : 0.0;
  out.raw = mean;
  out.raw_unit = fmt::format("mean expert score of {}", Fmt(doc->expert_max_score));
  out.inputs.push_back(doc->source + "#/expert/scores");
  out.score = MakeEstimate(100.0 * mean / doc->expert_max_score, 100.0 * se / doc->expert_max_score, c.z);
  out.explanation = fmt::format("{} experts{}; mean {} of {}", scores.size(),
                                axis.trim ? fmt::format(", highest and lowest {} dropped", axis.trim) : "", Fmt(mean),
                                Fmt(doc->expert_max_score));
  return Status::Ok();
}

Status ScoreDerivatives(const AxisContext& c, const Axis& axis, const Team& team, const ResultsSet& results,
                        AxisScore& out) {
  KAIF_ASSIGN_OR_RETURN(const ResultsDocument* doc, Require(results, team, axis, ResultsKind::kDerivatives, ""));
  double weighted = 0;
  std::string terms;
  for (const auto& [kind, count] : doc->derivatives) {
    double w = 1.0;
    if (!axis.derivative_weights.empty()) {
      auto it = axis.derivative_weights.find(kind);
      w = it == axis.derivative_weights.end() ? 0.0 : it->second;
    }
    weighted += w * count;
    terms += fmt::format("{}{} {} x {}", terms.empty() ? "" : " + ", kind, Fmt(count), Fmt(w));
  }
  out.raw = weighted;
  out.raw_unit = "weighted derivative count";
  out.inputs.push_back(doc->source + "#/derivatives/counts");
  out.explanation = fmt::format("weighted count {} = {}", Fmt(weighted), terms.empty() ? "0" : terms);
  if (axis.method == AxisMethod::kLinear) {
    ScoreLinear(axis, weighted, 0, c.z, out);
    return Status::Ok();
  }
  // Logarithmic: the hundredth derivative matters less than the first.
  double value = 100.0 * std::min(1.0, std::log1p(weighted) / std::log1p(axis.saturation));
  out.score = MakeEstimate(value, 0, c.z);
  out.explanation += fmt::format("; score = 100 x min(1, ln(1 + {}) / ln(1 + saturation {}))", Fmt(weighted),
                                 Fmt(axis.saturation));
  return Status::Ok();
}

}  // namespace

std::vector<std::string> AxisBenchmarks(const Program& program, const Axis& axis, const Team& team) {
  std::vector<std::string> ids;
  for (const Benchmark& b : program.benchmarks) {
    bool in_group = std::find(axis.benchmark_groups.begin(), axis.benchmark_groups.end(), b.group) !=
                    axis.benchmark_groups.end();
    bool named = std::find(axis.benchmark_ids.begin(), axis.benchmark_ids.end(), b.id) != axis.benchmark_ids.end();
    bool chosen = axis.team_chosen_benchmarks &&
                  std::find(team.chosen_benchmarks.begin(), team.chosen_benchmarks.end(), b.id) !=
                      team.chosen_benchmarks.end();
    if (in_group || named || chosen) ids.push_back(b.id);
  }
  return ids;
}

Result<AxisScore> ScoreAxis(const AxisContext& context, const Axis& axis, const Team& team, const ResultsSet& results) {
  AxisScore out;
  out.axis = axis.id;
  out.weight = axis.weight;
  switch (axis.source) {
    case AxisSource::kBenchmarks: KAIF_RETURN_IF_ERROR(ScoreBenchmarks(context, axis, team, results, out)); break;
    case AxisSource::kSafety: KAIF_RETURN_IF_ERROR(ScoreSafety(context, axis, team, results, out)); break;
    case AxisSource::kArena: KAIF_RETURN_IF_ERROR(ScoreArena(context, axis, team, results, out)); break;
    case AxisSource::kExpert: KAIF_RETURN_IF_ERROR(ScoreExpert(context, axis, team, results, out)); break;
    case AxisSource::kDerivatives: KAIF_RETURN_IF_ERROR(ScoreDerivatives(context, axis, team, results, out)); break;
    case AxisSource::kOpenness: {
      out.raw = axis.level_points.at(team.open_source_level);
      out.raw_unit = "points for open-source level";
      out.score = MakeEstimate(out.raw, 0, context.z);
      out.inputs.push_back("program#/teams/" + team.id + "/open_source_level");
      out.explanation = fmt::format("open-source level \"{}\" = {} points", team.open_source_level, Fmt(out.raw));
      break;
    }
  }
  // Intervals never leave the 0-100 scale.
  out.score.low = Clamp100(out.score.low);
  out.score.high = Clamp100(out.score.high);
  out.contribution = out.score.value * axis.weight / context.program->weights_total;
  out.explanation += fmt::format("; contribution = score {} x weight {} / {} = {}", Fmt(out.score.value),
                                 Fmt(axis.weight), Fmt(context.program->weights_total), Fmt(out.contribution));
  return out;
}

}  // namespace kaif::program
