#include <cstdio>
#include <cstdlib>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "job/arena_job.h"

namespace kaif::cli {
namespace {

// "NAME=VALUE" split at the last '='; false when either side is empty.
bool SplitAssignment(const std::string& text, std::string& name, std::string& value) {
  const size_t eq = text.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) return false;
  name = text.substr(0, eq), value = text.substr(eq + 1);
  return true;
}

}  // namespace

void AddArenaCommand(CLI::App& app, Runner& run) {
  struct Flags {
    std::string battles, anchor, json, out, pool = "public";
    std::vector<std::string> teams;
    size_t bootstrap = 0;
    uint64_t seed = 0;
    bool style = false;
    int threads = 0, stage = 0;
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
  cmd->add_option("--out", flags->out, "Folder for the kaif.results/1 arena documents of the teams' models");
  cmd->add_option("--team", flags->teams, "MODEL=TEAM: the team whose model this is (repeatable)");
  cmd->add_option("--stage", flags->stage, "The program stage of those documents")->check(CLI::PositiveNumber);
  cmd->add_option("--pool", flags->pool, "The pool the documents name (public, or an expert panel)")->capture_default_str();
  cmd->add_option("--threads", flags->threads, "Threads (default: all cores)");
  cmd->callback([flags, &run] {
    run = [flags]() -> int {
      job::ArenaRatingsJob job;
      job.battles = flags->battles;
      job.options.bootstrap_rounds = flags->bootstrap;
      job.options.seed = flags->seed;
      job.options.style_control = flags->style;
      job.options.threads = flags->threads;
      job.json = flags->json;
      job.out = flags->out;
      job.stage = flags->stage;
      job.pool = flags->pool;
      if (!flags->anchor.empty()) {
        std::string rating;
        char* end = nullptr;
        if (!SplitAssignment(flags->anchor, job.options.anchor_model, rating)) {
          return Fail(Status::InvalidInput("--anchor is MODEL=RATING"));
        }
        job.options.anchor_rating = std::strtod(rating.c_str(), &end);
        if (*end != '\0') return Fail(Status::InvalidInput("--anchor is MODEL=RATING"));
      }
      for (const std::string& t : flags->teams) {
        std::string model, team;
        if (!SplitAssignment(t, model, team)) return Fail(Status::InvalidInput("--team is MODEL=TEAM, not " + t));
        job.teams[model] = team;
      }
      Result<job::ArenaRatingsOutcome> out = job::RunArenaRatings(job);
      if (!out.ok()) return Fail(out.status());
      const arena::Ratings& ratings = out->ratings;
      const bool boot = flags->bootstrap > 0;
      std::printf("%-4s %-40s %9s  %-21s %8s\n", "rank", "model", "rating", boot ? "95% (bootstrap)" : "95% (sandwich)",
                  "battles");
      for (size_t i = 0; i < ratings.models.size(); ++i) {
        const arena::ModelRating& m = ratings.models[i];
        const double low = boot ? *m.bootstrap_low : m.sandwich_low, high = boot ? *m.bootstrap_high : m.sandwich_high;
        std::printf("%-4zu %-40s %9.1f  [%8.1f, %8.1f]  %8zu\n", i + 1, m.model.c_str(), m.rating, low, high, m.battles);
      }
      for (const auto& [name, value] : ratings.style_coefficients) std::printf("style %-20s %+.4f\n", name.c_str(), value);
      std::fprintf(stderr, "%zu battles; fit %.3f s, bootstrap %.3f s (%zu rounds)\n", ratings.battles,
                   ratings.fit_seconds, ratings.bootstrap_seconds, flags->bootstrap);
      for (const auto& f : out->written) std::printf("wrote %s\n", f.string().c_str());
      return 0;
    };
  });
}

}  // namespace kaif::cli
