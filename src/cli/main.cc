// kaif: evaluation and resource allocation for national foundation-model programs.
#include <cstdio>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"kaif: reproducible stage decisions for national foundation-model programs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("kaif ") + KAIF_VERSION);
  kaif::cli::Runner run;
  kaif::cli::AddDemoCommand(app, run);
  kaif::cli::AddRoundCommand(app, run);
  kaif::cli::AddSimulateCommand(app, run);
  kaif::cli::AddAuditCommand(app, run);
  kaif::cli::AddModelCommand(app, run);
  kaif::cli::AddTokenizeCommand(app, run);
  kaif::cli::AddGenerateCommand(app, run);
  kaif::cli::AddScoreCommand(app, run);
  kaif::cli::AddEvalCommand(app, run);
  kaif::cli::AddVerifyCommand(app, run);
  kaif::cli::AddServeCommand(app, run);
  kaif::cli::AddArenaCommand(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    // Usage errors are bad input (2); --help and --version exit 0.
    return code == 0 ? 0 : 2;
  }
  return run ? run() : 2;
}
