#include "verify/pair_verdict.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "verify/activation_match.h"
#include "verify/p_values.h"
#include "verify/unit_matching.h"

namespace kaif::verify {
namespace {

std::string ComponentOf(const std::string& key) { return key.substr(0, key.find('/')); }

bool Wanted(const VerifyOptions& options, const std::string& key) {
  return options.components.empty() || options.components.count(ComponentOf(key)) > 0;
}

double RelativeError(const std::vector<float>& a, const std::vector<float>& b) {
  double diff = 0, norm = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    diff += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    norm += static_cast<double>(b[i]) * b[i];
  }
  return norm > 0 ? std::sqrt(diff / norm) : (diff > 0 ? 1.0 : 0.0);
}

// Norm weights by rank correlation, index by index: under independent initialisation the
// hidden dimensions of one model are exchangeable against the other's (which dimension
// training makes large is arbitrary), so Spearman's rho has its distribution-free null
// whatever the weights' distribution. One-sided: a derivative keeps its norms.
std::pair<double, double> NormCorrelation(const std::vector<float>& a, const std::vector<float>& b) {
  const double rho = SpearmanRho(std::vector<double>(a.begin(), a.end()), std::vector<double>(b.begin(), b.end()));
  return {rho, LogRankCorrelationPValue(rho, a.size())};
}

// The candidate's row for each of the reference print's tokens: by token string when both
// sides know their strings, else by id when the vocabularies have the same size.
// Pairs (position in the print, candidate row).
// `ids`: the candidate's token strings (empty without a tokenizer).
std::vector<std::pair<size_t, size_t>> AlignTokens(const EmbeddingPrint& e,
                                                   const std::unordered_map<std::string, size_t>& ids,
                                                   size_t candidate_rows) {
  std::vector<std::pair<size_t, size_t>> out;
  if (!ids.empty() && !e.tokens.empty()) {
    for (size_t j = 0; j < e.tokens.size(); ++j) {
      auto it = ids.find(e.tokens[j]);
      if (it != ids.end() && it->second < candidate_rows) out.emplace_back(j, it->second);
    }
  } else if (candidate_rows == e.vocab) {
    for (size_t j = 0; j < e.ids.size(); ++j) out.emplace_back(j, e.ids[j]);
  }
  return out;
}

// Embedding tables, dimension by dimension: the reference's kept dimensions against the
// same dimensions of the candidate, each a column over the aligned tokens. The statistic
// is the sum of the m same-index correlations; its null is the permutation distribution
// (which candidate dimension faces which reference dimension is arbitrary under
// independent initialisation), normal by Hoeffding's combinatorial central limit theorem.
// A test that first matched dimensions (robust to a permuted residual stream) would not be
// calibrated: independently trained models converge to features that match one to one.
Result<std::optional<std::pair<double, double>>> EmbeddingCorrelation(const EmbeddingPrint& e, const tensor::TensorView& c,
                                                                       const std::vector<std::pair<size_t, size_t>>& aligned) {
  using None = std::optional<std::pair<double, double>>;
  const size_t m = e.dims.size(), tokens = aligned.size(), dim = c.shape[1];
  if (dim != e.dim || m < 8 || tokens < 16) return None();
  std::vector<double> a(m * tokens), b(m * tokens);
  std::vector<size_t> positions(m);
  for (size_t t = 0; t < tokens; ++t) {
    const auto [j, row] = aligned[t];
    for (size_t d = 0; d < m; ++d) positions[d] = row * dim + e.dims[d];
    KAIF_ASSIGN_OR_RETURN(std::vector<float> values, ElementsAt(c, positions));
    for (size_t d = 0; d < m; ++d) a[d * tokens + t] = values[d], b[d * tokens + t] = e.values[d * e.ids.size() + j];
  }
  for (auto* v : {&a, &b}) {  // each column centred and scaled to unit length
    for (size_t d = 0; d < m; ++d) {
      double mean = 0, norm = 0;
      for (size_t t = 0; t < tokens; ++t) mean += (*v)[d * tokens + t];
      mean /= static_cast<double>(tokens);
      for (size_t t = 0; t < tokens; ++t) norm += ((*v)[d * tokens + t] - mean) * ((*v)[d * tokens + t] - mean);
      const double scale = norm > 0 ? 1 / std::sqrt(norm) : 0;
      for (size_t t = 0; t < tokens; ++t) (*v)[d * tokens + t] = ((*v)[d * tokens + t] - mean) * scale;
    }
  }
  std::vector<double> corr(m * m, 0), row_mean(m, 0), col_mean(m, 0);
  double grand = 0, trace = 0;
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = 0; j < m; ++j) {
      double s = 0;
      for (size_t t = 0; t < tokens; ++t) s += a[i * tokens + t] * b[j * tokens + t];
      corr[i * m + j] = s, row_mean[i] += s / m, col_mean[j] += s / m, grand += s / (m * m);
    }
    trace += corr[i * m + i];
  }
  // Under a uniformly random pairing of dimensions: mean m * grand, variance
  // sum d_ij^2 / (m - 1) with d the doubly centred correlations.
  double variance = 0;
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = 0; j < m; ++j) {
      const double d = corr[i * m + j] - row_mean[i] - col_mean[j] + grand;
      variance += d * d;
    }
  }
  variance /= static_cast<double>(m - 1);
  if (!(variance > 0)) return None();
  const double z = (trace - static_cast<double>(m) * grand) / std::sqrt(variance);
  return None(std::pair{trace / static_cast<double>(m), LogNormalUpperTail(z)});
}

// A reference block's rows, as many as the candidate block has units.
UnitRows Trimmed(const UnitRows& rows, size_t units) {
  if (rows.rows <= units) return rows;
  UnitRows out = rows;
  out.rows = units;
  out.first.resize(units * rows.cols);
  out.second.resize(units * rows.cols);
  return out;
}

bool Comparable(const BlockPrint& r, const UnitBlock& c) { return r.component == c.component && r.dim == c.dim; }

// (2) every candidate block against the reference blocks of its component and width.
Status CompareBlocks(const CheckpointTensors& candidate, const std::vector<const Fingerprint*>& references,
                     const VerifyOptions& options, std::vector<PairVerdict>& out) {
  std::vector<UnitBlock> blocks;
  for (const UnitBlock& b : UnitBlocks(candidate)) {
    if (Wanted(options, b.key)) blocks.push_back(b);
  }
  std::vector<bool> full_search(references.size());
  for (size_t r = 0; r < references.size(); ++r) {
    size_t pairs = 0;
    for (const UnitBlock& c : blocks) {
      for (const BlockPrint& p : references[r]->blocks) pairs += Comparable(p, c);
    }
    full_search[r] = pairs <= options.full_search_pairs;
    out[r].layer_log_p.assign(static_cast<size_t>(candidate.layers()),
                              std::vector<double>(static_cast<size_t>(references[r]->layers), 0.0));
  }
  for (const UnitBlock& c : blocks) {
    std::map<size_t, UnitRows> rows_by_width;  // the candidate block read once per coordinate count
    for (size_t r = 0; r < references.size(); ++r) {
      const Fingerprint& f = *references[r];
      std::vector<const BlockPrint*> eligible;
      for (const BlockPrint& p : f.blocks) {
        if (Comparable(p, c)) eligible.push_back(&p);
      }
      if (eligible.empty()) continue;
      const size_t k = std::min(c.dim, f.options.coordinates);
      if (!rows_by_width.count(k)) {
        KAIF_ASSIGN_OR_RETURN(rows_by_width[k], ReadUnitRows(c, {}, SampleCoordinates(c.dim, f.options.coordinates)));
      }
      const UnitRows& cand = rows_by_width[k];
      std::vector<const BlockPrint*> tested = eligible;
      if (!full_search[r] && eligible.size() > options.retest) {
        std::vector<std::pair<ScreenScore, const BlockPrint*>> scored;
        for (const BlockPrint* p : eligible) scored.emplace_back(Screen(p->rows, options.screen_units, cand), p);
        std::partial_sort(scored.begin(), scored.begin() + static_cast<long>(options.retest), scored.end(),
                          [](const auto& a, const auto& b) { return b.first < a.first; });
        tested.clear();
        for (size_t i = 0; i < options.retest; ++i) tested.push_back(scored[i].second);
      }
      double best = 0, best_rho = 0;
      const BlockPrint* best_block = nullptr;
      for (const BlockPrint* p : tested) {
        KAIF_ASSIGN_OR_RETURN(UnitAgreement t, RowsAgreement(Trimmed(p->rows, c.units), cand));
        if (c.views_unordered || p->views_unordered) {
          // A block found by shape may hold its views the other way round: both, Bonferroni.
          UnitRows swapped = cand;
          std::swap(swapped.first, swapped.second);
          KAIF_ASSIGN_OR_RETURN(UnitAgreement other, RowsAgreement(Trimmed(p->rows, c.units), swapped));
          if (other.log_p < t.log_p) t = std::move(other);
          t.log_p = std::min(0.0, t.log_p + std::log(2.0));
        }
        if (c.component == "text" && c.layer < candidate.layers() && p->layer < f.layers) {
          double& cell = out[r].layer_log_p[static_cast<size_t>(c.layer)][static_cast<size_t>(p->layer)];
          cell = std::min(cell, t.log_p);
        }
        if (!best_block || t.log_p < best) best = t.log_p, best_rho = t.rho, best_block = p;
      }
      // The best of the eligible reference blocks (screened or not): Bonferroni keeps alpha.
      const double corrected = std::min(0.0, best + std::log(static_cast<double>(eligible.size())));
      out[r].evidence.push_back({"mlp_units", c.key, best_block->layer,
                                 best_block->key == c.key ? std::string() : best_block->key, best_rho, corrected});
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<PairVerdict>> CompareWeights(const CheckpointTensors& candidate,
                                                const std::vector<const Fingerprint*>& references,
                                                const VerifyOptions& options) {
  std::vector<PairVerdict> out(references.size());
  std::map<std::string, TensorSketch> sketches;  // the candidate's, taken once
  std::map<std::string, std::vector<float>> norms;
  // The candidate's tokenizer, read once for every reference.
  std::unordered_map<std::string, size_t> candidate_ids;
  std::vector<std::string> candidate_merges;
  if (const tokenizer::Tokenizer* tok = candidate.tokenizer()) {
    for (int id = 0; id < tok->vocab_size(); ++id) candidate_ids.emplace(tok->TokenText(id), static_cast<size_t>(id));
    candidate_merges = tok->Merges();
  }
  for (size_t r = 0; r < references.size(); ++r) {
    const Fingerprint& f = *references[r];
    PairVerdict& v = out[r];
    v.reference = f.source;

    // (1) copies and (3) norms, tensor by tensor of the same role and shape.
    for (const auto& [key, c] : candidate.by_key()) {
      auto ref = f.tensors.find(key);
      if (!Wanted(options, key) || ref == f.tensors.end() || ref->second.shape != c->shape || c->elements() == 0) continue;
      if (!sketches.count(key)) {
        KAIF_ASSIGN_OR_RETURN(sketches[key], SketchOf(*c, f.options.sketch));
      }
      const TensorSketch& mine = sketches[key];
      if (mine.constant || ref->second.constant || mine.sample.size() != ref->second.sample.size()) continue;
      ++v.compared_tensors;
      const double error = mine.hash == ref->second.hash ? 0.0 : RelativeError(mine.sample, ref->second.sample);
      if (error <= 1e-3) {
        ++v.copied_tensors;
        v.evidence.push_back({"copy", key, std::nullopt, "", error, -INFINITY});
        continue;
      }
      auto ref_norm = f.norms.find(key);
      if (ref_norm != f.norms.end() && IsNormVector(key, *c)) {
        if (!norms.count(key)) {
          KAIF_ASSIGN_OR_RETURN(norms[key], Values(*c));
        }
        auto [rho, log_p] = NormCorrelation(norms[key], ref_norm->second);
        v.evidence.push_back({"norm_correlation", key, std::nullopt, "", rho, log_p});
      }
    }

    if (const tokenizer::Tokenizer* tok = candidate.tokenizer(); tok && !f.vocabulary.empty()) {
      PairVerdict::TokenizerOverlap o;
      o.candidate_vocab = static_cast<size_t>(tok->vocab_size());
      o.reference_vocab = f.vocabulary.size();
      std::unordered_map<std::string, size_t> in_reference;
      for (size_t id = 0; id < f.vocabulary.size(); ++id) {
        if (!f.vocabulary[id].empty()) in_reference.emplace(f.vocabulary[id], id);
      }
      for (size_t id = 0; id < o.candidate_vocab; ++id) {
        auto it = in_reference.find(tok->TokenText(static_cast<int>(id)));
        if (it == in_reference.end()) continue;
        ++o.shared_strings;
        o.same_ids += it->second == id;
      }
      const std::vector<std::string>& merges = candidate_merges;
      o.candidate_merges = merges.size(), o.reference_merges = f.merges.size();
      const std::unordered_set<std::string> reference_merges(f.merges.begin(), f.merges.end());
      for (const std::string& m : merges) o.shared_merges += reference_merges.count(m);
      while (o.same_leading_merges < std::min(merges.size(), f.merges.size()) &&
             merges[o.same_leading_merges] == f.merges[o.same_leading_merges]) {
        ++o.same_leading_merges;
      }
      v.tokenizer_overlap = o;
    }

    // (4) embedding tables (and an untied output head), tokens aligned.
    for (const EmbeddingPrint& e : f.embeddings) {
      const tensor::TensorView* c = candidate.Find(e.key);
      if (!Wanted(options, e.key) || !c || c->shape.size() != 2 || !tensor::Info(c->dtype).is_float) continue;
      const auto aligned = AlignTokens(e, candidate_ids, c->shape[0]);
      v.shared_tokens = std::max(v.shared_tokens, aligned.size());
      const bool copied = std::any_of(v.evidence.begin(), v.evidence.end(),
                                      [&](const Evidence& x) { return x.test == "copy" && x.tensor == e.key; });
      if (copied) continue;  // counted above
      KAIF_ASSIGN_OR_RETURN(auto t, EmbeddingCorrelation(e, *c, aligned));
      if (t) v.evidence.push_back({"embedding_dims", e.key, std::nullopt, "", t->first, t->second});
    }
  }
  KAIF_RETURN_IF_ERROR(CompareBlocks(candidate, references, options, out));
  return out;
}

Status AddActivationTest(PairVerdict& pair, const ModelEngines& engines, const VerifyOptions& options) {
  if (!Wanted(options, "text/")) return Status::Ok();  // the engine runs the text component
  const auto& a = engines.candidate->architecture();
  const auto& b = engines.reference->architecture();
  const size_t vocab = static_cast<size_t>(std::min(a.vocab_size, b.vocab_size));
  const size_t window = static_cast<size_t>(std::min(a.max_positions, b.max_positions));
  const std::vector<int> ids = ProbeTokens(vocab, std::min<size_t>(options.probe_tokens, window > 0 ? window : 256));
  KAIF_ASSIGN_OR_RETURN(auto agreements, ActivationAgreement(*engines.candidate, *engines.reference, ids,
                                                             options.fingerprint.units));
  for (const auto& [layer, t] : agreements) {
    pair.evidence.push_back({"mlp_activations", fmt::format("text/{}/mlp", layer), layer, "", t.rho, t.log_p});
  }
  return Status::Ok();
}

void Decide(PairVerdict& pair, const VerifyOptions& options, size_t candidate_tensors, size_t reference_tensors) {
  // One ln p per test; the weight and activation tests of one layer read the same weights,
  // so they count once, by the better of the two, Bonferroni-corrected.
  std::map<std::string, std::vector<double>> by_component;
  std::map<std::string, size_t> copies;
  std::map<std::string, std::vector<double>> per_block;
  for (const Evidence& e : pair.evidence) {
    const std::string component = ComponentOf(e.tensor);
    if (e.test == "copy") {
      ++copies[component];
      by_component[component].push_back(-INFINITY);
    } else if (e.test == "mlp_units" || e.test == "mlp_activations") {
      per_block[e.tensor].push_back(e.log_p);
    } else {
      by_component[component].push_back(e.log_p);
    }
  }
  for (const auto& [key, values] : per_block) {
    const double best = *std::min_element(values.begin(), values.end());
    by_component[ComponentOf(key)].push_back(std::min(0.0, best + std::log(static_cast<double>(values.size()))));
  }
  pair.components.clear();
  pair.informative_tests = 0;
  std::vector<double> all;
  for (const auto& [component, values] : by_component) {
    ComponentVerdict c;
    c.component = component;
    c.copied_tensors = copies[component];
    c.tests = values.size() - c.copied_tensors;
    c.log_p = FisherCombine(values);
    pair.informative_tests += c.tests;
    all.insert(all.end(), values.begin(), values.end());
    pair.components.push_back(c);
  }
  // "Derived" when the combined p or one component's is below alpha: with C > 1 components
  // that is 1 + C tests, Bonferroni-weighted half to the combined p, half to the components.
  const size_t count = pair.components.size();
  const double component_correction = count > 1 ? std::log(2.0 * static_cast<double>(count)) : 0.0;
  pair.log_p = FisherCombine(all);
  double decisive = pair.log_p + (count > 1 ? std::log(2.0) : 0.0);
  std::vector<std::string> derived;
  for (ComponentVerdict& c : pair.components) {
    const double corrected = c.log_p + component_correction;
    c.verdict = c.copied_tensors > 0 || corrected < std::log(options.alpha) ? "derived"
                : c.tests > 0                                                ? "independent"
                                                                             : "inconclusive";
    if (c.verdict == "derived") derived.push_back(c.component);
    decisive = std::min(decisive, corrected);
  }
  pair.verdict_log_p = std::min(0.0, decisive);
  const double log10_p = pair.log_p / std::log(10.0);
  if (pair.copied_tensors > 0 && pair.copied_tensors == pair.compared_tensors && candidate_tensors == reference_tensors) {
    pair.verdict = "derived";
    pair.explanation = fmt::format("the two checkpoints hold the same weights (all {} tensors compared are copies): "
                                   "is the reference the candidate itself?",
                                   pair.compared_tensors);
  } else if (pair.copied_tensors > 0) {
    pair.verdict = "derived";
    pair.explanation = fmt::format("{} tensors are copies of the reference's ({})", pair.copied_tensors,
                                   fmt::join(derived, ", "));
  } else if (pair.informative_tests == 0) {
    pair.verdict = "inconclusive";
    pair.explanation = "no tensor of the two checkpoints could be compared (different architectures or shapes)";
  } else if (pair.verdict_log_p < std::log(options.alpha)) {
    pair.verdict = "derived";
    pair.explanation = fmt::format("{} tests combined: log10 p = {:.1f}, below the level {}; derived: {}",
                                   pair.informative_tests, log10_p, options.alpha,
                                   derived.empty() ? std::string("overall") : fmt::format("{}", fmt::join(derived, ", ")));
  } else {
    pair.verdict = "independent";
    pair.explanation = fmt::format("{} tests combined: log10 p = {:.2f}, not below the level {}", pair.informative_tests,
                                   log10_p, options.alpha);
  }
}

Result<PairVerdict> ComparePair(const CheckpointTensors& candidate, const CheckpointTensors& reference,
                                const VerifyOptions& options, const ModelEngines* engines) {
  KAIF_ASSIGN_OR_RETURN(Fingerprint f, TakeFingerprint(reference, options.fingerprint));
  KAIF_ASSIGN_OR_RETURN(std::vector<PairVerdict> pairs, CompareWeights(candidate, {&f}, options));
  PairVerdict& pair = pairs[0];
  if (engines) KAIF_RETURN_IF_ERROR(AddActivationTest(pair, *engines, options));
  Decide(pair, options, candidate.by_key().size(), reference.by_key().size());
  return std::move(pair);
}

}  // namespace kaif::verify
