#include "arena/bradley_terry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "support/example_paths.h"

namespace kaif::arena {
namespace {

std::filesystem::path ArenaData() { return std::filesystem::path(KAIF_SOURCE_DIR) / "tests" / "data" / "arena"; }

std::vector<Battle> Games(const std::string& a, const std::string& b, int a_wins, int b_wins) {
  std::vector<Battle> out;
  for (int i = 0; i < a_wins; ++i) out.push_back({a, b, Outcome::kModelA, std::nullopt});
  for (int i = 0; i < b_wins; ++i) out.push_back({a, b, Outcome::kModelB, std::nullopt});
  return out;
}

double RatingOf(const Ratings& r, const std::string& model) {
  for (const ModelRating& m : r.models) {
    if (m.model == model) return m.rating;
  }
  ADD_FAILURE() << "no rating for " << model;
  return NAN;
}

// The textbook example: A-B 2:3, A-D 1:4, B-C 5:3, C-D 1:3 give strengths (geometric mean
// 1) A 0.640, B 1.043, C 0.660, D 2.270. On the natural scale (base e, scale 1, mean 0)
// kaif's ratings are their logarithms.
TEST(BradleyTerryTest, TextbookExample) {
  std::vector<Battle> battles;
  for (auto [a, b, x, y] : {std::tuple{"A", "B", 2, 3}, {"A", "D", 1, 4}, {"B", "C", 5, 3}, {"C", "D", 1, 3}}) {
    for (const Battle& g : Games(a, b, x, y)) battles.push_back(g);
  }
  RatingOptions natural;
  natural.base = std::exp(1.0), natural.scale = 1, natural.initial = 0;
  const Ratings r = RateModels(battles, natural).value();
  EXPECT_NEAR(std::exp(RatingOf(r, "A")), 0.640, 5e-4);
  EXPECT_NEAR(std::exp(RatingOf(r, "B")), 1.043, 5e-4);
  EXPECT_NEAR(std::exp(RatingOf(r, "C")), 0.660, 5e-4);
  EXPECT_NEAR(std::exp(RatingOf(r, "D")), 2.270, 5e-4);
  EXPECT_EQ(r.models[0].model, "D");
  // On the Elo scale: 400 log10 of the strength ratio.
  const Ratings elo = RateModels(battles, RatingOptions{}).value();
  EXPECT_NEAR(RatingOf(elo, "D") - RatingOf(elo, "A"), 400 * std::log10(2.270 / 0.640), 0.5);
}

// FastChat's own rating code (fastchat/serve/monitor/rating_systems.py) on the same
// battles (tests/data/arena/make_golden.py): Bradley-Terry with mixtral anchored at 1114,
// style control, and the bootstrap's 95% intervals.
TEST(BradleyTerryTest, MatchesFastChat) {
  const auto battles = ReadBattles(ArenaData() / "battles.jsonl").value();
  const nlohmann::json golden = nlohmann::json::parse(std::ifstream(ArenaData() / "fastchat_ratings.json"));
  RatingOptions options;
  options.anchor_model = "mixtral-8x7b-instruct-v0.1", options.anchor_rating = 1114;
  options.bootstrap_rounds = 1000;
  const Ratings bt = RateModels(battles, options).value();
  for (const auto& [model, rating] : golden["bt"].items()) {
    EXPECT_NEAR(RatingOf(bt, model), rating.get<double>(), 0.5) << model;
  }
  for (const ModelRating& m : bt.models) {
    // Different random resamples: the intervals agree to within a few points.
    EXPECT_NEAR(*m.bootstrap_low, golden["bootstrap_2.5"][m.model].get<double>(), 6) << m.model;
    EXPECT_NEAR(*m.bootstrap_high, golden["bootstrap_97.5"][m.model].get<double>(), 6) << m.model;
    // The sandwich intervals, one fit, tell the same story.
    EXPECT_NEAR(m.sandwich_high - m.sandwich_low, *m.bootstrap_high - *m.bootstrap_low,
                0.15 * (*m.bootstrap_high - *m.bootstrap_low)) << m.model;
    EXPECT_LE(m.sandwich_low, m.rating);
  }

  options.bootstrap_rounds = 0;
  options.style_control = true;
  const Ratings style = RateModels(battles, options).value();
  for (const auto& [model, rating] : golden["style_control"].items()) {
    EXPECT_NEAR(RatingOf(style, model), rating.get<double>(), 0.5) << model;
  }
  ASSERT_EQ(style.style_coefficients.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_NEAR(style.style_coefficients[i].second, golden["style_params"][i].get<double>(), 1e-3);
}

TEST(BradleyTerryTest, BootstrapDoesNotDependOnTheNumberOfThreads) {
  const auto battles = ReadBattles(ArenaData() / "battles.jsonl").value();
  RatingOptions options;
  options.bootstrap_rounds = 40, options.seed = 7;
  options.threads = 1;
  const Ratings one = RateModels(battles, options).value();
  options.threads = 2;
  const Ratings two = RateModels(battles, options).value();
  for (size_t i = 0; i < one.models.size(); ++i) {
    // Sums in another order: equal to far below a rating point.
    EXPECT_NEAR(*one.models[i].bootstrap_low, *two.models[i].bootstrap_low, 1e-6);
    EXPECT_NEAR(*one.models[i].bootstrap_high, *two.models[i].bootstrap_high, 1e-6);
  }
}

TEST(BradleyTerryTest, RatingsThatDoNotExistAreRefused) {
  // B never beat or tied A: A's rating is unbounded.
  auto r = RateModels(Games("A", "B", 5, 0), RatingOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("unbounded"), std::string::npos) << r.status().ToString();
  EXPECT_FALSE(RateModels({}, RatingOptions{}).ok());
  RatingOptions anchored;
  anchored.anchor_model = "Z";
  EXPECT_FALSE(RateModels(Games("A", "B", 2, 3), anchored).ok());
  RatingOptions style;
  style.style_control = true;
  EXPECT_FALSE(RateModels(Games("A", "B", 2, 3), style).ok());  // no style metadata
  // A tie links them: ratings exist.
  auto tied = Games("A", "B", 5, 0);
  tied.push_back({"A", "B", Outcome::kTie, std::nullopt});
  EXPECT_TRUE(RateModels(tied, RatingOptions{}).ok());
}

TEST(BattlesTest, MalformedBattlesAreNamed) {
  auto bad = [](const std::string& text, const std::string& want) {
    auto r = ParseBattles(text, "b.jsonl");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.status().message().find(want), std::string::npos) << r.status().ToString();
  };
  bad("{\"model_a\":\"x\",\"model_b\":\"y\",\"winner\":\"model_a\"}\n{oops", "line 2: not valid JSON");
  bad(R"({"model_a":"x","model_b":"y","winner":"draw"})", "not model_a, model_b, tie");
  bad(R"({"model_a":"x","winner":"tie"})", "model_b is missing");
  bad(R"({"model_a":"x","model_b":"x","winner":"tie"})", "battles itself");
  bad(R"({"model_a":"x","model_b":7,"winner":"tie"})", "model_b is missing");
  bad("{\"model_a\":\"\xff\",\"model_b\":\"y\",\"winner\":\"tie\"}", "not valid JSON");
  bad(R"([{"model_a":"x","model_b":"y","winner":"tie"}, 3])", "battle 2");
  bad(R"({"model_a":"x","model_b":"y","winner":"tie","conv_metadata":{"sum_assistant_a_tokens":"many"}})",
      "neither a number");
  auto ok = ParseBattles("\n{\"model_a\":\"x\",\"model_b\":\"y\",\"winner\":\"tie (bothbad)\"}\n\n", "b.jsonl").value();
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].outcome, Outcome::kBothBad);
  EXPECT_FALSE(ReadBattles("/nonexistent/battles.jsonl").ok());
}

}  // namespace
}  // namespace kaif::arena
