// Results documents: what eval, arena and verify publish about one team's model, and
// what a stage decision is computed from. One JSON file per team and kind; the schema is
// versioned ("kaif.results/1") and described in README.md.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace kaif::program {

enum class ResultsKind { kBenchmarks, kSafety, kArena, kExpert, kDerivatives, kIndependence };

struct Measurement {
  double value = 0;
  double stderr_ = 0;  // standard error, in the same unit as value
  long n = 0;          // items, battles or scores behind it (0 if unknown)
};

struct SafetyCategory {
  long items = 0;
  long passed = 0;
};

struct IndependenceReport {
  std::string verdict;  // "independent", "derived", "inconclusive"
  std::optional<double> p_value;
  std::string closest_model;
  std::string detail;
};

struct ResultsDocument {
  std::string source;  // file name (or bundle entry), for messages and the audit trail
  std::string sha256;  // of the file's bytes
  ResultsKind kind = ResultsKind::kBenchmarks;
  std::string team;
  int stage = 0;
  std::string pool;  // arena pool or expert panel; empty for other kinds
  std::string model_weights_sha256;
  std::optional<double> parameters;           // model size, for per-parameter views
  std::optional<double> training_compute_flops;

  std::map<std::string, Measurement> benchmarks;        // kBenchmarks
  std::map<std::string, SafetyCategory> safety;         // kSafety, by category
  Measurement arena_rating;                             // kArena (rating and stderr)
  double expert_max_score = 100;                        // kExpert
  std::vector<double> expert_scores;                    // kExpert, one per expert
  std::map<std::string, double> derivatives;            // kDerivatives: kind -> count
  IndependenceReport independence;                      // kIndependence
};

// All documents for one stage, indexed for lookup.
class ResultsSet {
 public:
  // Adds a document; fails if one for the same team, kind and pool is already there.
  Status Add(ResultsDocument doc);
  const ResultsDocument* Find(const std::string& team, ResultsKind kind, const std::string& pool = "") const;
  const std::vector<ResultsDocument>& documents() const { return documents_; }

 private:
  std::vector<ResultsDocument> documents_;
  std::map<std::string, size_t> index_;  // team/kind/pool -> position
};

const char* ToString(ResultsKind kind);

}  // namespace kaif::program
