#include <cstdio>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "report/text_summary.h"

namespace kaif::cli {

void AddRoundCommand(CLI::App& app, Runner& run) {
  struct Flags {
    job::RoundOptions options;
    std::string previous;
    std::vector<std::string> what_if;
    std::string explain;
    AuditFlags audit;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("round", "Decide one stage: scores, frontier ratio, gates, rank, elimination, "
                                              "allocation, certification");
  cmd->add_option("--program", flags->options.program, "Program file (TOML)")->required();
  cmd->add_option("--results", flags->options.results, "Folder of the stage's results JSON files")->required();
  cmd->add_option("--stage", flags->options.stage, "Stage number (1-based)")->required()->check(CLI::PositiveNumber);
  cmd->add_option("--out", flags->options.out, "Output folder for decision.json, report.html and CSV tables");
  cmd->add_option("--previous", flags->previous, "decision.json of the previous stage (needed from stage 2 on)");
  cmd->add_option("--what-if", flags->what_if,
                  "Change a rule (axes.expert.weight=25) or an input (file.json:/json/pointer=value) and show what "
                  "moves; writes nothing");
  cmd->add_option("--explain", flags->explain, "Print where every number of this team comes from");
  flags->audit.Register(*cmd);
  cmd->callback([cmd, flags, &run] {
    run = [cmd, flags]() -> int {
      job::RoundOptions& options = flags->options;
      if (!flags->previous.empty()) options.previous = flags->previous;
      if (!flags->what_if.empty() && !flags->explain.empty()) {
        return Fail(Status::InvalidInput("--explain explains a decision that is written; use it with --out, not with --what-if"));
      }
      if (!flags->what_if.empty()) {
        Result<std::string> diff = job::RunWhatIf(options, flags->what_if);
        if (!diff.ok()) return Fail(diff.status());
        std::fputs(diff->c_str(), stdout);
        return 0;
      }
      if (options.out.empty()) return Fail(Status::InvalidInput("round needs --out <folder> for its outputs"));
      options.audit = flags->audit.ToOptions();
      Result<job::RoundOutput> output = job::RunRound(options);
      if (!output.ok()) return Fail(output.status());
      std::fputs(report::RenderTextSummary(output->decision).c_str(), stdout);
      if (!flags->explain.empty()) {
        Result<std::string> text = report::RenderTeamExplanation(output->decision, flags->explain);
        if (!text.ok()) return Fail(text.status());
        std::fputs(("\n" + *text).c_str(), stdout);
      }
      std::printf("\nwrote %zu files to %s", output->files.size(), options.out.string().c_str());
      if (!output->audit_entry_hash.empty()) std::printf("; audit entry %s", output->audit_entry_hash.c_str());
      std::printf("\n");
      return 0;
    };
  });
}

}  // namespace kaif::cli
