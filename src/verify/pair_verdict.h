// One candidate against one reference: every test the two checkpoints allow, each with a
// ln p-value under "independently initialised", combined with Fisher's method, and a
// verdict at the program's significance level.
//
// Tests: (1) copies: a tensor of the candidate equal to the reference's (relative error at
// most 1e-3; constant tensors such as untrained norms are no evidence); (2) MLP units
// matched by gate rows and by up rows agree (unit_matching.h), every candidate layer
// against every reference layer so that duplicated, dropped or shifted layers are found
// (the best reference layer per candidate layer, Bonferroni-corrected for the search);
// (3) norm weights by their centred correlation (never the raw cosine, which is near 1 for
// any two models because norm weights sit near 1); (4) embedding tables, rows aligned by
// token string (by id for one vocabulary): the hidden dimensions matched on two halves of
// the shared tokens agree for a derived model, even one that permuted its residual stream;
// (5) with both models on the native engine, MLP neurons matched by their activations on
// the same tokens (activation_match.h), robust to rotations of the residual stream.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "util/status.h"
#include "verify/checkpoint_tensors.h"

namespace kaif::verify {

struct VerifyOptions {
  double alpha = 0.01;         // the program's significance level
  // Every layer pair is searched up to this many layers a side; beyond, layer i is compared
  // with layer i only (each matching of 11,008 units costs seconds).
  size_t max_align_layers = 16;
  size_t probe_tokens = 256;   // tokens both models read for the activation test
};

// Both models opened with the native engine, for the activation test (activation_match.h).
struct ModelEngines {
  engine::Engine* candidate = nullptr;
  engine::Engine* reference = nullptr;
};

struct Evidence {
  std::string test;       // "copy", "mlp_units", "mlp_activations", "norm_correlation", "embedding_dims"
  std::string tensor;     // the candidate's role key
  std::optional<int> reference_layer;
  double statistic = 0;   // relative error, rho, or r
  double log_p = 0;       // ln p; 0 when the test says nothing
};

struct PairVerdict {
  std::string reference;
  std::vector<Evidence> evidence;
  std::vector<std::vector<double>> layer_log_p;  // [candidate layer][reference layer] of the MLP test
  size_t copied_tensors = 0, informative_tests = 0;
  size_t shared_tokens = 0;  // embedding rows aligned between the two vocabularies
  // When both checkpoints carry a tokenizer: vocabulary sizes, token strings they share,
  // and shared strings at the same id. Facts, not a test: teams often start from another
  // model's tokenizer legitimately.
  struct TokenizerOverlap {
    size_t candidate_vocab = 0, reference_vocab = 0, shared_strings = 0, same_ids = 0;
  };
  std::optional<TokenizerOverlap> tokenizer_overlap;
  double log_p = 0;  // combined
  std::string verdict;  // "derived", "independent", "inconclusive"
  std::string explanation;
};

// `engines` null: weight tests only.
Result<PairVerdict> ComparePair(const CheckpointTensors& candidate, const CheckpointTensors& reference,
                                const VerifyOptions& options, const ModelEngines* engines = nullptr);

}  // namespace kaif::verify
