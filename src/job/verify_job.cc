#include "job/verify_job.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "job/verify_index.h"
#include "report/verify_html.h"
#include "util/file.h"

namespace kaif::job {

using nlohmann::json;

Result<VerifyOutcome> RunVerify(const VerifyJob& job) {
  if (job.references.empty()) return Status::InvalidInput("give at least one reference model (--against)");
  KAIF_ASSIGN_OR_RETURN(auto candidate, verify::CheckpointTensors::Open(job.candidate));
  KAIF_ASSIGN_OR_RETURN(std::vector<ReferenceSource> sources, ExpandReferences(job.references));
  // Every reference as a fingerprint: loaded from the library, or taken from its checkpoint.
  std::vector<verify::Fingerprint> prints;
  std::vector<std::unique_ptr<verify::CheckpointTensors>> checkpoints;  // null for library entries
  for (const ReferenceSource& s : sources) {
    if (s.is_fingerprint) {
      Result<verify::Fingerprint> f = verify::LoadFingerprint(s.path);
      if (!f.ok()) return f.status();
      prints.push_back(std::move(*f));
      checkpoints.emplace_back();
      continue;
    }
    Result<std::unique_ptr<verify::CheckpointTensors>> c = verify::CheckpointTensors::Open(s.path);
    if (!c.ok()) return c.status().WithContext(s.path.string());
    Result<verify::Fingerprint> f = verify::TakeFingerprint(**c, job.options.fingerprint);
    if (!f.ok()) return f.status().WithContext(s.path.string());
    prints.push_back(std::move(*f));
    checkpoints.push_back(std::move(*c));
  }
  std::vector<const verify::Fingerprint*> refs;
  for (const verify::Fingerprint& f : prints) refs.push_back(&f);
  VerifyOutcome out;
  KAIF_ASSIGN_OR_RETURN(out.pairs, verify::CompareWeights(*candidate, refs, job.options));

  // The activation test needs both models on the engine; a checkpoint it cannot run
  // (another architecture, a lone tensor file, a library entry) gets the weight tests only.
  std::unique_ptr<engine::Engine> candidate_engine;
  if (job.activations) {
    Result<std::unique_ptr<engine::Engine>> e = engine::Engine::Open(job.candidate);
    if (e.ok()) candidate_engine = std::move(*e);
  }
  for (size_t r = 0; r < sources.size(); ++r) {
    if (candidate_engine && checkpoints[r]) {
      Result<std::unique_ptr<engine::Engine>> e = engine::Engine::Open(sources[r].path);
      if (e.ok()) {
        const verify::ModelEngines engines{candidate_engine.get(), e->get()};
        Status s = verify::AddActivationTest(out.pairs[r], engines, job.options);
        if (!s.ok()) return s.WithContext(sources[r].path.string());
      }
    }
    verify::Decide(out.pairs[r], job.options, candidate->by_key().size(), prints[r].tensors.size());
  }
  for (size_t i = 1; i < out.pairs.size(); ++i) {
    if (out.pairs[i].verdict_log_p < out.pairs[out.closest].verdict_log_p) out.closest = i;
  }
  // The closest of R references: Bonferroni over the references keeps the level.
  const double references = static_cast<double>(out.pairs.size());
  const verify::PairVerdict& best = out.pairs[out.closest];
  const double log_p = std::min(0.0, best.verdict_log_p + std::log(references));
  out.log10_p = log_p / std::log(10.0);
  const bool any_copy = best.copied_tensors > 0;
  const bool any_informative = std::any_of(out.pairs.begin(), out.pairs.end(),
                                           [](const verify::PairVerdict& p) { return p.informative_tests > 0; });
  out.verdict = any_copy || log_p < std::log(job.options.alpha) ? "derived"
                : any_informative                               ? "independent"
                                                                : "inconclusive";
  if (job.out.empty()) return out;

  std::error_code ec;
  std::filesystem::create_directories(job.out, ec);
  if (ec) return Status::IoError(job.out.string() + ": " + ec.message());
  json pairs = json::array();
  for (const verify::PairVerdict& p : out.pairs) {
    json evidence = json::array();
    for (const verify::Evidence& e : p.evidence) {
      json row = {{"test", e.test}, {"tensor", e.tensor}, {"statistic", e.statistic},
                  {"log10_p", std::isinf(e.log_p) ? json("-inf") : json(e.log_p / std::log(10.0))}};
      if (e.reference_layer) row["reference_layer"] = *e.reference_layer;
      if (!e.reference_tensor.empty()) row["reference_tensor"] = e.reference_tensor;
      evidence.push_back(row);
    }
    json layers = json::array();
    for (const auto& row : p.layer_log_p) {
      json r = json::array();
      for (double l : row) r.push_back(std::isinf(l) ? json("-inf") : json(l / std::log(10.0)));
      layers.push_back(r);
    }
    json overlap;
    if (p.tokenizer_overlap) {
      const auto& o = *p.tokenizer_overlap;
      overlap = {{"candidate_vocab", o.candidate_vocab}, {"reference_vocab", o.reference_vocab},
                 {"shared_strings", o.shared_strings}, {"same_ids", o.same_ids},
                 {"candidate_merges", o.candidate_merges}, {"reference_merges", o.reference_merges},
                 {"shared_merges", o.shared_merges}, {"same_leading_merges", o.same_leading_merges}};
    }
    json components = json::array();
    for (const verify::ComponentVerdict& c : p.components) {
      components.push_back({{"component", c.component}, {"verdict", c.verdict}, {"tests", c.tests},
                            {"copied_tensors", c.copied_tensors},
                            {"log10_p", std::isinf(c.log_p) ? json("-inf") : json(c.log_p / std::log(10.0))}});
    }
    pairs.push_back({{"reference", p.reference}, {"verdict", p.verdict}, {"explanation", p.explanation},
                     {"components", components},
                     {"tokenizer_overlap", overlap},
                     {"log10_p", std::isinf(p.log_p) ? json("-inf") : json(p.log_p / std::log(10.0))},
                     {"copied_tensors", p.copied_tensors}, {"informative_tests", p.informative_tests},
                     {"evidence", evidence}, {"layer_log10_p", layers}});
  }
  json report = {{"candidate", job.candidate.string()}, {"alpha", job.options.alpha}, {"verdict", out.verdict},
                 {"closest_model", best.reference},
                 {"log10_p", std::isinf(out.log10_p) ? json("-inf") : json(out.log10_p)}, {"pairs", pairs}};
  const std::filesystem::path report_file = job.out / "verify.json";
  KAIF_RETURN_IF_ERROR(WriteFileAtomic(report_file, report.dump(2) + "\n"));
  out.written.push_back(report_file);
  const std::filesystem::path html_file = job.out / "verify.html";
  KAIF_RETURN_IF_ERROR(WriteFileAtomic(html_file, report::RenderVerifyHtml(report)));
  out.written.push_back(html_file);
  if (job.target) {
    const std::string detail = best.explanation + (std::isinf(out.log10_p) ? std::string(" (p below any number)") : "");
    json doc = {{"schema", "kaif.results/1"},
                {"kind", "independence"},
                {"team", job.target->team},
                {"stage", job.target->stage},
                {"producer", {{"name", "kaif verify"}, {"version", KAIF_VERSION}}},
                {"independence", {{"verdict", out.verdict},
                                  {"p_value", std::exp(out.log10_p * std::log(10.0))},
                                  {"closest_model", best.reference},
                                  {"detail", detail}}}};
    const std::filesystem::path file = job.out / (job.target->team + ".independence.json");
    KAIF_RETURN_IF_ERROR(WriteFileAtomic(file, doc.dump(2) + "\n"));
    out.written.push_back(file);
  }
  return out;
}

}  // namespace kaif::job
