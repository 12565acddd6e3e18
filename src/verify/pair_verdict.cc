#include "verify/pair_verdict.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "verify/activation_match.h"
#include "verify/p_values.h"
#include "verify/unit_matching.h"

namespace kaif::verify {
namespace {

bool Constant(const std::vector<float>& v) {
  return std::all_of(v.begin(), v.end(), [&](float x) { return x == v[0]; });
}

double RelativeError(const std::vector<float>& a, const std::vector<float>& b) {
  double diff = 0, norm = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    norm += static_cast<double>(b[i]) * b[i];
  }
  return norm > 0 ? std::sqrt(diff / norm) : (diff > 0 ? 1.0 : 0.0);
}

// Pearson's r of the centred vectors and its one-sided ln p (t with n - 2 dof).
std::pair<double, double> CentredCorrelation(const std::vector<float>& a, const std::vector<float>& b) {
  const double n = static_cast<double>(a.size());
  double ma = 0, mb = 0;
  for (size_t i = 0; i < a.size(); ++i) ma += a[i], mb += b[i];
  ma /= n, mb /= n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb), saa += (a[i] - ma) * (a[i] - ma), sbb += (b[i] - mb) * (b[i] - mb);
  }
  const double r = saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0;
  if (r >= 1) return {r, -INFINITY};
  const double dof = n - 2;
  return {r, LogStudentTUpperTail(r * std::sqrt(dof / ((1 - r) * (1 + r))), dof)};
}

bool SameShape(const tensor::TensorView* a, const tensor::TensorView* b) { return a && b && a->shape == b->shape; }

// Rows of the two vocabularies that stand for the same token: by token string when both
// checkpoints have a tokenizer, else by id when the vocabularies are the same size.
std::vector<std::pair<size_t, size_t>> SharedTokens(const CheckpointTensors& a, const CheckpointTensors& b, size_t rows_a,
                                                    size_t rows_b) {
  std::vector<std::pair<size_t, size_t>> shared;
  if (a.tokenizer() && b.tokenizer()) {
    std::map<std::string, size_t> in_b;
    for (size_t id = 0; id < rows_b && id < static_cast<size_t>(b.tokenizer()->vocab_size()); ++id) {
      const std::string text = b.tokenizer()->TokenText(static_cast<int>(id));
      if (!text.empty()) in_b.emplace(text, id);
    }
    for (size_t id = 0; id < rows_a && id < static_cast<size_t>(a.tokenizer()->vocab_size()); ++id) {
      auto it = in_b.find(a.tokenizer()->TokenText(static_cast<int>(id)));
      if (it != in_b.end()) shared.emplace_back(id, it->second);
    }
  } else if (rows_a == rows_b) {
    for (size_t id = 0; id < rows_a; ++id) shared.emplace_back(id, id);
  }
  return shared;
}

// Hidden dimensions of two embedding tables matched twice, on two disjoint halves of the
// shared tokens; the matchings agree for a derived model (whatever permutation of the
// residual stream it applied) and are independent for independently initialised ones.
Result<std::optional<UnitAgreement>> EmbeddingAgreement(const std::vector<float>& a, const std::vector<float>& b,
                                                        size_t hidden, const std::vector<std::pair<size_t, size_t>>& shared) {
  const size_t half = shared.size() / 2;
  if (half < 16) return std::optional<UnitAgreement>();
  // Columns as units: [hidden x half] for each side and half.
  std::vector<float> a1(hidden * half), b1(hidden * half), a2(hidden * half), b2(hidden * half);
  for (size_t t = 0; t < half; ++t) {
    const auto [ia1, ib1] = shared[2 * t];
    const auto [ia2, ib2] = shared[2 * t + 1];
    for (size_t h = 0; h < hidden; ++h) {
      a1[h * half + t] = a[ia1 * hidden + h], b1[h * half + t] = b[ib1 * hidden + h];
      a2[h * half + t] = a[ia2 * hidden + h], b2[h * half + t] = b[ib2 * hidden + h];
    }
  }
  KAIF_ASSIGN_OR_RETURN(UnitAgreement t, MatchingAgreement(a1, b1, a2, b2, hidden, half));
  return std::optional<UnitAgreement>(std::move(t));
}

}  // namespace

Result<PairVerdict> ComparePair(const CheckpointTensors& candidate, const CheckpointTensors& reference,
                                const VerifyOptions& options, const ModelEngines* engines) {
  PairVerdict out;
  out.reference = reference.path().string();
  std::vector<double> combined;

  // (1) copies and (3) norms, tensor by tensor of the same role and shape.
  size_t compared = 0;
  for (const auto& [key, c] : candidate.by_key()) {
    const tensor::TensorView* r = reference.Find(key);
    if (!SameShape(c, r)) continue;
    KAIF_ASSIGN_OR_RETURN(std::vector<float> cv, Values(*c));
    KAIF_ASSIGN_OR_RETURN(std::vector<float> rv, Values(*r));
    if (Constant(cv) || Constant(rv)) continue;  // an untouched initial value says nothing
    ++compared;
    const double error = RelativeError(cv, rv);
    if (error <= 1e-3) {
      ++out.copied_tensors;
      out.evidence.push_back({"copy", key, std::nullopt, error, -INFINITY});
      combined.push_back(-INFINITY);
      continue;
    }
    if (c->shape.size() == 1 && key.find("norm") != std::string::npos && cv.size() >= 8) {
      auto [rho, log_p] = CentredCorrelation(cv, rv);
      out.evidence.push_back({"norm_correlation", key, std::nullopt, rho, log_p});
      combined.push_back(log_p);
      ++out.informative_tests;
    }
  }

  if (candidate.tokenizer() && reference.tokenizer()) {
    PairVerdict::TokenizerOverlap o;
    o.candidate_vocab = static_cast<size_t>(candidate.tokenizer()->vocab_size());
    o.reference_vocab = static_cast<size_t>(reference.tokenizer()->vocab_size());
    for (const auto& [a, b] : SharedTokens(candidate, reference, o.candidate_vocab, o.reference_vocab)) {
      ++o.shared_strings;
      o.same_ids += a == b;
    }
    out.tokenizer_overlap = o;
  }

  // (4) embedding tables (and an untied output head), rows aligned by token.
  for (const char* role : {"embed", "lm_head"}) {
    const std::string key = std::string("text/-/") + role;
    const tensor::TensorView* c = candidate.Find(key);
    const tensor::TensorView* r = reference.Find(key);
    if (!c || !r || c->shape.size() != 2 || r->shape.size() != 2 || c->shape[1] != r->shape[1]) continue;
    const auto shared = SharedTokens(candidate, reference, c->shape[0], r->shape[0]);
    out.shared_tokens = std::max(out.shared_tokens, shared.size());
    KAIF_ASSIGN_OR_RETURN(std::vector<float> cv, Values(*c));
    KAIF_ASSIGN_OR_RETURN(std::vector<float> rv, Values(*r));
    if (Constant(cv) || RelativeError(cv, rv) <= 1e-3) continue;  // copies are counted above
    KAIF_ASSIGN_OR_RETURN(std::optional<UnitAgreement> t, EmbeddingAgreement(cv, rv, c->shape[1], shared));
    if (!t) continue;
    out.evidence.push_back({"embedding_dims", key, std::nullopt, t->rho, t->log_p});
    combined.push_back(t->log_p);
    ++out.informative_tests;
  }

  // (2) MLP layers, each candidate layer against each reference layer; with engines, also
  // by activations. One ln p per candidate layer.
  std::map<int, double> mlp_log_p;
  const int cl = candidate.layers(), rl = reference.layers();
  const bool search = static_cast<size_t>(std::max(cl, rl)) <= options.max_align_layers;
  out.layer_log_p.assign(static_cast<size_t>(cl), std::vector<double>(static_cast<size_t>(rl), 0.0));
  for (int i = 0; i < cl; ++i) {
    const auto* cg = candidate.Find(fmt::format("text/{}/mlp.gate", i));
    const auto* cu = candidate.Find(fmt::format("text/{}/mlp.up", i));
    if (!cg || !cu || cg->shape.size() != 2) continue;
    KAIF_ASSIGN_OR_RETURN(std::vector<float> gate, Values(*cg));
    KAIF_ASSIGN_OR_RETURN(std::vector<float> up, Values(*cu));
    double best = 0, best_rho = 0;
    int best_layer = -1;
    size_t searched = 0;
    for (int j = 0; j < rl; ++j) {
      if (!search && j != i) continue;
      const auto* rg = reference.Find(fmt::format("text/{}/mlp.gate", j));
      const auto* ru = reference.Find(fmt::format("text/{}/mlp.up", j));
      if (!SameShape(cg, rg) || !SameShape(cu, ru)) continue;
      KAIF_ASSIGN_OR_RETURN(std::vector<float> ref_gate, Values(*rg));
      KAIF_ASSIGN_OR_RETURN(std::vector<float> ref_up, Values(*ru));
      KAIF_ASSIGN_OR_RETURN(UnitAgreement t, MatchingAgreement(gate, ref_gate, up, ref_up, cg->shape[0], cg->shape[1]));
      out.layer_log_p[static_cast<size_t>(i)][static_cast<size_t>(j)] = t.log_p;
      ++searched;
      if (best_layer < 0 || t.log_p < best) best = t.log_p, best_rho = t.rho, best_layer = j;
    }
    if (best_layer < 0) continue;
    // The best of `searched` reference layers: Bonferroni, so the search keeps alpha.
    const double corrected = std::min(0.0, best + std::log(static_cast<double>(searched)));
    out.evidence.push_back({"mlp_units", fmt::format("text/{}/mlp", i), best_layer, best_rho, corrected});
    mlp_log_p[i] = corrected;
  }
  if (engines) {
    const size_t vocab = static_cast<size_t>(std::min(engines->candidate->architecture().vocab_size,
                                                      engines->reference->architecture().vocab_size));
    const size_t window = static_cast<size_t>(std::min(engines->candidate->architecture().max_positions,
                                                       engines->reference->architecture().max_positions));
    const std::vector<int> ids = ProbeTokens(vocab, std::min<size_t>(options.probe_tokens, window > 0 ? window : 256));
    KAIF_ASSIGN_OR_RETURN(auto agreements, ActivationAgreement(*engines->candidate, *engines->reference, ids));
    for (const auto& [layer, t] : agreements) {
      out.evidence.push_back({"mlp_activations", fmt::format("text/{}/mlp", layer), layer, t.rho, t.log_p});
      // Weight and activation tests of one layer read the same weights: not independent,
      // so the layer counts once, by the better of the two, Bonferroni-corrected.
      auto w = mlp_log_p.find(layer);
      mlp_log_p[layer] = w == mlp_log_p.end() ? t.log_p : std::min(0.0, std::min(w->second, t.log_p) + std::log(2.0));
    }
  }
  for (const auto& [layer, log_p] : mlp_log_p) {
    combined.push_back(log_p);
    ++out.informative_tests;
  }

  out.log_p = FisherCombine(combined);
  const double log10_p = out.log_p / std::log(10.0);
  if (out.copied_tensors > 0 && out.copied_tensors == compared && candidate.by_key().size() == reference.by_key().size()) {
    out.verdict = "derived";
    out.explanation = fmt::format("the two checkpoints hold the same weights (all {} tensors compared are copies): "
                                  "is the reference the candidate itself?",
                                  compared);
  } else if (out.copied_tensors > 0) {
    out.verdict = "derived";
    out.explanation = fmt::format("{} tensors are copies of the reference's", out.copied_tensors);
  } else if (out.informative_tests == 0) {
    out.verdict = "inconclusive";
    out.explanation = "no tensor of the two checkpoints could be compared (different architectures or shapes)";
  } else if (out.log_p < std::log(options.alpha)) {
    out.verdict = "derived";
    out.explanation = fmt::format("{} tests combined: log10 p = {:.1f}, below the level {}", out.informative_tests,
                                  log10_p, options.alpha);
  } else {
    out.verdict = "independent";
    out.explanation = fmt::format("{} tests combined: log10 p = {:.2f}, not below the level {}", out.informative_tests,
                                  log10_p, options.alpha);
  }
  return out;
}

}  // namespace kaif::verify
