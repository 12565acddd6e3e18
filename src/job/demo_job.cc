#include <fmt/format.h>

#include "job/round_job.h"
#include "program/embedded_example.h"
#include "util/file.h"

namespace kaif::job {

Result<DemoOutput> RunDemo(const std::filesystem::path& out, const AuditOptions& audit) {
  namespace fs = std::filesystem;
  fs::path input = out / "input";
  for (const program::EmbeddedFile& file : program::EmbeddedExampleFiles()) {
    fs::path path = input / std::string(file.path);
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) return Status::IoError(path.parent_path().string() + ": cannot create: " + ec.message());
    KAIF_RETURN_IF_ERROR(WriteFileAtomic(path, file.content));
  }
  DemoOutput demo;
  RoundOptions round;
  round.program = input / "program.toml";
  round.results = input / "results" / "stage1";
  round.stage = 1;
  round.out = out;
  round.audit = audit;
  KAIF_ASSIGN_OR_RETURN(demo.round, RunRound(round));
  SimulateOptions simulate;
  simulate.program = round.program;
  simulate.plan = input / "simulation.json";
  simulate.out = out / "simulation";
  simulate.audit = audit;
  KAIF_ASSIGN_OR_RETURN(demo.simulation, RunSimulation(simulate));
  return demo;
}

}  // namespace kaif::job
