#include <cstdio>

#include "cli/cli_support.h"
#include "cli/commands.h"

namespace kaif::cli {

void AddSimulateCommand(CLI::App& app, Runner& run) {
  struct Flags {
    job::SimulateOptions options;
    AuditFlags audit;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("simulate", "Run every stage of the program from per-stage results and show each "
                                                 "team's path and the total spend");
  cmd->add_option("--program", flags->options.program, "Program file (TOML)")->required();
  cmd->add_option("--plan", flags->options.plan,
                  "kaif.simulation/1 JSON listing each stage's results folder (relative to the plan)")
      ->required();
  cmd->add_option("--out", flags->options.out, "Output folder (one sub-folder per stage)")->required();
  flags->audit.Register(*cmd);
  cmd->callback([flags, &run] {
    run = [flags]() -> int {
      flags->options.audit = flags->audit.ToOptions();
      Result<job::SimulateOutput> output = job::RunSimulation(flags->options);
      if (!output.ok()) return Fail(output.status());
      std::fputs(output->summary.c_str(), stdout);
      std::printf("\nwrote stage1..stage%zu and summary.txt to %s\n", output->stages.size(),
                  flags->options.out.string().c_str());
      return 0;
    };
  });
}

}  // namespace kaif::cli
