// The jobs behind `kaif round`, `kaif simulate` and `kaif demo`: read the files, decide,
// render, write every output only after everything succeeded, and append to the audit log.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "program/decision.h"
#include "util/status.h"

namespace kaif::job {

struct AuditOptions {
  std::optional<std::filesystem::path> log;          // no log when empty
  std::optional<std::filesystem::path> signing_key;  // Ed25519 key file, optional
};

struct RoundOptions {
  std::filesystem::path program;
  std::filesystem::path results;
  int stage = 1;
  std::filesystem::path out;
  std::optional<std::filesystem::path> previous;  // decision.json of stage - 1
  AuditOptions audit;
};

struct WrittenFile {
  std::string name;
  std::string sha256;
};

struct RoundOutput {
  program::StageDecision decision;
  std::vector<WrittenFile> files;  // relative to the out directory
  std::string audit_entry_hash;    // empty without an audit log
};

Result<RoundOutput> RunRound(const RoundOptions& options);

// `changes` are "program.path=TOML value" (e.g. "axes.expert.weight=25") or
// "results-file.json:/json/pointer=JSON value". Returns a text that lists what moves:
// ranks, outcomes, composites, allocations and certifications. Writes nothing.
Result<std::string> RunWhatIf(const RoundOptions& options, const std::vector<std::string>& changes);

struct SimulateOptions {
  std::filesystem::path program;
  std::filesystem::path plan;  // kaif.simulation/1 JSON: per stage, the results folder
  std::filesystem::path out;
  AuditOptions audit;
};

struct SimulateOutput {
  std::vector<program::StageDecision> stages;
  std::string summary;  // each team's path and the total spend, as text
};

Result<SimulateOutput> RunSimulation(const SimulateOptions& options);

struct DemoOutput {
  RoundOutput round;
  SimulateOutput simulation;
};

// Writes the embedded example under out/input, decides its stage 1 into out/ and
// simulates all its stages into out/simulation.
Result<DemoOutput> RunDemo(const std::filesystem::path& out, const AuditOptions& audit);

}  // namespace kaif::job
