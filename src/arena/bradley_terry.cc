#include "arena/bradley_terry.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>
#include <unordered_map>

#include "arena/resample.h"

namespace kaif::arena {
namespace {

// The fitting problem: rows of (model a, model b, outcome for a, style features), each
// with a weight (how many battles it stands for). Without style control the rows are
// the distinct results; with it, the battles.
struct Problem {
  size_t models = 0, features = 0;
  std::vector<uint32_t> a, b;
  std::vector<double> y, features_by_row;  // rows x features
  std::vector<double> weight;
  double alpha = std::log(10.0);
  double reg = 0;  // ridge on every parameter (style control)

  size_t rows() const { return a.size(); }
  size_t params() const { return models + features; }
};

double Logit(const Problem& p, const std::vector<double>& x, size_t r) {
  double z = p.alpha * (x[p.a[r]] - x[p.b[r]]);
  for (size_t f = 0; f < p.features; ++f) z += p.features_by_row[r * p.features + f] * x[p.models + f];
  return z;
}

// Negative log-likelihood (plus the ridge) at x; its gradient and Hessian when asked.
// `meat`: instead of the Hessian, the sandwich's middle term sum w (y - p)^2 g g^T.
double Evaluate(const Problem& p, const std::vector<double>& x, const std::vector<double>& w, std::vector<double>* grad,
                std::vector<double>* hessian, int threads, bool meat = false) {
  const size_t n = p.params();
  double loss = 0;
  if (grad) grad->assign(n, 0);
  if (hessian) hessian->assign(n * n, 0);
#pragma omp parallel num_threads(threads)
  {
    std::vector<double> g(grad ? n : 0, 0), h(hessian ? n * n : 0, 0), row(n, 0);
    std::vector<size_t> touched;
    double local = 0;
#pragma omp for schedule(static) nowait
    for (size_t r = 0; r < p.rows(); ++r) {
      if (w[r] == 0) continue;
      // -[y ln p + (1 - y) ln(1 - p)] with p = 1 / (1 + e^-z) is ln(1 + e^z) - y z: one
      // exponential and one logarithm, neither overflowing.
      const double z = Logit(p, x, r);
      const double e = std::exp(-std::fabs(z));
      const double prob = z >= 0 ? 1 / (1 + e) : e / (1 + e);
      local += w[r] * (std::max(z, 0.0) + std::log1p(e) - p.y[r] * z);
      if (!grad && !hessian) continue;
      const double residual = p.y[r] - prob;
      if (p.features == 0) {  // two entries only: the common case, kept cheap
        const size_t i = p.a[r], j = p.b[r];
        if (grad) g[i] -= w[r] * residual * p.alpha, g[j] += w[r] * residual * p.alpha;
        if (hessian) {
          const double s = (meat ? w[r] * residual * residual : w[r] * prob * (1 - prob)) * p.alpha * p.alpha;
          h[i * n + i] += s, h[j * n + j] += s, h[i * n + j] -= s, h[j * n + i] -= s;
        }
        continue;
      }
      // The row's logit gradient: +alpha at a, -alpha at b, the features after.
      touched.assign({p.a[r], p.b[r]});
      row[p.a[r]] = p.alpha, row[p.b[r]] = -p.alpha;
      for (size_t f = 0; f < p.features; ++f) {
        touched.push_back(p.models + f);
        row[p.models + f] = p.features_by_row[r * p.features + f];
      }
      if (grad) {
        for (size_t i : touched) g[i] -= w[r] * residual * row[i];
      }
      if (hessian) {
        const double s = meat ? w[r] * residual * residual : w[r] * prob * (1 - prob);
        for (size_t i : touched)
          for (size_t j : touched) h[i * n + j] += s * row[i] * row[j];
      }
      for (size_t i : touched) row[i] = 0;
    }
#pragma omp critical
    {
      loss += local;
      if (grad)
        for (size_t i = 0; i < n; ++i) (*grad)[i] += g[i];
      if (hessian)
        for (size_t i = 0; i < n * n; ++i) (*hessian)[i] += h[i];
    }
  }
  if (p.reg > 0) {
    for (size_t i = 0; i < n; ++i) {
      loss += p.reg / 2 * x[i] * x[i];
      if (grad) (*grad)[i] += p.reg * x[i];
      if (hessian && !meat) (*hessian)[i * n + i] += p.reg;
    }
  }
  return loss;
}

// Without a ridge the ratings are defined up to a common shift: adding 1 1^T to their
// block makes the Hessian invertible and keeps steps (and so the ratings) at mean zero.
void FixShift(const Problem& p, std::vector<double>& h) {
  if (p.reg > 0) return;
  const size_t n = p.params();
  for (size_t i = 0; i < p.models; ++i)
    for (size_t j = 0; j < p.models; ++j) h[i * n + j] += 1;
}

// Cholesky factor in place (lower); false when not positive definite.
bool Factor(std::vector<double>& m, size_t n) {
  for (size_t j = 0; j < n; ++j) {
    double d = m[j * n + j];
    for (size_t k = 0; k < j; ++k) d -= m[j * n + k] * m[j * n + k];
    if (!(d > 0)) return false;
    d = std::sqrt(d);
    m[j * n + j] = d;
    for (size_t i = j + 1; i < n; ++i) {
      double s = m[i * n + j];
      for (size_t k = 0; k < j; ++k) s -= m[i * n + k] * m[j * n + k];
      m[i * n + j] = s / d;
    }
  }
  return true;
}

std::vector<double> Solve(const std::vector<double>& l, size_t n, std::vector<double> v) {
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < i; ++k) v[i] -= l[i * n + k] * v[k];
    v[i] /= l[i * n + i];
  }
  for (size_t i = n; i-- > 0;) {
    for (size_t k = i + 1; k < n; ++k) v[i] -= l[k * n + i] * v[k];
    v[i] /= l[i * n + i];
  }
  return v;
}

// Newton's method with a backtracking line search, from `x`. The line search's evaluation
// (loss, gradient and Hessian in one pass) is the next iteration's.
std::vector<double> Fit(const Problem& p, const std::vector<double>& w, std::vector<double> x, int threads) {
  const size_t n = p.params();
  std::vector<double> g, h, next_g, next_h, next(n);
  double loss = Evaluate(p, x, w, &g, &h, threads);
  for (int iteration = 0; iteration < 100; ++iteration) {
    FixShift(p, h);
    double scale = 0;
    for (size_t i = 0; i < n; ++i) scale = std::max(scale, h[i * n + i]);
    // A tiny ridge keeps a resample with a model cut off from the rest solvable.
    for (size_t i = 0; i < n; ++i) h[i * n + i] += 1e-12 * (scale + 1);
    if (!Factor(h, n)) break;
    const std::vector<double> step = Solve(h, n, g);
    double slope = 0, largest = 0;
    for (size_t i = 0; i < n; ++i) slope -= g[i] * step[i], largest = std::max(largest, std::fabs(step[i]));
    double t = 1, next_loss = loss;
    for (int halving = 0; halving < 40; ++halving, t /= 2) {
      for (size_t i = 0; i < n; ++i) next[i] = x[i] - t * step[i];
      next_loss = Evaluate(p, next, w, &next_g, &next_h, threads);
      if (next_loss <= loss + 1e-4 * t * slope + 1e-12 * std::fabs(loss)) break;
    }
    x.swap(next), g.swap(next_g), h.swap(next_h);
    loss = next_loss;
    if (t * largest < 1e-7) break;  // 4e-5 rating points
  }
  return x;
}

// The maximum-likelihood ratings exist when every model reaches every other through
// "earned points against" edges (Ford's condition). Otherwise: a model that no chain of
// wins reaches (it never lost to a part of the field: `above`), or one that reaches none
// (it never won against a part: not `above`).
struct Unreached {
  size_t model;
  bool above;
};
std::optional<Unreached> Unbounded(const Problem& p) {
  std::vector<std::vector<uint32_t>> forward(p.models), backward(p.models);
  for (size_t r = 0; r < p.rows(); ++r) {
    if (p.weight[r] == 0) continue;
    if (p.y[r] > 0) forward[p.a[r]].push_back(p.b[r]), backward[p.b[r]].push_back(p.a[r]);
    if (p.y[r] < 1) forward[p.b[r]].push_back(p.a[r]), backward[p.a[r]].push_back(p.b[r]);
  }
  for (const auto* edges : {&forward, &backward}) {
    std::vector<char> seen(p.models, 0);
    std::vector<size_t> stack = {0};
    seen[0] = 1;
    while (!stack.empty()) {
      const size_t v = stack.back();
      stack.pop_back();
      for (uint32_t u : (*edges)[v]) {
        if (!seen[u]) seen[u] = 1, stack.push_back(u);
      }
    }
    for (size_t v = 0; v < p.models; ++v) {
      if (!seen[v]) return Unreached{v, edges == &forward};
    }
  }
  return std::nullopt;
}

// pandas' default quantile: linear between the two nearest order statistics.
double Quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double at = q * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(at));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (at - static_cast<double>(lo));
}

// Style covariates per battle, FastChat's way: (a - b) / (a + b + 1) per element, then
// standardised over the battles.
Result<std::vector<double>> StyleFeatures(const std::vector<Battle>& battles) {
  constexpr size_t k = 4;
  std::vector<double> f(battles.size() * k);
  for (size_t r = 0; r < battles.size(); ++r) {
    if (!battles[r].style) {
      return Status::InvalidInput("style control needs every battle's conv_metadata; battle " + std::to_string(r + 1) +
                                  " has none");
    }
    const auto& [a, b] = *battles[r].style;
    const double va[k] = {a.tokens, a.headers, a.lists, a.bold}, vb[k] = {b.tokens, b.headers, b.lists, b.bold};
    for (size_t e = 0; e < k; ++e) f[r * k + e] = (va[e] - vb[e]) / (va[e] + vb[e] + 1);
  }
  for (size_t e = 0; e < k; ++e) {
    double mean = 0, sq = 0;
    for (size_t r = 0; r < battles.size(); ++r) mean += f[r * k + e];
    mean /= static_cast<double>(battles.size());
    for (size_t r = 0; r < battles.size(); ++r) sq += (f[r * k + e] - mean) * (f[r * k + e] - mean);
    const double sd = std::sqrt(sq / static_cast<double>(battles.size()));
    for (size_t r = 0; r < battles.size(); ++r) f[r * k + e] = sd > 0 ? (f[r * k + e] - mean) / sd : 0;
  }
  return f;
}

double OutcomeForA(Outcome o) { return o == Outcome::kModelA ? 1.0 : o == Outcome::kModelB ? 0.0 : 0.5; }

}  // namespace

Result<Ratings> RateModels(const std::vector<Battle>& battles, const RatingOptions& options) {
  if (!(options.base > 1) || !(options.scale > 0)) return Status::InvalidInput("the rating base must exceed 1 and the scale be positive");
  Problem p;
  p.alpha = std::log(options.base);
  std::unordered_map<std::string, uint32_t> index;
  std::vector<std::string> names;
  std::vector<size_t> played;
  auto id = [&](const std::string& m) {
    auto [it, added] = index.emplace(m, static_cast<uint32_t>(names.size()));
    if (added) names.push_back(m), played.push_back(0);
    ++played[it->second];
    return it->second;
  };
  if (options.style_control) {
    KAIF_ASSIGN_OR_RETURN(p.features_by_row, StyleFeatures(battles));
    p.features = 4;
    p.reg = options.style_regularization;
    for (const Battle& b : battles) {
      p.a.push_back(id(b.model_a)), p.b.push_back(id(b.model_b));
      p.y.push_back(OutcomeForA(b.outcome)), p.weight.push_back(1);
    }
  } else {
    // (a, b, y) and (b, a, 1 - y) are the same result: one row for both halves the rows to
    // fit and to resample (merged categories of a multinomial are multinomial).
    std::map<std::tuple<uint32_t, uint32_t, int>, double> distinct;
    for (const Battle& b : battles) {
      uint32_t a = id(b.model_a), c = id(b.model_b);
      int y2 = static_cast<int>(2 * OutcomeForA(b.outcome));
      if (a > c) std::swap(a, c), y2 = 2 - y2;
      distinct[{a, c, y2}] += 1;
    }
    for (const auto& [key, count] : distinct) {
      p.a.push_back(std::get<0>(key)), p.b.push_back(std::get<1>(key));
      p.y.push_back(std::get<2>(key) / 2.0), p.weight.push_back(count);
    }
  }
  p.models = names.size();
  if (p.models < 2) return Status::InvalidInput("ratings need battles between at least two models");
  if (!options.anchor_model.empty() && !index.count(options.anchor_model)) {
    return Status::InvalidInput("the anchor model " + options.anchor_model + " fought no battle");
  }
  if (p.reg == 0) {
    if (std::optional<Unreached> u = Unbounded(p)) {
      return Status::InvalidInput("the ratings are unbounded: " + names[u->model] +
                                  (u->above ? " never lost to" : " never won against") +
                                  " a part of the field (Bradley-Terry needs a chain of wins and losses between "
                                  "every two models); collect more battles, or rate with --style-control, whose "
                                  "penalty keeps ratings finite");
    }
  }
  const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();
  const double start = omp_get_wtime();
  const std::vector<double> fitted = Fit(p, p.weight, std::vector<double>(p.params(), 0), threads);

  // Ratings on the Elo scale: initial + scale * theta, or shifted so the anchor sits at its rating.
  const std::optional<size_t> anchor =
      options.anchor_model.empty() ? std::nullopt : std::optional<size_t>(index.at(options.anchor_model));
  auto elo = [&](const std::vector<double>& x, size_t i) {
    double r = options.initial + options.scale * x[i];
    if (anchor) r += options.anchor_rating - (options.initial + options.scale * x[*anchor]);
    return r;
  };

  // Sandwich covariance H^-1 B H^-1 (H with the shift fixed; then projected back to mean zero).
  const size_t n = p.params();
  std::vector<double> h, meat;
  Evaluate(p, fitted, p.weight, nullptr, &h, threads);
  Evaluate(p, fitted, p.weight, nullptr, &meat, threads, /*meat=*/true);
  FixShift(p, h);
  std::vector<double> inverse(n * n, 0);
  if (Factor(h, n)) {
    for (size_t c = 0; c < n; ++c) {
      std::vector<double> e(n, 0);
      e[c] = 1;
      const std::vector<double> col = Solve(h, n, e);
      for (size_t r = 0; r < n; ++r) inverse[r * n + c] = col[r];
    }
    if (p.reg == 0) {
      const double m2 = static_cast<double>(p.models) * static_cast<double>(p.models);
      for (size_t i = 0; i < p.models; ++i)
        for (size_t j = 0; j < p.models; ++j) inverse[i * n + j] -= 1 / m2;
    }
  }
  auto covariance = [&](size_t i, size_t j) {  // (inverse * meat * inverse)[i][j]
    double s = 0;
    for (size_t k = 0; k < n; ++k) {
      double left = 0;
      for (size_t l = 0; l < n; ++l) left += inverse[i * n + l] * meat[l * n + k];
      s += left * inverse[k * n + j];
    }
    return s;
  };

  Ratings out;
  out.battles = battles.size();
  for (size_t i = 0; i < p.models; ++i) {
    ModelRating m;
    m.model = names[i];
    m.rating = elo(fitted, i);
    m.battles = played[i];
    double var = covariance(i, i);
    if (anchor) var += covariance(*anchor, *anchor) - 2 * covariance(i, *anchor);
    const double half = 1.959963984540054 * options.scale * std::sqrt(std::max(0.0, var));
    m.sandwich_low = m.rating - half, m.sandwich_high = m.rating + half;
    out.models.push_back(m);
  }
  static const char* kStyle[] = {"sum_assistant_tokens", "header_count", "list_count", "bold_count"};
  for (size_t f = 0; f < p.features; ++f) out.style_coefficients.emplace_back(kStyle[f], fitted[p.models + f]);

  out.fit_seconds = omp_get_wtime() - start;
  if (options.bootstrap_rounds > 0) {
    const double bootstrap_start = omp_get_wtime();
    double total = 0;
    for (double w : p.weight) total += w;
    std::vector<std::vector<double>> samples(options.bootstrap_rounds);
    // Rounds in parallel, each seeded by (seed, round): the same result on any core count.
#pragma omp parallel for schedule(dynamic) num_threads(threads)
    for (size_t round = 0; round < options.bootstrap_rounds; ++round) {
      Random rng(options.seed * 0x100000001b3ull + round);
      const std::vector<double> w = Multinomial(p.weight, std::llround(total), rng);
      const std::vector<double> x = Fit(p, w, fitted, 1);
      samples[round].resize(p.models);
      for (size_t i = 0; i < p.models; ++i) samples[round][i] = elo(x, i);
    }
    for (size_t i = 0; i < p.models; ++i) {
      std::vector<double> v(options.bootstrap_rounds);
      for (size_t round = 0; round < v.size(); ++round) v[round] = samples[round][i];
      out.models[i].bootstrap_low = Quantile(v, 0.025);
      out.models[i].bootstrap_median = Quantile(v, 0.5);
      out.models[i].bootstrap_high = Quantile(v, 0.975);
    }
    out.bootstrap_seconds = omp_get_wtime() - bootstrap_start;
  }
  std::stable_sort(out.models.begin(), out.models.end(),
                   [](const ModelRating& x, const ModelRating& y) { return x.rating > y.rating; });
  return out;
}

}  // namespace kaif::arena
