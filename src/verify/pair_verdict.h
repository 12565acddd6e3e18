// A candidate against references: every test the checkpoints allow, each with a ln
// p-value under "independently initialised", combined with Fisher's method per component
// (text, vision, audio) and overall, and a verdict at the program's significance level.
//
// The weight tests compare the candidate's checkpoint with each reference's fingerprint
// (fingerprint.h), so a reference is read once, or never when it comes from the library:
// (1) copies: a tensor whose bytes hash to the reference's, or whose sampled values are
// within a relative error of 1e-3 of them (constant tensors such as untrained norms are no
// evidence); (2) unit blocks (a dense MLP layer, an expert, a tower's MLP): the reference's
// sampled units matched to all of the candidate's by each of the two views, and the
// matchings' agreement (unit_matching.h); every candidate block is searched against every
// reference block of its component and width, so duplicated, dropped or shifted layers
// and permuted experts are found (Bonferroni-corrected for the search; with many blocks a
// cheap screen picks which pairs get the full matching); (3) norm weights by their rank
// correlation, dimension by dimension (never the raw cosine, near 1 for any two models
// because norm weights sit near 1); (4) embedding tables, tokens aligned by string across
// vocabularies (by id for one vocabulary), the same hidden dimensions correlated over the
// tokens, against the permutation null of which dimension faces which. With both models
// on the native engine, (5) MLP neurons matched by their activations on the same tokens
// (activation_match.h), robust to rotations of the residual stream.
//
// Every null is exact or checked: under independent initialisation the hidden dimensions
// and units of one model are exchangeable against the other's, whatever training did.
// Tests that first match dimensions to each other are avoided where trained models break
// them (independently trained models converge to features that match one to one; see
// trained_family_test.cc): the MLP test is the exception, as gate and up rows share only
// the unit's index.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "util/status.h"
#include "verify/checkpoint_tensors.h"
#include "verify/fingerprint.h"

namespace kaif::verify {

struct VerifyOptions {
  double alpha = 0.01;                // the program's significance level
  FingerprintOptions fingerprint;     // for references given as checkpoints
  // Up to this many block pairs per reference, every pair is matched in full; beyond, each
  // candidate block is screened against every reference block and the `retest` best are.
  size_t full_search_pairs = 256;
  size_t screen_units = 32;
  size_t retest = 2;
  size_t probe_tokens = 256;          // tokens both models read for the activation test
  std::set<std::string> components;   // "text", "vision", "audio"; empty: all
};

// Both models opened with the native engine, for the activation test (activation_match.h).
struct ModelEngines {
  engine::Engine* candidate = nullptr;
  engine::Engine* reference = nullptr;
};

struct Evidence {
  std::string test;       // "copy", "mlp_units", "mlp_activations", "norm_correlation", "embedding_dims"
  std::string tensor;     // the candidate's role key ("text/3/mlp.gate") or block key ("text/3/moe.5")
  std::optional<int> reference_layer;
  std::string reference_tensor;  // the reference's block matched, when it is not the same key
  double statistic = 0;   // relative error, rho, or r
  double log_p = 0;       // ln p; 0 when the test says nothing
};

struct ComponentVerdict {
  std::string component;
  size_t tests = 0, copied_tensors = 0;
  double log_p = 0;
  std::string verdict;
};

struct PairVerdict {
  std::string reference;
  std::vector<Evidence> evidence;
  std::vector<std::vector<double>> layer_log_p;  // [candidate layer][reference layer] of the text unit test
  size_t compared_tensors = 0, copied_tensors = 0, informative_tests = 0;
  size_t shared_tokens = 0;  // embedding rows aligned between the two vocabularies
  // When both checkpoints carry a tokenizer: vocabulary sizes, token strings they share,
  // and shared strings at the same id. Facts, not a test: teams often start from another
  // model's tokenizer legitimately.
  // Merges likewise: how many both have, and how many leading merges are the same in the
  // same order (a tokenizer trained afresh on similar text shares merges, rarely a long
  // identical prefix of them).
  struct TokenizerOverlap {
    size_t candidate_vocab = 0, reference_vocab = 0, shared_strings = 0, same_ids = 0;
    size_t candidate_merges = 0, reference_merges = 0, shared_merges = 0, same_leading_merges = 0;
  };
  std::optional<TokenizerOverlap> tokenizer_overlap;
  std::vector<ComponentVerdict> components;
  double log_p = 0;  // combined
  // What the verdict is taken on: the combined ln p or a component's, corrected for the
  // number of components, whichever is smaller.
  double verdict_log_p = 0;
  std::string verdict;  // "derived", "independent", "inconclusive"
  std::string explanation;
};

// The weight tests against each reference fingerprint, reading each candidate block once.
// The verdicts are not yet decided (Decide).
Result<std::vector<PairVerdict>> CompareWeights(const CheckpointTensors& candidate,
                                                const std::vector<const Fingerprint*>& references,
                                                const VerifyOptions& options);

// Adds the activation test's evidence (both models on the engine).
Status AddActivationTest(PairVerdict& pair, const ModelEngines& engines, const VerifyOptions& options);

// Combines the evidence per component and overall and writes the verdict and explanation.
void Decide(PairVerdict& pair, const VerifyOptions& options, size_t candidate_tensors, size_t reference_tensors);

// One candidate against one reference checkpoint, every step; `engines` null: weight tests only.
Result<PairVerdict> ComparePair(const CheckpointTensors& candidate, const CheckpointTensors& reference,
                                const VerifyOptions& options, const ModelEngines* engines = nullptr);

}  // namespace kaif::verify
