#include <cmath>
#include <cstdio>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "job/verify_job.h"

namespace kaif::cli {

void AddVerifyCommand(CLI::App& app, Runner& run) {
  struct Flags {
    std::string candidate, out, team;
    std::vector<std::string> against;
    double alpha = 0.01;
    int stage = 0;
    bool weights_only = false;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("verify", "Test whether a model was trained from scratch or derived from a reference");
  cmd->add_option("candidate", flags->candidate, "The candidate checkpoint (safetensors folder or file, or GGUF)")->required();
  cmd->add_option("--against", flags->against, "Reference checkpoints")->required();
  cmd->add_option("--alpha", flags->alpha, "Significance level of the verdict")->capture_default_str();
  cmd->add_option("--out", flags->out, "Folder for verify.json, verify.html (and the independence results document)");
  cmd->add_flag("--weights-only", flags->weights_only, "Skip the activation test (running both models)");
  cmd->add_option("--team", flags->team, "Also write OUT/<team>.independence.json (kaif.results/1) for kaif round");
  cmd->add_option("--stage", flags->stage, "The program stage of that document")->check(CLI::PositiveNumber);
  cmd->callback([flags, &run] {
    run = [flags]() -> int {
      job::VerifyJob job;
      job.candidate = flags->candidate;
      for (const std::string& a : flags->against) job.references.emplace_back(a);
      job.options.alpha = flags->alpha;
      job.activations = !flags->weights_only;
      job.out = flags->out;
      if (flags->team.empty() != (flags->stage == 0)) return Fail(Status::InvalidInput("--team and --stage go together"));
      if (!flags->team.empty()) {
        if (flags->out.empty()) return Fail(Status::InvalidInput("--team needs --out"));
        job.target = job::ProgramTarget{flags->team, flags->stage};
      }
      Result<job::VerifyOutcome> out = job::RunVerify(job);
      if (!out.ok()) return Fail(out.status());
      for (const verify::PairVerdict& p : out->pairs) {
        std::printf("%-40s %-12s log10 p %10.2f  %s\n", p.reference.c_str(), p.verdict.c_str(),
                    p.log_p / std::log(10.0), p.explanation.c_str());
        if (p.tokenizer_overlap) {
          const auto& o = *p.tokenizer_overlap;
          std::printf("    tokenizers: %zu and %zu tokens, %zu strings shared, %zu at the same id\n", o.candidate_vocab,
                      o.reference_vocab, o.shared_strings, o.same_ids);
        }
        for (const verify::Evidence& e : p.evidence) {
          std::string layer = e.reference_layer ? " <- layer " + std::to_string(*e.reference_layer) : "";
          std::printf("    %-18s %-28s statistic %8.4f  log10 p %10.2f%s\n", e.test.c_str(), e.tensor.c_str(),
                      e.statistic, e.log_p / std::log(10.0), layer.c_str());
        }
      }
      std::printf("verdict: %s (closest: %s, log10 p %.2f at alpha %g)\n", out->verdict.c_str(),
                  out->pairs[out->closest].reference.c_str(), out->log10_p, flags->alpha);
      for (const auto& f : out->written) std::printf("wrote %s\n", f.string().c_str());
      return 0;
    };
  });
}

}  // namespace kaif::cli
