#include <cstdio>

#include <nlohmann/json.hpp>

#include "arena/bradley_terry.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "util/file.h"

namespace kaif::cli {

void AddArenaCommand(CLI::App& app, Runner& run) {
  struct Flags {
    std::string battles, anchor, json;
    size_t bootstrap = 0;
    uint64_t seed = 0;
    bool style = false;
    int threads = 0;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* arena = app.add_subcommand("arena", "The arena: battles judged by people, and the ratings");
  arena->require_subcommand(1);
  CLI::App* cmd = arena->add_subcommand("ratings", "Bradley-Terry ratings (Elo scale) of the battles in a file");
  cmd->add_option("battles", flags->battles, "Battles: JSON lines or a JSON array (FastChat's export format)")->required();
  cmd->add_option("--bootstrap", flags->bootstrap, "Bootstrap rounds for the intervals (0: sandwich intervals only)");
  cmd->add_option("--seed", flags->seed, "Seed of the bootstrap")->capture_default_str();
  cmd->add_flag("--style-control", flags->style, "Answer length and markdown as covariates");
  cmd->add_option("--anchor", flags->anchor, "MODEL=RATING: that model's rating is fixed (default: the mean is 1000)");
  cmd->add_option("--json", flags->json, "Also write the ratings as JSON to this file");
  cmd->add_option("--threads", flags->threads, "Threads (default: all cores)");
  cmd->callback([flags, &run] {
    run = [flags]() -> int {
      arena::RatingOptions options;
      options.bootstrap_rounds = flags->bootstrap;
      options.seed = flags->seed;
      options.style_control = flags->style;
      options.threads = flags->threads;
      if (!flags->anchor.empty()) {
        const size_t eq = flags->anchor.rfind('=');
        char* end = nullptr;
        if (eq == std::string::npos || eq == 0) return Fail(Status::InvalidInput("--anchor is MODEL=RATING"));
        options.anchor_model = flags->anchor.substr(0, eq);
        options.anchor_rating = std::strtod(flags->anchor.c_str() + eq + 1, &end);
        if (end == flags->anchor.c_str() + eq + 1 || *end != '\0') return Fail(Status::InvalidInput("--anchor is MODEL=RATING"));
      }
      Result<std::vector<arena::Battle>> battles = arena::ReadBattles(flags->battles);
      if (!battles.ok()) return Fail(battles.status());
      Result<arena::Ratings> ratings = arena::RateModels(*battles, options);
      if (!ratings.ok()) return Fail(ratings.status());
      const bool boot = flags->bootstrap > 0;
      std::printf("%-4s %-40s %9s  %-21s %8s\n", "rank", "model", "rating", boot ? "95% (bootstrap)" : "95% (sandwich)",
                  "battles");
      nlohmann::json models = nlohmann::json::array();
      for (size_t i = 0; i < ratings->models.size(); ++i) {
        const arena::ModelRating& m = ratings->models[i];
        const double low = boot ? *m.bootstrap_low : m.sandwich_low, high = boot ? *m.bootstrap_high : m.sandwich_high;
        std::printf("%-4zu %-40s %9.1f  [%8.1f, %8.1f]  %8zu\n", i + 1, m.model.c_str(), m.rating, low, high, m.battles);
        nlohmann::json row = {{"model", m.model}, {"rating", m.rating}, {"battles", m.battles},
                              {"sandwich_95", {m.sandwich_low, m.sandwich_high}}};
        if (boot) row["bootstrap_95"] = {*m.bootstrap_low, *m.bootstrap_high}, row["bootstrap_median"] = *m.bootstrap_median;
        models.push_back(row);
      }
      nlohmann::json style = nlohmann::json::object();
      for (const auto& [name, value] : ratings->style_coefficients) {
        std::printf("style %-20s %+.4f\n", name.c_str(), value);
        style[name] = value;
      }
      std::fprintf(stderr, "%zu battles; fit %.3f s, bootstrap %.3f s (%zu rounds)\n", ratings->battles,
                   ratings->fit_seconds, ratings->bootstrap_seconds, flags->bootstrap);
      if (!flags->json.empty()) {
        const nlohmann::json doc = {{"battles", ratings->battles}, {"bootstrap_rounds", flags->bootstrap},
                                    {"fit_seconds", ratings->fit_seconds}, {"bootstrap_seconds", ratings->bootstrap_seconds},
                                    {"style_control", flags->style}, {"models", models}, {"style_coefficients", style}};
        Status s = WriteFileAtomic(flags->json, doc.dump(2) + "\n");
        if (!s.ok()) return Fail(s);
      }
      return 0;
    };
  });
}

}  // namespace kaif::cli
