// The job behind `kaif verify`: a candidate checkpoint against one or more references,
// each pair's evidence and verdict (verify/pair_verdict.h), the closest reference, and the
// files: OUT/verify.json (every test), OUT/verify.html (the report) and, for a team and stage, the kaif.results/1
// independence document `kaif round`'s independence gate reads.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "job/eval_results.h"
#include "util/status.h"
#include "verify/pair_verdict.h"

namespace kaif::job {

struct VerifyJob {
  std::filesystem::path candidate;
  std::vector<std::filesystem::path> references;
  verify::VerifyOptions options;
  bool activations = true;  // also the activation test, where both models run on the engine
  std::filesystem::path out;  // empty: write nothing
  std::optional<ProgramTarget> target;
};

struct VerifyOutcome {
  std::vector<verify::PairVerdict> pairs;  // one per reference
  size_t closest = 0;                      // the reference with the smallest p
  std::string verdict;                     // over all references
  double log10_p = 0;                      // the closest pair's, Bonferroni-corrected for the references
  std::vector<std::filesystem::path> written;
};

Result<VerifyOutcome> RunVerify(const VerifyJob& job);

}  // namespace kaif::job
