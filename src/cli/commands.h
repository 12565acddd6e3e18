// `kaif <verb>`: each Add*Command registers a verb's flags on the CLI11 app and the
// function that runs it. Verbs parse flags, call one library function and print.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace kaif::cli {

// Runs the selected verb after parsing; returns the process exit code.
using Runner = std::function<int()>;

void AddDemoCommand(CLI::App& app, Runner& run);
void AddRoundCommand(CLI::App& app, Runner& run);
void AddSimulateCommand(CLI::App& app, Runner& run);
void AddAuditCommand(CLI::App& app, Runner& run);
void AddModelCommand(CLI::App& app, Runner& run);
void AddTokenizeCommand(CLI::App& app, Runner& run);
void AddGenerateCommand(CLI::App& app, Runner& run);
void AddScoreCommand(CLI::App& app, Runner& run);
void AddEvalCommand(CLI::App& app, Runner& run);
void AddEvalCompareCommand(CLI::App& eval, Runner& run);  // kaif eval compare
void AddVerifyCommand(CLI::App& app, Runner& run);
void AddServeCommand(CLI::App& app, Runner& run);
void AddArenaCommand(CLI::App& app, Runner& run);
void AddArenaServerCommands(CLI::App& arena, Runner& run);  // serve, expert add, export, loadtest

}  // namespace kaif::cli
