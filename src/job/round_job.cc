#include "job/round_job.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "job/audit_record.h"
#include "program/program_file.h"
#include "program/results_file.h"
#include "program/round.h"
#include "report/csv_tables.h"
#include "report/decision_json.h"
#include "report/html_report.h"
#include "report/text_summary.h"
#include "util/file.h"
#include "util/sha256.h"

namespace kaif::job {
namespace {

namespace fs = std::filesystem;
using program::StageDecision;

struct Changes {
  std::vector<program::ProgramOverride> program;
  std::vector<program::ResultsOverride> results;
};

Result<Changes> ParseChanges(const std::vector<std::string>& texts) {
  Changes changes;
  for (const std::string& text : texts) {
    size_t equals = text.find('=');
    if (equals == std::string::npos || equals == 0) {
      return Status::InvalidInput("--what-if '" + text +
                                  "' needs KEY=VALUE, e.g. axes.expert.weight=25 or hanbit.arena-public.json:/arena/rating=1100");
    }
    std::string key = text.substr(0, equals), value = text.substr(equals + 1);
    size_t colon = key.find(':');
    if (colon == std::string::npos) {
      changes.program.push_back({key, value});
    } else {
      changes.results.push_back({key.substr(0, colon), key.substr(colon + 1), value});
    }
  }
  return changes;
}

// Everything a round reads, checked, and the decision made from it.
Result<StageDecision> Decide(const fs::path& program_path, const fs::path& results_dir, int stage,
                             const StageDecision* previous, const Changes& changes) {
  KAIF_ASSIGN_OR_RETURN(std::string text, ReadFile(program_path));
  KAIF_ASSIGN_OR_RETURN(program::Program prog, program::ParseProgram(text, program_path.string(), changes.program));
  Result<program::ResultsSet> results = program::LoadResultsDirectory(results_dir, changes.results);
  if (!results.ok()) return results.status().WithContext(results_dir.string());
  program::RoundInputs inputs;
  inputs.program = &prog;
  inputs.program_source = program_path.filename().string();
  inputs.program_sha256 = Sha256Hex(text);
  inputs.stage = stage;
  inputs.results = &*results;
  KAIF_RETURN_IF_ERROR(program::SetParticipants(prog, stage, previous, inputs));
  return program::DecideRound(inputs);
}

Result<StageDecision> ReadPrevious(const std::optional<fs::path>& path) {
  KAIF_ASSIGN_OR_RETURN(std::string text, ReadFile(*path));
  return report::ParseDecisionJson(text, path->string());
}

// Renders every output in memory first, so a failure leaves no partial output behind.
Result<RoundOutput> WriteOutputs(StageDecision decision, const std::vector<StageDecision>& earlier, const fs::path& out,
                                 DecisionAudit& audit, const std::string& action) {
  std::vector<std::pair<std::string, std::string>> files;
  files.push_back({"decision.json", report::RenderDecisionJson(decision)});
  files.push_back({"report.html", report::RenderHtmlReport(decision, earlier)});
  for (auto& table : report::RenderCsvTables(decision)) files.push_back(std::move(table));

  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) return Status::IoError(out.string() + ": cannot create the output folder: " + ec.message());
  RoundOutput output;
  for (const auto& [name, content] : files) {
    KAIF_RETURN_IF_ERROR(WriteFileAtomic(out / name, content));
    output.files.push_back({name, Sha256Hex(content)});
  }
  KAIF_ASSIGN_OR_RETURN(output.audit_entry_hash, audit.Append(action, decision, output.files));
  output.decision = std::move(decision);
  return output;
}

}  // namespace

Result<RoundOutput> RunRound(const RoundOptions& options) {
  std::optional<StageDecision> previous;
  if (options.previous) {
    KAIF_ASSIGN_OR_RETURN(previous, ReadPrevious(options.previous));
  }
  KAIF_ASSIGN_OR_RETURN(StageDecision decision, Decide(options.program, options.results, options.stage,
                                                       previous ? &*previous : nullptr, Changes{}));
  KAIF_ASSIGN_OR_RETURN(DecisionAudit audit, DecisionAudit::Open(options.audit));
  std::vector<StageDecision> earlier;
  if (previous) earlier.push_back(*previous);
  return WriteOutputs(std::move(decision), earlier, options.out, audit, "round");
}

Result<std::string> RunWhatIf(const RoundOptions& options, const std::vector<std::string>& change_texts) {
  KAIF_ASSIGN_OR_RETURN(Changes changes, ParseChanges(change_texts));
  std::optional<StageDecision> previous;
  if (options.previous) {
    KAIF_ASSIGN_OR_RETURN(previous, ReadPrevious(options.previous));
  }
  const StageDecision* prev = previous ? &*previous : nullptr;
  KAIF_ASSIGN_OR_RETURN(StageDecision before, Decide(options.program, options.results, options.stage, prev, Changes{}));
  Result<StageDecision> after = Decide(options.program, options.results, options.stage, prev, changes);
  if (!after.ok()) return after.status().WithContext("with the what-if change");
  std::string changed;
  for (const std::string& c : change_texts) changed += (changed.empty() ? "" : ", ") + c;
  return "what if " + changed + ":\n" + report::RenderWhatIfDifferences(before, *after);
}

Result<SimulateOutput> RunSimulation(const SimulateOptions& options) {
  KAIF_ASSIGN_OR_RETURN(std::string plan_text, ReadFile(options.plan));
  nlohmann::json plan;
  try {
    plan = nlohmann::json::parse(plan_text);
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidInput(options.plan.string() + ": JSON syntax error: " + e.what());
  }
  if (!plan.is_object() || plan.value("schema", "") != "kaif.simulation/1" || !plan.contains("stages") ||
      !plan["stages"].is_array() || plan["stages"].empty()) {
    return Status::InvalidInput(options.plan.string() +
                                ": expected {\"schema\": \"kaif.simulation/1\", \"stages\": [{\"stage\": 1, "
                                "\"results\": \"<folder>\"}, ...]}");
  }
  SimulateOutput output;
  std::vector<RoundOutput> rounds;
  int expected_stage = 1;
  for (const auto& entry : plan["stages"]) {
    if (!entry.is_object() || !entry.contains("stage") || !entry["stage"].is_number_integer() ||
        !entry.contains("results") || !entry["results"].is_string()) {
      return Status::InvalidInput(options.plan.string() + ": each stage needs \"stage\" (number) and \"results\" (folder)");
    }
    int stage = entry["stage"].get<int>();
    if (stage != expected_stage) {
      return Status::InvalidInput(fmt::format("{}: stages must run 1, 2, 3... in order; found stage {} where {} was due",
                                              options.plan.string(), stage, expected_stage));
    }
    ++expected_stage;
    fs::path results = options.plan.parent_path() / entry["results"].get<std::string>();
    const StageDecision* previous = output.stages.empty() ? nullptr : &output.stages.back();
    Result<StageDecision> decision = Decide(options.program, results, stage, previous, Changes{});
    if (!decision.ok()) return decision.status().WithContext(fmt::format("stage {}", stage));
    output.stages.push_back(std::move(*decision));
  }
  // All stages decided: only now write, so a bad later stage leaves nothing behind.
  KAIF_ASSIGN_OR_RETURN(DecisionAudit audit, DecisionAudit::Open(options.audit));
  for (size_t i = 0; i < output.stages.size(); ++i) {
    std::vector<StageDecision> earlier(output.stages.begin(), output.stages.begin() + static_cast<long>(i));
    KAIF_ASSIGN_OR_RETURN(RoundOutput written, WriteOutputs(output.stages[i], earlier,
                                                            options.out / fmt::format("stage{}", i + 1), audit,
                                                            "simulate"));
  }
  output.summary = report::RenderSimulationPaths(output.stages);
  KAIF_RETURN_IF_ERROR(WriteFileAtomic(options.out / "summary.txt", output.summary));
  return output;
}

}  // namespace kaif::job
