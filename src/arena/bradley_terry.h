// Arena ratings: the Bradley-Terry model fitted by maximum likelihood on the Elo scale
// (P(a beats b) = 1 / (1 + base^((R_b - R_a) / scale)); ties and "both bad" count as half a
// win each), the same model and scale as the best-known public arena's leaderboard
// (FastChat's rating_systems.py), so that numbers are comparable: mean rating `initial`, or
// one model anchored at a given rating.
//
// Uncertainty two ways: a bootstrap (battles resampled with replacement, as counts of
// each distinct result, and the model refitted; percentiles), and closed-form sandwich
// intervals (the robust covariance H^-1 B H^-1 of the maximum-likelihood estimate), which
// cost one fit.
//
// Style control (optional): answer length and markdown counts (headers, lists, bold) of
// the two answers enter as covariates, normalised differences, with FastChat's ridge
// penalty, so that a model is not rated up for answering longer or with more markdown.
//
// Fitted by Newton's method on the distinct (model a, model b, outcome) results: a few
// iterations to machine precision.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arena/battles.h"
#include "util/status.h"

namespace kaif::arena {

struct RatingOptions {
  double base = 10, scale = 400, initial = 1000;
  std::string anchor_model;  // empty: no anchor, the mean rating is `initial`
  double anchor_rating = 1000;
  size_t bootstrap_rounds = 0;
  uint64_t seed = 0;
  bool style_control = false;
  double style_regularization = 0.5;  // FastChat's `reg`: penalty (reg / 2) * |params|^2
  int threads = 0;                    // 0: all cores
};

struct ModelRating {
  std::string model;
  double rating = 0;
  size_t battles = 0;
  double sandwich_low = 0, sandwich_high = 0;  // 95% interval
  std::optional<double> bootstrap_low, bootstrap_median, bootstrap_high;  // 2.5%, 50%, 97.5%
};

struct Ratings {
  std::vector<ModelRating> models;  // highest rating first
  // Style control's coefficients (on the logit scale), named like FastChat's elements.
  std::vector<std::pair<std::string, double>> style_coefficients;
  size_t battles = 0;
  double fit_seconds = 0, bootstrap_seconds = 0;  // what the numbers cost
};

// InvalidInput when no rating exists: fewer than two models, or (without style control's
// penalty) a model that no other model ever beat or tied, whose rating is unbounded.
Result<Ratings> RateModels(const std::vector<Battle>& battles, const RatingOptions& options);

}  // namespace kaif::arena
