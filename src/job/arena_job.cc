#include "job/arena_job.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "util/file.h"

namespace kaif::job {

using nlohmann::json;

Result<ArenaRatingsOutcome> RunArenaRatings(const ArenaRatingsJob& input) {
  ArenaRatingsJob job = input;
  KAIF_ASSIGN_OR_RETURN(std::string text, ReadFile(job.battles));
  // An arena export names its teams; --team flags are for other files.
  if (job.teams.empty()) job.teams = arena::ExportTeams(text);
  if (!job.out.empty() && (job.stage < 1 || job.teams.empty())) {
    return Status::InvalidInput("results documents need a stage and at least one MODEL=TEAM");
  }
  KAIF_ASSIGN_OR_RETURN(std::vector<arena::Battle> battles, arena::ParseBattles(text, job.battles.string(), job.pool));
  ArenaRatingsOutcome out;
  KAIF_ASSIGN_OR_RETURN(out.ratings, arena::RateModels(battles, job.options));
  const bool boot = job.options.bootstrap_rounds > 0;
  for (const auto& [model, team] : job.teams) {
    const bool rated = std::any_of(out.ratings.models.begin(), out.ratings.models.end(),
                                   [&](const arena::ModelRating& m) { return m.model == model; });
    if (!rated && input.teams.empty()) continue;  // from the export: a model without votes in this pool
    if (!rated) return Status::InvalidInput(model + " (team " + team + ") fought no battle in " + job.battles.string());
  }

  json models = json::array();
  for (const arena::ModelRating& m : out.ratings.models) {
    json row = {{"model", m.model}, {"rating", m.rating}, {"battles", m.battles},
                {"sandwich_95", {m.sandwich_low, m.sandwich_high}}};
    if (boot) row["bootstrap_95"] = {*m.bootstrap_low, *m.bootstrap_high}, row["bootstrap_median"] = *m.bootstrap_median;
    models.push_back(row);
  }
  json style = json::object();
  for (const auto& [name, value] : out.ratings.style_coefficients) style[name] = value;
  if (!job.json.empty()) {
    const json doc = {{"battles", out.ratings.battles},         {"bootstrap_rounds", job.options.bootstrap_rounds},
                      {"style_control", job.options.style_control}, {"fit_seconds", out.ratings.fit_seconds},
                      {"bootstrap_seconds", out.ratings.bootstrap_seconds}, {"models", models},
                      {"style_coefficients", style}};
    KAIF_RETURN_IF_ERROR(WriteFileAtomic(job.json, doc.dump(2) + "\n"));
    out.written.push_back(job.json);
  }
  if (job.out.empty()) return out;
  std::error_code ec;
  std::filesystem::create_directories(job.out, ec);
  if (ec) return Status::IoError(job.out.string() + ": " + ec.message());
  for (const arena::ModelRating& m : out.ratings.models) {
    auto team = job.teams.find(m.model);
    if (team == job.teams.end()) continue;
    // The standard error from the bootstrap's 95% interval when there is one, else the sandwich's.
    const double half = boot ? (*m.bootstrap_high - *m.bootstrap_low) / 2 : (m.sandwich_high - m.sandwich_low) / 2;
    const json doc = {{"schema", "kaif.results/1"},
                      {"kind", "arena"},
                      {"team", team->second},
                      {"stage", job.stage},
                      {"producer", {{"name", "kaif arena ratings"}, {"version", KAIF_VERSION}}},
                      {"arena", {{"pool", job.pool}, {"rating", m.rating}, {"stderr", half / 1.959963984540054},
                                 {"battles", m.battles}}}};
    const std::filesystem::path file = job.out / (team->second + ".arena-" + job.pool + ".json");
    KAIF_RETURN_IF_ERROR(WriteFileAtomic(file, doc.dump(2) + "\n"));
    out.written.push_back(file);
  }
  return out;
}

}  // namespace kaif::job
