#include <cstdio>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "report/text_summary.h"

namespace kaif::cli {

void AddDemoCommand(CLI::App& app, Runner& run) {
  struct Flags {
    std::string out = "kaif-demo";
    AuditFlags audit;
  };
  auto flags = std::make_shared<Flags>();
  flags->audit.log = "";
  CLI::App* cmd = app.add_subcommand("demo", "Decide stage 1 of the built-in example program (invented data) and "
                                             "simulate all its stages");
  cmd->add_option("--out", flags->out, "Output folder")->capture_default_str();
  flags->audit.Register(*cmd);
  cmd->callback([flags, &run] {
    run = [flags]() -> int {
      if (flags->audit.log.empty()) flags->audit.log = flags->out + "/audit.sqlite";
      Result<job::DemoOutput> demo = job::RunDemo(flags->out, flags->audit.ToOptions());
      if (!demo.ok()) return Fail(demo.status());
      std::fputs(report::RenderTextSummary(demo->round.decision).c_str(), stdout);
      std::printf("\nreport: %s/report.html  decision: %s/decision.json  inputs: %s/input/\n", flags->out.c_str(),
                  flags->out.c_str(), flags->out.c_str());
      std::printf("all stages: %s/simulation/summary.txt (stage reports in %s/simulation/stageN/)\n", flags->out.c_str(),
                  flags->out.c_str());
      std::string round = "kaif round --program " + flags->out + "/input/program.toml --results " + flags->out +
                          "/input/results/stage1 --stage 1";
      std::printf("why hanbit got its GPUs:  %s --out %s --explain hanbit\n", round.c_str(), flags->out.c_str());
      std::printf("what if experts weighed less:  %s --what-if axes.expert.weight=20 --what-if axes.users.weight=30\n",
                  round.c_str());
      return 0;
    };
  });
}

}  // namespace kaif::cli
