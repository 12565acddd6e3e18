#include <cstdio>
#include <cstdlib>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "job/arena_job.h"
#include "job/arena_load_job.h"
#include "job/arena_serve_job.h"

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

  AddArenaServerCommands(*arena, run);
}

void AddArenaServerCommands(CLI::App& arena, Runner& run) {
  struct Flags {
    std::string config, name, out, url, acked, round;
    int port = -1;
    double seconds = 10;
    size_t connections = 64, battles = 0;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* serve = arena.add_subcommand("serve", "Serve the arena: the page, battles, votes, experts, leaderboards");
  serve->add_option("--config", flags->config, "The arena's arena.toml")->required();
  serve->add_option("--port", flags->port, "Listen here instead of the config's port (0: any free port)");
  serve->callback([flags, &run] {
    run = [flags]() -> int {
      job::ArenaServeJob job;
      job.config = flags->config;
      job.port = flags->port;
      job.log = [](const std::string& line) { std::fprintf(stderr, "kaif arena: %s\n", line.c_str()); };
      Status s = job::RunArenaServe(job);
      return s.ok() ? 0 : Fail(s);
    };
  });

  CLI::App* expert = arena.add_subcommand("expert", "Experts of the arena");
  expert->require_subcommand(1);
  CLI::App* add = expert->add_subcommand("add", "Add an expert; prints the expert's token (shown only once)");
  add->add_option("--config", flags->config, "The arena's arena.toml")->required();
  add->add_option("name", flags->name, "The expert's name")->required();
  add->callback([flags, &run] {
    run = [flags]() -> int {
      Result<std::string> token = job::AddArenaExpert(flags->config, flags->name);
      if (!token.ok()) return Fail(token.status());
      std::printf("%s\n", token->c_str());
      std::fprintf(stderr, "expert %s added; give them this token, it is not stored and cannot be shown again\n",
                   flags->name.c_str());
      return 0;
    };
  });

  CLI::App* exp = arena.add_subcommand(
      "export", "Write the public data export; kaif arena ratings reads it (with --stage --out: the teams' documents)");
  exp->add_option("--config", flags->config, "The arena's arena.toml")->required();
  exp->add_option("--out", flags->out, "The export's JSON file")->required();
  exp->add_option("--round", flags->round, "Only the votes of this frozen round (POST /api/admin/freeze)");
  exp->callback([flags, &run] {
    run = [flags]() -> int {
      Status s = job::ExportArena(flags->config, flags->out, flags->round);
      if (!s.ok()) return Fail(s);
      std::printf("wrote %s\n", flags->out.c_str());
      return 0;
    };
  });

  CLI::App* load = arena.add_subcommand("loadtest", "Votes against a running arena as fast as it takes them");
  load->add_option("--config", flags->config, "The served arena's arena.toml (pow_bits = 0, no vote limits)")->required();
  load->add_option("--url", flags->url, "Where it listens: http://127.0.0.1:PORT")->required();
  load->add_option("--seconds", flags->seconds, "How long")->capture_default_str();
  load->add_option("--connections", flags->connections, "Keep-alive connections")->capture_default_str();
  load->add_option("--battles", flags->battles, "Battles to seed (default: 50,000 per second asked for)");
  load->add_option("--acked", flags->acked, "Write the id of every acknowledged vote here, a line each");
  load->callback([flags, &run] {
    run = [flags]() -> int {
      job::ArenaLoadJob job;
      job.config = flags->config, job.url = flags->url, job.seconds = flags->seconds;
      job.connections = flags->connections, job.battles = flags->battles, job.acked = flags->acked;
      Result<job::ArenaLoadOutcome> out = job::RunArenaLoad(job);
      if (!out.ok()) return Fail(out.status());
      std::printf("votes: %zu sent, %zu acknowledged, %zu refused, %zu without answer in %.2f s (seeding %.2f s)\n",
                  out->sent, out->acknowledged, out->refused, out->broken, out->seconds, out->seed_seconds);
      std::printf("throughput: %.0f votes/s\nlatency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", out->votes_per_second,
                  out->p50_ms, out->p90_ms, out->p99_ms, out->max_ms);
      for (const auto& [status, n] : out->statuses) std::printf("status %d: %zu\n", status, n);
      return 0;
    };
  });
}

}  // namespace kaif::cli
