// The reference library behind `kaif verify index DIR`: every checkpoint in DIR (a
// folder holding safetensors, a .safetensors file, a .gguf file) fingerprinted once
// (verify/fingerprint.h) into LIBRARY/<name>.fingerprint.safetensors, so that later
// checks against hundreds of known models read none of them. Re-running skips the
// fingerprints newer than their checkpoint's files; a checkpoint that cannot be read is
// reported and skipped, the others are still indexed.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "util/status.h"
#include "verify/fingerprint.h"

namespace kaif::job {

struct IndexJob {
  std::filesystem::path models;   // the folder of known models
  std::filesystem::path library;  // empty: MODELS/.kaif-index
  verify::FingerprintOptions options;
  bool force = false;             // fingerprint again even when up to date
};

struct IndexOutcome {
  std::filesystem::path library;
  std::vector<std::filesystem::path> written, up_to_date;
  std::vector<std::pair<std::filesystem::path, Status>> failed;
};

Result<IndexOutcome> RunIndex(const IndexJob& job);

// The checkpoints directly inside a folder, by name.
std::vector<std::pair<std::string, std::filesystem::path>> CheckpointsIn(const std::filesystem::path& dir);

// A reference given to `kaif verify --against`: a fingerprint file, a library folder
// (every fingerprint in it, or in its .kaif-index), or a checkpoint.
struct ReferenceSource {
  std::filesystem::path path;
  bool is_fingerprint = false;
};
Result<std::vector<ReferenceSource>> ExpandReferences(const std::vector<std::filesystem::path>& against);

}  // namespace kaif::job
