#include <cstdio>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/model_flags.h"
#include "job/serve_job.h"

namespace kaif::cli {

void AddServeCommand(CLI::App& app, Runner& run) {
  struct Flags {
    ModelFlags model;
    job::ServeJob job;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve a model's released weights over OpenAI's HTTP API (native CPU "
                                              "engine): /v1/completions, /v1/chat/completions, /v1/models, /health");
  flags->model.Register(*cmd);
  cmd->add_option("--host", flags->job.host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", flags->job.port, "Port to listen on (0: any free port, printed)")->capture_default_str();
  cmd->add_option("--served-model-name", flags->job.served_model_name,
                  "The model's name in the API (default: the model folder's name)");
  cmd->add_option("--handler-threads", flags->job.handler_threads,
                  "Requests answered at once (the engine runs one at a time)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->callback([flags, &run] {
    run = [flags]() -> int {
      job::ServeJob job = flags->job;
      job.model = flags->model.model;
      job.tokenizer = flags->model.tokenizer;
      job.engine = flags->model.EngineOptions();
      job.log = [](const std::string& line) {
        std::fprintf(stderr, "kaif serve: %s\n", line.c_str());
        std::fflush(stderr);
      };
      Status status = job::RunServe(job);
      if (!status.ok()) return Fail(status);
      return 0;
    };
  });
}

}  // namespace kaif::cli
