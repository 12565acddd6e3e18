#include <cmath>
#include <cstdio>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "job/verify_index.h"
#include "job/verify_job.h"

namespace kaif::cli {

void AddVerifyCommand(CLI::App& app, Runner& run) {
  struct Flags {
    std::string candidate, out, team;
    std::vector<std::string> against, components;
    std::string models, library;
    bool force = false;
    double alpha = 0.01;
    int stage = 0;
    bool weights_only = false;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("verify", "Test whether a model was trained from scratch or derived from a reference");
  cmd->add_option("candidate", flags->candidate, "The candidate checkpoint (safetensors folder or file, or GGUF)");
  cmd->add_option("--against", flags->against,
                  "References: checkpoints, fingerprint files, or libraries made by `kaif verify index`");
  cmd->add_option("--components", flags->components, "Only these components (text, vision, audio; default all)")->delimiter(',');
  cmd->add_option("--alpha", flags->alpha, "Significance level of the verdict")->capture_default_str();
  cmd->add_option("--out", flags->out, "Folder for verify.json, verify.html (and the independence results document)");
  cmd->add_flag("--weights-only", flags->weights_only, "Skip the activation test (running both models)");
  cmd->add_option("--team", flags->team, "Also write OUT/<team>.independence.json (kaif.results/1) for kaif round");
  cmd->add_option("--stage", flags->stage, "The program stage of that document")->check(CLI::PositiveNumber);
  CLI::App* index = cmd->add_subcommand("index", "Fingerprint every checkpoint in a folder of known models, once");
  index->add_option("models", flags->models, "The folder of known models")->required();
  index->add_option("--out", flags->library, "The library folder (default MODELS/.kaif-index)");
  index->add_flag("--force", flags->force, "Fingerprint again even when up to date");
  index->callback([flags, &run] {
    run = [flags]() -> int {
      job::IndexJob job;
      job.models = flags->models;
      job.library = flags->library;
      job.force = flags->force;
      Result<job::IndexOutcome> out = job::RunIndex(job);
      if (!out.ok()) return Fail(out.status());
      for (const auto& f : out->written) std::printf("wrote %s\n", f.string().c_str());
      for (const auto& f : out->up_to_date) std::printf("up to date %s\n", f.string().c_str());
      for (const auto& [path, status] : out->failed) {
        std::fprintf(stderr, "kaif: skipped %s: %s\n", path.string().c_str(), status.ToString().c_str());
      }
      return out->failed.empty() ? 0 : 1;
    };
  });
  cmd->callback([flags, cmd, &run] {
    if (cmd->got_subcommand("index")) return;
    run = [flags]() -> int {
      if (flags->candidate.empty() || flags->against.empty()) {
        return Fail(Status::InvalidInput("usage: kaif verify CANDIDATE --against REF... (or kaif verify index DIR)"));
      }
      job::VerifyJob job;
      for (const std::string& c : flags->components) {
        if (c == "all") continue;
        if (c != "text" && c != "vision" && c != "audio") {
          return Fail(Status::InvalidInput("--components: " + c + " is not text, vision, audio or all"));
        }
        job.options.components.insert(c);
      }
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
          std::printf("    tokenizers: %zu and %zu tokens, %zu strings shared, %zu at the same id; %zu and %zu merges, "
                      "%zu shared, the first %zu identical\n",
                      o.candidate_vocab, o.reference_vocab, o.shared_strings, o.same_ids, o.candidate_merges,
                      o.reference_merges, o.shared_merges, o.same_leading_merges);
        }
        for (const verify::ComponentVerdict& c : p.components) {
          std::printf("    component %-8s %-12s log10 p %10.2f  (%zu tests, %zu copies)\n", c.component.c_str(),
                      c.verdict.c_str(), c.log_p / std::log(10.0), c.tests, c.copied_tensors);
        }
        for (const verify::Evidence& e : p.evidence) {
          std::string layer = !e.reference_tensor.empty() ? " <- " + e.reference_tensor
                              : e.reference_layer      ? " <- layer " + std::to_string(*e.reference_layer)
                                                       : "";
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
