// The jobs behind `kaif arena serve`, `kaif arena expert add` and `kaif arena export`.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "util/status.h"

namespace kaif::job {

struct ArenaServeJob {
  std::filesystem::path config;
  int port = -1;  // >= 0: overrides the config's (0: any free port; the "listening" line says which)
  std::function<void(const std::string&)> log;
};

// Loads the models, registers them, serves until SIGINT or SIGTERM, then stops accepting,
// finishes what is in progress and returns Ok.
Status RunArenaServe(const ArenaServeJob& job);

// Adds an expert to the config's arena; returns the expert's token (shown once, stored
// only as a hash).
Result<std::string> AddArenaExpert(const std::filesystem::path& config, const std::string& name);

// Writes the public data export (arena_service.h) to `out`: everything, or one frozen round.
Status ExportArena(const std::filesystem::path& config, const std::filesystem::path& out, const std::string& round = "");

}  // namespace kaif::job
